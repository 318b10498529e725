package com.cococam.protocols.rtsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One stream entry of an RTSP {@code RTP-Info} header (RFC 2326 section 12.33):
 * {@code url=...;seq=N;rtptime=N}. A header lists entries separated by commas: {@link #parseList(String)},
 * {@link #formatList(List)}.
 *
 * <p>Entries are split only at a comma followed by {@code url=}, so a comma inside a URL does not break them.
 * Tolerated: relative URLs ({@code url=trackID=1}, resolve them like SDP controls), a trailing {@code ;},
 * the non-standard {@code ssrc=} some cameras add, unknown parameters (ignored), spaces around separators.
 *
 * <p>Thread safety: immutable.
 *
 * @param url     stream URL as sent (may be relative).
 * @param seq     RTP sequence number of the first packet, 0 to 65535, or -1.
 * @param rtpTime RTP timestamp of the first packet, unsigned 32 bits, or -1.
 * @param ssrc    ssrc (non-standard extension), unsigned 32 bits, or -1.
 */
public record RtpInfo(String url, int seq, long rtpTime, long ssrc)
{
    /**
     * @param value header value.
     * @return the entries in order; never empty.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_RTP_INFO} when an entry has no url or a number
     *                               does not parse.
     */
    public static List<RtpInfo> parseList(final String value)
    {
        final List<RtpInfo> entries = new ArrayList<>(3);
        int start = 0;
        while (start < value.length())
        {
            final int next = nextEntry(value, start);
            final String part = value.substring(start, next).trim();
            if (!part.isEmpty())
            {
                entries.add(parse(part));
            }

            start = next + 1;
        }

        if (entries.isEmpty())
        {
            throw new RtspProtocolException(RtspErrorCode.BAD_RTP_INFO, "rtp-info: empty");
        }

        return entries;
    }

    /**
     * @param entries entries; not empty.
     * @return the header value.
     */
    public static String formatList(final List<RtpInfo> entries)
    {
        final StringBuilder text = new StringBuilder(80 * entries.size());
        for (final RtpInfo entry : entries)
        {
            if (text.length() > 0)
            {
                text.append(',');
            }

            text.append("url=").append(entry.url);
            if (entry.seq >= 0)
            {
                text.append(";seq=").append(entry.seq);
            }

            if (entry.rtpTime >= 0)
            {
                text.append(";rtptime=").append(entry.rtpTime);
            }

            if (entry.ssrc >= 0)
            {
                text.append(";ssrc=").append(String.format(Locale.ROOT, "%08X", entry.ssrc));
            }
        }

        return text.toString();
    }

    private static int nextEntry(final String value, final int from)
    {
        int comma = value.indexOf(',', from);
        while (comma >= 0)
        {
            int i = comma + 1;
            while (i < value.length() && value.charAt(i) == ' ')
            {
                i++;
            }

            if (value.regionMatches(true, i, "url=", 0, 4))
            {
                return comma;
            }

            comma = value.indexOf(',', comma + 1);
        }

        return value.length();
    }

    private static RtpInfo parse(final String entry)
    {
        String url = null;
        int seq = -1;
        long rtpTime = -1;
        long ssrc = -1;
        // url comes first and may hold ';' only in theory; cameras never send that, so split on ';'.
        for (final String raw : entry.split(";"))
        {
            final String param = raw.trim();
            final int eq = param.indexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            final String name = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
            final String value = param.substring(eq + 1).trim();
            switch (name)
            {
                case "url" -> url = value;
                case "seq" -> seq = (int)number(value, 10, 0xFFFF);
                case "rtptime" -> rtpTime = number(value, 10, 0xFFFF_FFFFL);
                case "ssrc" -> ssrc = number(value, 16, 0xFFFF_FFFFL);
                default ->
                {
                }
            }
        }

        if (url == null || url.isEmpty())
        {
            throw new RtspProtocolException(RtspErrorCode.BAD_RTP_INFO, "rtp-info: entry without url");
        }

        return new RtpInfo(url, seq, rtpTime, ssrc);
    }

    private static long number(final String text, final int radix, final long max)
    {
        if (text.isEmpty() || text.length() > 10)
        {
            throw new RtspProtocolException(RtspErrorCode.BAD_RTP_INFO, "rtp-info: bad number");
        }

        long result = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final int digit = Character.digit(text.charAt(i), radix);
            if (digit < 0)
            {
                throw new RtspProtocolException(RtspErrorCode.BAD_RTP_INFO, "rtp-info: bad number");
            }

            result = result * radix + digit;
        }

        if (result > max)
        {
            throw new RtspProtocolException(RtspErrorCode.BAD_RTP_INFO, "rtp-info: number out of range");
        }

        return result;
    }
}
