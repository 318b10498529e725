package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable flyweight over one RTP packet in a {@link ByteBuf} (RFC 3550 section 5.1).
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           timestamp                           |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |           synchronization source (SSRC) identifier            |
 *   +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 *   |            contributing source (CSRC) identifiers             |
 *   |                    (CC x 32 bits)  ....                       |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  extension profile (if X)     |  extension length (32-bit words)
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                  extension data (length x 32 bits)            |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |                           payload ...                         |
 *   |                               +-------------------------------+
 *   |                               | padding ...   | pad count (P) |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>{@link #wrap} checks the fixed header, skips the CSRC list and the header extension (RFC 3550 5.3.1) and
 * strips padding; the payload is then the range {@link #payloadOffset()} .. {@link #payloadOffset()} +
 * {@link #payloadLength()} of {@link #buffer()} (absolute indexes; no index of the buffer is moved).
 *
 * <p>Thread safety: not thread safe; one instance per reader thread. Allocation: none ({@link #payload()} aside,
 * which makes a slice). Buffer ownership: the flyweight does not retain the buffer; it is valid as long as the
 * caller keeps the buffer alive and unchanged.
 */
public final class RtpPacket
{
    /**
     * Size of the fixed header.
     */
    public static final int FIXED_HEADER_SIZE = 12;

    /**
     * The only RTP version in use.
     */
    public static final int VERSION = 2;

    private ByteBuf buffer;
    private int offset;
    private int length;
    private int firstByte;
    private int secondByte;
    private int payloadOffset;
    private int payloadLength;
    private int extensionOffset;
    private int extensionLength;
    private int paddingLength;

    /**
     * Points the flyweight at the readable bytes of a buffer and validates the header.
     *
     * @param packet one whole RTP packet in its readable bytes; indexes unchanged.
     * @return {@link RtpWrapResult#OK}, or why it is malformed (the accessors are then meaningless).
     */
    public RtpWrapResult wrap(final ByteBuf packet)
    {
        return wrap(packet, packet.readerIndex(), packet.readableBytes());
    }

    /**
     * Points the flyweight at a range of a buffer and validates the header.
     *
     * @param packet the buffer.
     * @param index  absolute index of the first header byte.
     * @param size   packet length in bytes; the range must end at or before the writer index, else
     *               {@link RtpWrapResult#TRUNCATED_HEADER}.
     * @return {@link RtpWrapResult#OK}, or why it is malformed (the accessors are then meaningless).
     */
    public RtpWrapResult wrap(final ByteBuf packet, final int index, final int size)
    {
        buffer = packet;
        offset = index;
        length = size;
        payloadLength = 0;
        extensionOffset = -1;
        extensionLength = 0;
        paddingLength = 0;
        if (index < 0 || size < FIXED_HEADER_SIZE || index > packet.writerIndex() - size)
        {
            return RtpWrapResult.TRUNCATED_HEADER;
        }

        firstByte = packet.getUnsignedByte(index);
        secondByte = packet.getUnsignedByte(index + 1);
        if ((firstByte >> 6) != VERSION)
        {
            return RtpWrapResult.BAD_VERSION;
        }

        final int end = index + size;
        int cursor = index + FIXED_HEADER_SIZE + 4 * (firstByte & 0x0F);
        if (cursor > end)
        {
            return RtpWrapResult.BAD_CSRC_COUNT;
        }

        if ((firstByte & 0x10) != 0)
        {
            if (end - cursor < 4)
            {
                return RtpWrapResult.BAD_EXTENSION_LENGTH;
            }

            final int words = packet.getUnsignedShort(cursor + 2);
            extensionOffset = cursor;
            extensionLength = 4 * words;
            cursor += 4;
            if (end - cursor < extensionLength)
            {
                return RtpWrapResult.BAD_EXTENSION_LENGTH;
            }

            cursor += extensionLength;
        }

        int payloadEnd = end;
        if ((firstByte & 0x20) != 0)
        {
            final int padding = end > cursor ? packet.getUnsignedByte(end - 1) : 0;
            if (padding == 0 || padding > end - cursor)
            {
                return RtpWrapResult.BAD_PADDING;
            }

            paddingLength = padding;
            payloadEnd -= padding;
        }

        payloadOffset = cursor;
        payloadLength = payloadEnd - cursor;
        return RtpWrapResult.OK;
    }

    /**
     * Writes a 12-byte fixed header (no CSRC, no extension, no padding).
     *
     * @param out            receives 12 bytes at its writer index.
     * @param marker         the M bit.
     * @param payloadType    0 to 127.
     * @param sequenceNumber low 16 bits are written.
     * @param timestamp      low 32 bits are written.
     * @param ssrc           low 32 bits are written.
     */
    public static void writeHeader(
        final ByteBuf out,
        final boolean marker,
        final int payloadType,
        final int sequenceNumber,
        final long timestamp,
        final long ssrc)
    {
        out.writeByte(VERSION << 6);
        out.writeByte((marker ? 0x80 : 0) | (payloadType & 0x7F));
        out.writeShort(sequenceNumber);
        out.writeInt((int)timestamp);
        out.writeInt((int)ssrc);
    }

    /**
     * @return the buffer last given to {@link #wrap}.
     */
    public ByteBuf buffer()
    {
        return buffer;
    }

    /**
     * @return absolute index of the packet's first byte.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return whole packet length in bytes.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return the version field (2 for a valid packet).
     */
    public int version()
    {
        return firstByte >> 6;
    }

    /**
     * @return whether the P bit is set (the padding is already excluded from the payload).
     */
    public boolean padding()
    {
        return (firstByte & 0x20) != 0;
    }

    /**
     * @return padding bytes removed from the end, count byte included (0 without the P bit).
     */
    public int paddingLength()
    {
        return paddingLength;
    }

    /**
     * @return whether the X bit is set.
     */
    public boolean extension()
    {
        return (firstByte & 0x10) != 0;
    }

    /**
     * @return the 16-bit profile-defined field of the header extension, or -1 without one.
     */
    public int extensionProfile()
    {
        return extensionOffset < 0 ? -1 : buffer.getUnsignedShort(extensionOffset);
    }

    /**
     * @return absolute index of the extension data (after its 4-byte head), or -1 without one.
     */
    public int extensionDataOffset()
    {
        return extensionOffset < 0 ? -1 : extensionOffset + 4;
    }

    /**
     * @return extension data length in bytes (a multiple of 4; 0 without one).
     */
    public int extensionDataLength()
    {
        return extensionLength;
    }

    /**
     * @return the CSRC count (CC), 0 to 15.
     */
    public int csrcCount()
    {
        return firstByte & 0x0F;
    }

    /**
     * @param i CSRC index, 0 to {@link #csrcCount()} - 1.
     * @return that CSRC as an unsigned 32-bit value.
     */
    public long csrc(final int i)
    {
        return buffer.getUnsignedInt(offset + FIXED_HEADER_SIZE + 4 * i);
    }

    /**
     * @return the M bit.
     */
    public boolean marker()
    {
        return (secondByte & 0x80) != 0;
    }

    /**
     * @return the payload type, 0 to 127.
     */
    public int payloadType()
    {
        return secondByte & 0x7F;
    }

    /**
     * @return the sequence number, 0 to 65535.
     */
    public int sequenceNumber()
    {
        return buffer.getUnsignedShort(offset + 2);
    }

    /**
     * @return the timestamp as an unsigned 32-bit value.
     */
    public long timestamp()
    {
        return buffer.getUnsignedInt(offset + 4);
    }

    /**
     * @return the SSRC as an unsigned 32-bit value.
     */
    public long ssrc()
    {
        return buffer.getUnsignedInt(offset + 8);
    }

    /**
     * @return absolute index of the payload's first byte.
     */
    public int payloadOffset()
    {
        return payloadOffset;
    }

    /**
     * @return payload length in bytes (padding excluded), possibly 0.
     */
    public int payloadLength()
    {
        return payloadLength;
    }

    /**
     * Allocates a slice object (not the bytes); prefer {@link #payloadOffset()} on hot paths.
     *
     * @return a slice of the payload sharing the buffer's bytes and reference count (not retained).
     */
    public ByteBuf payload()
    {
        return buffer.slice(payloadOffset, payloadLength);
    }

    @Override
    public String toString()
    {
        return "RtpPacket{pt=" + payloadType() + ", seq=" + sequenceNumber() + ", ts=" + timestamp() +
            ", m=" + marker() + ", payload=" + payloadLength + "}";
    }
}
