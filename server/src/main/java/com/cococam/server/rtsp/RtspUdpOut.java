package com.cococam.server.rtsp;

import com.cococam.protocols.rtsp.RtpInfo;
import com.cococam.protocols.rtsp.server.RtspPlayReply;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Last outbound handler of an RTSP connection (the first one a viewer's media write meets): passes RTSP
 * messages on, and handles the raw media buffers that {@link com.cococam.server.stream.LiveSubscriber} writes.
 * For a TCP viewer they go on to the socket unless the session is paused; for a UDP viewer each interleaved frame
 * in the buffer becomes a datagram ({@code retainedSlice} of the shared bytes, no copy) sent from the server's
 * RTP or RTCP socket to the client port of the frame's track.
 *
 * <p>PLAY answer: after {@link #awaitFirstPackets} the media written is held until an RTP packet of every set-up
 * track has been seen (the joining viewer's GOP and the first audio frames: usually one drain, a few ms), the
 * sequence number and RTP time of each track's first RTP packet go into the PLAY answer as {@code RTP-Info}, the
 * answer is written, and then the held media follows. Bounded: past {@link #MAX_HELD_FRAMES} frames or
 * {@link #MAX_HELD_BYTES} bytes, or once the handler's fallback answered (after
 * {@link com.cococam.protocols.rtsp.server.RtspServerHandler#PLAY_REPLY_WAIT_MS}), the answer goes with what is
 * known; a track not seen by then gets no RTP-Info entry (players then take its first packet as it comes).
 *
 * <p>Allocation per UDP viewer: one {@link DatagramPacket} and one slice per packet (Netty's datagram channel has
 * no way to send a shared buffer to several addresses); nothing for TCP viewers; per PLAY one small list.
 *
 * <p>Thread safety: the connection's event loop; {@link #configure}, {@link #setPaused} and
 * {@link #awaitFirstPackets} from there too.
 */
final class RtspUdpOut extends ChannelOutboundHandlerAdapter
{
    /** Frames held at most while the PLAY answer waits for the first packets. */
    static final int MAX_HELD_FRAMES = 1024;
    /** Bytes held at most while the PLAY answer waits for the first packets. */
    static final long MAX_HELD_BYTES = 8L * 1024 * 1024;

    private final RtspUdp udp;
    private final LongAdder drops;
    private final InetSocketAddress[] rtpTargets = new InetSocketAddress[256];
    private final InetSocketAddress[] rtcpTargets = new InetSocketAddress[256];
    private final List<ByteBuf> held = new ArrayList<>();
    private long heldBytes;
    private RtspPlayReply reply;
    private int[] replyChannels;
    private int[] firstSeq;
    private long[] firstRtpTime;
    private int tracksToSee;
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

    /**
     * @param paused whether media is dropped (PAUSE); unpausing also forgets media held for a PLAY answer.
     */
    void setPaused(final boolean paused)
    {
        this.paused = paused;
        releaseHeld();
        reply = null;
    }

    /**
     * Holds the next drain's media until the PLAY answer is sent with the first packets' RTP-Info.
     *
     * @param playReply       the pending answer.
     * @param channelByIndex  per SDP track index, the RTP channel of its packets in the frames (-1: none).
     */
    void awaitFirstPackets(final RtspPlayReply playReply, final int[] channelByIndex)
    {
        releaseHeld();
        reply = playReply;
        replyChannels = channelByIndex.clone();
        firstSeq = new int[replyChannels.length];
        firstRtpTime = new long[replyChannels.length];
        java.util.Arrays.fill(firstSeq, -1);
        tracksToSee = 0;
        for (int index = 0; index < replyChannels.length; index++)
        {
            if (replyChannels[index] >= 0 && playReply.trackUrl(index) != null)
            {
                tracksToSee++;
            }
        }
    }

    @Override
    public void write(final ChannelHandlerContext ctx, final Object msg, final ChannelPromise promise)
        throws Exception
    {
        if (!(msg instanceof ByteBuf buf))
        {
            ctx.write(msg, promise);
            return;
        }

        if (paused)
        {
            ReferenceCountUtil.release(msg);
            return;
        }

        if (reply != null)
        {
            // Known limit: a held write's promise is not kept (LiveSubscriber writes with the void promise).
            held.add(buf);
            heldBytes += buf.readableBytes();
            scanFirstPackets(buf);
            if (tracksToSee == 0 || reply.isSent() || held.size() >= MAX_HELD_FRAMES || heldBytes >= MAX_HELD_BYTES)
            {
                answerAndRelease(ctx);
            }

            return;
        }

        writeMedia(ctx, buf, promise);
    }

    @Override
    public void flush(final ChannelHandlerContext ctx) throws Exception
    {
        if (reply != null && !held.isEmpty() && (tracksToSee == 0 || reply.isSent()))
        {
            answerAndRelease(ctx);
        }

        ctx.flush();
    }

    @Override
    public void handlerRemoved(final ChannelHandlerContext ctx)
    {
        releaseHeld();
        reply = null;
    }

    private void answerAndRelease(final ChannelHandlerContext ctx)
    {
        final RtspPlayReply playReply = reply;
        reply = null;
        final List<RtpInfo> infos = new ArrayList<>(replyChannels.length);
        for (int index = 0; index < replyChannels.length; index++)
        {
            final String url = playReply.trackUrl(index);
            if (url != null && firstSeq[index] >= 0)
            {
                infos.add(new RtpInfo(url, firstSeq[index], firstRtpTime[index], -1));
            }
        }

        // Written on this event loop before the held media below, so the client reads the answer first.
        playReply.send(infos);
        for (int i = 0; i < held.size(); i++)
        {
            writeMedia(ctx, held.get(i), ctx.voidPromise());
        }

        held.clear();
        heldBytes = 0;
    }

    private void scanFirstPackets(final ByteBuf buf)
    {
        for (int i = buf.readerIndex(); i + 4 <= buf.writerIndex() && tracksToSee > 0; )
        {
            final int ch = buf.getUnsignedByte(i + 1);
            final int length = buf.getUnsignedShort(i + 2);
            if (buf.getByte(i) != '$' || i + 4 + length > buf.writerIndex())
            {
                break;
            }

            for (int index = 0; index < replyChannels.length; index++)
            {
                if (replyChannels[index] == ch && firstSeq[index] < 0 && length >= 12)
                {
                    firstSeq[index] = buf.getUnsignedShort(i + 6);
                    firstRtpTime[index] = buf.getUnsignedInt(i + 8);
                    tracksToSee--;
                }
            }

            i += 4 + length;
        }
    }

    private void releaseHeld()
    {
        for (final ByteBuf buf : held)
        {
            buf.release();
        }

        held.clear();
        heldBytes = 0;
    }

    private void writeMedia(final ChannelHandlerContext ctx, final ByteBuf buf, final ChannelPromise promise)
    {
        if (!udpMode)
        {
            ctx.write(buf, promise);
            return;
        }

        try
        {
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
            buf.release();
        }
    }
}
