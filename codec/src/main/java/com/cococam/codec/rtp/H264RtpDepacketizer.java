package com.cococam.codec.rtp;

import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h264.H264;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * H.264 over RTP (RFC 6184) to 4-byte length-prefixed access units.
 *
 * <pre>
 *   payload header (= NAL header):  |F|NRI|  Type   |
 *     Type 1-23: single NAL unit packet, the payload is the NAL unit
 *     Type 24  : STAP-A   | hdr | size16 | NAL | size16 | NAL | ...
 *     Type 28  : FU-A     | FU indicator (F|NRI|28) | FU header (S|E|R|Type) | fragment ... |
 *     Type 25, 26, 27, 29 (STAP-B, MTAP16, MTAP24, FU-B: interleaved mode): counted as unsupported
 *     Type 0, 30, 31: malformed
 * </pre>
 *
 * <p>A fragmented NAL unit gets back its header from the indicator's F and NRI bits and the FU header's type.
 * Boundaries, loss handling and limits are those of {@link VideoRtpDepacketizer}; a keyframe is an access unit
 * with an IDR slice (type 5).
 *
 * <p>Parameter sets: SPS (7) and PPS (8) units seen in-band, or given to {@link #configure} from the SDP's
 * {@code sprop-parameter-sets}, build {@link #currentFormat()}; the latest SPS is kept, and PPS per
 * {@code pic_parameter_set_id}. When they change, the handler's {@code onFormat} is called before the next
 * emitted unit. Parameter sets stay in the access units as they came. A recovery point SEI (type 6, payload 6)
 * ends a wait for a keyframe.
 *
 * <p>Thread safety: single thread.
 */
public final class H264RtpDepacketizer extends VideoRtpDepacketizer
{
    private static final int MAX_PPS_ID = 255;

    private final BufBitReader bits = new BufBitReader();
    private final byte[][] ppsById = new byte[MAX_PPS_ID + 1][];
    private byte[] sps;
    private boolean parameterSetsChanged;
    private TrackFormat format;
    private long badParameterSets;

    /**
     * A depacketizer with the default 8 MiB limit that waits for a first IDR.
     *
     * @param allocator allocator for access units (pooled in production).
     * @param handler   receives the access units.
     */
    public H264RtpDepacketizer(final ByteBufAllocator allocator, final RtpAccessUnitHandler handler)
    {
        this(allocator, handler, DEFAULT_MAX_ACCESS_UNIT_SIZE, true);
    }

    /**
     * @param allocator              allocator for access units (pooled in production).
     * @param handler                receives the access units.
     * @param maxAccessUnitSize      largest access unit in bytes, at least 16.
     * @param waitForKeyframeAtStart whether to skip units until the first IDR.
     * @throws IllegalArgumentException if the limit is below 16.
     */
    public H264RtpDepacketizer(
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler,
        final int maxAccessUnitSize,
        final boolean waitForKeyframeAtStart)
    {
        super(allocator, handler, maxAccessUnitSize, waitForKeyframeAtStart);
    }

    /**
     * Takes parameter sets from the SDP ({@code sprop-parameter-sets}, base64-decoded); each array one NAL unit or
     * several in Annex-B form. Allocates; meant for setup.
     *
     * @param parameterSets SPS and PPS units; other types are ignored.
     * @return whether a format is known and every parameter set given was usable.
     */
    public boolean configure(final Iterable<byte[]> parameterSets)
    {
        final long badBefore = badParameterSets;
        for (final byte[] chunk : parameterSets)
        {
            for (final byte[] nal : AvcDecoderConfigurationRecord.splitNals(chunk))
            {
                offerParameterSet(Unpooled.wrappedBuffer(nal), 0, nal.length);
            }
        }

        refreshFormat();
        return format != null && badParameterSets == badBefore;
    }

    @Override
    public TrackFormat currentFormat()
    {
        return format;
    }

    /**
     * @return parameter sets that could not be used (an SPS that does not parse, an unreadable PPS id).
     */
    public long badParameterSets()
    {
        return badParameterSets;
    }

    @Override
    DepacketizeResult parsePayload(final RtpPacket packet)
    {
        final ByteBuf buf = packet.buffer();
        final int offset = packet.payloadOffset();
        final int length = packet.payloadLength();
        final int header = buf.getUnsignedByte(offset);
        final int type = H264.nalType(header);
        if (type >= 1 && type <= 23)
        {
            return appendNal(buf, offset, length);
        }

        return switch (type)
        {
            case 24 -> parseStapA(buf, offset + 1, offset + length);
            case 28 -> parseFuA(buf, offset, length, header);
            case 25, 26, 27, 29 -> DepacketizeResult.UNSUPPORTED;
            default -> DepacketizeResult.MALFORMED;
        };
    }

    @Override
    void inspectNal(final ByteBuf buf, final int offset, final int length)
    {
        final int type = H264.nalType(buf.getByte(offset));
        if (type >= H264.NAL_SLICE && type <= H264.NAL_IDR)
        {
            vcl = true;
            keyframe |= type == H264.NAL_IDR;
        }
        else if (type == H264.NAL_SEI)
        {
            recoveryPoint |= hasRecoveryPointSei(buf, offset + 1, offset + length);
        }
        else if (type == H264.NAL_SPS || type == H264.NAL_PPS)
        {
            offerParameterSet(buf, offset, length);
        }
    }

    @Override
    void refreshFormat()
    {
        if (!parameterSetsChanged || sps == null)
        {
            return;
        }

        parameterSetsChanged = false;
        final List<byte[]> pps = new ArrayList<>();
        for (final byte[] set : ppsById)
        {
            if (set != null)
            {
                pps.add(set);
            }
        }

        try
        {
            final byte[] record = AvcDecoderConfigurationRecord.of(List.of(sps), pps).encode();
            final TrackFormat next = TrackFormats.h264(record);
            if (!next.equals(format))
            {
                format = next;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            badParameterSets++;
        }
    }

    private DepacketizeResult parseStapA(final ByteBuf buf, final int start, final int end)
    {
        if (start >= end)
        {
            return DepacketizeResult.MALFORMED;
        }

        int index = start;
        while (index < end)
        {
            if (end - index < 2)
            {
                return DepacketizeResult.MALFORMED;
            }

            final int size = buf.getUnsignedShort(index);
            index += 2;
            if (size == 0 || size > end - index)
            {
                return DepacketizeResult.MALFORMED;
            }

            final DepacketizeResult result = appendNal(buf, index, size);
            if (result != DepacketizeResult.OK)
            {
                return result;
            }

            index += size;
        }

        return DepacketizeResult.OK;
    }

    private DepacketizeResult parseFuA(final ByteBuf buf, final int offset, final int length, final int indicator)
    {
        if (length < 2)
        {
            return DepacketizeResult.MALFORMED;
        }

        final int fuHeader = buf.getUnsignedByte(offset + 1);
        final boolean start = (fuHeader & 0x80) != 0;
        final boolean end = (fuHeader & 0x40) != 0;
        if (!start)
        {
            return continueFragment(buf, offset + 2, length - 2, end);
        }

        final DepacketizeResult result = startFragment((indicator & 0xE0) | (fuHeader & 0x1F), -1, buf,
            offset + 2, length - 2);
        return result == DepacketizeResult.OK && end ? continueFragment(buf, offset, 0, true) : result;
    }

    private void offerParameterSet(final ByteBuf buf, final int offset, final int length)
    {
        final int type = H264.nalType(buf.getByte(offset));
        if (type == H264.NAL_SPS)
        {
            if (!sameBytes(sps, buf, offset, length))
            {
                sps = copy(buf, offset, length);
                parameterSetsChanged = true;
            }
        }
        else if (type == H264.NAL_PPS)
        {
            final int id = length > 1 ? bits.reset(buf, offset + 1, length - 1).readUe() : -1;
            if (id < 0 || id > MAX_PPS_ID)
            {
                badParameterSets++;
                return;
            }

            if (!sameBytes(ppsById[id], buf, offset, length))
            {
                ppsById[id] = copy(buf, offset, length);
                parameterSetsChanged = true;
            }
        }
    }

    static byte[] copy(final ByteBuf buf, final int offset, final int length)
    {
        final byte[] out = new byte[length];
        buf.getBytes(offset, out);
        return out;
    }
}
