package com.cococam.protocols.rtsp;

import java.util.Locale;

/**
 * A normal play time range (RFC 2326 sections 3.6 and 12.29), as in the {@code Range} header and the SDP
 * {@code a=range} attribute: {@code npt=now-}, {@code npt=0.000-}, {@code npt=0-596.48}, {@code npt=-10},
 * {@code npt=0:01:02.5-}.
 *
 * <p>Tolerated: spaces anywhere ({@code npt=0- 596.48}), a {@code ;time=} suffix (ignored), upper case.
 *
 * <p>Thread safety: immutable.
 *
 * @param startNow whether the start is {@code now} (live).
 * @param startSec start in seconds, or NaN when {@code now} or absent.
 * @param endSec   end in seconds, or NaN when open.
 */
public record NptRange(boolean startNow, double startSec, double endSec)
{
    /** {@code npt=now-}: a live stream. */
    public static final NptRange LIVE = new NptRange(true, Double.NaN, Double.NaN);

    /**
     * @param value Range header or a=range value.
     * @return the range, or null when the value uses another unit ({@code clock=}, {@code smpte=}).
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_RANGE} when an npt value does not parse.
     */
    public static NptRange parse(final String value)
    {
        String text = value.replace(" ", "").replace("\t", "").toLowerCase(Locale.ROOT);
        final int semicolon = text.indexOf(';');
        if (semicolon >= 0)
        {
            text = text.substring(0, semicolon);
        }

        if (!text.startsWith("npt="))
        {
            return null;
        }

        final String range = text.substring(4);
        final int dash = range.indexOf('-');
        if (dash < 0)
        {
            throw bad();
        }

        final String start = range.substring(0, dash);
        final String end = range.substring(dash + 1);
        final boolean now = "now".equals(start);
        final double startSec = now || start.isEmpty() ? Double.NaN : time(start);
        final double endSec = end.isEmpty() ? Double.NaN : time(end);
        if (start.isEmpty() && end.isEmpty())
        {
            throw bad();
        }

        return new NptRange(now, startSec, endSec);
    }

    /**
     * @return header text, e.g. {@code npt=now-} or {@code npt=0.000-596.480}.
     */
    public String format()
    {
        final StringBuilder text = new StringBuilder(24).append("npt=");
        if (startNow)
        {
            text.append("now");
        }
        else if (!Double.isNaN(startSec))
        {
            text.append(String.format(Locale.ROOT, "%.3f", startSec));
        }

        text.append('-');
        if (!Double.isNaN(endSec))
        {
            text.append(String.format(Locale.ROOT, "%.3f", endSec));
        }

        return text.toString();
    }

    private static double time(final String text)
    {
        final String[] parts = text.split(":", -1);
        if (parts.length != 1 && parts.length != 3)
        {
            throw bad();
        }

        double seconds = 0;
        for (int i = 0; i < parts.length; i++)
        {
            final String part = parts[i];
            if (part.isEmpty() || !part.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.'))
            {
                throw bad();
            }

            final double number;
            try
            {
                number = Double.parseDouble(part);
            }
            catch (final NumberFormatException ex)
            {
                throw bad();
            }

            seconds = seconds * 60 + number;
        }

        return seconds;
    }

    private static RtspProtocolException bad()
    {
        return new RtspProtocolException(RtspErrorCode.BAD_RANGE, "range: bad npt");
    }
}
