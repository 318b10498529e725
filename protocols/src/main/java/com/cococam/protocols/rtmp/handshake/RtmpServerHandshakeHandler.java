package com.cococam.protocols.rtmp.handshake;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Server side of the RTMP handshake (Adobe RTMP specification 1.0, section 5.2): reads C0+C1, writes
 * S0+S1+S2, reads C2, then removes itself; bytes after C2 go on to the next handler.
 *
 * <pre>
 *  client                         server
 *  C0 (1: version 3) + C1 (1536)  -&gt;
 *                                 &lt;-  S0 (1: 3) + S1 (1536) + S2 (1536)
 *  C2 (1536)                      -&gt;   handler removed, chunk stream follows
 * </pre>
 *
 * <p>Plain scheme: when C1's version field is zero or no client digest verifies, S1 is time 0, zero version,
 * random bytes, and S2 echoes C1. Digest scheme: when C1 carries a valid digest (see {@link RtmpHandshakeDigest};
 * ffmpeg and OBS send one), S1 carries our digest at the same scheme's offset and S2 is signed with the key
 * derived from the client digest, so clients that check (ffmpeg does) accept us. C2 is read and not checked:
 * clients differ in what they send back, and nothing we do depends on it.
 *
 * <p>Errors: a C0 other than 3 fires {@link RtmpHandshakeException} ({@link RtmpErrorCode#HANDSHAKE_VERSION})
 * down the pipeline and closes; no complete handshake within {@code timeoutMs} of the channel becoming active
 * fires {@link RtmpErrorCode#HANDSHAKE_TIMEOUT} and closes. The timer runs on the channel's event loop.
 *
 * <p>Thread safety: one channel's event loop. Allocation: the 3073-byte response and a few arrays, once.
 */
public final class RtmpServerHandshakeHandler extends ByteToMessageDecoder
{
    /** Default handshake timeout. */
    public static final long DEFAULT_TIMEOUT_MS = 10_000;
    /** The only RTMP version we speak (6 would be encrypted RTMPE). */
    public static final int RTMP_VERSION = 3;

    private static final int SERVER_VERSION = 0x0D0E_0A0D;
    private static final int PACKET_SIZE = RtmpHandshakeDigest.PACKET_SIZE;

    private final long timeoutMs;
    private ScheduledFuture<?> timeout;
    private boolean sentResponse;
    private boolean done;
    private int clientScheme = -1;

    /**
     * @param timeoutMs longest time from channel activation to a complete handshake; positive.
     * @throws IllegalArgumentException when not positive.
     */
    public RtmpServerHandshakeHandler(final long timeoutMs)
    {
        if (timeoutMs <= 0)
        {
            throw new IllegalArgumentException("rtmp handshake timeout must be positive: timeoutMs=" + timeoutMs);
        }

        this.timeoutMs = timeoutMs;
    }

    /**
     * @return the configured handshake timeout.
     */
    public long timeoutMs()
    {
        return timeoutMs;
    }

    /**
     * @return the digest scheme the client used (0 or 1), or -1 for the plain handshake or before C1 arrived.
     */
    public int clientScheme()
    {
        return clientScheme;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        if (ctx.channel().isActive())
        {
            startTimer(ctx);
        }
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        startTimer(ctx);
        super.channelActive(ctx);
    }

    @Override
    protected void handlerRemoved0(final ChannelHandlerContext ctx)
    {
        cancelTimer();
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (done)
        {
            in.skipBytes(in.readableBytes());
            return;
        }

        if (!sentResponse)
        {
            readC0C1(ctx, in);
        }
        else if (in.readableBytes() >= PACKET_SIZE)
        {
            in.skipBytes(PACKET_SIZE);
            done = true;
            cancelTimer();
            ctx.pipeline().remove(this);
        }
    }

    private void readC0C1(final ChannelHandlerContext ctx, final ByteBuf in)
    {
        final int version = in.getUnsignedByte(in.readerIndex());
        if (version != RTMP_VERSION)
        {
            in.skipBytes(in.readableBytes());
            fail(ctx, new RtmpHandshakeException(RtmpErrorCode.HANDSHAKE_VERSION,
                "unsupported rtmp version: version=" + version));
            return;
        }

        if (in.readableBytes() < 1 + PACKET_SIZE)
        {
            return;
        }

        final byte[] c1 = new byte[PACKET_SIZE];
        in.getBytes(in.readerIndex() + 1, c1);
        in.skipBytes(1 + PACKET_SIZE);

        final ByteBuf response = ctx.alloc().buffer(1 + 2 * PACKET_SIZE);
        response.writeByte(RTMP_VERSION);
        final boolean clientVersionSet = c1[4] != 0 || c1[5] != 0 || c1[6] != 0 || c1[7] != 0;
        clientScheme = clientVersionSet ? RtmpHandshakeDigest.findClientScheme(c1) : -1;
        if (clientScheme < 0)
        {
            writePlain(response, c1);
        }
        else
        {
            writeDigest(response, c1, clientScheme);
        }

        sentResponse = true;
        ctx.writeAndFlush(response);
    }

    private static void writePlain(final ByteBuf response, final byte[] c1)
    {
        final byte[] random = new byte[PACKET_SIZE - 8];
        ThreadLocalRandom.current().nextBytes(random);
        response.writeInt(0);
        response.writeInt(0);
        response.writeBytes(random);
        response.writeBytes(c1);
    }

    private static void writeDigest(final ByteBuf response, final byte[] c1, final int scheme)
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        final byte[] s1 = new byte[PACKET_SIZE];
        random.nextBytes(s1);
        s1[0] = 0;
        s1[1] = 0;
        s1[2] = 0;
        s1[3] = 0;
        s1[4] = (byte)(SERVER_VERSION >>> 24);
        s1[5] = (byte)(SERVER_VERSION >>> 16);
        s1[6] = (byte)(SERVER_VERSION >>> 8);
        s1[7] = (byte)SERVER_VERSION;
        RtmpHandshakeDigest.sign(s1, scheme, RtmpHandshakeDigest.serverKey(),
            RtmpHandshakeDigest.SERVER_KEY_OPEN_LENGTH);

        final int clientOffset = RtmpHandshakeDigest.digestOffset(c1, scheme);
        final byte[] clientDigest = new byte[RtmpHandshakeDigest.DIGEST_SIZE];
        System.arraycopy(c1, clientOffset, clientDigest, 0, clientDigest.length);
        final byte[] s2 = new byte[PACKET_SIZE];
        random.nextBytes(s2);
        RtmpHandshakeDigest.signResponse(s2, clientDigest, RtmpHandshakeDigest.serverKey());

        response.writeBytes(s1);
        response.writeBytes(s2);
    }

    private void startTimer(final ChannelHandlerContext ctx)
    {
        if (timeout != null || done)
        {
            return;
        }

        timeout = ctx.executor().schedule(() -> onTimeout(ctx), timeoutMs, TimeUnit.MILLISECONDS);
    }

    private void onTimeout(final ChannelHandlerContext ctx)
    {
        if (!done)
        {
            fail(ctx, new RtmpHandshakeException(RtmpErrorCode.HANDSHAKE_TIMEOUT,
                "handshake incomplete after timeoutMs=" + timeoutMs));
        }
    }

    private void fail(final ChannelHandlerContext ctx, final RtmpHandshakeException error)
    {
        done = true;
        cancelTimer();
        ctx.fireExceptionCaught(error);
        ctx.close();
    }

    private void cancelTimer()
    {
        if (timeout != null)
        {
            timeout.cancel(false);
            timeout = null;
        }
    }
}
