package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Sending state of one RTP stream: payload type, SSRC and the next sequence number, plus the packet and octet
 * counts an RTCP sender report needs (RFC 3550 6.4.1). Packetizers take their headers from it.
 *
 * <p>Thread safety: single thread. Allocation: {@link #newPacket} takes one buffer from the allocator.
 */
public final class RtpStreamWriter
{
    private final int payloadType;
    private final long ssrc;
    private int nextSequence;
    private long packetCount;
    private long octetCount;

    /**
     * @param payloadType     0 to 127.
     * @param ssrc            the source identifier (low 32 bits used).
     * @param initialSequence first sequence number (low 16 bits used; RFC 3550 asks for a random one).
     * @throws IllegalArgumentException if the payload type is out of range.
     */
    public RtpStreamWriter(final int payloadType, final long ssrc, final int initialSequence)
    {
        if (payloadType < 0 || payloadType > 127)
        {
            throw new IllegalArgumentException("rtp payload type: payloadType=" + payloadType);
        }

        this.payloadType = payloadType;
        this.ssrc = ssrc & 0xFFFF_FFFFL;
        this.nextSequence = initialSequence & 0xFFFF;
    }

    /**
     * Allocates a packet buffer, writes the 12-byte header with the next sequence number and counts it.
     *
     * @param allocator     where the buffer comes from.
     * @param marker        the M bit.
     * @param timestamp     the RTP timestamp (low 32 bits used).
     * @param payloadLength the payload bytes the caller will write next (counted as sent octets).
     * @return the buffer with the header written; the caller writes the payload and owns the buffer.
     */
    public ByteBuf newPacket(
        final ByteBufAllocator allocator,
        final boolean marker,
        final long timestamp,
        final int payloadLength)
    {
        final ByteBuf packet = allocator.buffer(RtpPacket.FIXED_HEADER_SIZE + payloadLength);
        RtpPacket.writeHeader(packet, marker, payloadType, nextSequence, timestamp, ssrc);
        nextSequence = (nextSequence + 1) & 0xFFFF;
        packetCount++;
        octetCount += payloadLength;
        return packet;
    }

    /**
     * @return the payload type.
     */
    public int payloadType()
    {
        return payloadType;
    }

    /**
     * @return the SSRC, unsigned 32 bits.
     */
    public long ssrc()
    {
        return ssrc;
    }

    /**
     * @return the sequence number the next packet gets.
     */
    public int nextSequence()
    {
        return nextSequence;
    }

    /**
     * @return packets written.
     */
    public long packetCount()
    {
        return packetCount;
    }

    /**
     * @return payload octets written (headers excluded, as RTCP counts them).
     */
    public long octetCount()
    {
        return octetCount;
    }
}
