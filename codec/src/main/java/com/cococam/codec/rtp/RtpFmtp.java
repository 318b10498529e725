package com.cococam.codec.rtp;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the format parameters of an SDP {@code a=fmtp} attribute (RFC 8866 6.15): {@code key=value} pairs
 * separated by semicolons.
 *
 * <p>Keys are case-insensitive (RFC 3640, RFC 6184) and are returned lower-case; values are trimmed and kept as
 * written. A pair without {@code =} gets an empty value; empty pairs are skipped; a repeated key keeps its last
 * value.
 *
 * <p>Thread safety: stateless. Allocation: a map and strings; meant for session setup.
 */
public final class RtpFmtp
{
    private RtpFmtp()
    {
    }

    /**
     * @param fmtp the attribute value, with or without the leading {@code a=fmtp:<pt> } part.
     * @return the parameters in order of appearance, keys lower-case.
     */
    public static Map<String, String> parse(final String fmtp)
    {
        String text = fmtp.trim();
        if (text.regionMatches(true, 0, "a=fmtp:", 0, 7))
        {
            text = text.substring(7);
        }

        final int space = text.indexOf(' ');
        if (space > 0 && isDigits(text, space))
        {
            text = text.substring(space + 1);
        }

        final Map<String, String> out = new LinkedHashMap<>();
        for (final String part : text.split(";"))
        {
            final String pair = part.trim();
            if (pair.isEmpty())
            {
                continue;
            }

            final int eq = pair.indexOf('=');
            final String key = (eq < 0 ? pair : pair.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            out.put(key, eq < 0 ? "" : pair.substring(eq + 1).trim());
        }

        return out;
    }

    /**
     * @param params parsed parameters.
     * @param key    lower-case key.
     * @param dflt   value when absent or empty.
     * @return the integer value.
     * @throws IllegalArgumentException if present but not a decimal integer.
     */
    public static int intParam(final Map<String, String> params, final String key, final int dflt)
    {
        final String value = params.get(key);
        if (value == null || value.isEmpty())
        {
            return dflt;
        }

        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("fmtp integer: " + key + "=" + value);
        }
    }

    /**
     * @param hex hex digits (either case), even count.
     * @return the bytes.
     * @throws IllegalArgumentException if the text is not hex or has an odd number of digits.
     */
    public static byte[] hex(final String hex)
    {
        final String clean = hex.trim();
        if ((clean.length() & 1) != 0)
        {
            throw new IllegalArgumentException("fmtp hex: odd length=" + clean.length());
        }

        final byte[] out = new byte[clean.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            final int high = Character.digit(clean.charAt(2 * i), 16);
            final int low = Character.digit(clean.charAt(2 * i + 1), 16);
            if (high < 0 || low < 0)
            {
                throw new IllegalArgumentException("fmtp hex: value=" + clean);
            }

            out[i] = (byte)((high << 4) | low);
        }

        return out;
    }

    /**
     * @param bytes bytes.
     * @return lower-case hex digits.
     */
    public static String toHex(final byte[] bytes)
    {
        final StringBuilder out = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            out.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }

        return out.toString();
    }

    private static boolean isDigits(final String text, final int end)
    {
        for (int i = 0; i < end; i++)
        {
            if (!Character.isDigit(text.charAt(i)))
            {
                return false;
            }
        }

        return true;
    }
}
