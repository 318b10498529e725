package com.cococam.protocols.rtmp.chunk;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import com.cococam.protocols.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.collection.IntObjectHashMap;

import java.util.List;

/**
 * Decodes the RTMP chunk stream (Adobe RTMP specification 1.0, section 5.3; layout in {@link RtmpChunkWriter})
 * into whole {@link RtmpMessage}s.
 *
 * <p>Handled here and not passed on: Set Chunk Size (1), Abort (2), Acknowledgement (3) from the peer, and Window
 * Acknowledgement Size (5). When the peer has set a window, an Acknowledgement carrying the number of bytes this
 * decoder has received (mod 2^32) is written each time another window's worth arrived. Everything else, including
 * user control (4) and set peer bandwidth (6), goes up the pipeline.
 *
 * <p>Timestamps: each message carries its 32-bit absolute timestamp: type 0 sets it, types 1 and 2 add their
 * delta, a type 3 header that starts a new message adds the previous delta (after a type 0 header the "delta" is
 * that header's absolute timestamp, as ffmpeg and SRS read it). Sums wrap modulo 2^32.
 *
 * <p>Extended timestamps on type 3 continuation chunks: Adobe's spec, ffmpeg, librtmp and OBS repeat the 4-byte
 * extended timestamp on every continuation chunk; some older servers and encoders omit it. On the first
 * continuation chunk that could carry one, the next four bytes are compared with the extended timestamp of the
 * message's first chunk: equal means "repeated" and is remembered for the connection, otherwise "omitted". (A
 * payload that starts with exactly those four bytes would be misread; that is the price of supporting both.)
 *
 * <p>Buffer ownership and copy: every message is assembled into one buffer from the channel's allocator (pooled in
 * the server) by copying each chunk's payload once; the emitted {@link RtmpMessage} owns it. Messages up to
 * {@code eagerAllocationBytes} get a buffer of exactly their length up front; longer ones start at that capacity
 * and grow up to exactly their length as data arrives, so a peer cannot make us reserve memory it never sends.
 * Partially assembled messages are released when the handler is removed or the channel closes.
 *
 * <p>Limits (constructor parameters) and what happens past them, each a {@link RtmpChunkException}:
 * <ul>
 *     <li>Set Chunk Size above {@code maxChunkSize} or below 1: {@link RtmpErrorCode#CHUNK_SIZE}.</li>
 *     <li>A message length above {@code maxMessageLength}: {@link RtmpErrorCode#MESSAGE_LENGTH}.</li>
 *     <li>More than {@code maxChunkStreams} distinct chunk stream ids on the connection:
 *         {@link RtmpErrorCode#CHUNK_STREAMS}.</li>
 *     <li>A type 1-3 header on an unseen chunk stream, or a new message header while a message is incomplete:
 *         {@link RtmpErrorCode#CHUNK_HEADER}.</li>
 * </ul>
 * After the first error the decoder discards all further input; the session closes the connection.
 *
 * <p>Thread safety: one channel's event loop. Allocation: message buffers and one small state object per chunk
 * stream; nothing else per chunk. The emitted {@link RtmpMessage} holders come from a Netty recycler and return to
 * it when released, so on an event loop thread no holder is allocated per message.
 */
public final class RtmpChunkDecoder extends ByteToMessageDecoder
{
    /** Default bound on the peer's chunk size. */
    public static final int DEFAULT_MAX_CHUNK_SIZE = 65_536;
    /** Default bound on a message length: 8 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_LENGTH = 8 << 20;
    /** Default bound on distinct chunk stream ids per connection. */
    public static final int DEFAULT_MAX_CHUNK_STREAMS = 64;
    /** Default size up to which a message buffer is allocated at its exact length up front: 256 KiB. */
    public static final int DEFAULT_EAGER_ALLOCATION_BYTES = 256 << 10;

    private static final int[] MESSAGE_HEADER_LENGTHS = {11, 7, 3, 0};
    private static final int EXTENDED_UNKNOWN = 0;
    private static final int EXTENDED_REPEATED = 1;
    private static final int EXTENDED_OMITTED = 2;
    private static final long MASK_32 = 0xFFFF_FFFFL;

    private final int maxChunkSize;
    private final int maxMessageLength;
    private final int maxChunkStreams;
    private final int eagerAllocationBytes;
    private final IntObjectHashMap<IncomingStream> streams = new IntObjectHashMap<>();
    private int chunkSize = RtmpChunkEncoder.DEFAULT_CHUNK_SIZE;
    private int continuationExtendedMode = EXTENDED_UNKNOWN;
    private long windowAckSize;
    private long bytesReceived;
    private long bytesAcknowledged;
    private boolean failed;

    /**
     * Creates a decoder with the default bounds.
     */
    public RtmpChunkDecoder()
    {
        this(DEFAULT_MAX_CHUNK_SIZE, DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_MAX_CHUNK_STREAMS,
            DEFAULT_EAGER_ALLOCATION_BYTES);
    }

