package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * H.264 access units to RTP (RFC 6184, packetization-mode=1, non-interleaved): single NAL unit packets, FU-A for
 * NAL units larger than the payload size, and optionally STAP-A for runs of small NAL units (parameter sets,
 * SEI, small slices).
 *
 * <pre>
 *   FU-A:   | FU indicator: F NRI 28 | FU header: S E R=0 Type | fragment of the NAL unit after its header |
 *   STAP-A: | F(any) NRI(max) 24 | size16 | NAL | size16 | NAL | ...
 * </pre>
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per packet. See {@link NalRtpPacketizer}.
 */
public final class H264RtpPacketizer extends NalRtpPacketizer
{
    /**
     * @param allocator      packet buffers (pooled in production).
     * @param writer         payload type, SSRC and sequence numbers.
     * @param maxPayloadSize largest RTP payload, {@value #MIN_PAYLOAD_SIZE} to {@value #MAX_PAYLOAD_SIZE}
     *                       (1200 suits WebRTC, 1400 plain RTP over Ethernet).
     * @param aggregate      whether to put consecutive small NAL units in STAP-A packets.
     * @throws IllegalArgumentException if the payload size is out of range.
     */
    public H264RtpPacketizer(
        final ByteBufAllocator allocator,
        final RtpStreamWriter writer,
        final int maxPayloadSize,
        final boolean aggregate)
    {
        super(allocator, writer, maxPayloadSize, aggregate, 1);
    }

    @Override
    void writeAggregationHeader(final ByteBuf packet, final ByteBuf au, final int from, final int to)
    {
        int forbidden = 0;
        int nri = 0;
        for (int index = from; index < to; index += 4 + au.getInt(index))
        {
            if (au.getInt(index) > 0)
            {
                final int header = au.getUnsignedByte(index + 4);
                forbidden |= header & 0x80;
                nri = Math.max(nri, header & 0x60);
            }
        }

        packet.writeByte(forbidden | nri | 24);
    }

    @Override
    void writeFragmentHeaders(
        final ByteBuf packet,
        final ByteBuf au,
        final int nalOffset,
        final boolean start,
        final boolean end)
    {
        final int header = au.getUnsignedByte(nalOffset);
        packet.writeByte((header & 0xE0) | 28);
        packet.writeByte((start ? 0x80 : 0) | (end ? 0x40 : 0) | (header & 0x1F));
    }
}
