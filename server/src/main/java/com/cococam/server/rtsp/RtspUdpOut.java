package com.cococam.server.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * Last outbound handler of an RTSP connection (the first one a viewer's media write meets): passes RTSP
 * messages on, and handles the raw media buffers that {@link com.cococam.server.stream.LiveSubscriber} writes.
 * For a TCP viewer they go on to the socket unless the session is paused; for a UDP viewer each interleaved frame
 * in the buffer becomes a datagram ({@code retainedSlice} of the shared bytes, no copy) sent from the server's
 * RTP or RTCP socket to the client port of the frame's track.
 *
 * <p>Allocation per UDP viewer: one {@link DatagramPacket} and one slice per packet (Netty's datagram channel has
 * no way to send a shared buffer to several addresses); nothing for TCP viewers.
 *
 * <p>Thread safety: the connection's event loop; {@link #configure} and {@link #setPaused} from there too.
 */
final class RtspUdpOut extends ChannelOutboundHandlerAdapter
{
    private final RtspUdp udp;
    private final LongAdder drops;
    private final InetSocketAddress[] rtpTargets = new InetSocketAddress[256];
    private final InetSocketAddress[] rtcpTargets = new InetSocketAddress[256];
    private volatile boolean udpMode;
    private volatile boolean paused;

    /**
     * @param udp   the server's UDP pair, or null when UDP is off.
     * @param drops counts frames dropped because the UDP socket was not writable.
     */
    RtspUdpOut(final RtspUdp udp, final LongAdder drops)
    {
        this.udp = udp;
        this.drops = drops;
    }

    /**
     * Sends one track's frames to the client's ports.
     *
     * @param rtpChannel the canonical RTP channel of the track in the group's frames.
     * @param rtp        client RTP address.
     * @param rtcp       client RTCP address.
     */
    void configure(final int rtpChannel, final InetSocketAddress rtp, final InetSocketAddress rtcp)
    {
        udpMode = true;
        rtpTargets[rtpChannel] = rtp;
        rtcpTargets[rtpChannel + 1] = rtcp;
    }

    void setPaused(final boolean paused)
    {
        this.paused = paused;
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
        throws Exception
    {
        if (!(msg instanceof ByteBuf buf) || !udpMode && !paused)
        {
            ctx.write(msg, promise);
            return;
        }

        try
        {
            if (paused)
            {
                return;
            }

            final Channel rtpOut = udp.rtpChannel();
            final Channel rtcpOut = udp.rtcpChannel();
            if (!rtpOut.isWritable())
            {
                drops.increment();
                return;
            }

            boolean wroteRtp = false;
            boolean wroteRtcp = false;
            for (int i = buf.readerIndex(); i + 4 <= buf.writerIndex(); )
            {
                final int channel = buf.getUnsignedByte(i + 1);
                final int length = buf.getUnsignedShort(i + 2);
                if (i + 4 + length > buf.writerIndex())
                {
                    break;
                }

                if (rtpTargets[channel] != null)
                {
                    rtpOut.write(new DatagramPacket(buf.retainedSlice(i + 4, length), rtpTargets[channel]),
                        rtpOut.voidPromise());
                    wroteRtp = true;
                }
                else if (rtcpTargets[channel] != null)
                {
                    rtcpOut.write(new DatagramPacket(buf.retainedSlice(i + 4, length), rtcpTargets[channel]),
                        rtcpOut.voidPromise());
                    wroteRtcp = true;
                }

                i += 4 + length;
            }

            if (wroteRtp)
            {
                rtpOut.flush();
            }

            if (wroteRtcp)
            {
                rtcpOut.flush();
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }
}
