package com.cococam.bench.load;

import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

import java.util.List;

/**
 * One RTMP player: connect, createStream, play, then counts what arrives.
 *
 * <p>A media message is identified by its publisher (the stream it plays) and its timestamp: its intended send
 * time is the publisher's schedule start plus the timestamp (both servers forward the publisher's timestamps
 * unchanged on a fresh stream). Messages whose intended send time falls in the measurement window are counted
 * (video frames and audio + video body bytes, to compare with what the schedule sent in that window), and every
 * such video frame's delivery lag, {@code receive time - intended send time}, goes into the loop's histogram.
 * Measuring from the schedule rather than from the actual send keeps a stalled publisher or server from hiding
 * lag (no coordinated omission for delivered frames); frames never delivered show up in the frame count.
 * A video frame whose timestamp maps to more than 1 s in the future or before the publisher started is counted
 * as unmatched (the server moved the timeline, e.g. a path reused after an earlier publisher): use fresh paths.
 *
 * <p>Thread safety: the channel's event loop only. Allocation per message: the decoder's {@link RtmpMessage}
 * and its pooled payload; nothing here.
 */
final class Player extends SimpleChannelInboundHandler<RtmpMessage>
{
    private static final long EARLY_TOLERANCE_NS = 2_000_000L;
    private static final long UNMATCHED_NS = 1_000_000_000L;

    private final int publisher;
    private final String app;
    private final String tcUrl;
    private final String streamName;
    private final LoopContext context;
    private final LoadWindow window;
    private int streamId = 1;
    private boolean playing;
    private long framesInWindow;
    private long mediaBytesInWindow;

    Player(
        final int publisher,
        final String app,
        final String tcUrl,
        final String streamName,
        final LoopContext context)
    {
        this.publisher = publisher;
        this.app = app;
        this.tcUrl = tcUrl;
        this.streamName = streamName;
        this.context = context;
        this.window = context.window;
    }

    int publisher()
    {
        return publisher;
    }

    boolean playing()
    {
        return playing;
    }

    long framesInWindow()
    {
        return framesInWindow;
    }

    long mediaBytesInWindow()
    {
        return mediaBytesInWindow;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        context.players.add(this);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (evt == RtmpClientHandshake.DONE)
        {
            ctx.writeAndFlush(RtmpClientCommands.connect(ctx.alloc(), app, tcUrl));
            return;
        }

        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final RtmpMessage msg)
    {
        final int type = msg.typeId();
        if (type == RtmpMessageTypes.VIDEO || type == RtmpMessageTypes.AUDIO)
        {
            onMedia(type == RtmpMessageTypes.VIDEO, msg.timestamp32Ms(), msg.payload());
            return;
        }

        final ByteBuf payload = msg.payload();
        if (type == RtmpMessageTypes.USER_CONTROL && payload.readableBytes() >= 6
            && payload.getUnsignedShort(payload.readerIndex()) == RtmpMessageTypes.EVENT_PING_REQUEST)
        {
            ctx.writeAndFlush(RtmpClientCommands.pong(ctx.alloc(), payload.getInt(payload.readerIndex() + 2)));
        }
        else if (type == RtmpMessageTypes.COMMAND_AMF0)
        {
            onCommand(ctx, RtmpClientCommands.decode(payload));
        }
    }

    private void onMedia(final boolean video, final long timestampMs, final ByteBuf body)
    {
        final long startNs = window.publisherStartNs(publisher);
        if (startNs == Long.MIN_VALUE)
        {
            return;
        }

        final boolean frame = video && FlvClip.isVideoFrame(body);
        if (video && !frame)
        {
            return;
        }

        final long nowNs = System.nanoTime();
        final long intendedNs = startNs + timestampMs * 1_000_000L;
        if (frame && (intendedNs > nowNs + UNMATCHED_NS || intendedNs < startNs - UNMATCHED_NS))
        {
            // Not on this publisher's schedule: the server shifted the timestamps (a reused path).
            context.unmatchedFrames++;
            return;
        }

        if (!window.contains(intendedNs))
        {
            return;
        }

        mediaBytesInWindow += body.readableBytes();
        if (frame)
        {
            framesInWindow++;
            final long lagNs = nowNs - intendedNs;
            if (lagNs < -EARLY_TOLERANCE_NS)
            {
                context.earlyFrames++;
            }
            else
            {
                LoopContext.recordUs(context.deliveryLagUs, lagNs);
            }
        }
    }

    private void onCommand(final ChannelHandlerContext ctx, final List<Object> values)
    {
        if (values.size() < 2 || !(values.get(0) instanceof String name) || !(values.get(1) instanceof Number tx))
        {
            return;
        }

        final ByteBufAllocator alloc = ctx.alloc();
        if ("_result".equals(name) && tx.intValue() == 1)
        {
            ctx.writeAndFlush(RtmpClientCommands.command(alloc, 0, "createStream", 2.0, (Object)null));
        }
        else if ("_result".equals(name) && tx.intValue() == 2)
        {
            if (values.size() > 3 && values.get(3) instanceof Number id)
            {
                streamId = id.intValue();
            }

            ctx.writeAndFlush(RtmpClientCommands.command(alloc, streamId, "play", 3.0, null, streamName));
        }
        else if ("onStatus".equals(name))
        {
            final String code = RtmpClientCommands.statusCode(values);
            if ("NetStream.Play.Start".equals(code))
            {
                playing = true;
            }
            else if (RtmpClientCommands.isErrorStatus(values))
            {
                window.refused.incrementAndGet();
                ctx.close();
            }
        }
        else if ("_error".equals(name))
        {
            window.refused.incrementAndGet();
            ctx.close();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (!window.isStopping())
        {
            window.closedEarly.incrementAndGet();
        }

        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!window.isStopping())
        {
            window.protocolErrors.incrementAndGet();
        }

        ctx.close();
    }
}
