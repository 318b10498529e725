package com.cococam.server.config;

import java.util.Locale;

/**
 * Where a setting came from, and how a problem with it is worded.
 * <p>
 * File problems read {@code FILE:LINE: KEY: MESSAGE}; override problems quote the override itself,
 * {@code command line: --KEY=VALUE: MESSAGE} or {@code environment: NAME=VALUE: MESSAGE}, with the value
 * masked for secret keys.
 *
 * @param kind   the kind of origin.
 * @param source the file name, or the environment variable's name; empty for the command line.
 * @param line   1-based line in the file, 0 elsewhere.
 * @param key    the key as written in the override, empty for files.
 * @param value  the raw override value, empty for files.
 */
record Origin(Kind kind, String source, int line, String key, String value)
{
    enum Kind
    {
        FILE,
        ENVIRONMENT,
        COMMAND_LINE
    }

    private static final String MASK = "***";

    static Origin file(final String source, final int line)
    {
        return new Origin(Kind.FILE, source, line, "", "");
    }

    static Origin environment(final String name, final String value)
    {
        return new Origin(Kind.ENVIRONMENT, name, 0, "", value);
    }

    static Origin commandLine(final String key, final String value)
    {
        return new Origin(Kind.COMMAND_LINE, "", 0, key, value);
    }

    /**
     * The location prefix, without a trailing colon.
     *
     * @param secret whether to mask the value.
     * @return for example {@code conf/cococam.yaml:7} or {@code command line: --http.port=abc}.
     */
    String where(final boolean secret)
    {
        final String shown = secret ? MASK : value;
        switch (kind)
        {
            case FILE:
                return source + ":" + line;
            case ENVIRONMENT:
                return "environment: " + source + "=" + shown;
            default:
                return "command line: --" + key + "=" + shown;
        }
    }

    String valueProblem(final String fullKey, final boolean secret, final String message)
    {
        return kind == Kind.FILE ? where(secret) + ": " + fullKey + ": " + message : where(secret) + ": " + message;
    }

    String problem(final String message)
    {
        return where(looksSecret()) + ": " + message;
    }

    private boolean looksSecret()
    {
        final String name = (key + source).toLowerCase(Locale.ROOT);

        return name.contains("key") || name.contains("source");
    }
}
