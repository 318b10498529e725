package com.cococam.protocols.rtsp.sdp;

import com.cococam.protocols.rtsp.NptRange;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One media section of an SDP description ({@code m=} line and the lines after it), RFC 8866 section 5.14, with
 * helpers for what an RTSP server or client needs: payload type, rtpmap, fmtp, control URL, and the codec
 * parameters of H.264 (RFC 6184), H.265 (RFC 7798) and AAC (RFC 3640).
 *
 * <p>Helpers never throw on odd values: malformed or empty values are reported as absent (null, -1, NaN or an
 * empty list), as cameras send plenty of them (decimal profile-level-id, {@code a=framerate:0S}, sprop values
 * with trailing start codes).
 *
 * <p>Thread safety: immutable. Helpers allocate (they parse on each call); call them once per DESCRIBE.
 */
public final class SdpMedia
{
    private final String type;
    private final int port;
    private final int portCount;
    private final String proto;
    private final List<String> formats;
    private final String connection;
    private final List<String> bandwidths;
    private final List<SdpLine> otherLines;
    private final List<SdpAttribute> attributes;

    /**
     * @param type       media type, e.g. {@code video}, {@code audio}, {@code application}.
     * @param port       port (0 for RTSP).
     * @param portCount  number of ports after {@code /}, or -1.
     * @param proto      transport protocol, e.g. {@code RTP/AVP}.
     * @param formats    formats (payload types for RTP), in order.
     * @param connection {@code c=} value, or null.
     * @param bandwidths {@code b=} values ({@code AS:5000}), in order.
     * @param otherLines other lines ({@code i=}, {@code k=}, unknown), in order.
     * @param attributes {@code a=} lines, in order.
     */
    public SdpMedia(
        final String type,
        final int port,
        final int portCount,
        final String proto,
        final List<String> formats,
        final String connection,
        final List<String> bandwidths,
        final List<SdpLine> otherLines,
        final List<SdpAttribute> attributes)
    {
        this.type = type;
        this.port = port;
        this.portCount = portCount;
        this.proto = proto;
        this.formats = List.copyOf(formats);
        this.connection = connection;
        this.bandwidths = List.copyOf(bandwidths);
        this.otherLines = List.copyOf(otherLines);
        this.attributes = List.copyOf(attributes);
    }

    /**
     * @param type   media type.
     * @param proto  transport protocol, e.g. {@code RTP/AVP}.
     * @param format the payload type.
     * @return a builder for a section with port 0 (what RTSP uses).
     */
    public static Builder builder(final String type, final String proto, final int format)
    {
        return new Builder(type, proto, Integer.toString(format));
    }

    /**
     * @return media type as sent, e.g. {@code video}.
     */
    public String type()
    {
        return type;
    }

    /**
     * @return port from the m= line.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return port count, or -1.
     */
    public int portCount()
    {
        return portCount;
    }

    /**
     * @return transport protocol, e.g. {@code RTP/AVP}.
     */
    public String proto()
    {
        return proto;
    }

    /**
     * @return formats in order.
     */
    public List<String> formats()
    {
        return formats;
    }

    /**
     * @return {@code c=} value of this section, or null (the session one then applies).
     */
    public String connection()
    {
        return connection;
    }

    /**
     * @return {@code b=} values in order.
     */
    public List<String> bandwidths()
    {
        return bandwidths;
    }

    /**
     * @return lines without structure, in order.
     */
    public List<SdpLine> otherLines()
    {
        return otherLines;
    }

    /**
     * @return all attributes in order, unknown ones included.
     */
    public List<SdpAttribute> attributes()
    {
        return attributes;
    }

    /**
     * @param name attribute name, any case.
     * @return the value of the first attribute of that name ({@code ""} for a flag), or null.
     */
    public String attribute(final String name)
    {
        return Sdp.attribute(attributes, name);
    }

    /**
     * @param name attribute name, any case.
     * @return every value of that name in order (flags as {@code ""}).
     */
    public List<String> attributeValues(final String name)
    {
        return Sdp.attributeValues(attributes, name);
    }

    /**
     * @return the first format as a payload type (0 to 127), or -1 when it is not a number.
     */
    public int payloadType()
    {
        return formats.isEmpty() ? -1 : Sdp.parseInt(formats.get(0), 127);
    }

    /**
     * @return the rtpmap of {@link #payloadType()}, see {@link #rtpMap(int)}.
     */
    public RtpMap rtpMap()
    {
        return rtpMap(payloadType());
    }

    /**
     * @param payloadType payload type.
     * @return its {@code a=rtpmap} in this section, else its static assignment (PT 0 = PCMU/8000), else null.
     */
    public RtpMap rtpMap(final int payloadType)
    {
        if (payloadType < 0)
        {
            return null;
        }

        for (final String value : attributeValues("rtpmap"))
        {
            final RtpMap map = RtpMap.parse(value);
            if (map != null && map.payloadType() == payloadType)
            {
                return map;
            }
        }

        return RtpMap.staticPayloadType(payloadType);
    }

