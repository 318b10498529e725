package com.cococam.protocols.rtmp.amf;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over a region of a {@link ByteBuf}, read with absolute getters so the buffer's own indices are never
 * moved. Every read checks the bytes that remain first.
 *
 * <p>Thread safety: single thread. Allocation: only the strings and arrays it returns.
 */
final class AmfReader
{
    private final AmfLimits limits;
    private ByteBuf buf;
    private int pos;
    private int end;

    AmfReader(final AmfLimits limits)
    {
        this.limits = limits;
    }

    void reset(final ByteBuf buf, final int index, final int length)
    {
        this.buf = buf;
        this.pos = index;
        this.end = index + length;
    }

    void clear()
    {
        this.buf = null;
        this.pos = 0;
        this.end = 0;
    }

    AmfLimits limits()
    {
        return limits;
    }

    int position()
    {
        return pos;
    }

    int remaining()
    {
        return end - pos;
    }

    void require(final long count, final String what)
    {
        if (count > end - pos)
        {
            throw AmfException.malformed("truncated " + what + ": need=" + count + " remaining=" + (end - pos));
        }
    }

    int peekU8()
    {
        require(1, "byte");
        return buf.getUnsignedByte(pos);
    }

    int u8()
    {
        require(1, "byte");
        return buf.getUnsignedByte(pos++);
    }

    int u16()
    {
        require(2, "u16");
        final int value = buf.getUnsignedShort(pos);
        pos += 2;
        return value;
    }

    short s16()
    {
        require(2, "s16");
        final short value = buf.getShort(pos);
        pos += 2;
        return value;
    }

    long u32()
    {
        require(4, "u32");
        final long value = buf.getUnsignedInt(pos);
        pos += 4;
        return value;
    }

    double f64()
    {
        require(8, "double");
        final double value = buf.getDouble(pos);
        pos += 8;
        return value;
    }

    /**
     * AMF3 variable-length unsigned 29-bit integer: up to three bytes of 7 bits with a continuation flag,
     * then a full fourth byte.
     */
    int u29()
    {
        int value = 0;
        for (int i = 0; i < 3; i++)
        {
            final int b = u8();
            value = (value << 7) | (b & 0x7F);
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        return (value << 8) | u8();
    }

    String utf8(final long length)
    {
        checkLength(length, "string");
        final String value = buf.toString(pos, (int)length, StandardCharsets.UTF_8);
        pos += (int)length;
        return value;
    }

    byte[] bytes(final long length)
    {
        checkLength(length, "byte array");
        final byte[] value = new byte[(int)length];
        buf.getBytes(pos, value);
        pos += (int)length;
        return value;
    }

    /**
     * Checks an element count before anything is allocated: each element takes at least {@code minBytesEach}.
     */
    int count(final long count, final int minBytesEach, final String what)
    {
        if (count > limits.maxElements())
        {
            throw AmfException.limit(what + " count over limit: count=" + count + " max=" + limits.maxElements());
        }

        if (count * minBytesEach > end - pos)
        {
            throw AmfException.malformed(what + " count exceeds remaining bytes: count=" + count
                + " remaining=" + (end - pos));
        }

        return (int)count;
    }

    void checkDepth(final int depth)
    {
        if (depth > limits.maxDepth())
        {
            throw AmfException.limit("nesting over limit: depth=" + depth + " max=" + limits.maxDepth());
        }
    }

    private void checkLength(final long length, final String what)
    {
        if (length > limits.maxStringBytes())
        {
            throw AmfException.limit(what + " over limit: length=" + length + " max=" + limits.maxStringBytes());
        }

        require(length, what);
    }
}
