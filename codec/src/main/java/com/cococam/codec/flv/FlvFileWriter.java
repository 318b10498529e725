package com.cococam.codec.flv;

import io.netty.buffer.ByteBuf;

/**
 * Writes FLV files: the file header and the framing around tag bodies (layout in {@link FlvFileReader}).
 *
 * <p>For zero-copy output write {@link #writeTagHeader} into a small buffer, put the body after it (for
 * instance as a component of a composite buffer), then {@link #writeTagTrailer}; {@link #writeTag} does the
 * three steps with a copy.
 *
 * <p>Thread safety: stateless. Allocation: none; {@code out} grows as Netty buffers do.
 */
public final class FlvFileWriter
{
    /**
     * Size of the file header plus PreviousTagSize0.
     */
    public static final int FILE_HEADER_SIZE = 13;

    /**
     * Size of the PreviousTagSize field after each tag.
     */
    public static final int TAG_TRAILER_SIZE = 4;

    /**
     * Largest tag body the 24-bit DataSize field can describe.
     */
    public static final int MAX_BODY_SIZE = 0xFF_FFFF;

    private FlvFileWriter()
    {
    }

    /**
     * Writes the 9-byte FLV header (version 1) and PreviousTagSize0.
     *
     * @param hasAudio whether audio tags will follow.
     * @param hasVideo whether video tags will follow.
     * @param out      receives {@link #FILE_HEADER_SIZE} bytes.
     */
    public static void writeFileHeader(final boolean hasAudio, final boolean hasVideo, final ByteBuf out)
    {
        out.writeByte('F').writeByte('L').writeByte('V').writeByte(1);
        out.writeByte((hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0));
        out.writeInt(9);
        out.writeInt(0);
    }

    /**
     * Writes the 11-byte tag header.
     *
     * @param tagType     {@link FlvFileReader#TAG_AUDIO}, {@link FlvFileReader#TAG_VIDEO} or
     *                    {@link FlvFileReader#TAG_SCRIPT}.
     * @param timestampMs tag time in milliseconds; only the low 32 bits are written.
     * @param bodySize    size of the body that will follow.
     * @param out         receives {@link FlvFileReader#TAG_HEADER_SIZE} bytes.
     * @throws IllegalArgumentException if {@code bodySize} is negative or above {@link #MAX_BODY_SIZE}.
     */
    public static void writeTagHeader(final int tagType, final long timestampMs, final int bodySize, final ByteBuf out)
    {
        if (bodySize < 0 || bodySize > MAX_BODY_SIZE)
        {
            throw new IllegalArgumentException("tag body too large: bodySize=" + bodySize);
        }

        out.writeByte(tagType & 0x1F);
        out.writeMedium(bodySize);
        out.writeMedium((int)(timestampMs & 0xFF_FFFF));
        out.writeByte((int)((timestampMs >>> 24) & 0xFF));
        out.writeMedium(0);
    }

    /**
     * Writes the PreviousTagSize field that closes a tag.
     *
     * @param bodySize size of the body just written.
     * @param out      receives {@link #TAG_TRAILER_SIZE} bytes.
     */
    public static void writeTagTrailer(final int bodySize, final ByteBuf out)
    {
        out.writeInt(FlvFileReader.TAG_HEADER_SIZE + bodySize);
    }

    /**
     * Writes one whole tag, copying the body's readable bytes (its indexes are not moved).
     *
     * @param tagType     tag type.
     * @param timestampMs tag time in milliseconds.
     * @param body        the tag body.
     * @param out         receives header, body and trailer.
     * @throws IllegalArgumentException if the body is larger than {@link #MAX_BODY_SIZE}.
     */
    public static void writeTag(final int tagType, final long timestampMs, final ByteBuf body, final ByteBuf out)
    {
        final int size = body.readableBytes();
        writeTagHeader(tagType, timestampMs, size, out);
        out.writeBytes(body, body.readerIndex(), size);
        writeTagTrailer(size, out);
    }
}
