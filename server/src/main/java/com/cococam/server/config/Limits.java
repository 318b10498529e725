package com.cococam.server.config;

/**
 * Structural checks shared by the configuration records; messages follow the {@code what: name=value} form.
 */
final class Limits
{
    private Limits()
    {
    }

    static void requirePort(final String key, final int port)
    {
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port out of range: " + key + "=" + port);
        }
    }

    static void requirePositive(final String key, final long value)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException("must be positive: " + key + "=" + value);
        }
    }

    static void requireNonNegative(final String key, final long value)
    {
        if (value < 0)
        {
            throw new IllegalArgumentException("must not be negative: " + key + "=" + value);
        }
    }
}
