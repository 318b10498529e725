package com.cococam.codec.h265;

import com.cococam.codec.h264.NalUnits;
import io.netty.buffer.ByteBuf;

/**
 * H.265 NAL unit constants and checks on 4-byte length-prefixed access units (ITU-T H.265 table 7-1).
 *
 * <pre>
 *   NAL header:  +---------------+---------------+
 *                |0|1|2|3|4|5|6|7|0|1|2|3|4|5|6|7|
 *                |F|   Type    |  LayerId  | TID |
 *                +---------------+---------------+
 * </pre>
 *
 * <p>Thread safety: stateless. Allocation: none.
 */
public final class H265
{
    /**
     * First IRAP type (BLA_W_LP).
     */
    public static final int NAL_IRAP_FIRST = 16;

    /**
     * IDR with leading pictures allowed (IDR_W_RADL).
     */
    public static final int NAL_IDR_W_RADL = 19;

    /**
     * IDR without leading pictures (IDR_N_LP).
     */
    public static final int NAL_IDR_N_LP = 20;

    /**
     * Clean random access picture.
     */
    public static final int NAL_CRA = 21;

    /**
     * Last IRAP type (RSV_IRAP_VCL23).
     */
    public static final int NAL_IRAP_LAST = 23;

    /**
     * Video parameter set.
     */
    public static final int NAL_VPS = 32;

    /**
     * Sequence parameter set.
     */
    public static final int NAL_SPS = 33;

    /**
     * Picture parameter set.
     */
    public static final int NAL_PPS = 34;

    /**
     * Access unit delimiter.
     */
    public static final int NAL_AUD = 35;

    /**
     * Prefix SEI.
     */
    public static final int NAL_SEI_PREFIX = 39;

    /**
     * Suffix SEI.
     */
    public static final int NAL_SEI_SUFFIX = 40;

    /**
     * Size of the NAL unit header in bytes.
     */
    public static final int NAL_HEADER_SIZE = 2;

    private H265()
    {
    }

    /**
     * @param firstByte the NAL unit's first byte, as a byte or int.
     * @return nal_unit_type, 0 to 63.
     */
    public static int nalType(final int firstByte)
    {
        return (firstByte >> 1) & 0x3F;
    }

    /**
     * @param nalType a nal_unit_type.
     * @return whether it is an IRAP picture (BLA, IDR, CRA or reserved IRAP, 16 to 23).
     */
    public static boolean isIrap(final int nalType)
    {
        return nalType >= NAL_IRAP_FIRST && nalType <= NAL_IRAP_LAST;
    }

    /**
     * @param lengthPrefixedAu an access unit with 4-byte NAL lengths (readable bytes); indexes unchanged.
     * @return whether it holds an IRAP slice; false when it is malformed anywhere.
     */
    public static boolean isKeyframe(final ByteBuf lengthPrefixedAu)
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

            if (length > 0 && isIrap(nalType(lengthPrefixedAu.getByte(index))))
            {
                found = true;
            }

            index += (int)length;
        }

        return found;
    }
}
