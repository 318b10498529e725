package com.cococam.server.config;

import java.util.Objects;

/**
 * Settings of the RTMP listener that cameras and encoders publish to.
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 * <p>
 * Note: the constructor checks only structural limits (port 0..65535 so tests can ask for an ephemeral
 * port, positive sizes); {@link ConfigLoader} applies the stricter operator-facing ranges documented on each
 * key.
 *
 * @param host               address to bind, see {@link #HOST_KEY}.
 * @param port               TCP port to bind, see {@link #PORT_KEY}.
 * @param chunkSize          outgoing chunk size in bytes, see {@link #CHUNK_SIZE_KEY}.
 * @param maxMessageBytes    largest accepted message, see {@link #MAX_MESSAGE_BYTES_KEY}.
 * @param handshakeTimeoutMs time allowed for the handshake, see {@link #HANDSHAKE_TIMEOUT_MS_KEY}.
 */
public record RtmpConfig(String host, int port, int chunkSize, int maxMessageBytes, int handshakeTimeoutMs)
{
    /**
     * Address the RTMP listener binds: an IP literal or a host name.
     */
    public static final String HOST_KEY = "rtmp.host";

    /**
     * Default for {@link #HOST_KEY}: every IPv4 interface.
     */
    public static final String HOST_DEFAULT = "0.0.0.0";

    /**
     * TCP port of the RTMP listener, 1..65535.
     */
    public static final String PORT_KEY = "rtmp.port";

    /**
     * Default for {@link #PORT_KEY}: the registered RTMP port.
     */
    public static final int PORT_DEFAULT = 1935;

    /**
     * Chunk size in bytes that the server announces and uses for what it sends, 128..16777215. Bigger
     * chunks mean fewer chunk headers for video; the peer's own chunk size is whatever it announces.
     */
    public static final String CHUNK_SIZE_KEY = "rtmp.chunkSize";

    /**
     * Default for {@link #CHUNK_SIZE_KEY}.
     */
    public static final int CHUNK_SIZE_DEFAULT = 4096;

    /**
     * Largest RTMP message in bytes a peer may send, 65536..16777215 (the 24-bit length field's limit);
     * a bigger message closes the connection instead of growing a buffer without bound.
     */
    public static final String MAX_MESSAGE_BYTES_KEY = "rtmp.maxMessageBytes";

    /**
     * Default for {@link #MAX_MESSAGE_BYTES_KEY}: 8 MiB, room for a large keyframe.
     */
    public static final int MAX_MESSAGE_BYTES_DEFAULT = 8 * 1024 * 1024;

    /**
     * Milliseconds a new connection has to finish the handshake before it is closed, 100..600000.
     */
    public static final String HANDSHAKE_TIMEOUT_MS_KEY = "rtmp.handshakeTimeoutMs";

    /**
     * Default for {@link #HANDSHAKE_TIMEOUT_MS_KEY}.
     */
    public static final int HANDSHAKE_TIMEOUT_MS_DEFAULT = 10_000;

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when a value is out of its structural range.
     * @throws NullPointerException     when {@code host} is null.
     */
    public RtmpConfig
    {
        Objects.requireNonNull(host, "host");
        Limits.requirePort(PORT_KEY, port);
        Limits.requirePositive(CHUNK_SIZE_KEY, chunkSize);
        Limits.requirePositive(MAX_MESSAGE_BYTES_KEY, maxMessageBytes);
        Limits.requirePositive(HANDSHAKE_TIMEOUT_MS_KEY, handshakeTimeoutMs);
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static RtmpConfig defaults()
    {
        return new RtmpConfig(
            HOST_DEFAULT, PORT_DEFAULT, CHUNK_SIZE_DEFAULT, MAX_MESSAGE_BYTES_DEFAULT, HANDSHAKE_TIMEOUT_MS_DEFAULT);
    }
}
