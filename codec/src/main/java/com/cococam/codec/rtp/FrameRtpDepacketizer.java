package com.cococam.codec.rtp;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Depacketizer for formats where each RTP packet's payload is one access unit: G.711 PCMA/PCMU (RFC 3551) and
 * Opus (RFC 7587). Each accepted packet with a non-empty payload is emitted at once, flagged as a keyframe, with
 * its own RTP timestamp (8 kHz for G.711, 48 kHz for Opus); lost packets are simply missing.
 *
 * <p>The access unit handed out is a retained slice of the packet's buffer (no copy): the packet buffer must
 * therefore be reference counted as usual, and a handler that keeps the unit keeps the packet's memory.
 * An empty payload is malformed; a payload larger than {@code maxFrameSize} is counted as oversize.
 *
 * <p>Note: {@link #currentFormat()} is always null until {@link com.cococam.codec.media.CodecId} gains these
 * codecs.
 *
 * <p>Thread safety: single thread. Allocation: a pooled slice object per packet (recycled by Netty).
 */
public final class FrameRtpDepacketizer extends RtpDepacketizer
{
    /**
     * Default largest frame: 64 KiB.
     */
    public static final int DEFAULT_MAX_FRAME_SIZE = 65_536;

    private final FramePayloadFormat format;
    private final int maxFrameSize;

    /**
     * @param format       the payload format.
     * @param allocator    unused for output (slices of the input); kept for symmetry with other depacketizers.
     * @param handler      receives the frames.
     * @param maxFrameSize largest payload accepted, at least 1.
     * @throws IllegalArgumentException if the limit is below 1.
     */
    public FrameRtpDepacketizer(
        final FramePayloadFormat format,
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler,
        final int maxFrameSize)
    {
        super(allocator, handler);
        if (maxFrameSize < 1)
        {
            throw new IllegalArgumentException("max frame size: maxFrameSize=" + maxFrameSize);
        }

        this.format = Objects.requireNonNull(format, "format");
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * @return the payload format.
     */
    public FramePayloadFormat payloadFormat()
    {
        return format;
    }

    @Override
    public void flush()
    {
    }

    @Override
    public void close()
    {
    }

    @Override
    public TrackFormat currentFormat()
    {
        return null;
    }

    @Override
    void onLoss()
    {
    }

    @Override
    DepacketizeResult depacketize(final RtpPacket packet)
    {
        final int length = packet.payloadLength();
        if (length == 0)
        {
            return DepacketizeResult.MALFORMED;
        }

        if (length > maxFrameSize)
        {
            brokenAccessUnits++;
            return DepacketizeResult.OVERSIZE;
        }

        final ByteBuf frame = packet.buffer().retainedSlice(packet.payloadOffset(), length);
        emittedAccessUnits++;
        try
        {
            handler.onAccessUnit(packet.timestamp(), FrameFlags.KEYFRAME, frame);
        }
        finally
        {
            frame.release();
        }

        return DepacketizeResult.OK;
    }
}
