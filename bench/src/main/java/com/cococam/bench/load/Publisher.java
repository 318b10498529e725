package com.cococam.bench.load;

import com.cococam.codec.flv.FlvFileReader;
import com.cococam.protocols.rtmp.chunk.RtmpChunkWriter;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;

import java.util.List;

/**
 * One RTMP publisher: connect, releaseStream, FCPublish, createStream, publish {@code name?key=...}, then the clip
 * looped at real time. Each tag is due at {@code start + timestamp}; the loop's 1 ms tick sends every due tag
 * while the channel is writable (a server that stops reading makes the publisher fall behind its schedule, which
 * shows up as send lag and in the players' delivery lag, both measured from the schedule).
 *
 * <p>Media tags are pre-encoded with {@link RtmpChunkWriter#preEncode} (type-0 first chunk, one pooled buffer per
 * tag, nothing else allocated per frame) on the reserved audio/video chunk streams.
 *
 * <p>Thread safety: the channel's event loop only.
 */
final class Publisher extends SimpleChannelInboundHandler<RtmpMessage>
{
    private static final long BEHIND_LIMIT_NS = 5_000_000_000L;

    private final int index;
    private final String app;
    private final String tcUrl;
    private final String publishName;
    private final FlvClip clip;
    private final LoopContext context;
    private final LoadWindow window;
    private Channel channel;
    private boolean publishing;
    private boolean behind;
    private int streamId = 1;
    private long startNs;
    private long loop;
    private int next;

    Publisher(
        final int index,
        final String app,
        final String tcUrl,
        final String publishName,
        final FlvClip clip,
        final LoopContext context)
    {
        this.index = index;
        this.app = app;
        this.tcUrl = tcUrl;
        this.publishName = publishName;
        this.clip = clip;
        this.context = context;
        this.window = context.window;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
        context.publishers.add(this);
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) throws Exception
    {
        if (evt == RtmpClientHandshake.DONE)
        {
            ctx.write(RtmpClientCommands.setChunkSize(ctx.alloc(), RtmpClientCommands.PUBLISH_CHUNK_SIZE));
            ctx.writeAndFlush(RtmpClientCommands.connect(ctx.alloc(), app, tcUrl));
            return;
        }

        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final RtmpMessage msg)
    {
        final ByteBuf payload = msg.payload();
        if (msg.typeId() == RtmpMessageTypes.USER_CONTROL && payload.readableBytes() >= 6
            && payload.getUnsignedShort(payload.readerIndex()) == RtmpMessageTypes.EVENT_PING_REQUEST)
        {
            ctx.writeAndFlush(RtmpClientCommands.pong(ctx.alloc(), payload.getInt(payload.readerIndex() + 2)));
            return;
        }

        if (msg.typeId() != RtmpMessageTypes.COMMAND_AMF0)
        {
            return;
        }

        onCommand(ctx, RtmpClientCommands.decode(payload));
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
            final String bareName = publishName.split("\\?", 2)[0];
            ctx.write(RtmpClientCommands.command(alloc, 0, "releaseStream", 2.0, null, bareName));
            ctx.write(RtmpClientCommands.command(alloc, 0, "FCPublish", 3.0, null, bareName));
            ctx.writeAndFlush(RtmpClientCommands.command(alloc, 0, "createStream", 4.0, (Object)null));
        }
        else if ("_result".equals(name) && tx.intValue() == 4)
        {
            if (values.size() > 3 && values.get(3) instanceof Number id)
            {
                streamId = id.intValue();
            }

            ctx.writeAndFlush(RtmpClientCommands.command(alloc, streamId, "publish", 5.0, null, publishName, "live"));
        }
        else if ("onStatus".equals(name))
        {
            final String code = RtmpClientCommands.statusCode(values);
            if ("NetStream.Publish.Start".equals(code) && !publishing)
            {
                publishing = true;
                startNs = System.nanoTime();
                window.publisherStarted(index, startNs);
                pump(startNs);
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

    /**
     * Sends every tag that is due, while the channel is writable.
     *
     * @param nowNs the tick's clock reading.
     */
    void pump(final long nowNs)
    {
        if (!publishing || !channel.isActive())
        {
            return;
        }

        boolean wrote = false;
        while (channel.isWritable())
        {
            final long tsMs = clip.timestampMs(next) + loop * clip.loopMs();
            final long dueNs = startNs + tsMs * 1_000_000L;
            if (dueNs > nowNs)
            {
                break;
            }

            if (loop == 0 || !clip.isConfig(next))
            {
                send(next, tsMs, nowNs, dueNs);
                wrote = true;
            }

            if (++next == clip.size())
            {
                next = clip.firstMediaIndex();
                loop++;
            }
        }

        if (wrote)
        {
            channel.flush();
        }

        if (!behind && publishing && nowNs - (startNs + (clip.timestampMs(next) + loop * clip.loopMs()) * 1_000_000L)
            > BEHIND_LIMIT_NS)
        {
            behind = true;
            window.publishersBehind.incrementAndGet();
        }
    }

    private void send(final int tag, final long tsMs, final long nowNs, final long dueNs)
    {
        final int type = clip.type(tag);
        if (type == FlvFileReader.TAG_SCRIPT)
        {
            channel.write(RtmpClientCommands.metadata(channel.alloc(), streamId, clip.body(tag)), channel.voidPromise());
            return;
        }

        final boolean video = type == FlvFileReader.TAG_VIDEO;
        final ByteBuf chunks = RtmpChunkWriter.preEncode(channel.alloc(), RtmpClientCommands.PUBLISH_CHUNK_SIZE,
            video ? RtmpClientCommands.VIDEO_CSID : RtmpClientCommands.AUDIO_CSID, streamId,
            video ? RtmpMessageTypes.VIDEO : RtmpMessageTypes.AUDIO, tsMs, clip.body(tag));
        if (window.contains(nowNs))
        {
            context.publisherWireBytes += chunks.readableBytes();
            if (video)
            {
                LoopContext.recordUs(context.publishSendLagUs, nowNs - dueNs);
            }
        }

        channel.write(chunks, channel.voidPromise());
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (!window.isStopping())
        {
            window.closedEarly.incrementAndGet();
        }

        publishing = false;
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