    /**
     * @return encoding name of the first payload type, or null.
     */
    public String encodingName()
    {
        final RtpMap map = rtpMap();
        return map == null ? null : map.encodingName();
    }

    /**
     * @return clock rate of the first payload type in Hz, or -1.
     */
    public int clockRate()
    {
        final RtpMap map = rtpMap();
        return map == null ? -1 : map.clockRate();
    }

    /**
     * @return channels of the first payload type: as given, 1 for audio without a count, else -1.
     */
    public int channels()
    {
        final RtpMap map = rtpMap();
        if (map == null)
        {
            return -1;
        }

        return map.channels() > 0 ? map.channels() : ("audio".equalsIgnoreCase(type) ? 1 : -1);
    }

    /**
     * @return fmtp parameters of the first payload type, see {@link #fmtp(int)}.
     */
    public Map<String, String> fmtp()
    {
        return fmtp(payloadType());
    }

    /**
     * Parses the {@code a=fmtp} of a payload type: parameters separated by {@code ;} (or by spaces, as some
     * cameras write), {@code name=value}, value split at the first {@code =} so base64 padding survives.
     *
     * @param payloadType payload type.
     * @return parameters with lower case names, values trimmed, in order; empty when there is no fmtp.
     */
    public Map<String, String> fmtp(final int payloadType)
    {
        final String prefix = Integer.toString(payloadType);
        for (final String value : attributeValues("fmtp"))
        {
            final String text = value.trim();
            int space = 0;
            while (space < text.length() && !Character.isWhitespace(text.charAt(space)))
            {
                space++;
            }

            if (text.substring(0, space).equals(prefix))
            {
                return parseFmtpParameters(text.substring(space));
            }
        }

        return Map.of();
    }

    /**
     * @return the {@code a=control} value, or null.
     */
    public String control()
    {
        return attribute("control");
    }

    /**
     * @param baseUrl base URL, see {@link Sdp#baseUrl}.
     * @return this section's control URL resolved with {@link Sdp#resolveControl}.
     */
    public String controlUrl(final String baseUrl)
    {
        return Sdp.resolveControl(baseUrl, control());
    }

    /**
     * @return the first {@code a=framerate} that parses as a positive number (cameras send {@code 0S} before a
     *         good one), or NaN.
     */
    public double framerateFps()
    {
        return Sdp.framerate(attributes);
    }

    /**
     * @return the {@code a=range} of this section, or null when absent or not an npt range.
     */
    public NptRange range()
    {
        return Sdp.range(attributes);
    }

    /**
     * @param bwType bandwidth type, e.g. {@code AS}.
     * @return that bandwidth in kbps, or -1.
     */
    public long bandwidthKbps(final String bwType)
    {
        return Sdp.bandwidth(bandwidths, bwType);
    }

    /**
     * @return {@code sendrecv}, {@code sendonly}, {@code recvonly} or {@code inactive} when present, else null.
     */
    public String direction()
    {
        return Sdp.direction(attributes);
    }

    /**
     * @return H.264 {@code sprop-parameter-sets} NAL units (SPS, PPS, ...) in order: base64 entries decoded,
     *         stray Annex-B start codes and trailing zero bytes removed, empty or malformed entries left out.
     */
    public List<byte[]> h264SpropParameterSets()
    {
        return decodeNalList(fmtp().get("sprop-parameter-sets"));
    }

    /**
     * @return the first SPS (NAL type 7) of {@link #h264SpropParameterSets()}, or null.
     */
    public byte[] h264Sps()
    {
        return firstOfType(h264SpropParameterSets(), 7);
    }

    /**
     * @return the first PPS (NAL type 8) of {@link #h264SpropParameterSets()}, or null.
     */
    public byte[] h264Pps()
    {
        return firstOfType(h264SpropParameterSets(), 8);
    }

    /**
     * @return {@code profile-level-id} as 0xPPCCLL (profile_idc, constraint flags, level_idc), or -1 when absent
     *         or not exactly six hex digits (some cameras write it in decimal).
     */
    public int h264ProfileLevelId()
    {
        final String value = fmtp().get("profile-level-id");
        if (value == null || value.length() != 6)
        {
            return -1;
        }

        final long parsed = Sdp.parseHex(value);
        return parsed < 0 ? -1 : (int)parsed;
    }

    /**
     * @return {@code packetization-mode} (0, 1 or 2), 0 when absent (the RFC 6184 default), -1 when malformed.
     */
    public int h264PacketizationMode()
    {
        final String value = fmtp().get("packetization-mode");
        return value == null ? 0 : Sdp.parseInt(value, 2);
    }

