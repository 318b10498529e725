package com.cococam.codec.rtp;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Shared access-unit assembly for the NAL-unit video payload formats (H.264, H.265): NAL units from single,
 * aggregation and fragmentation packets are written, each behind a 4-byte length, into one pooled buffer per
 * access unit.
 *
 * <p>Access unit boundaries: a unit ends at a packet with the marker bit, or when a packet with a different
 * RTP timestamp arrives (cameras that forget the marker), or at {@link #flush()}.
 *
 * <p>Loss: after a gap, the unit being assembled is dropped, and so is the unit that the first packet after the
 * gap belongs to (the lost packets may have been its head); a unit that ends inside a fragmented NAL unit, or
 * that held a malformed, unsupported or oversize packet, is dropped as well. After any dropped unit, complete
 * units are skipped until a keyframe (IDR for H.264, IRAP for H.265), since the pictures between depend on what
 * was lost, or until a unit with a recovery point SEI (the resume point of intra-refresh encoders that send few
 * or no IDRs; such a unit is emitted without the keyframe flag). The same wait applies at the start of the
 * stream when {@code waitForKeyframeAtStart} is set.
 *
 * <p>Marker quirk: a marker bit on a packet that holds no slice yet (parameter sets sent ahead of a picture with
 * the same timestamp, as GStreamer's H.265 payloader does) does not end the unit.
 *
 * <p>Limits: a unit larger than {@code maxAccessUnitSize} bytes (prefixes included; default
 * {@link #DEFAULT_MAX_ACCESS_UNIT_SIZE}) is dropped and counted as oversize, then treated as any dropped unit.
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per access unit, sized from the previous unit;
 * parameter-set arrays and a new {@link TrackFormat} only when in-band parameter sets change.
 */
public abstract class VideoRtpDepacketizer extends RtpDepacketizer
{
    /**
     * Default largest access unit: 8 MiB.
     */
    public static final int DEFAULT_MAX_ACCESS_UNIT_SIZE = 8 << 20;

    private static final int MIN_INITIAL_CAPACITY = 2048;

    private final int maxAccessUnitSize;
    private ByteBuf au;
    private boolean auStarted;
    private long auTimestamp;
    private boolean broken;
    boolean keyframe;
    boolean recoveryPoint;
    boolean vcl;
    private int fragmentLengthIndex = -1;
    private boolean lossPending;
    private boolean waitingForKeyframe;
    private int lastAccessUnitSize;

    VideoRtpDepacketizer(
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler,
        final int maxAccessUnitSize,
        final boolean waitForKeyframeAtStart)
    {
        super(allocator, handler);
        if (maxAccessUnitSize < 16)
        {
            throw new IllegalArgumentException("max access unit size: maxAccessUnitSize=" + maxAccessUnitSize);
        }

        this.maxAccessUnitSize = maxAccessUnitSize;
        this.waitingForKeyframe = waitForKeyframeAtStart;
    }

    /**
     * @return whether complete units are being skipped until the next keyframe.
     */
    public boolean waitingForKeyframe()
    {
        return waitingForKeyframe;
    }

    @Override
    public final void flush()
    {
        if (auStarted)
        {
            finishAccessUnit();
        }
    }

    @Override
    public final void close()
    {
        releaseAccessUnit();
        auStarted = false;
        fragmentLengthIndex = -1;
    }

    @Override
    final void onLoss()
    {
        lossPending = true;
    }

    @Override
    final DepacketizeResult depacketize(final RtpPacket packet)
    {
        final long timestamp = packet.timestamp();
        if (lossPending)
        {
            lossPending = false;
            if (auStarted && timestamp != auTimestamp)
            {
                broken = true;
                finishAccessUnit();
            }

            if (!auStarted)
            {
                startAccessUnit(timestamp);
            }

            markBroken();
        }
        else if (auStarted && timestamp != auTimestamp)
        {
            finishAccessUnit();
        }

        if (!auStarted)
        {
            startAccessUnit(timestamp);
        }

        DepacketizeResult result = DepacketizeResult.OK;
        if (!broken)
        {
            result = packet.payloadLength() == 0 ? DepacketizeResult.MALFORMED : parsePayload(packet);
            if (result != DepacketizeResult.OK)
            {
                markBroken();
            }
        }

        // Some packetizers (GStreamer's H.265 one) set the marker on a packet of parameter sets that precedes the
        // picture with the same timestamp: a unit is only closed by the marker once it holds a slice.
        if (packet.marker() && (vcl || broken))
        {
            finishAccessUnit();
        }

        return result;
    }

    /**
     * Parses one packet's payload (at least 1 byte) with the append methods below.
     */
    abstract DepacketizeResult parsePayload(RtpPacket packet);

    /**
     * Looks at one complete NAL unit just written: sets {@link #keyframe}, collects parameter sets.
     */
    abstract void inspectNal(ByteBuf buf, int offset, int length);

    /**
     * Rebuilds the format if parameter sets changed; called before a unit is emitted.
     */
    abstract void refreshFormat();

    final DepacketizeResult appendNal(final ByteBuf src, final int offset, final int length)
    {
        if (fragmentLengthIndex >= 0)
        {
            // A whole NAL unit inside an open fragmented one: the fragment's end was lost or never sent.
            return DepacketizeResult.MALFORMED;
        }

        if (!ensureWritable(4 + length))
        {
            return DepacketizeResult.OVERSIZE;
        }

        au.writeInt(length);
        final int at = au.writerIndex();
        au.writeBytes(src, offset, length);
        inspectNal(au, at, length);
        return DepacketizeResult.OK;
    }

    final DepacketizeResult startFragment(
        final int header0,
        final int header1,
        final ByteBuf src,
        final int offset,
        final int length)
    {
        if (fragmentLengthIndex >= 0)
        {
            // A new start while the previous fragmented NAL unit is open: its end was lost or never sent.
            return DepacketizeResult.MALFORMED;
        }

        final int headerSize = header1 < 0 ? 1 : 2;
        if (!ensureWritable(4 + headerSize + length))
        {
            return DepacketizeResult.OVERSIZE;
        }

        fragmentLengthIndex = au.writerIndex();
        au.writeInt(0);
        au.writeByte(header0);
        if (header1 >= 0)
        {
            au.writeByte(header1);
        }

        au.writeBytes(src, offset, length);
        return DepacketizeResult.OK;
    }

    final DepacketizeResult continueFragment(
        final ByteBuf src,
        final int offset,
        final int length,
        final boolean end)
    {
        if (fragmentLengthIndex < 0)
        {
            return DepacketizeResult.MALFORMED;
        }

        if (!ensureWritable(length))
        {
            return DepacketizeResult.OVERSIZE;
        }

        au.writeBytes(src, offset, length);
        if (end)
        {
            final int nalOffset = fragmentLengthIndex + 4;
            final int nalLength = au.writerIndex() - nalOffset;
            au.setInt(fragmentLengthIndex, nalLength);
            fragmentLengthIndex = -1;
            inspectNal(au, nalOffset, nalLength);
        }

        return DepacketizeResult.OK;
    }

    /**
     * @param buf   the buffer.
     * @param from  index of the first SEI message (after the NAL header).
     * @param end   index after the NAL unit.
     * @return whether one of the SEI messages is a recovery point (payloadType 6, H.264 D.1.8 / H.265 D.2.8).
     */
    static boolean hasRecoveryPointSei(final ByteBuf buf, final int from, final int end)
    {
        int index = from;
        while (index < end && buf.getUnsignedByte(index) != 0x80)
        {
            int type = 0;
            int b;
            do
            {
                b = index < end ? buf.getUnsignedByte(index++) : 0;
                type += b;
            }
            while (b == 0xFF);

            int size = 0;
            do
            {
                b = index < end ? buf.getUnsignedByte(index++) : 0;
                size += b;
            }
            while (b == 0xFF);

            if (type == 6)
            {
                return true;
            }

            index += size;
        }

        return false;
    }

    static boolean sameBytes(final byte[] known, final ByteBuf buf, final int offset, final int length)
    {
        if (known == null || known.length != length)
        {
            return false;
        }

        for (int i = 0; i < length; i++)
        {
            if (known[i] != buf.getByte(offset + i))
            {
                return false;
            }
        }

        return true;
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

    private void startAccessUnit(final long timestamp)
    {
        auStarted = true;
        auTimestamp = timestamp;
        broken = false;
        keyframe = false;
        recoveryPoint = false;
        vcl = false;
        fragmentLengthIndex = -1;
    }

    private void markBroken()
    {
        broken = true;
        fragmentLengthIndex = -1;
        releaseAccessUnit();
    }

    private void finishAccessUnit()
    {
        auStarted = false;
        if (fragmentLengthIndex >= 0)
        {
            broken = true;
            fragmentLengthIndex = -1;
        }

        if (broken)
        {
            brokenAccessUnits++;
            waitingForKeyframe = true;
            releaseAccessUnit();
            return;
        }

        if (au == null || au.readableBytes() == 0)
        {
            releaseAccessUnit();
            return;
        }

        if (waitingForKeyframe && !keyframe && !recoveryPoint)
        {
            skippedAccessUnits++;
            releaseAccessUnit();
            return;
        }

        waitingForKeyframe = false;
        refreshFormat();
        announceFormat();
        final ByteBuf out = au;
        au = null;
        lastAccessUnitSize = out.readableBytes();
        emittedAccessUnits++;
        try
        {
            handler.onAccessUnit(auTimestamp, keyframe ? FrameFlags.KEYFRAME : 0, out);
        }
        finally
        {
            out.release();
        }
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
