package com.cococam.protocols.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.util.collection.IntObjectHashMap;

/**
 * Encodes {@link RtmpMessage}s into chunks with our outgoing chunk size, compressing headers per chunk stream:
 * type 0 for a new chunk stream, a new message stream id or a timestamp that goes backwards; type 1 when length
 * or type change; type 2 when only the delta changes; type 3 when the delta repeats after a type 1/2 header.
 * (Type 3 is never used right after a type 0 header: receivers disagree on what delta it implies.)
 *
 * <p>An outgoing Set Chunk Size message (type 1, stream 0) switches this encoder to the new size right after it
 * is written, so later messages use it. Plain {@link ByteBuf}s (pre-encoded media, see
 * {@link RtmpChunkWriter#preEncode}) pass through untouched.
 *
 * <p>Note: chunk stream ids in {@code reservedChunkStreamIds} belong to pre-encoded media and are refused with
 * {@link IllegalArgumentException} (the write fails), so our compressed headers never depend on state that
 * pre-encoded chunks changed on the receiver.
 *
 * <p>Thread safety: one channel's event loop. Allocation: one exactly sized pooled buffer per message.
 */
public final class RtmpChunkEncoder extends MessageToByteEncoder<RtmpMessage>
{
    /** Chunk size every RTMP peer starts with. */
    public static final int DEFAULT_CHUNK_SIZE = 128;

    private final IntObjectHashMap<OutgoingStream> streams = new IntObjectHashMap<>();
    private final int[] reservedChunkStreamIds;
    private int chunkSize = DEFAULT_CHUNK_SIZE;

    /**
     * @param reservedChunkStreamIds chunk stream ids this encoder must never use; may be empty.
     */
    public RtmpChunkEncoder(final int... reservedChunkStreamIds)
    {
        super(RtmpMessage.class);
        this.reservedChunkStreamIds = reservedChunkStreamIds.clone();
    }

    /**
     * @return the chunk size currently used for outgoing messages.
     */
    public int chunkSize()
    {
        return chunkSize;
    }

    @Override
    protected ByteBuf allocateBuffer(final ChannelHandlerContext ctx, final RtmpMessage msg, final boolean preferDirect)
    {
        return ctx.alloc().ioBuffer(RtmpChunkWriter.encodedLength(
            chunkSize, msg.chunkStreamId(), 0, msg.timestamp32Ms(), msg.payload().readableBytes()));
    }

    @Override
    protected void encode(final ChannelHandlerContext ctx, final RtmpMessage msg, final ByteBuf out)
    {
        final int csid = msg.chunkStreamId();
        checkChunkStreamId(csid);

        final ByteBuf body = msg.payload();
        final int length = body.readableBytes();
        final long timestamp = msg.timestamp32Ms();
        OutgoingStream stream = streams.get(csid);
        if (stream == null)
        {
            stream = new OutgoingStream();
            streams.put(csid, stream);
        }

        final long delta = (timestamp - stream.timestamp) & 0xFFFF_FFFFL;
        final int fmt;
        if (!stream.used || stream.messageStreamId != msg.messageStreamId() || delta >= 0x8000_0000L)
        {
            fmt = 0;
        }
        else if (stream.length != length || stream.typeId != msg.typeId())
        {
            fmt = 1;
        }
        else if (stream.lastFmt == 0 || stream.delta != delta)
        {
            fmt = 2;
        }
        else
        {
            fmt = 3;
        }

        final long field = fmt == 0 ? timestamp : delta;
        RtmpChunkWriter.writeChunks(out, chunkSize, csid, fmt, field, msg.typeId(), msg.messageStreamId(), body);
        stream.used = true;
        stream.messageStreamId = msg.messageStreamId();
        stream.typeId = msg.typeId();
        stream.length = length;
        stream.timestamp = timestamp;
        stream.delta = delta;
        stream.lastFmt = fmt;

        if (msg.typeId() == RtmpMessageTypes.SET_CHUNK_SIZE && msg.messageStreamId() == 0 && length >= 4)
        {
            chunkSize = Math.max(1, body.getInt(body.readerIndex()) & 0x7FFF_FFFF);
        }
    }

    private void checkChunkStreamId(final int csid)
    {
        if (csid < 2 || csid > RtmpChunkWriter.MAX_CHUNK_STREAM_ID)
        {
            throw new IllegalArgumentException("chunk stream id out of range: csid=" + csid);
        }

        for (final int reserved : reservedChunkStreamIds)
        {
            if (reserved == csid)
            {
                throw new IllegalArgumentException("chunk stream id reserved for pre-encoded media: csid=" + csid);
            }
        }
    }

    private static final class OutgoingStream
    {
        boolean used;
        int messageStreamId;
        int typeId;
        int length;
        long timestamp;
        long delta;
        int lastFmt;
    }
}