    /**
     * @return H.265 {@code sprop-vps} NAL units, decoded like {@link #h264SpropParameterSets()}.
     */
    public List<byte[]> h265SpropVps()
    {
        return decodeNalList(fmtp().get("sprop-vps"));
    }

    /**
     * @return H.265 {@code sprop-sps} NAL units.
     */
    public List<byte[]> h265SpropSps()
    {
        return decodeNalList(fmtp().get("sprop-sps"));
    }

    /**
     * @return H.265 {@code sprop-pps} NAL units.
     */
    public List<byte[]> h265SpropPps()
    {
        return decodeNalList(fmtp().get("sprop-pps"));
    }

    /**
     * @return the AAC AudioSpecificConfig from the hex {@code config} parameter (MPEG4-GENERIC), or null when
     *         absent, empty or not hex.
     */
    public byte[] aacConfig()
    {
        final String value = fmtp().get("config");
        if (value == null || value.isEmpty() || (value.length() & 1) != 0)
        {
            return null;
        }

        final byte[] bytes = new byte[value.length() / 2];
        for (int i = 0; i < bytes.length; i++)
        {
            final int high = Character.digit(value.charAt(2 * i), 16);
            final int low = Character.digit(value.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0)
            {
                return null;
            }

            bytes[i] = (byte)(high << 4 | low);
        }

        return bytes;
    }

    /**
     * @return {@code sizeLength} (bits of the AU size in an AU header), or -1.
     */
    public int aacSizeLength()
    {
        return fmtpInt("sizelength", 32);
    }

    /**
     * @return {@code indexLength}, or -1.
     */
    public int aacIndexLength()
    {
        return fmtpInt("indexlength", 32);
    }

    /**
     * @return {@code indexDeltaLength}, or -1.
     */
    public int aacIndexDeltaLength()
    {
        return fmtpInt("indexdeltalength", 32);
    }

    /**
     * @return {@code mode} (e.g. {@code AAC-hbr}), or null.
     */
    public String aacMode()
    {
        return fmtp().get("mode");
    }

    /**
     * Writes this section.
     *
     * @param out destination; lines end with CRLF.
     */
    public void format(final StringBuilder out)
    {
        out.append("m=").append(type).append(' ').append(port);
        if (portCount >= 0)
        {
            out.append('/').append(portCount);
        }

        out.append(' ').append(proto);
        for (final String format : formats)
        {
            out.append(' ').append(format);
        }

        out.append("\r\n");
        Sdp.writeOther(out, otherLines, "i");
        if (connection != null)
        {
            out.append("c=").append(connection).append("\r\n");
        }

        for (final String bandwidth : bandwidths)
        {
            out.append("b=").append(bandwidth).append("\r\n");
        }

        Sdp.writeOther(out, otherLines, null);
        for (final SdpAttribute attribute : attributes)
        {
            out.append("a=").append(attribute.format()).append("\r\n");
        }
    }

    @Override
    public String toString()
    {
        return "SdpMedia[" + type + ' ' + port + ' ' + proto + ' ' + formats + ", attributes=" + attributes.size() +
            ']';
    }

