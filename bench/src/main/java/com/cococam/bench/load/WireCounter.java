package com.cococam.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * First handler of every connection: adds the bytes read during the measurement window to the loop's counter
 * for the connection's kind.
 *
 * <p>Thread safety: the channel's event loop (the counters are that loop's). Allocation: none.
 */
final class WireCounter extends ChannelInboundHandlerAdapter
{
    /** Kind of connection, selecting the counter. */
    enum Kind
    {
        PLAYER,
        RTSP_PLAYER,
        HLS
    }

    private final LoopContext context;
    private final Kind kind;

    WireCounter(final LoopContext context, final Kind kind)
    {
        this.context = context;
        this.kind = kind;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        if (msg instanceof ByteBuf buf && context.window.contains(System.nanoTime()))
        {
            final int bytes = buf.readableBytes();
            switch (kind)
            {
                case PLAYER -> context.playerWireBytes += bytes;
                case RTSP_PLAYER -> context.rtspWireBytes += bytes;
                default -> context.hlsWireBytes += bytes;
            }
        }

        ctx.fireChannelRead(msg);
    }
}
