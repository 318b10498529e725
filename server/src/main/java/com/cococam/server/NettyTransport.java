package com.cococam.server;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Chooses Netty's native epoll transport where it loads (Linux x86-64), else NIO ({@code -Dcococam.nio=true}
 * forces NIO). Every listener and client of the server takes its channel classes from here.
 */
public final class NettyTransport
{
    private NettyTransport()
    {
    }

    /**
     * @return whether the native epoll transport is in use.
     */
    public static boolean nativeEpoll()
    {
        return Epoll.isAvailable() && !Boolean.getBoolean("cococam.nio");
    }

    /**
     * @param threads event loop count.
     * @param name    thread name prefix.
     * @return a new event loop group of the chosen transport.
     */
    public static EventLoopGroup group(final int threads, final String name)
    {
        final DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
        return nativeEpoll() ?
            new MultiThreadIoEventLoopGroup(threads, factory, EpollIoHandler.newFactory()) :
            new MultiThreadIoEventLoopGroup(threads, factory, NioIoHandler.newFactory());
    }

    /**
     * @return the server socket channel class of the chosen transport.
     */
    public static Class<? extends ServerChannel> serverChannel()
    {
        return nativeEpoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    /**
     * @return the datagram channel class of the chosen transport.
     */
    public static Class<? extends DatagramChannel> datagramChannel()
    {
        return nativeEpoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    /**
     * @return the client socket channel class of the chosen transport.
     */
    public static Class<? extends SocketChannel> socketChannel()
    {
        return nativeEpoll() ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
