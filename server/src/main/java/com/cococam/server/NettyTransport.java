package com.cococam.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Chooses Netty's native epoll transport where it loads (Linux x86-64), else NIO.
 */
final class NettyTransport
{
    private NettyTransport()
    {
    }

    static boolean nativeEpoll()
    {
        return Epoll.isAvailable() && !Boolean.getBoolean("cococam.nio");
    }

    static EventLoopGroup group(final int threads, final String name)
    {
        final DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
        return nativeEpoll() ?
            new MultiThreadIoEventLoopGroup(threads, factory, EpollIoHandler.newFactory()) :
            new MultiThreadIoEventLoopGroup(threads, factory, NioIoHandler.newFactory());
    }

    static Class<? extends ServerChannel> serverChannel()
    {
        return nativeEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    static Class<? extends DatagramChannel> datagramChannel()
    {
        return nativeEpoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }
}
