package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Packetizer for formats where a packet's payload is the frame itself: G.711 PCMA/PCMU (RFC 3551) and Opus
 * (RFC 7587). A G.711 frame larger than the payload size is split into several packets, the timestamp advancing
 * by one per byte (sample); an Opus packet cannot be split and is refused. The marker bit is never set (no
 * talkspurt or DTX signalling).
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per packet.
 */
public final class FrameRtpPacketizer
{
    private final FramePayloadFormat format;
    private final ByteBufAllocator allocator;
    private final RtpStreamWriter writer;
    private final int maxPayloadSize;

    /**
     * @param format         the payload format.
     * @param allocator      packet buffers (pooled in production).
     * @param writer         payload type, SSRC and sequence numbers.
     * @param maxPayloadSize largest RTP payload, {@value NalRtpPacketizer#MIN_PAYLOAD_SIZE} to
     *                       {@value NalRtpPacketizer#MAX_PAYLOAD_SIZE}.
     * @throws IllegalArgumentException if the payload size is out of range.
     */
    public FrameRtpPacketizer(
        final FramePayloadFormat format,
        final ByteBufAllocator allocator,
        final RtpStreamWriter writer,
        final int maxPayloadSize)
    {
        if (maxPayloadSize < NalRtpPacketizer.MIN_PAYLOAD_SIZE || maxPayloadSize > NalRtpPacketizer.MAX_PAYLOAD_SIZE)
        {
            throw new IllegalArgumentException("rtp max payload size: maxPayloadSize=" + maxPayloadSize);
        }

        this.format = Objects.requireNonNull(format, "format");
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.maxPayloadSize = maxPayloadSize;
    }

    /**
     * @param frame        the frame in its readable bytes; not modified, not retained.
     * @param rtpTimestamp timestamp of its first sample (low 32 bits used).
     * @param out          receives each packet, taking ownership.
     * @return packets made; -1 (nothing sent) for an empty frame, or an Opus frame over the payload size.
     */
    public int packetize(final ByteBuf frame, final long rtpTimestamp, final RtpPacketHandler out)
    {
        final int length = frame.readableBytes();
        if (length == 0 || length > maxPayloadSize && !format.sampleBytes())
        {
            return -1;
        }

        int sent = 0;
        int packets = 0;
        while (sent < length)
        {
            final int take = Math.min(maxPayloadSize, length - sent);
            final ByteBuf packet = writer.newPacket(allocator, false, rtpTimestamp + sent, take);
            packet.writeBytes(frame, frame.readerIndex() + sent, take);
            out.onPacket(packet);
            sent += take;
            packets++;
        }

        return packets;
    }
}
