package com.cococam.protocols.rtsp;

import java.util.Locale;

/**
 * The RTSP {@code Session} header (RFC 2326 section 12.37): {@code id[;timeout=seconds]}.
 *
 * <p>Tolerated: spaces around {@code ;} and {@code =} ({@code 9a90de54; timeout=60}), unknown parameters
 * (ignored), a timeout that is not a number (reported as absent).
 *
 * <p>Thread safety: immutable.
 *
 * @param id         session id, non-empty, as sent (case-sensitive, compared verbatim).
 * @param timeoutSec timeout in seconds, or -1 when absent ({@link #DEFAULT_TIMEOUT_SEC} applies).
 */
public record SessionHeader(String id, int timeoutSec)
{
    /** Timeout RFC 2326 assumes when the header has none. */
    public static final int DEFAULT_TIMEOUT_SEC = 60;

    /**
     * Compact constructor: validates the id.
     *
     * @throws IllegalArgumentException when the id is empty or holds separators or control characters.
     */
    public SessionHeader
    {
        if (id == null || id.isEmpty())
        {
            throw new IllegalArgumentException("session id: empty");
        }

        for (int i = 0; i < id.length(); i++)
        {
            final char c = id.charAt(i);
            if (c <= ' ' || c == ';' || c == ',' || c >= 127)
            {
                throw new IllegalArgumentException("session id: bad character");
            }
        }
    }

    /**
     * @param value header value.
     * @return the parsed header.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_SESSION} when the id is missing or invalid.
     */
    public static SessionHeader parse(final String value)
    {
        final String[] parts = value.split(";");
        final String id = parts[0].trim();
        int timeoutSec = -1;
        for (int i = 1; i < parts.length; i++)
        {
            final String param = parts[i].trim();
            final int eq = param.indexOf('=');
            if (eq > 0 && "timeout".equals(param.substring(0, eq).trim().toLowerCase(Locale.ROOT)))
            {
                timeoutSec = parseSeconds(param.substring(eq + 1).trim());
            }
        }

        try
        {
            return new SessionHeader(id, timeoutSec);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RtspProtocolException(RtspErrorCode.BAD_SESSION, "session: bad id");
        }
    }

    /**
     * @return the timeout to apply: {@link #timeoutSec()} or {@link #DEFAULT_TIMEOUT_SEC}.
     */
    public int effectiveTimeoutSec()
    {
        return timeoutSec > 0 ? timeoutSec : DEFAULT_TIMEOUT_SEC;
    }

    /**
     * @return header text, e.g. {@code 708345999;timeout=60}.
     */
    public String format()
    {
        return timeoutSec >= 0 ? id + ";timeout=" + timeoutSec : id;
    }

    private static int parseSeconds(final String text)
    {
        if (text.isEmpty() || text.length() > 9)
        {
            return -1;
        }

        int result = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }

            result = result * 10 + (c - '0');
        }

        return result;
    }
}
