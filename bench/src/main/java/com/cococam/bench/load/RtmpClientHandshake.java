package com.cococam.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Client side of the plain RTMP handshake (Adobe RTMP 1.0, section 5.2; no digest).
 *
 * <pre>
 *  client                         server
 *  C0 (1: version 3) + C1 (1536: time(4) | zero(4) | random(1528))  -->
 *                            <--  S0 (1) + S1 (1536) + S2 (1536, echo of C1)
 *  C2 (1536: echo of S1)  -->
 * </pre>
 *
 * <p>When S2 has arrived the handler writes C2, fires {@link #DONE} and removes itself; bytes after S2 go on to
 * the next handler. A version byte other than 3 closes the channel.
 *
 * <p>Thread safety: one channel's event loop. Allocation: the handshake buffers, once per connection.
 */
final class RtmpClientHandshake extends ByteToMessageDecoder
{
    /** User event fired when the handshake is complete. */
    static final Object DONE = new Object();

    private static final int SIZE = 1536;

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        final ByteBuf c01 = ctx.alloc().buffer(1 + SIZE);
        c01.writeByte(3);
        c01.writeInt(0);
        c01.writeInt(0);
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < (SIZE - 8) / 8; i++)
        {
            c01.writeLong(random.nextLong());
        }

        ctx.writeAndFlush(c01);
        super.channelActive(ctx);
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (in.readableBytes() < 1 + 2 * SIZE)
        {
            return;
        }

        if (in.readUnsignedByte() != 3)
        {
            in.skipBytes(in.readableBytes());
            ctx.close();
            return;
        }

        final ByteBuf c2 = in.readRetainedSlice(SIZE);
        in.skipBytes(SIZE);
        ctx.writeAndFlush(c2);
        ctx.fireUserEventTriggered(DONE);
        ctx.pipeline().remove(this);
    }
}