    /**
     * @param maxChunkSize         largest chunk size the peer may set.
     * @param maxMessageLength     largest message length accepted.
     * @param maxChunkStreams      most distinct chunk stream ids per connection.
     * @param eagerAllocationBytes messages up to this length get an exact-length buffer up front.
     * @throws IllegalArgumentException when a bound is not positive.
     */
    public RtmpChunkDecoder(
        final int maxChunkSize,
        final int maxMessageLength,
        final int maxChunkStreams,
        final int eagerAllocationBytes)
    {
        requirePositive("maxChunkSize", maxChunkSize);
        requirePositive("maxMessageLength", maxMessageLength);
        requirePositive("maxChunkStreams", maxChunkStreams);
        requirePositive("eagerAllocationBytes", eagerAllocationBytes);
        this.maxChunkSize = maxChunkSize;
        this.maxMessageLength = maxMessageLength;
        this.maxChunkStreams = maxChunkStreams;
        this.eagerAllocationBytes = eagerAllocationBytes;
    }

    /**
     * @return the peer's current chunk size.
     */
    public int chunkSize()
    {
        return chunkSize;
    }

    /**
     * @return the acknowledgement window the peer set, 0 when none.
     */
    public long windowAckSize()
    {
        return windowAckSize;
    }

    /**
     * @return bytes this decoder has received so far (not wrapped).
     */
    public long bytesReceived()
    {
        return bytesReceived;
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) throws Exception
    {
        if (msg instanceof ByteBuf)
        {
            bytesReceived += ((ByteBuf)msg).readableBytes();
        }

        super.channelRead(ctx, msg);
        if (!failed && windowAckSize > 0 && bytesReceived - bytesAcknowledged >= windowAckSize)
        {
            bytesAcknowledged = bytesReceived;
            final ByteBuf body = ctx.alloc().buffer(4, 4).writeInt((int)bytesReceived);
            ctx.writeAndFlush(new RtmpMessage(2, RtmpMessageTypes.ACKNOWLEDGEMENT, 0, 0, body));
        }
    }

    @Override
    protected void decode(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        if (failed)
        {
            in.skipBytes(in.readableBytes());
            return;
        }

        try
        {
            decodeChunk(ctx, in, out);
        }
        catch (final RtmpProtocolException ex)
        {
            failed = true;
            in.skipBytes(in.readableBytes());
            releasePartials();
            throw ex;
        }
    }

    @Override
    protected void handlerRemoved0(final ChannelHandlerContext ctx)
    {
        releasePartials();
    }

    private void decodeChunk(final ChannelHandlerContext ctx, final ByteBuf in, final List<Object> out)
    {
        final int start = in.readerIndex();
        final int end = in.writerIndex();
        final int first = in.getUnsignedByte(start);
        final int fmt = first >>> 6;
        int csid = first & 0x3F;
        int pos = start + 1;
        if (csid == 0)
        {
            if (end < start + 2)
            {
                return;
            }

            csid = 64 + in.getUnsignedByte(start + 1);
            pos = start + 2;
        }
        else if (csid == 1)
        {
            if (end < start + 3)
            {
                return;
            }

            csid = 64 + in.getUnsignedByte(start + 1) + (in.getUnsignedByte(start + 2) << 8);
            pos = start + 3;
        }

        final IncomingStream stream = streamFor(csid, fmt);
        if (end < pos + MESSAGE_HEADER_LENGTHS[fmt])
        {
            return;
        }

        long field = 0;
        int length = stream.length;
        int typeId = stream.typeId;
        int messageStreamId = stream.messageStreamId;
        if (fmt <= 2)
        {
            field = in.getUnsignedMedium(pos);
        }

        if (fmt <= 1)
        {
            length = in.getUnsignedMedium(pos + 3);
            typeId = in.getUnsignedByte(pos + 6);
        }

        if (fmt == 0)
        {
            messageStreamId = in.getIntLE(pos + 7);
        }

        pos += MESSAGE_HEADER_LENGTHS[fmt];
        final boolean continuation = stream.partial != null;
        if (continuation && fmt != 3)
        {
            throw new RtmpChunkException(RtmpErrorCode.CHUNK_HEADER,
                "new message header while message incomplete: csid=" + csid + " fmt=" + fmt);
        }

        boolean extended = false;
        if (fmt <= 2 && field == RtmpChunkWriter.EXTENDED_TIMESTAMP_MARKER)
        {
            if (end < pos + 4)
            {
                return;
            }

            extended = true;
            field = in.getUnsignedInt(pos);
            pos += 4;
        }
        else if (fmt == 3 && stream.extended)
        {
            if (continuation && continuationExtendedMode == EXTENDED_UNKNOWN)
            {
                if (end < pos + 4)
                {
                    return;
                }

                continuationExtendedMode = in.getUnsignedInt(pos) == stream.extendedField
                    ? EXTENDED_REPEATED : EXTENDED_OMITTED;
            }

            if (continuationExtendedMode != EXTENDED_OMITTED)
            {
                if (end < pos + 4)
                {
                    return;
                }

                pos += 4;
            }
        }

        if (!continuation && length > maxMessageLength)
        {
            throw new RtmpChunkException(RtmpErrorCode.MESSAGE_LENGTH,
                "message length over limit: length=" + length + " max=" + maxMessageLength);
        }

        final int remaining = continuation ? length - stream.partial.writerIndex() : length;
        final int payload = Math.min(chunkSize, remaining);
        if (end < pos + payload)
        {
            return;
        }

        if (!continuation)
        {
            startMessage(ctx, stream, fmt, field, extended, length, typeId, messageStreamId);
        }

        stream.partial.writeBytes(in, pos, payload);
        in.readerIndex(pos + payload);
        if (stream.partial.writerIndex() == stream.length)
        {
            final ByteBuf body = stream.partial;
            stream.partial = null;
            complete(csid, stream, body, out);
        }
    }

