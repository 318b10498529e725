package com.cococam.protocols.rtsp.server;

import io.netty.channel.Channel;

import java.net.SocketAddress;

/**
 * What a listener may know about one RTSP client connection.
 *
 * <p>Thread safety: {@link #touch()} and the accessors from any thread; the counters are written on the
 * connection's event loop and read racily elsewhere.
 */
public interface RtspConnection
{
    /**
     * @return a small number unique among this server's connections, for logs.
     */
    long id();

    /**
     * @return the connection's channel.
     */
    Channel channel();

    /**
     * @return the client's address.
     */
    SocketAddress remoteAddress();

    /**
     * Marks the session alive (e.g. RTCP arrived over UDP), postponing its timeout.
     */
    void touch();

    /**
     * @return interleaved frames dropped because their channel was not set up.
     */
    long unknownChannelFrames();
}
