package com.cococam.server.rtsp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.ChannelOption;
import io.netty.buffer.PooledByteBufAllocator;

import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's one RTP/RTCP UDP socket pair (even RTP port, RTCP port + 1), shared by every RTSP session that
 * chose UDP: publishers' packets are routed by their source address (client IP and the client_port of their
 * SETUP), viewers' packets go out as datagrams from here.
 *
 * <p>Thread safety: routes may be added and removed from any thread; inbound packets are handled on the
 * channels' event loop(s).
 */
public final class RtspUdp implements AutoCloseable
{
    private static final int MAX_BIND_TRIES = 32;

    /** Where an inbound packet goes. */
    interface Route
    {
        /**
         * @param rtcp   whether it came to the RTCP port.
         * @param packet the datagram payload, valid during the call only.
         */
        void onPacket(boolean rtcp, ByteBuf packet);
    }

    private final ConcurrentMap<InetSocketAddress, Route> routes = new ConcurrentHashMap<>();
    private final LongAdder unknownSource = new LongAdder();
    private Channel rtp;
    private Channel rtcp;

    /**
     * Binds an even/odd port pair on the host, system-picked.
     *
     * @param group        event loop group.
     * @param channelClass datagram channel class matching the group's I/O kind (epoll or NIO).
     * @param host         address to bind.
     * @return this.
     * @throws InterruptedException if interrupted.
     * @throws IllegalStateException if no pair could be bound.
     */
    public RtspUdp bind(
        final EventLoopGroup group,
        final Class<? extends DatagramChannel> channelClass,
        final String host) throws InterruptedException
    {
        return bind(group, channelClass, host, 0, 0);
    }

    /**
     * Binds an even/odd port pair on the host: the first free pair of {@code portMin..portMax} (tried in order, one
     * bind per port, nothing left open on failure), or a system-picked pair when both are 0.
     *
     * @param group        event loop group.
     * @param channelClass datagram channel class matching the group's I/O kind (epoll or NIO).
     * @param host         address to bind.
     * @param portMin      lowest port, even; 0 for system-picked.
     * @param portMax      highest port, odd; 0 for system-picked.
     * @return this.
     * @throws InterruptedException  if interrupted.
     * @throws IllegalStateException if no pair could be bound; the message names the range.
     */
    public RtspUdp bind(
        final EventLoopGroup group,
        final Class<? extends DatagramChannel> channelClass,
        final String host,
        final int portMin,
        final int portMax) throws InterruptedException
    {
        if (portMin > 0)
        {
            return bindInRange(group.next(), channelClass, host, portMin, portMax);
        }

        // Both sockets on one event loop: a publisher's RTP and RTCP are then handled by the same thread.
        final EventLoop loop = group.next();
        for (int attempt = 0; attempt < MAX_BIND_TRIES; attempt++)
        {
            final Channel first = bootstrap(loop, channelClass, false).bind(host, 0).sync().channel();
            final int port = ((InetSocketAddress)first.localAddress()).getPort();
            if ((port & 1) != 0 || port >= 65535)
            {
                first.close().sync();
                continue;
            }

            try
            {
                final Channel second = bootstrap(loop, channelClass, true).bind(host, port + 1).sync().channel();
                rtp = first;
                rtcp = second;
                return this;
            }
            catch (final Exception ex)
            {
                first.close().sync();
            }
        }

        throw new IllegalStateException("could not bind an RTP/RTCP UDP port pair on " + host);
    }

    private RtspUdp bindInRange(
        final EventLoop loop,
        final Class<? extends DatagramChannel> channelClass,
        final String host,
        final int portMin,
        final int portMax) throws InterruptedException
    {
        for (int port = portMin + (portMin & 1); port + 1 <= portMax; port += 2)
        {
            final ChannelFuture first = bootstrap(loop, channelClass, false).bind(host, port).await();
            if (!first.isSuccess())
            {
                first.channel().close().awaitUninterruptibly();
                continue;
            }

            final ChannelFuture second = bootstrap(loop, channelClass, true).bind(host, port + 1).await();
            if (!second.isSuccess())
            {
                second.channel().close().awaitUninterruptibly();
                first.channel().close().awaitUninterruptibly();
                continue;
            }

            rtp = first.channel();
            rtcp = second.channel();
            return this;
        }

        throw new IllegalStateException("no free RTP/RTCP UDP port pair in " + portMin + "-" + portMax + " on " +
            host);
    }

    private Bootstrap bootstrap(
        final EventLoopGroup group,
        final Class<? extends DatagramChannel> channelClass,
        final boolean isRtcp)
    {
        return new Bootstrap()
            .group(group)
            .channel(channelClass)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.SO_RCVBUF, 2 * 1024 * 1024)
            .option(ChannelOption.SO_SNDBUF, 2 * 1024 * 1024)
            .handler(new SimpleChannelInboundHandler<DatagramPacket>()
            {
                @Override
                protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket msg)
                {
                    final Route route = routes.get(msg.sender());
                    if (route == null)
                    {
                        unknownSource.increment();
                        return;
                    }

                    route.onPacket(isRtcp, msg.content());
                }
            });
    }

    /**
     * @return the RTP port (even).
     */
    public int rtpPort()
    {
        return ((InetSocketAddress)rtp.localAddress()).getPort();
    }

    /**
     * @return the RTP channel (publishers' inbound, viewers' outbound).
     */
    Channel rtpChannel()
    {
        return rtp;
    }

    /**
     * @return the RTCP channel.
     */
    Channel rtcpChannel()
    {
        return rtcp;
    }

    /**
     * @return packets that came from an address no session set up (dropped).
     */
    public long unknownSourcePackets()
    {
        return unknownSource.sum();
    }

    void addRoute(final InetSocketAddress source, final Route route)
    {
        routes.put(source, route);
    }

    void removeRoute(final InetSocketAddress source, final Route route)
    {
        routes.remove(source, route);
    }

    @Override
    public void close()
    {
        if (rtp != null)
        {
            rtp.close().awaitUninterruptibly();
        }

        if (rtcp != null)
        {
            rtcp.close().awaitUninterruptibly();
        }
    }
}
