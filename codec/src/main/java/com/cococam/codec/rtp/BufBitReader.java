package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Reads bits, most significant first, from a range of a {@link ByteBuf} by absolute index, without moving the
 * buffer's indexes. A read past the end returns 0 and sets {@link #overrun()} instead of throwing, so parsers of
 * untrusted payloads check once at the end.
 *
 * <p>Thread safety: single thread. Allocation: none; reuse with {@link #reset}.
 */
final class BufBitReader
{
    private ByteBuf buf;
    private long position;
    private long end;
    private boolean overrun;

    BufBitReader reset(final ByteBuf buffer, final int offset, final int length)
    {
        buf = buffer;
        position = (long)offset * 8;
        end = ((long)offset + length) * 8;
        overrun = false;
        return this;
    }

    /**
     * @param count 0 to 32 bits.
     * @return the bits as an unsigned value; 0 with {@link #overrun()} set if fewer are left.
     */
    long readBits(final int count)
    {
        if (count == 0)
        {
            return 0;
        }

        if (end - position < count)
        {
            overrun = true;
            position = end;
            return 0;
        }

        long value = 0;
        int left = count;
        while (left > 0)
        {
            final int byteIndex = (int)(position >>> 3);
            final int bitInByte = (int)(position & 7);
            final int available = 8 - bitInByte;
            final int take = Math.min(available, left);
            final int bits = (buf.getUnsignedByte(byteIndex) >>> (available - take)) & ((1 << take) - 1);
            value = (value << take) | bits;
            left -= take;
            position += take;
        }

        return value;
    }

    /**
     * @return one bit as a boolean.
     */
    boolean readFlag()
    {
        return readBits(1) != 0;
    }

    /**
     * @return an unsigned exp-Golomb code (H.264 9.1), or -1 (with {@link #overrun()}) if cut short or longer
     *         than 31 bits.
     */
    int readUe()
    {
        int zeros = 0;
        while (readBits(1) == 0)
        {
            if (overrun || ++zeros > 31)
            {
                overrun = true;
                return -1;
            }
        }

        final long value = (1L << zeros) - 1 + readBits(zeros);
        return overrun || value > Integer.MAX_VALUE ? -1 : (int)value;
    }

    void skipBits(final long count)
    {
        if (end - position < count)
        {
            overrun = true;
            position = end;
            return;
        }

        position += count;
    }

    /**
     * Copies bits to a buffer, eight at a time (the source need not be byte aligned).
     *
     * @param byteCount bytes to copy.
     * @param out       receives them at its writer index.
     * @return false (nothing written) if fewer bits are left.
     */
    boolean copyBytes(final int byteCount, final ByteBuf out)
    {
        if (end - position < 8L * byteCount)
        {
            overrun = true;
            return false;
        }

        if ((position & 7) == 0)
        {
            out.writeBytes(buf, (int)(position >>> 3), byteCount);
            position += 8L * byteCount;
            return true;
        }

        for (int i = 0; i < byteCount; i++)
        {
            out.writeByte((int)readBits(8));
        }

        return true;
    }

    void byteAlign()
    {
        final long aligned = (position + 7) & ~7L;
        position = Math.min(aligned, end);
    }

    void seek(final long absoluteBitPosition)
    {
        position = Math.min(absoluteBitPosition, end);
    }

    long bitsLeft()
    {
        return end - position;
    }

    long bitPosition()
    {
        return position;
    }

    boolean overrun()
    {
        return overrun;
    }
}