    static Map<String, String> parseFmtpParameters(final String text)
    {
        final Map<String, String> parameters = new LinkedHashMap<>();
        for (final String part : text.split(";"))
        {
            String current = null;
            for (final String token : part.trim().split("\\s+"))
            {
                if (token.isEmpty())
                {
                    continue;
                }

                final int eq = token.indexOf('=');
                if (eq < 0 && current != null)
                {
                    // A word after "name=value " within one ';' part belongs to that value.
                    parameters.put(current, parameters.get(current) + ' ' + token);
                    continue;
                }

                final String name = (eq < 0 ? token : token.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
                if (!name.isEmpty())
                {
                    parameters.put(name, eq < 0 ? "" : token.substring(eq + 1).trim());
                    current = eq < 0 ? null : name;
                }
            }
        }

        return Collections.unmodifiableMap(parameters);
    }

    private int fmtpInt(final String name, final int max)
    {
        final String value = fmtp().get(name);
        return value == null ? -1 : Sdp.parseInt(value, max);
    }

    private static byte[] firstOfType(final List<byte[]> nals, final int nalType)
    {
        for (final byte[] nal : nals)
        {
            if ((nal[0] & 0x1F) == nalType)
            {
                return nal;
            }
        }

        return null;
    }

    private static List<byte[]> decodeNalList(final String value)
    {
        if (value == null || value.isBlank())
        {
            return List.of();
        }

        final List<byte[]> nals = new ArrayList<>(2);
        for (final String entry : value.split(","))
        {
            final byte[] nal = stripAnnexB(decodeBase64(entry));
            if (nal != null)
            {
                nals.add(nal);
            }
        }

        return List.copyOf(nals);
    }

    private static byte[] decodeBase64(final String entry)
    {
        final String text = entry.replaceAll("\\s+", "");
        if (text.isEmpty())
        {
            return null;
        }

        final StringBuilder padded = new StringBuilder(text);
        while (padded.length() % 4 != 0)
        {
            padded.append('=');
        }

        try
        {
            return Base64.getDecoder().decode(padded.toString());
        }
        catch (final IllegalArgumentException ex)
        {
            try
            {
                return Base64.getUrlDecoder().decode(padded.toString());
            }
            catch (final IllegalArgumentException ignored)
            {
                return null;
            }
        }
    }

    private static byte[] stripAnnexB(final byte[] bytes)
    {
        if (bytes == null)
        {
            return null;
        }

        int start = 0;
        int end = bytes.length;
        // Leading start code: 00 00 01 or 00 00 00 01.
        while (start + 2 < end && bytes[start] == 0 && bytes[start + 1] == 0 &&
            (bytes[start + 2] == 1 || (start + 3 < end && bytes[start + 2] == 0 && bytes[start + 3] == 1)))
        {
            start += bytes[start + 2] == 1 ? 3 : 4;
        }

        // Trailing start codes and zero bytes: a NAL unit ends with the rbsp stop bit, never with 00 or 00 00 01.
        boolean stripped = true;
        while (stripped && end > start)
        {
            stripped = false;
            if (bytes[end - 1] == 0)
            {
                end--;
                stripped = true;
            }
            else if (end - start >= 3 && bytes[end - 1] == 1 && bytes[end - 2] == 0 && bytes[end - 3] == 0)
            {
                end -= 3;
                stripped = true;
            }
        }

        if (end <= start)
        {
            return null;
        }

        return start == 0 && end == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, start, end);
    }

    /**
     * Builds a media section for the SDP a server announces.
     *
     * <p>Thread safety: not thread safe.
     */
    public static final class Builder
    {
        private final String type;
        private final String proto;
        private final List<String> formats = new ArrayList<>(1);
        private int port;
        private String connection;
        private final List<String> bandwidths = new ArrayList<>(1);
        private final List<SdpLine> otherLines = new ArrayList<>(0);
        private final List<SdpAttribute> attributes = new ArrayList<>(6);

        Builder(final String type, final String proto, final String format)
        {
            this.type = type;
            this.proto = proto;
            formats.add(format);
        }

        /**
         * @param port port for the m= line (default 0).
         * @return this.
         */
        public Builder port(final int port)
        {
            this.port = port;
            return this;
        }

        /**
         * @param connection {@code c=} value, e.g. {@code IN IP4 0.0.0.0}.
         * @return this.
         */
        public Builder connection(final String connection)
        {
            this.connection = connection;
            return this;
        }

        /**
         * @param bwType bandwidth type, e.g. {@code AS}.
         * @param kbps   value.
         * @return this.
         */
        public Builder bandwidth(final String bwType, final long kbps)
        {
            bandwidths.add(bwType + ':' + kbps);
            return this;
        }

        /**
         * @param map rtpmap to add as {@code a=rtpmap}.
         * @return this.
         */
        public Builder rtpMap(final RtpMap map)
        {
            return attribute("rtpmap", map.format());
        }

        /**
         * @param payloadType payload type.
         * @param parameters  parameters in order; written {@code name=value;name=value}.
         * @return this.
         */
        public Builder fmtp(final int payloadType, final Map<String, String> parameters)
        {
            final StringBuilder text = new StringBuilder(128).append(payloadType).append(' ');
            boolean first = true;
            for (final Map.Entry<String, String> entry : parameters.entrySet())
            {
                if (!first)
                {
                    text.append(';');
                }

                text.append(entry.getKey()).append('=').append(entry.getValue());
                first = false;
            }

            return attribute("fmtp", text.toString());
        }

        /**
         * @param control control URL (usually relative, e.g. {@code trackID=0}).
         * @return this.
         */
        public Builder control(final String control)
        {
            return attribute("control", control);
        }

        /**
         * @param name  attribute name.
         * @param value value, or null for a flag attribute.
         * @return this.
         * @throws IllegalArgumentException when name or value holds CR or LF.
         */
        public Builder attribute(final String name, final String value)
        {
            Sdp.checkText(name);
            if (value != null)
            {
                Sdp.checkText(value);
            }

            attributes.add(new SdpAttribute(name, value));
            return this;
        }

        /**
         * @return the section.
         */
        public SdpMedia build()
        {
            return new SdpMedia(type, port, -1, proto, formats, connection, bandwidths, otherLines, attributes);
        }
    }
}
