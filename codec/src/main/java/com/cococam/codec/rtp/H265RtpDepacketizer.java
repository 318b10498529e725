package com.cococam.codec.rtp;

import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h265.H265;
import com.cococam.codec.h265.HevcDecoderConfigurationRecord;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * H.265 over RTP (RFC 7798) to 4-byte length-prefixed access units.
 *
 * <pre>
 *   payload header (= NAL header):  |F|   Type    |  LayerId  | TID |   (2 bytes)
 *     Type 0-47: single NAL unit packet, the payload is the NAL unit
 *     Type 48  : AP   | PayloadHdr | size16 | NAL | size16 | NAL | ...
 *     Type 49  : FU   | PayloadHdr | FU header (S|E|FuType) | fragment ... |
 *     Type 50  : PACI, counted as unsupported; 51-63 malformed
 * </pre>
 *
 * <p>Note: DONL/DOND fields are not expected, i.e. {@code sprop-max-don-diff} is assumed 0 (absent), as in
 * every single-stream camera stream; a stream that sends them would be misparsed (its NAL units would start with
 * the two DON bytes), so the RTSP layer must refuse an SDP with {@code sprop-max-don-diff > 0}.
 *
 * <p>A fragmented NAL unit gets back its header from the PayloadHdr's F, LayerId and TID and the FU header's
 * type. Boundaries, loss handling and limits are those of {@link VideoRtpDepacketizer}; a keyframe is an access
 * unit with an IRAP slice (types 16 to 23: BLA, IDR, CRA).
 *
 * <p>Parameter sets: VPS (32), SPS (33) and PPS (34) units seen in-band, or given to {@link #configure} from the
 * SDP's {@code sprop-vps/sps/pps}, build {@link #currentFormat()}; the latest VPS and SPS are kept, and PPS per
 * {@code pps_pic_parameter_set_id}. When they change, the handler's {@code onFormat} is called before the next
 * emitted unit.
 *
 * <p>Thread safety: single thread.
 */
public final class H265RtpDepacketizer extends VideoRtpDepacketizer
{
    private static final int MAX_PPS_ID = 63;

    private final BufBitReader bits = new BufBitReader();
    private final byte[][] ppsById = new byte[MAX_PPS_ID + 1][];
    private byte[] vps;
    private byte[] sps;
    private boolean parameterSetsChanged;
    private TrackFormat format;
    private long badParameterSets;

    /**
     * A depacketizer with the default 8 MiB limit that waits for a first IRAP picture.
     *
     * @param allocator allocator for access units (pooled in production).
     * @param handler   receives the access units.
     */
    public H265RtpDepacketizer(final ByteBufAllocator allocator, final RtpAccessUnitHandler handler)
    {
        this(allocator, handler, DEFAULT_MAX_ACCESS_UNIT_SIZE, true);
    }

    /**
     * @param allocator              allocator for access units (pooled in production).
     * @param handler                receives the access units.
     * @param maxAccessUnitSize      largest access unit in bytes, at least 16.
     * @param waitForKeyframeAtStart whether to skip units until the first IRAP picture.
     * @throws IllegalArgumentException if the limit is below 16.
     */
    public H265RtpDepacketizer(
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler,
        final int maxAccessUnitSize,
        final boolean waitForKeyframeAtStart)
    {
        super(allocator, handler, maxAccessUnitSize, waitForKeyframeAtStart);
    }

    /**
     * Takes parameter sets from the SDP ({@code sprop-vps}, {@code sprop-sps}, {@code sprop-pps}, base64-decoded);
     * each array one NAL unit or several in Annex-B form. Allocates; meant for setup.
     *
     * @param parameterSets VPS, SPS and PPS units in any order; other types are ignored.
     * @return whether a format is known and every parameter set given was usable.
     */
    public boolean configure(final Iterable<byte[]> parameterSets)
    {
        final long badBefore = badParameterSets;
        for (final byte[] chunk : parameterSets)
        {
            for (final byte[] nal : AvcDecoderConfigurationRecord.splitNals(chunk))
            {
                if (nal.length >= H265.NAL_HEADER_SIZE)
                {
                    offerParameterSet(Unpooled.wrappedBuffer(nal), 0, nal.length);
                }
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
        if (length < H265.NAL_HEADER_SIZE)
        {
            return DepacketizeResult.MALFORMED;
        }

        final int header0 = buf.getUnsignedByte(offset);
        final int type = H265.nalType(header0);
        if (type <= 47)
        {
            return appendNal(buf, offset, length);
        }

        return switch (type)
        {
            case 48 -> parseAggregation(buf, offset + 2, offset + length);
            case 49 -> parseFragment(buf, offset, length, header0);
            case 50 -> DepacketizeResult.UNSUPPORTED;
            default -> DepacketizeResult.MALFORMED;
        };
    }

    @Override
    void inspectNal(final ByteBuf buf, final int offset, final int length)
    {
        final int type = H265.nalType(buf.getByte(offset));
        if (type < H265.NAL_VPS)
        {
            vcl = true;
            keyframe |= H265.isIrap(type);
        }
        else if (type == H265.NAL_SEI_PREFIX)
        {
            recoveryPoint |= hasRecoveryPointSei(buf, offset + 2, offset + length);
        }
        else if (type >= H265.NAL_VPS && type <= H265.NAL_PPS && length >= H265.NAL_HEADER_SIZE)
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
            final byte[] record = HevcDecoderConfigurationRecord.of(vps == null ? List.of() : List.of(vps),
                List.of(sps), pps).encode();
            final TrackFormat next = TrackFormats.h265(record);
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

    private DepacketizeResult parseAggregation(final ByteBuf buf, final int start, final int end)
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
            if (size < H265.NAL_HEADER_SIZE || size > end - index)
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

    private DepacketizeResult parseFragment(final ByteBuf buf, final int offset, final int length, final int header0)
    {
        if (length < 3)
        {
            return DepacketizeResult.MALFORMED;
        }

        final int fuHeader = buf.getUnsignedByte(offset + 2);
        final boolean start = (fuHeader & 0x80) != 0;
        final boolean end = (fuHeader & 0x40) != 0;
        if (!start)
        {
            return continueFragment(buf, offset + 3, length - 3, end);
        }

        final int nalHeader0 = (header0 & 0x81) | ((fuHeader & 0x3F) << 1);
        final DepacketizeResult result = startFragment(nalHeader0, buf.getUnsignedByte(offset + 1), buf,
            offset + 3, length - 3);
        return result == DepacketizeResult.OK && end ? continueFragment(buf, offset, 0, true) : result;
    }

    private void offerParameterSet(final ByteBuf buf, final int offset, final int length)
    {
        final int type = H265.nalType(buf.getByte(offset));
        if (type == H265.NAL_VPS)
        {
            if (!sameBytes(vps, buf, offset, length))
            {
                vps = H264RtpDepacketizer.copy(buf, offset, length);
                parameterSetsChanged = true;
            }
        }
        else if (type == H265.NAL_SPS)
        {
            if (!sameBytes(sps, buf, offset, length))
            {
                sps = H264RtpDepacketizer.copy(buf, offset, length);
                parameterSetsChanged = true;
            }
        }
        else if (type == H265.NAL_PPS)
        {
            final int id = length > 2 ? bits.reset(buf, offset + 2, length - 2).readUe() : -1;
            if (id < 0 || id > MAX_PPS_ID)
            {
                badParameterSets++;
                return;
            }

            if (!sameBytes(ppsById[id], buf, offset, length))
            {
                ppsById[id] = H264RtpDepacketizer.copy(buf, offset, length);
                parameterSetsChanged = true;
            }
        }
    }
}
