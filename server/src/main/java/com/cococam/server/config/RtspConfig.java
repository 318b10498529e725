package com.cococam.server.config;

import java.util.Objects;

/**
 * Settings of the RTSP listener that cameras and encoders publish to (ANNOUNCE/RECORD) and players play from
 * (DESCRIBE/PLAY).
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 * <p>
 * Note: the constructor checks only structural limits (port 0..65535 so tests can ask for an ephemeral port);
 * {@link ConfigLoader} applies the operator-facing ranges documented on each key.
 *
 * @param host address to bind, see {@link #HOST_KEY}.
 * @param port TCP port to bind, see {@link #PORT_KEY}.
 */
public record RtspConfig(String host, int port)
{
    /**
     * Address the RTSP listener (and its RTP/RTCP UDP socket pair) binds: an IP literal or a host name.
     */
    public static final String HOST_KEY = "rtsp.host";

    /**
     * Default for {@link #HOST_KEY}: every IPv4 interface.
     */
    public static final String HOST_DEFAULT = "0.0.0.0";

    /**
     * TCP port of the RTSP listener, 1..65535.
     */
    public static final String PORT_KEY = "rtsp.port";

    /**
     * Default for {@link #PORT_KEY}: the usual unprivileged RTSP port.
     */
    public static final int PORT_DEFAULT = 8554;

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when the port is out of range.
     * @throws NullPointerException     when {@code host} is null.
     */
    public RtspConfig
    {
        Objects.requireNonNull(host, "host");
        Limits.requirePort(PORT_KEY, port);
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static RtspConfig defaults()
    {
        return new RtspConfig(HOST_DEFAULT, PORT_DEFAULT);
    }
}
