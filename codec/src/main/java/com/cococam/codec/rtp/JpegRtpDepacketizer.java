package com.cococam.codec.rtp;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Motion JPEG over RTP (RFC 2435) to complete JFIF images, one access unit per frame.
 *
 * <pre>
 *   main JPEG header (every packet), RFC 2435 3.1:
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   | Type-specific |              Fragment Offset                  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |      Type     |       Q       |     Width     |     Height    |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   restart marker header (Type 64-127, every packet), 3.1.7:
 *   |       Restart Interval        |F|L|       Restart Count       |
 *   quantization table header (Q 128-255, fragment offset 0 only), 3.1.8:
 *   |      MBZ      |   Precision   |             Length            |
 *   |                    Quantization Table Data ...                |
 *   then the entropy-coded scan data, at Fragment Offset within the frame
 * </pre>
 *
 * <p>A frame starts at fragment offset 0; each later packet must continue exactly where the previous one ended,
 * with the same timestamp; the marker bit ends it. The image is rebuilt as SOI, APP0 (JFIF), DQT, SOF0, DHT (the
 * T.81 Annex K.3 tables), DRI for types 64-127 (from the restart interval), SOS, the scan data and EOI (added
 * unless the data already ends with it). Types 0/64 are 4:2:2, 1/65 are 4:2:0; width and height are the
 * header's values times 8. Quantization: Q 1-99 scales the Annex K tables (RFC 2435 appendix A); Q 128-255 takes
 * the tables from the first packet, and for Q 128-254 a table length of 0 reuses the tables last received for
 * that Q (cached per Q value); Q 255 must always carry them. Every frame is a keyframe.
 *
 * <p>Loss and bad input: a sequence gap, a fragment that does not continue the frame, a frame whose first
 * fragment is missing, or a malformed, unsupported or oversize packet drops the frame (counted once per frame in
 * {@link #brokenAccessUnits()}); the packets that follow up to the next fragment offset 0 are taken and thrown
 * away (result OK). A new frame that arrives with no gap while the previous one lacked its marker ends and emits
 * the previous one (cameras that forget the marker). A truncated header, a zero width or height, a reserved Q
 * (0, 100-127) or a table length that runs past the payload is {@link DepacketizeResult#MALFORMED}; types other
 * than 0, 1, 64 and 65, and a Q 128-254 frame without tables when none are cached, are
 * {@link DepacketizeResult#UNSUPPORTED}. Nothing throws on bad input.
 *
 * <p>Note: the type-specific field (interlaced fields, RFC 2435 4.1) is ignored: each field is emitted as its
 * own image. Images wider or taller than 2040 pixels (signalled out of band by some cameras, with width or
 * height 0) are not supported. Restart counts are not used to salvage partial frames.
 *
 * <p>Limits: an image larger than {@code maxAccessUnitSize} bytes (headers included; default
 * {@link VideoRtpDepacketizer#DEFAULT_MAX_ACCESS_UNIT_SIZE}) is dropped and counted as oversize.
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per frame, sized from the previous frame;
 * table arrays once per Q value met (and when a Q 128-254 table set grows); a new {@link TrackFormat} when the
 * image size changes. Nothing per packet.
 */
public final class JpegRtpDepacketizer extends RtpDepacketizer
{
    static final int MAIN_HEADER_SIZE = 8;
    static final int RESTART_HEADER_SIZE = 4;
    static final int QUANT_HEADER_SIZE = 4;

    private static final int MIN_INITIAL_CAPACITY = 4096;
    private static final int MAX_TABLE_BYTES = 2 * 128;

    private final int maxAccessUnitSize;
    private final byte[][] scaledByQ = new byte[100][];
    private final byte[][] inBandByQ = new byte[128][];
    private final int[] inBandPrecisionByQ = new int[128];
    private final int[] inBandCountByQ = new int[128];
    private final byte[] dynamicTables = new byte[MAX_TABLE_BYTES];
    private ByteBuf au;
    private boolean assembling;
    private boolean discarding;
    private long frameTimestamp;
    private int nextOffset;
    private boolean lossPending;
    private int lastAccessUnitSize;
    private int width;
    private int height;
    private TrackFormat format;

    /**
     * A depacketizer with the default 8 MiB limit.
     *
     * @param allocator allocator for the images (pooled in production).
     * @param handler   receives the images.
     */
    public JpegRtpDepacketizer(final ByteBufAllocator allocator, final RtpAccessUnitHandler handler)
    {
        this(allocator, handler, VideoRtpDepacketizer.DEFAULT_MAX_ACCESS_UNIT_SIZE);
    }

    /**
     * @param allocator         allocator for the images (pooled in production).
     * @param handler           receives the images.
     * @param maxAccessUnitSize largest image in bytes, headers included; at least 1024.
     * @throws IllegalArgumentException if the limit is below 1024.
     */
    public JpegRtpDepacketizer(
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler,
        final int maxAccessUnitSize)
    {
        super(allocator, handler);
        if (maxAccessUnitSize < 1024)
        {
            throw new IllegalArgumentException("max access unit size: maxAccessUnitSize=" + maxAccessUnitSize);
        }

        this.maxAccessUnitSize = maxAccessUnitSize;
    }

    /**
     * @return the format of the last image emitted (MJPEG, its width and height, no decoder configuration), or
     *         null before the first one.
     */
    @Override
    public TrackFormat currentFormat()
    {
        return format;
    }

    /**
     * Drops a frame still being assembled: without its marker it cannot be known to be complete.
     */
    @Override
    public void flush()
    {
        close();
    }

    @Override
    public void close()
    {
        releaseAccessUnit();
        assembling = false;
        discarding = false;
    }

    @Override
    void onLoss()
    {
        lossPending = true;
    }

    @Override
    DepacketizeResult depacketize(final RtpPacket packet)
    {
        final boolean loss = lossPending;
        lossPending = false;
        if (loss && assembling)
        {
            dropFrame();
        }

        final ByteBuf buf = packet.buffer();
        final int offset = packet.payloadOffset();
        final int length = packet.payloadLength();
        final int fragmentOffset = length < MAIN_HEADER_SIZE ? -1 : buf.getUnsignedMedium(offset + 1);
        final long timestamp = packet.timestamp();
        final DepacketizeResult result;
        if (fragmentOffset < 0)
        {
            result = fail(DepacketizeResult.MALFORMED);
        }
        else if (fragmentOffset == 0)
        {
            if (assembling)
            {
                // The previous frame never got its marker; with no gap and a new timestamp it is taken as whole.
                if (timestamp != frameTimestamp)
                {
                    finishFrame();
                }
                else
                {
                    dropFrame();
                }
            }

            discarding = false;
            result = startFrame(buf, offset, length, timestamp);
        }
        else
        {
            result = continueFrame(buf, offset, length, fragmentOffset, timestamp);
        }

        if (packet.marker())
        {
            if (assembling)
            {
                finishFrame();
            }

            discarding = false;
        }

        return result;
    }

    private DepacketizeResult startFrame(final ByteBuf buf, final int offset, final int length, final long timestamp)
    {
        frameTimestamp = timestamp;
        final int type = buf.getUnsignedByte(offset + 4);
        final int q = buf.getUnsignedByte(offset + 5);
        final int frameWidth = buf.getUnsignedByte(offset + 6) * 8;
        final int frameHeight = buf.getUnsignedByte(offset + 7) * 8;
        if (frameWidth == 0 || frameHeight == 0 || q == 0 || q >= 100 && q < 128)
        {
            return fail(DepacketizeResult.MALFORMED);
        }

        if (type > 127 || (type & 0x3F) > 1)
        {
            return fail(DepacketizeResult.UNSUPPORTED);
        }

        int at = offset + MAIN_HEADER_SIZE;
        final int end = offset + length;
        int restartInterval = 0;
        if (type >= 64)
        {
            if (end - at < RESTART_HEADER_SIZE)
            {
                return fail(DepacketizeResult.MALFORMED);
            }

            restartInterval = buf.getUnsignedShort(at);
            at += RESTART_HEADER_SIZE;
        }

        final byte[] tables;
        final int tableCount;
        final int precision;
        if (q < 128)
        {
            tables = scaled(q);
            tableCount = 2;
            precision = 0;
        }
        else
        {
            if (end - at < QUANT_HEADER_SIZE)
            {
                return fail(DepacketizeResult.MALFORMED);
            }

            final int inBandPrecision = buf.getUnsignedByte(at + 1);
            final int tablesLength = buf.getUnsignedShort(at + 2);
            at += QUANT_HEADER_SIZE;
            if (tablesLength > end - at)
            {
                return fail(DepacketizeResult.MALFORMED);
            }

            if (tablesLength == 0)
            {
                if (q == 255)
                {
                    return fail(DepacketizeResult.MALFORMED);
                }

                if (inBandByQ[q - 128] == null)
                {
                    return fail(DepacketizeResult.UNSUPPORTED);
                }

                tables = inBandByQ[q - 128];
                tableCount = inBandCountByQ[q - 128];
                precision = inBandPrecisionByQ[q - 128];
            }
            else
            {
                final int count = countTables(inBandPrecision, tablesLength);
                if (count < 0)
                {
                    return fail(DepacketizeResult.MALFORMED);
                }

                tableCount = Math.min(2, count);
                precision = inBandPrecision & 0x03;
                final int used = JpegTables.tableSize(precision, 0) +
                    (tableCount > 1 ? JpegTables.tableSize(precision, 1) : 0);
                tables = q == 255 ? dynamicTables : cachedTables(q, used);
                buf.getBytes(at, tables, 0, used);
                if (q < 255)
                {
                    inBandCountByQ[q - 128] = tableCount;
                    inBandPrecisionByQ[q - 128] = precision;
                }

                at += tablesLength;
            }
        }

        if (!ensureWritable(1024 + (end - at)))
        {
            return fail(DepacketizeResult.OVERSIZE);
        }

        assembling = true;
        width = frameWidth;
        height = frameHeight;
        JpegTables.writeHeaders(au, type & 1, frameWidth, frameHeight, tables, 0, tableCount, precision,
            restartInterval);
        au.writeBytes(buf, at, end - at);
        nextOffset = end - at;
        return DepacketizeResult.OK;
    }

    private DepacketizeResult continueFrame(
        final ByteBuf buf,
        final int offset,
        final int length,
        final int fragmentOffset,
        final long timestamp)
    {
        if (!assembling)
        {
            if (!discarding || timestamp != frameTimestamp)
            {
                // The first fragment (or the ones up to this one) never arrived.
                brokenAccessUnits++;
                discarding = true;
                frameTimestamp = timestamp;
            }

            return DepacketizeResult.OK;
        }

        if (timestamp != frameTimestamp || fragmentOffset != nextOffset)
        {
            return fail(DepacketizeResult.MALFORMED);
        }

        int at = offset + MAIN_HEADER_SIZE;
        if (buf.getUnsignedByte(offset + 4) >= 64)
        {
            at += RESTART_HEADER_SIZE;
        }

        final int end = offset + length;
        if (at > end)
        {
            return fail(DepacketizeResult.MALFORMED);
        }

        if (!ensureWritable(end - at))
        {
            return fail(DepacketizeResult.OVERSIZE);
        }

        au.writeBytes(buf, at, end - at);
        nextOffset += end - at;
        return DepacketizeResult.OK;
    }

    /**
     * @return how many tables of the given precision bits fill {@code length} bytes exactly, or -1.
     */
    private static int countTables(final int precision, final int length)
    {
        int used = 0;
        int count = 0;
        while (used < length && count < 8)
        {
            used += JpegTables.tableSize(precision, count);
            count++;
        }

        return used == length ? count : -1;
    }

    private byte[] scaled(final int q)
    {
        byte[] tables = scaledByQ[q];
        if (tables == null)
        {
            tables = JpegTables.scaledTables(q);
            scaledByQ[q] = tables;
        }

        return tables;
    }

    private byte[] cachedTables(final int q, final int size)
    {
        byte[] tables = inBandByQ[q - 128];
        if (tables == null || tables.length < size)
        {
            tables = new byte[MAX_TABLE_BYTES];
            inBandByQ[q - 128] = tables;
        }

        return tables;
    }

    /**
     * Drops the frame being assembled (if any) and discards the rest of it; returns the packet's result.
     */
    private DepacketizeResult fail(final DepacketizeResult result)
    {
        if (assembling)
        {
            dropFrame();
        }
        else
        {
            if (!discarding)
            {
                brokenAccessUnits++;
            }

            releaseAccessUnit();
        }

        discarding = true;
        return result;
    }

    private void dropFrame()
    {
        assembling = false;
        discarding = true;
        brokenAccessUnits++;
        releaseAccessUnit();
    }

    private void finishFrame()
    {
        assembling = false;
        final ByteBuf out = au;
        au = null;
        final int size = out.readableBytes();
        final boolean hasEoi = out.getUnsignedByte(out.writerIndex() - 2) == 0xFF &&
            out.getUnsignedByte(out.writerIndex() - 1) == JpegTables.EOI;
        if (!hasEoi)
        {
            if ((long)size + 2 > maxAccessUnitSize)
            {
                out.release();
                brokenAccessUnits++;
                oversizeAccessUnits++;
                return;
            }

            out.writeShort(0xFF00 | JpegTables.EOI);
        }

        if (format == null || format.width() != width || format.height() != height)
        {
            format = new TrackFormat(TrackFormat.VIDEO_TRACK, CodecId.MJPEG, width, height, 0, 0, new byte[0],
                "jpeg");
        }

        announceFormat();
        lastAccessUnitSize = out.readableBytes();
        emittedAccessUnits++;
        try
        {
            handler.onAccessUnit(frameTimestamp, FrameFlags.KEYFRAME, out);
        }
        finally
        {
            out.release();
        }
    }

    private boolean ensureWritable(final int bytes)
    {
        if (au == null)
        {
            final int guess = lastAccessUnitSize + (lastAccessUnitSize >> 2);
            au = allocator.buffer(Math.min(maxAccessUnitSize, Math.max(MIN_INITIAL_CAPACITY, guess)));
        }

        return (long)au.writerIndex() + bytes <= maxAccessUnitSize;
    }

    private void releaseAccessUnit()
    {
        if (au != null)
        {
            au.release();
            au = null;
        }
    }
}
