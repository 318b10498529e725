package com.cococam.codec.h264;

/**
 * Reads bits, most significant first, and exp-Golomb codes (ITU-T H.264 / H.265 clause 9.2) from a byte array.
 *
 * <p>The reader does not remove emulation prevention bytes: give it RBSP bytes
 * ({@link NalUnits#unescapeRbsp(byte[], int, int)}).
 *
 * <p>Failure: any read that would pass the end of the data throws {@link BitstreamException} with the message
 * {@code "bitstream truncated"}; an exp-Golomb code with more than 31 leading zero bits, or whose value does not
 * fit a non-negative {@code int}, throws {@link BitstreamException} with {@code "exp-golomb code too long"}.
 * After a failure the position is unspecified. No other exception escapes a read.
 *
 * <p>Thread safety: not thread safe; one reader per thread. It can be reused with {@link #reset}, so it allocates
 * nothing after construction. The array is not copied: the caller must not change it while reading.
 */
public final class BitReader
{
    private byte[] data;
    private int startBit;
    private long endBit;
    private long position;

    /**
     * An empty reader; call {@link #reset} before reading.
     */
    public BitReader()
    {
        reset(new byte[0], 0, 0);
    }

    /**
     * @param data   the bytes to read (not copied).
     * @param offset first byte to read.
     * @param length number of bytes to read.
     */
    public BitReader(final byte[] data, final int offset, final int length)
    {
        reset(data, offset, length);
    }

    /**
     * Points the reader at new data, at its first bit.
     *
     * @param data   the bytes to read (not copied).
     * @param offset first byte to read.
     * @param length number of bytes to read.
     * @return this reader.
     * @throws IndexOutOfBoundsException if the range is not inside {@code data}.
     */
    public BitReader reset(final byte[] data, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > data.length - length)
        {
            throw new IndexOutOfBoundsException("range: offset=" + offset + " length=" + length);
        }

        this.data = data;
        this.startBit = offset;
        this.position = (long)offset * 8;
        this.endBit = ((long)offset + length) * 8;
        return this;
    }

    /**
     * @return bits left to read.
     */
    public long bitsLeft()
    {
        return endBit - position;
    }

    /**
     * @return bits read since the start of the data given to {@link #reset}.
     */
    public long bitPosition()
    {
        return position - (long)startBit * 8;
    }

    /**
     * @return whether the position is on a byte boundary.
     */
    public boolean isByteAligned()
    {
        return (position & 7) == 0;
    }

    /**
     * @return the next bit, 0 or 1.
     * @throws BitstreamException if no bit is left.
     */
    public int readBit()
    {
        if (position >= endBit)
        {
            throw truncated();
        }

        final int bit = (data[(int)(position >>> 3)] >> (7 - (int)(position & 7))) & 1;
        position++;
        return bit;
    }

    /**
     * @return whether the next bit is 1.
     * @throws BitstreamException if no bit is left.
     */
    public boolean readFlag()
    {
        return readBit() != 0;
    }

    /**
     * Reads an unsigned fixed-length field, u(n).
     *
     * @param count bits to read, 0 to 32 (a 32-bit value comes back as an int with the sign bit set).
     * @return the value.
     * @throws BitstreamException if fewer than {@code count} bits are left.
     */
    public int readBits(final int count)
    {
        if (count < 0 || count > 32)
        {
            throw new IllegalArgumentException("bit count: count=" + count);
        }

        if (count > bitsLeft())
        {
            position = endBit;
            throw truncated();
        }

        int value = 0;
        for (int i = 0; i < count; i++)
        {
            value = (value << 1) | ((data[(int)(position >>> 3)] >> (7 - (int)(position & 7))) & 1);
            position++;
        }

        return value;
    }

    /**
     * Reads an unsigned fixed-length field of up to 64 bits.
     *
     * @param count bits to read, 0 to 64.
     * @return the value.
     * @throws BitstreamException if fewer than {@code count} bits are left.
     */
    public long readLong(final int count)
    {
        if (count < 0 || count > 64)
        {
            throw new IllegalArgumentException("bit count: count=" + count);
        }

        if (count > 32)
        {
            final long high = readBits(count - 32) & 0xFFFF_FFFFL;
            return (high << 32) | (readBits(32) & 0xFFFF_FFFFL);
        }

        return readBits(count) & 0xFFFF_FFFFL;
    }

    /**
     * Skips bits.
     *
     * @param count bits to skip, not negative.
     * @throws BitstreamException if fewer than {@code count} bits are left.
     */
    public void skipBits(final long count)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("bit count: count=" + count);
        }

        if (count > bitsLeft())
        {
            position = endBit;
            throw truncated();
        }

        position += count;
    }

    /**
     * Reads an unsigned exp-Golomb code, ue(v).
     *
     * @return the value, 0 to {@link Integer#MAX_VALUE}.
     * @throws BitstreamException if truncated or the code is too long.
     */
    public int readUe()
    {
        int leadingZeros = 0;
        while (readBit() == 0)
        {
            leadingZeros++;
            if (leadingZeros > 31)
            {
                throw new BitstreamException("exp-golomb code too long");
            }
        }

        final long value = (1L << leadingZeros) - 1 + (readLong(leadingZeros));
        if (value > Integer.MAX_VALUE)
        {
            throw new BitstreamException("exp-golomb code too long");
        }

        return (int)value;
    }

    /**
     * Reads an unsigned exp-Golomb code and checks its range.
     *
     * @param max  largest accepted value.
     * @param name syntax element name, for the failure message.
     * @return the value, 0 to {@code max}.
     * @throws BitstreamException if truncated, or the value is above {@code max} ({@code "name=value"}).
     */
    public int readUe(final int max, final String name)
    {
        final int value = readUe();
        if (value > max)
        {
            throw new BitstreamException(name + "=" + value);
        }

        return value;
    }

    /**
     * Reads a signed exp-Golomb code, se(v).
     *
     * @return the value.
     * @throws BitstreamException if truncated or the code is too long.
     */
    public int readSe()
    {
        final int codeNum = readUe();
        final int magnitude = (int)(((long)codeNum + 1) >>> 1);
        return (codeNum & 1) != 0 ? magnitude : -magnitude;
    }

    /**
     * Skips to the next byte boundary (does nothing when already aligned).
     */
    public void byteAlign()
    {
        position = Math.min(endBit, (position + 7) & ~7L);
    }

    private static BitstreamException truncated()
    {
        return new BitstreamException("bitstream truncated");
    }
}
