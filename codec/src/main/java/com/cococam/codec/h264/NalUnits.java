package com.cococam.codec.h264;

import io.netty.buffer.ByteBuf;

/**
 * NAL unit framing shared by H.264 and H.265: Annex-B byte streams (start codes) and length-prefixed access units
 * (ISO/IEC 14496-15 samples with 4-byte lengths, the payload convention of
 * {@link com.cococam.codec.media.AccessUnitPayloads}).
 *
 * <pre>
 *   Annex-B:          00 00 00 01 | NAL | 00 00 01 | NAL ...      (3- or 4-byte start codes)
 *   length-prefixed:  u32 length  | NAL | u32 length | NAL ...    (big-endian, length excludes itself)
 * </pre>
 *
 * <p>Offsets given to a {@link NalVisitor} are absolute buffer indexes (use them with {@code buf.getByte(offset)}),
 * covering the readable bytes ({@code readerIndex} to {@code writerIndex}) only. None of these methods change
 * the reader or writer index of their input; writers only advance {@code out}'s writer index.
 *
 * <p>Annex-B parsing rules: bytes before the first start code are ignored; zero bytes at the end of a NAL unit
 * (trailing_zero_8bits, or the leading zero of the next 4-byte start code) are not part of it; empty NAL units
 * are skipped. Length-prefixed parsing skips zero-length NAL units (they are not counted or visited).
 *
 * <p>Thread safety: stateless; safe from any thread. Allocation: none, except {@link #unescapeRbsp}.
 */
public final class NalUnits
{
    /**
     * Size of the start code this class writes.
     */
    public static final int START_CODE_SIZE = 4;

    /**
     * Size of the NAL unit length prefix read and written by this class.
     */
    public static final int LENGTH_SIZE = 4;

    private NalUnits()
    {
    }

    /**
     * Receives one NAL unit.
     */
    @FunctionalInterface
    public interface NalVisitor
    {
        /**
         * @param buf    the buffer being walked; do not change its indexes. Valid only during the call unless
         *               retained.
         * @param offset absolute index of the NAL unit's first byte (its header).
         * @param length NAL unit length in bytes, at least 1.
         */
        void onNal(ByteBuf buf, int offset, int length);
    }

    /**
     * Walks the NAL units of an Annex-B buffer.
     *
     * @param annexB  the byte stream; its readable bytes are scanned.
     * @param visitor called once per NAL unit in order, start code excluded; may be null to count only.
     * @return number of NAL units found.
     */
    public static int forEachAnnexB(final ByteBuf annexB, final NalVisitor visitor)
    {
        final int end = annexB.writerIndex();
        int count = 0;
        int nalStart = findPayloadAfterStartCode(annexB, annexB.readerIndex(), end);

        while (nalStart >= 0 && nalStart < end)
        {
            final int nextStartCode = findStartCode(annexB, nalStart, end);
            final int limit = nextStartCode < 0 ? end : nextStartCode;
            final int nalEnd = trimTrailingZeros(annexB, nalStart, limit);
            if (nalEnd > nalStart)
            {
                if (visitor != null)
                {
                    visitor.onNal(annexB, nalStart, nalEnd - nalStart);
                }

                count++;
            }

            nalStart = nextStartCode < 0 ? -1 : nextStartCode + 3;
        }

        return count;
    }

    /**
     * Walks the NAL units of a 4-byte length-prefixed access unit.
     *
     * @param au      the access unit; its readable bytes are walked.
     * @param visitor called once per non-empty NAL unit in order; may be null to validate and count only.
     * @return number of NAL units, or -1 if a length field is cut short or runs past the end (the visitor may have
     *         been called for the NAL units before the fault; use {@link #countLengthPrefixed} first to avoid that).
     */
    public static int forEachLengthPrefixed(final ByteBuf au, final NalVisitor visitor)
    {
        final int end = au.writerIndex();
        int index = au.readerIndex();
        int count = 0;

        while (index < end)
        {
            if (end - index < LENGTH_SIZE)
            {
                return -1;
            }

            final long length = au.getUnsignedInt(index);
            index += LENGTH_SIZE;
            if (length > end - index)
            {
                return -1;
            }

            if (length > 0)
            {
                if (visitor != null)
                {
                    visitor.onNal(au, index, (int)length);
                }

                count++;
            }

            index += (int)length;
        }

        return count;
    }

    /**
     * Validates a 4-byte length-prefixed access unit.
     *
     * @param au the access unit; its readable bytes are checked.
     * @return number of non-empty NAL units, or -1 if malformed.
     */
    public static int countLengthPrefixed(final ByteBuf au)
    {
        return forEachLengthPrefixed(au, null);
    }

