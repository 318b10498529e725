package com.cococam.protocols.rtsp.sdp;

/**
 * The payload format of one RTP payload type: from {@code a=rtpmap:<pt> <encoding>/<clock>[/<channels>]}
 * (RFC 8866 section 6.6) or, for static payload types without rtpmap, from the RFC 3551 table.
 *
 * <p>Thread safety: immutable.
 *
 * @param payloadType  RTP payload type, 0 to 127.
 * @param encodingName encoding name as sent (compare ignoring case: {@code mpeg4-generic} = {@code MPEG4-GENERIC}).
 * @param clockRate    RTP clock rate in Hz.
 * @param channels     audio channels, or -1 when not given (1 is implied for audio).
 */
public record RtpMap(int payloadType, String encodingName, int clockRate, int channels)
{
    private static final RtpMap[] STATIC = new RtpMap[35];

    static
    {
        put(0, "PCMU", 8000, 1);
        put(3, "GSM", 8000, 1);
        put(4, "G723", 8000, 1);
        put(5, "DVI4", 8000, 1);
        put(6, "DVI4", 16000, 1);
        put(7, "LPC", 8000, 1);
        put(8, "PCMA", 8000, 1);
        put(9, "G722", 8000, 1);
        put(10, "L16", 44100, 2);
        put(11, "L16", 44100, 1);
        put(12, "QCELP", 8000, 1);
        put(13, "CN", 8000, 1);
        put(14, "MPA", 90000, -1);
        put(15, "G728", 8000, 1);
        put(16, "DVI4", 11025, 1);
        put(17, "DVI4", 22050, 1);
        put(18, "G729", 8000, 1);
        put(25, "CelB", 90000, -1);
        put(26, "JPEG", 90000, -1);
        put(28, "nv", 90000, -1);
        put(31, "H261", 90000, -1);
        put(32, "MPV", 90000, -1);
        put(33, "MP2T", 90000, -1);
        put(34, "H263", 90000, -1);
    }

    /**
     * @param payloadType a payload type.
     * @return the RFC 3551 static assignment, or null when the type is dynamic or unassigned.
     */
    public static RtpMap staticPayloadType(final int payloadType)
    {
        return payloadType >= 0 && payloadType < STATIC.length ? STATIC[payloadType] : null;
    }

    /**
     * Parses the value of an {@code a=rtpmap} attribute.
     *
     * @param value e.g. {@code 97 MPEG4-GENERIC/48000/2}; extra spaces tolerated.
     * @return the mapping, or null when it does not parse.
     */
    public static RtpMap parse(final String value)
    {
        final String text = value.trim();
        int space = 0;
        while (space < text.length() && !Character.isWhitespace(text.charAt(space)))
        {
            space++;
        }

        final int payloadType = Sdp.parseInt(text.substring(0, space), 127);
        final String[] parts = text.substring(space).trim().split("/");
        if (payloadType < 0 || parts.length < 2 || parts.length > 3 || parts[0].isEmpty())
        {
            return null;
        }

        final int clockRate = Sdp.parseInt(parts[1].trim(), Integer.MAX_VALUE);
        final int channels = parts.length == 3 ? Sdp.parseInt(parts[2].trim(), 255) : -1;
        if (clockRate <= 0 || (parts.length == 3 && channels <= 0))
        {
            return null;
        }

        return new RtpMap(payloadType, parts[0].trim(), clockRate, channels);
    }

    /**
     * @return the attribute value, e.g. {@code 96 H264/90000}.
     */
    public String format()
    {
        return payloadType + " " + encodingName + '/' + clockRate + (channels > 0 ? "/" + channels : "");
    }

    private static void put(final int payloadType, final String name, final int clockRate, final int channels)
    {
        STATIC[payloadType] = new RtpMap(payloadType, name, clockRate, channels);
    }
}
