package com.cococam.codec.fmp4;

import io.netty.buffer.ByteBuf;

/**
 * ISO BMFF box writing helpers (ISO/IEC 14496-12 section 4.2).
 *
 * <pre>
 *  Box:      size (UI32, whole box incl. header) | type (FourCC) | payload
 *  FullBox:  size | type | version (UI8) | flags (UI24) | payload
 * </pre>
 *
 * <p>Thread safety: stateless. Allocation: none.
 */
final class Boxes
{
    private Boxes()
    {
    }

    /**
     * @param fourCc four ASCII characters.
     * @return them as a big-endian int.
     */
    static int fourCc(final String fourCc)
    {
        return fourCc.charAt(0) << 24 | fourCc.charAt(1) << 16 | fourCc.charAt(2) << 8 | fourCc.charAt(3);
    }

    /**
     * Opens a box whose size is filled in by {@link #end}.
     *
     * @param out  the buffer.
     * @param type the box type.
     * @return index of the box start, for {@link #end}.
     */
    static int begin(final ByteBuf out, final int type)
    {
        final int start = out.writerIndex();
        out.writeInt(0);
        out.writeInt(type);
        return start;
    }

    /**
     * Opens a full box whose size is filled in by {@link #end}.
     *
     * @param out     the buffer.
     * @param type    the box type.
     * @param version box version.
     * @param flags   24-bit flags.
     * @return index of the box start, for {@link #end}.
     */
    static int beginFull(final ByteBuf out, final int type, final int version, final int flags)
    {
        final int start = begin(out, type);
        out.writeInt(version << 24 | (flags & 0xFF_FFFF));
        return start;
    }

    /**
     * Closes a box opened at {@code start}: writes its size.
     *
     * @param out   the buffer.
     * @param start what {@link #begin} returned.
     */
    static void end(final ByteBuf out, final int start)
    {
        out.setInt(start, out.writerIndex() - start);
    }

    /**
     * Writes {@code count} zero bytes.
     *
     * @param out   the buffer.
     * @param count how many.
     */
    static void zeros(final ByteBuf out, final int count)
    {
        out.writeZero(count);
    }

    /**
     * Writes the unity transformation matrix of mvhd/tkhd (16.16 and 2.30 fixed point).
     *
     * @param out receives 36 bytes.
     */
    static void unityMatrix(final ByteBuf out)
    {
        out.writeInt(0x0001_0000).writeInt(0).writeInt(0);
        out.writeInt(0).writeInt(0x0001_0000).writeInt(0);
        out.writeInt(0).writeInt(0).writeInt(0x4000_0000);
    }
}
