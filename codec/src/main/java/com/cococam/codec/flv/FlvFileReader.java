package com.cococam.codec.flv;

import io.netty.buffer.ByteBuf;

/**
 * Walks the tags of an FLV file held in one {@link ByteBuf}.
 *
 * <pre>
 * FLV file (Adobe FLV spec v10.1, annex E):
 *  header:  'F' 'L' 'V' | version (1) | flags (1: 0x04 audio, 0x01 video) | header size (UI32, 9)
 *  then:    PreviousTagSize0 (UI32, 0)
 *  then per tag:
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-----------+-----------------------------------------------+
 *  |R|F| TagType   |              DataSize (UI24)                  |
 *  +-+-+-----------+-----------------------------------------------+
 *  |              Timestamp (UI24, low bits)       | TimestampExt  |
 *  +-----------------------------------------------+---------------+
 *  |              StreamID (UI24, always 0)        |  body ...     |
 *  +-----------------------------------------------+---------------+
 *  |  body (DataSize bytes) ... | PreviousTagSize (UI32, 11 + DataSize)
 * </pre>
 *
 * <p>Usage: {@link #readHeader()} once, then {@link #next()} until it returns something other than
 * {@link Step#TAG}; after each {@link Step#TAG} the accessors describe the tag just read.
 *
 * <p>Buffer ownership: the file buffer stays owned by the caller and must outlive the reader; {@link #body()} is a
 * slice of it (no copy, not retained), valid until the caller releases the file buffer. The reader moves only
 * its own cursor, never the file buffer's indexes.
 *
 * <p>Thread safety: single thread. Allocation: one slice object per tag.
 *
 * <p>Note: tags with the filter bit (encrypted) are returned like the others; the PreviousTagSize fields are
 * skipped without being checked, as many writers get them wrong.
 */
public final class FlvFileReader
{
    /**
     * FLV tag type of audio tags.
     */
    public static final int TAG_AUDIO = 8;

    /**
     * FLV tag type of video tags.
     */
    public static final int TAG_VIDEO = 9;

    /**
     * FLV tag type of script data (AMF0 metadata) tags.
     */
    public static final int TAG_SCRIPT = 18;

    /**
     * Size of the fixed part of a tag header.
     */
    public static final int TAG_HEADER_SIZE = 11;

    /**
     * Outcome of a read step.
     */
    public enum Step
    {
        /**
         * A tag was read; the accessors describe it.
         */
        TAG,

        /**
         * The file ends cleanly here.
         */
        END_OF_FILE,

        /**
         * The file ends inside a tag (or inside its header).
         */
        TRUNCATED,

        /**
         * The file header is not an FLV header.
         */
        BAD_HEADER
    }

    private final ByteBuf file;
    private int position;
    private boolean headerRead;
    private boolean hasAudio;
    private boolean hasVideo;
    private int tagType;
    private long timestampMs;
    private ByteBuf body;

    /**
     * @param file the whole file; its readable bytes are parsed, its indexes are left untouched.
     */
    public FlvFileReader(final ByteBuf file)
    {
        this.file = file;
        this.position = file.readerIndex();
    }

    /**
     * Reads the file header and PreviousTagSize0.
     *
     * @return {@link Step#TAG} when the header is valid (tags may follow), {@link Step#BAD_HEADER} or
     * {@link Step#TRUNCATED} otherwise.
     */
    public Step readHeader()
    {
        final int end = file.writerIndex();
        if (end - position < 9)
        {
            return Step.TRUNCATED;
        }

        if (file.getByte(position) != 'F' || file.getByte(position + 1) != 'L' || file.getByte(position + 2) != 'V')
        {
            return Step.BAD_HEADER;
        }

        final int flags = file.getUnsignedByte(position + 4);
        final long headerSize = file.getUnsignedInt(position + 5);
        if (headerSize < 9 || headerSize > end - position)
        {
            return headerSize < 9 ? Step.BAD_HEADER : Step.TRUNCATED;
        }

        hasAudio = (flags & 0x04) != 0;
        hasVideo = (flags & 0x01) != 0;
        position += (int)headerSize;
        if (end - position < 4)
        {
            return Step.TRUNCATED;
        }

        position += 4;
        headerRead = true;
        return Step.TAG;
    }

    /**
     * Reads the next tag.
     *
     * @return {@link Step#TAG} with the accessors set, {@link Step#END_OF_FILE} at a clean end,
     * {@link Step#TRUNCATED} when the file stops inside a tag.
     * @throws IllegalStateException if {@link #readHeader()} did not succeed first.
     */
    public Step next()
    {
        if (!headerRead)
        {
            throw new IllegalStateException("readHeader() must succeed first");
        }

        final int end = file.writerIndex();
        if (position >= end)
        {
            return Step.END_OF_FILE;
        }

        if (end - position < TAG_HEADER_SIZE)
        {
            return Step.TRUNCATED;
        }

        final int dataSize = file.getUnsignedMedium(position + 1);
        if (end - position - TAG_HEADER_SIZE < dataSize)
        {
            return Step.TRUNCATED;
        }

        tagType = file.getUnsignedByte(position) & 0x1F;
        timestampMs = (long)file.getUnsignedMedium(position + 4) | ((long)file.getUnsignedByte(position + 7) << 24);
        body = file.slice(position + TAG_HEADER_SIZE, dataSize);
        position += TAG_HEADER_SIZE + dataSize;
        // A missing final PreviousTagSize is tolerated: the file simply ends.
        position = Math.min(end, position + 4);
        return Step.TAG;
    }

    /**
     * @return whether the file header announces audio.
     */
    public boolean hasAudio()
    {
        return hasAudio;
    }

    /**
     * @return whether the file header announces video.
     */
    public boolean hasVideo()
    {
        return hasVideo;
    }

    /**
     * @return type of the last tag read: {@link #TAG_AUDIO}, {@link #TAG_VIDEO}, {@link #TAG_SCRIPT} or other.
     */
    public int tagType()
    {
        return tagType;
    }

    /**
     * @return timestamp of the last tag read, in milliseconds: the 32-bit value (24 bits plus the 8-bit extension
     * as the upper bits), unsigned; unwrapping past 2^32 is the caller's job.
     */
    public long timestampMs()
    {
        return timestampMs;
    }

    /**
     * @return body of the last tag read: a slice of the file buffer, not retained.
     */
    public ByteBuf body()
    {
        return body;
    }
}
