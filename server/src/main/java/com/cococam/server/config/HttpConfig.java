package com.cococam.server.config;

import java.util.Objects;

/**
 * Settings of the HTTP listener that serves HLS playlists, segments, the player page and metrics.
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 *
 * @param host       address to bind, see {@link #HOST_KEY}.
 * @param port       TCP port to bind, see {@link #PORT_KEY}; the constructor accepts 0 (ephemeral) for tests.
 * @param corsOrigin value of {@code Access-Control-Allow-Origin}, see {@link #CORS_ORIGIN_KEY}.
 */
public record HttpConfig(String host, int port, String corsOrigin)
{
    /**
     * Address the HTTP listener binds: an IP literal or a host name.
     */
    public static final String HOST_KEY = "http.host";

    /**
     * Default for {@link #HOST_KEY}: every IPv4 interface.
     */
    public static final String HOST_DEFAULT = "0.0.0.0";

    /**
     * TCP port of the HTTP listener, 1..65535.
     */
    public static final String PORT_KEY = "http.port";

    /**
     * Default for {@link #PORT_KEY}.
     */
    public static final int PORT_DEFAULT = 8080;

    /**
     * Value sent as {@code Access-Control-Allow-Origin}: {@code *}, a single origin such as
     * {@code https://example.com}, or empty to send no CORS header. In YAML, quote {@code "*"}: a bare
     * {@code *} starts an alias.
     */
    public static final String CORS_ORIGIN_KEY = "http.corsOrigin";

    /**
     * Default for {@link #CORS_ORIGIN_KEY}: any origin may embed the streams.
     */
    public static final String CORS_ORIGIN_DEFAULT = "*";

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when the port is outside 0..65535.
     * @throws NullPointerException     when a string is null.
     */
    public HttpConfig
    {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(corsOrigin, "corsOrigin");
        Limits.requirePort(PORT_KEY, port);
    }

    /**
     * Whether a CORS header is to be sent at all.
     *
     * @return {@code false} when {@link #corsOrigin()} is empty.
     */
    public boolean corsEnabled()
    {
        return !corsOrigin.isEmpty();
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static HttpConfig defaults()
    {
        return new HttpConfig(HOST_DEFAULT, PORT_DEFAULT, CORS_ORIGIN_DEFAULT);
    }
}
