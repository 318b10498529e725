package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * H.265 access units to RTP (RFC 7798, no DONL: {@code sprop-max-don-diff} 0): single NAL unit packets, FUs for
 * NAL units larger than the payload size, and optionally APs for runs of small NAL units.
 *
 * <pre>
 *   FU: | PayloadHdr: F, Type=49, LayerId, TID of the NAL | FU header: S E FuType | fragment after the header |
 *   AP: | PayloadHdr: F(any), Type=48, lowest LayerId, lowest TID | size16 | NAL | size16 | NAL | ...
 * </pre>
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per packet. See {@link NalRtpPacketizer}.
 */
public final class H265RtpPacketizer extends NalRtpPacketizer
{
    /**
     * @param allocator      packet buffers (pooled in production).
     * @param writer         payload type, SSRC and sequence numbers.
     * @param maxPayloadSize largest RTP payload, {@value #MIN_PAYLOAD_SIZE} to {@value #MAX_PAYLOAD_SIZE}.
     * @param aggregate      whether to put consecutive small NAL units in AP packets.
     * @throws IllegalArgumentException if the payload size is out of range.
     */
    public H265RtpPacketizer(
        final ByteBufAllocator allocator,
        final RtpStreamWriter writer,
        final int maxPayloadSize,
        final boolean aggregate)
    {
        super(allocator, writer, maxPayloadSize, aggregate, 2);
    }

    @Override
    void writeAggregationHeader(final ByteBuf packet, final ByteBuf au, final int from, final int to)
    {
        int forbidden = 0;
        int layerId = 63;
        int tid = 7;
        for (int index = from; index < to; index += 4 + au.getInt(index))
        {
            if (au.getInt(index) > 0)
            {
                final int header = au.getUnsignedShort(index + 4);
                forbidden |= header & 0x8000;
                layerId = Math.min(layerId, (header >> 3) & 0x3F);
                tid = Math.min(tid, header & 7);
            }
        }

        packet.writeShort(forbidden | (48 << 9) | (layerId << 3) | tid);
    }

    @Override
    void writeFragmentHeaders(
        final ByteBuf packet,
        final ByteBuf au,
        final int nalOffset,
        final boolean start,
        final boolean end)
    {
        final int header0 = au.getUnsignedByte(nalOffset);
        packet.writeByte((header0 & 0x81) | (49 << 1));
        packet.writeByte(au.getUnsignedByte(nalOffset + 1));
        packet.writeByte((start ? 0x80 : 0) | (end ? 0x40 : 0) | ((header0 >> 1) & 0x3F));
    }
}
