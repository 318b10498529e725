package com.cococam.protocols.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Writes RTMP chunks (Adobe RTMP specification 1.0, section 5.3.1), and pre-encodes a media message once so
 * the same bytes can go to many players.
 *
 * <pre>
 *  Chunk = basic header | message header | [extended timestamp] | chunk data
 *
 *  basic header, 1..3 bytes (fmt = header type 0..3):
 *   0 1 2 3 4 5 6 7      csid 2..63
 *  +-+-+-+-+-+-+-+-+
 *  |fmt|   csid    |
 *  +-+-+-+-+-+-+-+-+
 *  |fmt|    0      |  csid - 64 (1 byte)                 csid 64..319
 *  |fmt|    1      |  csid - 64 (2 bytes, little endian)  csid 64..65599
 *
 *  message header:
 *   fmt 0 (11 bytes): timestamp(3) | length(3) | type id(1) | message stream id(4, little endian)
 *   fmt 1 (7 bytes):  timestamp delta(3) | length(3) | type id(1)
 *   fmt 2 (3 bytes):  timestamp delta(3)
 *   fmt 3 (0 bytes):  everything from the previous chunk of this csid
 *  A 3-byte timestamp field of 0xFFFFFF means the value follows as a 4-byte extended timestamp; we repeat it
 *  on every fmt 3 continuation chunk, as ffmpeg, librtmp and OBS expect.
 * </pre>
 *
 * <p>Thread safety: stateless, any thread.
 */
public final class RtmpChunkWriter
{
    /** Largest value of the 3-byte timestamp field; at or above it the extended timestamp is used. */
    public static final long EXTENDED_TIMESTAMP_MARKER = 0xFF_FFFFL;
    /** Largest chunk stream id the basic header can carry. */
    public static final int MAX_CHUNK_STREAM_ID = 65_599;

    private static final int[] MESSAGE_HEADER_LENGTHS = {11, 7, 3, 0};

    private RtmpChunkWriter()
    {
    }

    /**
     * Pre-encodes one message as a type-0 chunk followed by type-3 continuations, so the server can build a media
     * frame once and write {@code retainedDuplicate()}s of the result to every player channel. Being type 0, the
     * result does not depend on what the player's chunk stream saw before.
     *
     * <p>Buffer ownership: {@code body} is read from its reader index and neither moved nor released; the caller
     * owns the returned buffer (one pooled allocation of exactly {@link #encodedLength} bytes).
     *
     * <p>Note: only correct for a receiver whose incoming chunk size equals {@code chunkSize}, i.e. the size we
     * announced to it; and only on a chunk stream nothing else writes to (see the play csids in
     * {@code RtmpPlayMedia}).
     *
     * @param alloc           allocator for the result.
     * @param chunkSize       the chunk size we announced to the receivers.
     * @param chunkStreamId   chunk stream id, 2..65599.
     * @param messageStreamId message stream id (the play stream, normally 1).
     * @param typeId          message type, e.g. {@link RtmpMessageTypes#VIDEO}.
     * @param timestamp32Ms   absolute timestamp, low 32 bits used.
     * @param body            message body.
     * @return the encoded chunks.
     */
    public static ByteBuf preEncode(
        final ByteBufAllocator alloc,
        final int chunkSize,
        final int chunkStreamId,
        final int messageStreamId,
        final int typeId,
        final long timestamp32Ms,
        final ByteBuf body)
    {
        final long timestamp = timestamp32Ms & 0xFFFF_FFFFL;
        final ByteBuf out = alloc.ioBuffer(encodedLength(chunkSize, chunkStreamId, timestamp, body.readableBytes()));
        writeChunks(out, chunkSize, chunkStreamId, 0, timestamp, typeId, messageStreamId, body);
        return out;
    }

    /**
     * @param chunkSize     chunk size.
     * @param chunkStreamId chunk stream id.
     * @param field         the first chunk's timestamp field value (absolute or delta).
     * @param bodyLength    message body length.
     * @return bytes a message takes when written with a type-0 first chunk.
     */
    public static int encodedLength(
        final int chunkSize,
        final int chunkStreamId,
        final long field,
        final int bodyLength)
    {
        return encodedLength(chunkSize, chunkStreamId, 0, field, bodyLength);
    }

    static int encodedLength(
        final int chunkSize,
        final int chunkStreamId,
        final int fmt,
        final long field,
        final int bodyLength)
    {
        final int basic = basicHeaderLength(chunkStreamId);
        final int extended = field >= EXTENDED_TIMESTAMP_MARKER ? 4 : 0;
        final int chunks = bodyLength == 0 ? 1 : (bodyLength + chunkSize - 1) / chunkSize;
        return basic + MESSAGE_HEADER_LENGTHS[fmt] + bodyLength + chunks * extended + (chunks - 1) * basic;
    }

    /**
     * Writes one message as chunks: a first chunk with header type {@code fmt}, then type-3 continuations.
     *
     * @param out             destination.
     * @param chunkSize       outgoing chunk size.
     * @param chunkStreamId   chunk stream id.
     * @param fmt             header type of the first chunk, 0..3.
     * @param field           timestamp (fmt 0) or delta (fmt 1, 2); kept for the extended field of fmt 3.
     * @param typeId          message type id.
     * @param messageStreamId message stream id.
     * @param body            body, read without moving its indices.
     */
    static void writeChunks(
        final ByteBuf out,
        final int chunkSize,
        final int chunkStreamId,
        final int fmt,
        final long field,
        final int typeId,
        final int messageStreamId,
        final ByteBuf body)
    {
        final int length = body.readableBytes();
        final boolean extended = field >= EXTENDED_TIMESTAMP_MARKER;
        final int shortField = extended ? (int)EXTENDED_TIMESTAMP_MARKER : (int)field;

        writeBasicHeader(out, fmt, chunkStreamId);
        if (fmt <= 2)
        {
            out.writeMedium(shortField);
        }

        if (fmt <= 1)
        {
            out.writeMedium(length);
            out.writeByte(typeId);
        }

        if (fmt == 0)
        {
            out.writeIntLE(messageStreamId);
        }

        int offset = body.readerIndex();
        int left = length;
        boolean first = true;
        while (first || left > 0)
        {
            if (!first)
            {
                writeBasicHeader(out, 3, chunkStreamId);
            }

            if (extended)
            {
                out.writeInt((int)field);
            }

            final int size = Math.min(chunkSize, left);
            out.writeBytes(body, offset, size);
            offset += size;
            left -= size;
            first = false;
        }
    }

    static int basicHeaderLength(final int chunkStreamId)
    {
        if (chunkStreamId < 64)
        {
            return 1;
        }

        return chunkStreamId < 320 ? 2 : 3;
    }

    private static void writeBasicHeader(final ByteBuf out, final int fmt, final int chunkStreamId)
    {
        if (chunkStreamId < 64)
        {
            out.writeByte((fmt << 6) | chunkStreamId);
        }
        else if (chunkStreamId < 320)
        {
            out.writeByte(fmt << 6);
            out.writeByte(chunkStreamId - 64);
        }
        else
        {
            out.writeByte((fmt << 6) | 1);
            out.writeShortLE(chunkStreamId - 64);
        }
    }
}
