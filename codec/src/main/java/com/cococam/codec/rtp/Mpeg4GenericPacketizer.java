package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Raw AAC frames to RTP in RFC 3640 {@code mpeg4-generic} AAC-hbr mode ({@link Mpeg4GenericConfig#aacHbr}:
 * sizeLength 13, indexLength 3, indexDeltaLength 3): one frame per packet, or, for a frame larger than the payload
 * size, fragments that each repeat the AU header with the whole frame size. Every packet that ends a frame has
 * the marker bit (RFC 3640 3.2.3.1).
 *
 * <pre>
 *   | 0x00 0x10 (AU-headers-length: 16 bits) | AU-size (13 bits) | AU-Index = 0 (3 bits) | frame bytes ... |
 * </pre>
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per packet.
 */
public final class Mpeg4GenericPacketizer
{
    /**
     * Largest frame AU-size can express with 13 bits.
     */
    public static final int MAX_FRAME_SIZE = (1 << 13) - 1;

    private static final int HEADER_SECTION_SIZE = 4;

    private final ByteBufAllocator allocator;
    private final RtpStreamWriter writer;
    private final int maxPayloadSize;

    /**
     * @param allocator      packet buffers (pooled in production).
     * @param writer         payload type, SSRC and sequence numbers.
     * @param maxPayloadSize largest RTP payload, {@value NalRtpPacketizer#MIN_PAYLOAD_SIZE} to
     *                       {@value NalRtpPacketizer#MAX_PAYLOAD_SIZE}.
     * @throws IllegalArgumentException if the payload size is out of range.
     */
    public Mpeg4GenericPacketizer(
        final ByteBufAllocator allocator,
        final RtpStreamWriter writer,
        final int maxPayloadSize)
    {
        if (maxPayloadSize < NalRtpPacketizer.MIN_PAYLOAD_SIZE || maxPayloadSize > NalRtpPacketizer.MAX_PAYLOAD_SIZE)
        {
            throw new IllegalArgumentException("rtp max payload size: maxPayloadSize=" + maxPayloadSize);
        }

        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.maxPayloadSize = maxPayloadSize;
    }

    /**
     * @param frame        one raw AAC frame in its readable bytes; not modified, not retained.
     * @param rtpTimestamp the frame's RTP timestamp, in the sampling-rate clock (low 32 bits used).
     * @param out          receives each packet, taking ownership.
     * @return packets made, or -1 (nothing sent) for an empty frame or one over {@value #MAX_FRAME_SIZE} bytes.
     */
    public int packetize(final ByteBuf frame, final long rtpTimestamp, final RtpPacketHandler out)
    {
        final int size = frame.readableBytes();
        if (size == 0 || size > MAX_FRAME_SIZE)
        {
            return -1;
        }

        final int chunk = maxPayloadSize - HEADER_SECTION_SIZE;
        int sent = 0;
        int packets = 0;
        while (sent < size)
        {
            final int take = Math.min(chunk, size - sent);
            final boolean last = sent + take == size;
            final ByteBuf packet = writer.newPacket(allocator, last, rtpTimestamp, HEADER_SECTION_SIZE + take);
            packet.writeShort(16);
            packet.writeShort(size << 3);
            packet.writeBytes(frame, frame.readerIndex() + sent, take);
            out.onPacket(packet);
            sent += take;
            packets++;
        }

        return packets;
    }
}