    private IncomingStream streamFor(final int csid, final int fmt)
    {
        IncomingStream stream = streams.get(csid);
        if (stream == null)
        {
            if (fmt != 0)
            {
                throw new RtmpChunkException(RtmpErrorCode.CHUNK_HEADER,
                    "compressed header on new chunk stream: csid=" + csid + " fmt=" + fmt);
            }

            if (streams.size() >= maxChunkStreams)
            {
                throw new RtmpChunkException(RtmpErrorCode.CHUNK_STREAMS,
                    "too many chunk streams: csid=" + csid + " max=" + maxChunkStreams);
            }

            stream = new IncomingStream();
            streams.put(csid, stream);
        }

        return stream;
    }

    private void startMessage(
        final ChannelHandlerContext ctx,
        final IncomingStream stream,
        final int fmt,
        final long field,
        final boolean extended,
        final int length,
        final int typeId,
        final int messageStreamId)
    {
        if (fmt == 0)
        {
            stream.timestamp = field;
            stream.delta = field;
        }
        else if (fmt <= 2)
        {
            stream.timestamp = (stream.timestamp + field) & MASK_32;
            stream.delta = field;
        }
        else
        {
            stream.timestamp = (stream.timestamp + stream.delta) & MASK_32;
        }

        if (fmt <= 2)
        {
            stream.extended = extended;
            stream.extendedField = field;
        }

        stream.length = length;
        stream.typeId = typeId;
        stream.messageStreamId = messageStreamId;
        if (length == 0)
        {
            stream.partial = Unpooled.EMPTY_BUFFER;
        }
        else
        {
            stream.partial = ctx.alloc().buffer(Math.min(length, eagerAllocationBytes), length);
        }
    }

    private void complete(final int csid, final IncomingStream stream, final ByteBuf body, final List<Object> out)
    {
        switch (stream.typeId)
        {
            case RtmpMessageTypes.SET_CHUNK_SIZE:
            {
                final long size = readControlInt(body, "set chunk size") & 0x7FFF_FFFFL;
                if (size < 1 || size > maxChunkSize)
                {
                    throw new RtmpChunkException(RtmpErrorCode.CHUNK_SIZE,
                        "chunk size out of range: size=" + size + " max=" + maxChunkSize);
                }

                chunkSize = (int)size;
                break;
            }
            case RtmpMessageTypes.ABORT:
                abort((int)readControlInt(body, "abort"));
                break;
            case RtmpMessageTypes.ACKNOWLEDGEMENT:
                readControlInt(body, "acknowledgement");
                break;
            case RtmpMessageTypes.WINDOW_ACK_SIZE:
                windowAckSize = readControlInt(body, "window acknowledgement size");
                break;
            default:
                out.add(RtmpMessage.pooled(csid, stream.typeId, stream.messageStreamId, stream.timestamp, body));
                break;
        }
    }

    private static long readControlInt(final ByteBuf body, final String what)
    {
        try
        {
            if (body.readableBytes() < 4)
            {
                throw new RtmpChunkException(RtmpErrorCode.CONTROL_MESSAGE,
                    what + " message too short: length=" + body.readableBytes());
            }

            return body.getUnsignedInt(body.readerIndex());
        }
        finally
        {
            body.release();
        }
    }

    private void abort(final int csid)
    {
        final IncomingStream stream = streams.get(csid);
        if (stream != null && stream.partial != null)
        {
            stream.partial.release();
            stream.partial = null;
        }
    }

    private void releasePartials()
    {
        for (final IncomingStream stream : streams.values())
        {
            if (stream.partial != null)
            {
                stream.partial.release();
                stream.partial = null;
            }
        }
    }

    private static void requirePositive(final String name, final int value)
    {
        if (value < 1)
        {
            throw new IllegalArgumentException("rtmp chunk decoder " + name + " must be positive: " + name + "="
                + value);
        }
    }

    private static final class IncomingStream
    {
        int length;
        int typeId;
        int messageStreamId;
        long timestamp;
        long delta;
        boolean extended;
        long extendedField;
        ByteBuf partial;
    }
}