    /**
     * Converts a 4-byte length-prefixed access unit to Annex-B with 4-byte start codes.
     *
     * <p>The input is validated before anything is written, so on failure {@code out} is unchanged.
     * Zero-length NAL units are dropped.
     *
     * @param au  the access unit (readable bytes); not modified.
     * @param out receives the Annex-B bytes at its writer index; grows as needed.
     * @return bytes written, or -1 if {@code au} is malformed.
     */
    public static int lengthPrefixedToAnnexB(final ByteBuf au, final ByteBuf out)
    {
        if (countLengthPrefixed(au) < 0)
        {
            return -1;
        }

        final int startWriter = out.writerIndex();
        final int end = au.writerIndex();
        int index = au.readerIndex();
        while (index < end)
        {
            final int length = au.getInt(index);
            index += LENGTH_SIZE;
            if (length > 0)
            {
                out.writeInt(1);
                out.writeBytes(au, index, length);
            }

            index += length;
        }

        return out.writerIndex() - startWriter;
    }

    /**
     * Converts an Annex-B buffer to 4-byte length-prefixed NAL units, following the parsing rules above.
     *
     * @param annexB the byte stream (readable bytes); not modified.
     * @param out    receives the NAL units at its writer index; grows as needed.
     * @return bytes written (0 if no NAL unit was found).
     */
    public static int annexBToLengthPrefixed(final ByteBuf annexB, final ByteBuf out)
    {
        final int startWriter = out.writerIndex();
        final int end = annexB.writerIndex();
        int nalStart = findPayloadAfterStartCode(annexB, annexB.readerIndex(), end);

        while (nalStart >= 0 && nalStart < end)
        {
            final int nextStartCode = findStartCode(annexB, nalStart, end);
            final int limit = nextStartCode < 0 ? end : nextStartCode;
            final int nalEnd = trimTrailingZeros(annexB, nalStart, limit);
            if (nalEnd > nalStart)
            {
                out.writeInt(nalEnd - nalStart);
                out.writeBytes(annexB, nalStart, nalEnd - nalStart);
            }

            nalStart = nextStartCode < 0 ? -1 : nextStartCode + 3;
        }

        return out.writerIndex() - startWriter;
    }

    /**
     * Finds the next 3-byte start code {@code 00 00 01}.
     *
     * @param buf  the buffer.
     * @param from first index to look at.
     * @param end  index after the last byte to look at.
     * @return index of the start code's first byte, or -1 if none.
     */
    public static int findStartCode(final ByteBuf buf, final int from, final int end)
    {
        int i = from;
        while (i + 2 < end)
        {
            final byte b2 = buf.getByte(i + 2);
            if (b2 > 1 || b2 < 0)
            {
                // The third byte can't end a start code, and neither can any window that contains it earlier.
                i += 3;
            }
            else if (b2 == 1 && buf.getByte(i) == 0 && buf.getByte(i + 1) == 0)
            {
                return i;
            }
            else
            {
                i++;
            }
        }

        return -1;
    }

    /**
     * Removes emulation prevention bytes: every {@code 00 00 03} becomes {@code 00 00} (H.264 7.4.1, H.265 7.4.2).
     *
     * @param nal    the escaped bytes (a NAL unit, header included or not).
     * @param offset first byte.
     * @param length byte count.
     * @return a new array with the RBSP bytes (the same length when nothing was escaped).
     */
    public static byte[] unescapeRbsp(final byte[] nal, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > nal.length - length)
        {
            throw new IndexOutOfBoundsException("range: offset=" + offset + " length=" + length);
        }

        final byte[] out = new byte[length];
        int written = 0;
        int zeros = 0;
        for (int i = offset; i < offset + length; i++)
        {
            final byte b = nal[i];
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }

            zeros = b == 0 ? zeros + 1 : 0;
            out[written++] = b;
        }

        return written == length ? out : java.util.Arrays.copyOf(out, written);
    }

    /**
     * Copies a NAL unit out of a buffer.
     *
     * @param buf    the buffer.
     * @param offset absolute index of the first byte.
     * @param length byte count.
     * @return a new array.
     */
    public static byte[] copy(final ByteBuf buf, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buf.getBytes(offset, bytes);
        return bytes;
    }

    private static int findPayloadAfterStartCode(final ByteBuf buf, final int from, final int end)
    {
        final int startCode = findStartCode(buf, from, end);
        return startCode < 0 ? -1 : startCode + 3;
    }

    private static int trimTrailingZeros(final ByteBuf buf, final int start, final int end)
    {
        int nalEnd = end;
        while (nalEnd > start && buf.getByte(nalEnd - 1) == 0)
        {
            nalEnd--;
        }

        return nalEnd;
    }
}
