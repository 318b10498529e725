package com.cococam.codec.rtp;

import com.cococam.codec.h264.NalUnits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Shared packetization of 4-byte length-prefixed access units for the NAL-unit payload formats: a NAL unit that
 * fits {@code maxPayloadSize} goes in a single NAL unit packet, a larger one in fragmentation units, and, when
 * aggregation is on, consecutive NAL units that fit together share one aggregation packet (STAP-A, AP). The last
 * packet of the access unit carries the marker bit; every packet carries the caller's RTP timestamp.
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per packet.
 */
public abstract class NalRtpPacketizer
{
    /**
     * Smallest accepted payload size.
     */
    public static final int MIN_PAYLOAD_SIZE = 16;

    /**
     * Largest accepted payload size (what fits a UDP datagram over IPv4 with the RTP header).
     */
    public static final int MAX_PAYLOAD_SIZE = 65_495;

    private final ByteBufAllocator allocator;
    private final RtpStreamWriter writer;
    private final int maxPayloadSize;
    private final boolean aggregate;
    private final int headerSize;

    NalRtpPacketizer(
        final ByteBufAllocator allocator,
        final RtpStreamWriter writer,
        final int maxPayloadSize,
        final boolean aggregate,
        final int headerSize)
    {
        if (maxPayloadSize < MIN_PAYLOAD_SIZE || maxPayloadSize > MAX_PAYLOAD_SIZE)
        {
            throw new IllegalArgumentException("rtp max payload size: maxPayloadSize=" + maxPayloadSize);
        }

        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.maxPayloadSize = maxPayloadSize;
        this.aggregate = aggregate;
        this.headerSize = headerSize;
    }

    /**
     * Packetizes one access unit.
     *
     * @param accessUnit   4-byte length-prefixed NAL units in its readable bytes; not modified, not retained.
     * @param rtpTimestamp the RTP timestamp of every packet (low 32 bits used).
     * @param out          receives each packet in order, taking ownership.
     * @return packets made, 0 for an access unit without NAL units, or -1 (nothing sent) if the access unit is
     *         malformed (a length running past the end, or a NAL unit shorter than its header).
     */
    public int packetize(final ByteBuf accessUnit, final long rtpTimestamp, final RtpPacketHandler out)
    {
        if (!valid(accessUnit))
        {
            return -1;
        }

        final int end = accessUnit.writerIndex();
        int index = skipEmpty(accessUnit, accessUnit.readerIndex(), end);
        int packets = 0;
        while (index < end)
        {
            final int length = accessUnit.getInt(index);
            final int next = skipEmpty(accessUnit, index + 4 + length, end);
            if (length > maxPayloadSize)
            {
                packets += fragment(accessUnit, index + 4, length, rtpTimestamp, next >= end, out);
                index = next;
                continue;
            }

            final int runEnd = aggregate ? aggregationEnd(accessUnit, index, end) : next;
            if (runEnd > next)
            {
                final int afterRun = skipEmpty(accessUnit, runEnd, end);
                sendAggregation(accessUnit, index, runEnd, rtpTimestamp, afterRun >= end, out);
                index = afterRun;
            }
            else
            {
                final ByteBuf packet = writer.newPacket(allocator, next >= end, rtpTimestamp, length);
                packet.writeBytes(accessUnit, index + 4, length);
                out.onPacket(packet);
                index = next;
            }

            packets++;
        }

        return packets;
    }

    /**
     * @return the largest payload per packet.
     */
    public int maxPayloadSize()
    {
        return maxPayloadSize;
    }

    /**
     * @return the stream state packets are numbered from.
     */
    public RtpStreamWriter writer()
    {
        return writer;
    }

    /**
     * Writes the aggregation packet's payload header for NAL units at {@code from} .. {@code to}.
     */
    abstract void writeAggregationHeader(ByteBuf packet, ByteBuf au, int from, int to);

    /**
     * Writes the fragmentation unit's headers (payload header and FU header) for a NAL unit.
     */
    abstract void writeFragmentHeaders(ByteBuf packet, ByteBuf au, int nalOffset, boolean start, boolean end);

    private boolean valid(final ByteBuf au)
    {
        final int end = au.writerIndex();
        int index = au.readerIndex();
        while (index < end)
        {
            if (end - index < NalUnits.LENGTH_SIZE)
            {
                return false;
            }

            final long length = au.getUnsignedInt(index);
            index += NalUnits.LENGTH_SIZE;
            if (length > end - index || length > 0 && length < headerSize)
            {
                return false;
            }

            index += (int)length;
        }

        return true;
    }

    private static int skipEmpty(final ByteBuf au, final int from, final int end)
    {
        int index = from;
        while (index < end && au.getInt(index) == 0)
        {
            index += 4;
        }

        return index;
    }

    private int aggregationEnd(final ByteBuf au, final int from, final int end)
    {
        int size = headerSize;
        int index = from;
        while (index < end)
        {
            final int length = au.getInt(index);
            if (length == 0)
            {
                index += 4;
                continue;
            }

            if (size + 2 + length > maxPayloadSize)
            {
                break;
            }

            size += 2 + length;
            index += 4 + length;
        }

        return index;
    }

    private void sendAggregation(
        final ByteBuf au,
        final int from,
        final int to,
        final long rtpTimestamp,
        final boolean marker,
        final RtpPacketHandler out)
    {
        int size = headerSize;
        for (int index = from; index < to; index += 4 + au.getInt(index))
        {
            final int length = au.getInt(index);
            size += length == 0 ? 0 : 2 + length;
        }

        final ByteBuf packet = writer.newPacket(allocator, marker, rtpTimestamp, size);
        writeAggregationHeader(packet, au, from, to);
        for (int index = from; index < to; index += 4 + au.getInt(index))
        {
            final int length = au.getInt(index);
            if (length > 0)
            {
                packet.writeShort(length);
                packet.writeBytes(au, index + 4, length);
            }
        }

        out.onPacket(packet);
    }

    private int fragment(
        final ByteBuf au,
        final int nalOffset,
        final int nalLength,
        final long rtpTimestamp,
        final boolean lastNal,
        final RtpPacketHandler out)
    {
        final int fuOverhead = headerSize + 1;
        final int chunk = maxPayloadSize - fuOverhead;
        int index = nalOffset + headerSize;
        final int end = nalOffset + nalLength;
        int packets = 0;
        while (index < end)
        {
            final int take = Math.min(chunk, end - index);
            final boolean start = index == nalOffset + headerSize;
            final boolean last = index + take == end;
            final ByteBuf packet = writer.newPacket(allocator, last && lastNal, rtpTimestamp, fuOverhead + take);
            writeFragmentHeaders(packet, au, nalOffset, start, last);
            packet.writeBytes(au, index, take);
            out.onPacket(packet);
            index += take;
            packets++;
        }

        return packets;
    }
}
