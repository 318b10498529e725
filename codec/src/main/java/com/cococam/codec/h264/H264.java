package com.cococam.codec.h264;

import io.netty.buffer.ByteBuf;

/**
 * H.264 NAL unit constants and checks on 4-byte length-prefixed access units (ITU-T H.264 table 7-1).
 *
 * <pre>
 *   NAL header:  +---------------+
 *                |0|1|2|3|4|5|6|7|
 *                |F|NRI|  Type   |
 *                +---------------+
 * </pre>
 *
 * <p>Thread safety: stateless. Allocation: none.
 */
public final class H264
{
    /**
     * Coded slice of a non-IDR picture.
     */
    public static final int NAL_SLICE = 1;

    /**
     * Coded slice of an IDR picture.
     */
    public static final int NAL_IDR = 5;

    /**
     * Supplemental enhancement information.
     */
    public static final int NAL_SEI = 6;

    /**
     * Sequence parameter set.
     */
    public static final int NAL_SPS = 7;

    /**
     * Picture parameter set.
     */
    public static final int NAL_PPS = 8;

    /**
     * Access unit delimiter.
     */
    public static final int NAL_AUD = 9;

    /**
     * Sequence parameter set extension.
     */
    public static final int NAL_SPS_EXT = 13;

    private H264()
    {
    }

    /**
     * @param firstByte the NAL unit's first byte (its header), as a byte or int.
     * @return nal_unit_type, 0 to 31.
     */
    public static int nalType(final int firstByte)
    {
        return firstByte & 0x1F;
    }

    /**
     * @param lengthPrefixedAu an access unit with 4-byte NAL lengths (readable bytes); indexes unchanged.
     * @return whether it holds an IDR slice; false when it is malformed anywhere.
     */
    public static boolean isKeyframe(final ByteBuf lengthPrefixedAu)
    {
        return containsNalType(lengthPrefixedAu, NAL_IDR);
    }

    /**
     * @param lengthPrefixedAu an access unit with 4-byte NAL lengths (readable bytes); indexes unchanged.
     * @param nalType          the nal_unit_type looked for.
     * @return whether a NAL unit of that type is present; false when the access unit is malformed anywhere
     *         (a length cut short or running past the end), even after a match.
     */
    public static boolean containsNalType(final ByteBuf lengthPrefixedAu, final int nalType)
    {
        final int end = lengthPrefixedAu.writerIndex();
        int index = lengthPrefixedAu.readerIndex();
        boolean found = false;
        while (index < end)
        {
            if (end - index < NalUnits.LENGTH_SIZE)
            {
                return false;
            }

            final long length = lengthPrefixedAu.getUnsignedInt(index);
            index += NalUnits.LENGTH_SIZE;
            if (length > end - index)
            {
                return false;
            }

            if (length > 0 && nalType(lengthPrefixedAu.getByte(index)) == nalType)
            {
                found = true;
            }

            index += (int)length;
        }

        return found;
    }
}
