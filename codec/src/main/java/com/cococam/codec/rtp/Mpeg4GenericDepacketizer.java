package com.cococam.codec.rtp;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * AAC over RTP in RFC 3640 {@code mpeg4-generic} (AAC-hbr, AAC-lbr, or any AU header layout given by the fmtp
 * lengths, see {@link Mpeg4GenericConfig}) to raw AAC frames.
 *
 * <p>A packet holds either one or more complete AUs, emitted at once with timestamps {@code ts + i *}
 * {@link Mpeg4GenericConfig#frameDuration()}, or one fragment of an AU larger than the packet: fragments (same
 * timestamp, one AU header each with the whole AU size) are joined and the AU is emitted when its last byte
 * arrived. CTS/DTS deltas, RAP flags, stream states and the auxiliary section are skipped.
 *
 * <p>Unsupported (counted, packet dropped): interleaving (a non-zero AU-Index or AU-Index-delta), and more than
 * {@value #MAX_AUS_PER_PACKET} AUs in a packet. An AU over {@code maxFrameSize} is dropped as oversize. On loss
 * the AU being joined is dropped, and so is a fragmented AU whose packet comes first after the gap (its start may
 * be what was lost: packets are skipped up to the one with the marker bit); complete AUs are never affected.
 * Every audio frame is a keyframe.
 *
 * <p>The format comes from the fmtp {@code config} (AudioSpecificConfig); {@link #currentFormat()} is null if it
 * is absent or does not parse (frames are still emitted).
 *
 * <p>Thread safety: single thread. Allocation: complete AUs are retained slices of the packet (pooled slice
 * objects); a fragmented AU is joined in one pooled buffer.
 */
public final class Mpeg4GenericDepacketizer extends RtpDepacketizer
{
    /**
     * Default largest AU: 64 KiB.
     */
    public static final int DEFAULT_MAX_FRAME_SIZE = 65_536;

    /**
     * Most AU headers read from one packet.
     */
    public static final int MAX_AUS_PER_PACKET = 256;

    private final Mpeg4GenericConfig config;
    private final int maxFrameSize;
    private final TrackFormat format;
    private final BufBitReader bits = new BufBitReader();
    private final int[] sizes = new int[MAX_AUS_PER_PACKET];
    private ByteBuf fragment;
    private boolean lossPending;
    private boolean discarding;
    private int fragmentSize;
    private long fragmentTimestamp;

    /**
     * @param config       the stream's fmtp configuration.
     * @param allocator    buffers for fragmented AUs (pooled in production).
     * @param handler      receives the frames.
     * @param maxFrameSize largest AU in bytes, at least 1.
     * @throws IllegalArgumentException if the limit is below 1.
     */
    public Mpeg4GenericDepacketizer(
        final Mpeg4GenericConfig config,
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler,
        final int maxFrameSize)
    {
        super(allocator, handler);
        if (maxFrameSize < 1)
        {
            throw new IllegalArgumentException("max frame size: maxFrameSize=" + maxFrameSize);
        }

        this.config = Objects.requireNonNull(config, "config");
        this.maxFrameSize = maxFrameSize;
        this.format = formatOf(config.config());
    }

    @Override
    public TrackFormat currentFormat()
    {
        return format;
    }

    @Override
    public void flush()
    {
        dropFragment();
    }

    @Override
    public void close()
    {
        if (fragment != null)
        {
            fragment.release();
            fragment = null;
        }
    }

    @Override
    void onLoss()
    {
        dropFragment();
        lossPending = true;
    }

    @Override
    DepacketizeResult depacketize(final RtpPacket packet)
    {
        final ByteBuf buf = packet.buffer();
        final int offset = packet.payloadOffset();
        final int end = offset + packet.payloadLength();
        final int count;
        final int dataOffset;
        if (config.headerless())
        {
            dataOffset = offset;
            final int length = end - offset;
            count = fragment != null || length < config.constantSize() ? 1 : length / config.constantSize();
            if (count > MAX_AUS_PER_PACKET)
            {
                return DepacketizeResult.UNSUPPORTED;
            }

            for (int i = 0; i < count; i++)
            {
                sizes[i] = config.constantSize();
            }
        }
        else
        {
            if (end - offset < 2)
            {
                return malformed();
            }

            final int headerBits = buf.getUnsignedShort(offset);
            final int headerBytes = (headerBits + 7) >>> 3;
            if (end - offset - 2 < headerBytes)
            {
                return malformed();
            }

            count = readHeaders(buf, offset + 2, headerBits);
            if (count == -2)
            {
                dropFragment();
                return DepacketizeResult.UNSUPPORTED;
            }

            final int data = count < 0 ? -1 : skipAuxiliary(buf, offset + 2 + headerBytes, end);
            if (data < 0)
            {
                return malformed();
            }

            dataOffset = data;
        }

        return count == 0 ? DepacketizeResult.OK : takeUnits(packet, dataOffset, end, count);
    }

    private DepacketizeResult takeUnits(final RtpPacket packet, final int dataOffset, final int end, final int count)
    {
        final ByteBuf buf = packet.buffer();
        final long timestamp = packet.timestamp();
        final int dataLength = end - dataOffset;
        final boolean afterLoss = lossPending;
        lossPending = false;
        if (discarding)
        {
            discarding = !packet.marker() && timestamp == fragmentTimestamp;
            if (discarding || timestamp == fragmentTimestamp)
            {
                return DepacketizeResult.OK;
            }
        }

        if (afterLoss && count == 1 && sizes[0] > dataLength)
        {
            // A fragment right after a gap may be a middle one whose start was lost: skip to its AU's end.
            brokenAccessUnits++;
            fragmentTimestamp = timestamp;
            discarding = !packet.marker();
            return DepacketizeResult.OK;
        }

        if (fragment != null)
        {
            if (timestamp == fragmentTimestamp && count == 1 && sizes[0] == fragmentSize)
            {
                return continueFragment(buf, dataOffset, dataLength, packet.marker());
            }

            dropFragment();
        }

        if (count == 1 && sizes[0] > dataLength)
        {
            return startFragment(buf, dataOffset, dataLength, timestamp, packet.marker());
        }

        long total = 0;
        for (int i = 0; i < count; i++)
        {
            total += sizes[i];
        }

        if (total > dataLength)
        {
            return malformed();
        }

        DepacketizeResult result = DepacketizeResult.OK;
        int index = dataOffset;
        for (int i = 0; i < count; i++)
        {
            final int size = sizes[i];
            if (size > maxFrameSize)
            {
                brokenAccessUnits++;
                result = DepacketizeResult.OVERSIZE;
            }
            else if (size > 0)
            {
                final ByteBuf frame = buf.retainedSlice(index, size);
                emit(frame, timestamp + (long)i * config.frameDuration());
            }

            index += size;
        }

        return result;
    }

    /**
     * @return AU count, -1 if malformed, -2 if interleaved or too many AUs.
     */
    private int readHeaders(final ByteBuf buf, final int offset, final int headerBits)
    {
        bits.reset(buf, offset, (headerBits + 7) >>> 3);
        int count = 0;
        boolean interleaved = false;
        while (bits.bitPosition() - 8L * offset < headerBits)
        {
            if (count == MAX_AUS_PER_PACKET)
            {
                return -2;
            }

            final long size = config.sizeLength() > 0 ? bits.readBits(config.sizeLength()) : config.constantSize();
            final long index = bits.readBits(count == 0 ? config.indexLength() : config.indexDeltaLength());
            interleaved |= index != 0;
            skipOptional(config.ctsDeltaLength());
            skipOptional(config.dtsDeltaLength());
            bits.skipBits((config.randomAccessIndication() ? 1 : 0) + config.streamStateIndication());
            if (bits.overrun())
            {
                return -1;
            }

            sizes[count++] = (int)Math.min(Integer.MAX_VALUE, size);
        }

        if (bits.bitPosition() - 8L * offset != headerBits)
        {
            return -1;
        }

        return interleaved ? -2 : count;
    }

    private void skipOptional(final int deltaLength)
    {
        if (deltaLength > 0 && bits.readFlag())
        {
            bits.skipBits(deltaLength);
        }
    }

    /**
     * @return the index of the first AU byte, or -1 if the auxiliary section runs past the end.
     */
    private int skipAuxiliary(final ByteBuf buf, final int offset, final int end)
    {
        if (config.auxiliaryDataSizeLength() == 0)
        {
            return offset;
        }

        bits.reset(buf, offset, end - offset);
        final long auxBits = bits.readBits(config.auxiliaryDataSizeLength());
        bits.skipBits(auxBits);
        bits.byteAlign();
        return bits.overrun() ? -1 : (int)(bits.bitPosition() >>> 3);
    }

    private DepacketizeResult startFragment(
        final ByteBuf buf,
        final int offset,
        final int length,
        final long timestamp,
        final boolean marker)
    {
        if (sizes[0] > maxFrameSize)
        {
            brokenAccessUnits++;
            return DepacketizeResult.OVERSIZE;
        }

        if (marker)
        {
            // The last fragment cannot be shorter than what the AU header promises.
            return malformed();
        }

        fragmentSize = sizes[0];
        fragmentTimestamp = timestamp;
        fragment = allocator.buffer(fragmentSize, fragmentSize);
        fragment.writeBytes(buf, offset, length);
        return DepacketizeResult.OK;
    }

    private DepacketizeResult continueFragment(
        final ByteBuf buf,
        final int offset,
        final int length,
        final boolean marker)
    {
        final int missing = fragmentSize - fragment.readableBytes();
        if (length > missing || marker && length < missing)
        {
            dropFragment();
            return malformed();
        }

        fragment.writeBytes(buf, offset, length);
        if (length == missing)
        {
            final ByteBuf frame = fragment;
            fragment = null;
            emit(frame, fragmentTimestamp);
        }

        return DepacketizeResult.OK;
    }

    private void emit(final ByteBuf frame, final long timestamp)
    {
        announceFormat();
        emittedAccessUnits++;
        try
        {
            handler.onAccessUnit(timestamp & 0xFFFF_FFFFL, FrameFlags.KEYFRAME, frame);
        }
        finally
        {
            frame.release();
        }
    }

    private DepacketizeResult malformed()
    {
        dropFragment();
        return DepacketizeResult.MALFORMED;
    }

    private void dropFragment()
    {
        if (fragment != null)
        {
            fragment.release();
            fragment = null;
            brokenAccessUnits++;
        }
    }

    private static TrackFormat formatOf(final byte[] audioSpecificConfig)
    {
        if (audioSpecificConfig.length == 0)
        {
            return null;
        }

        try
        {
            return TrackFormats.aac(audioSpecificConfig);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }
}
