package com.cococam.codec.h265;

import com.cococam.codec.h264.BitReader;
import com.cococam.codec.h264.BitstreamException;

/**
 * The general part of an H.265 profile_tier_level() structure (ITU-T H.265 7.3.3), as found in the VPS, the SPS
 * and (copied) in the HEVCDecoderConfigurationRecord.
 *
 * <p>Thread safety: immutable.
 *
 * @param profileSpace       general_profile_space, 0 to 3.
 * @param tierFlag           general_tier_flag (true: High tier).
 * @param profileIdc         general_profile_idc (1 Main, 2 Main 10, ...).
 * @param compatibilityFlags general_profile_compatibility_flag[0..31], flag 0 in the most significant bit.
 * @param constraintFlags    the 48 bits from general_progressive_source_flag on, first bit most significant.
 * @param levelIdc           general_level_idc (30 times the level number: 93 = level 3.1).
 */
public record ProfileTierLevel(
    int profileSpace,
    boolean tierFlag,
    int profileIdc,
    int compatibilityFlags,
    long constraintFlags,
    int levelIdc)
{
    /**
     * Size of the general part in bytes (2 + 1 + 5 + 32 + 48 + 8 bits).
     */
    public static final int GENERAL_SIZE = 12;

    /**
     * Largest sps_max_sub_layers_minus1 / vps_max_sub_layers_minus1.
     */
    public static final int MAX_SUB_LAYERS_MINUS1 = 6;

    private static final long CONSTRAINT_MASK = 0xFFFF_FFFF_FFFFL;

    /**
     * Reads profile_tier_level(1, maxSubLayersMinus1), skipping the sub-layer part.
     *
     * @param reader             positioned at general_profile_space.
     * @param maxSubLayersMinus1 sps_max_sub_layers_minus1, 0 to 6.
     * @return the general part.
     * @throws BitstreamException if truncated.
     */
    public static ProfileTierLevel read(final BitReader reader, final int maxSubLayersMinus1)
    {
        final int profileSpace = reader.readBits(2);
        final boolean tierFlag = reader.readFlag();
        final int profileIdc = reader.readBits(5);
        final int compatibilityFlags = reader.readBits(32);
        final long constraintFlags = reader.readLong(48);
        final int levelIdc = reader.readBits(8);
        final boolean[] profilePresent = new boolean[MAX_SUB_LAYERS_MINUS1];
        final boolean[] levelPresent = new boolean[MAX_SUB_LAYERS_MINUS1];
        for (int i = 0; i < maxSubLayersMinus1; i++)
        {
            profilePresent[i] = reader.readFlag();
            levelPresent[i] = reader.readFlag();
        }

        if (maxSubLayersMinus1 > 0)
        {
            reader.skipBits(2L * (8 - maxSubLayersMinus1));
        }

        for (int i = 0; i < maxSubLayersMinus1; i++)
        {
            // sub_layer profile: 2 + 1 + 5 + 32 + 48 bits; sub_layer_level_idc: 8 bits.
            reader.skipBits((profilePresent[i] ? 88 : 0) + (levelPresent[i] ? 8 : 0));
        }

        return new ProfileTierLevel(profileSpace, tierFlag, profileIdc, compatibilityFlags, constraintFlags,
            levelIdc);
    }

    /**
     * Reads the 12-byte general part as laid out in the HEVCDecoderConfigurationRecord (bytes 1 to 12, same bit
     * order as the bitstream).
     *
     * @param record the record.
     * @param offset index of the byte holding general_profile_space.
     * @return the general part.
     * @throws BitstreamException if fewer than 12 bytes are left.
     */
    public static ProfileTierLevel readRecordBytes(final byte[] record, final int offset)
    {
        if (offset < 0 || record.length - offset < GENERAL_SIZE)
        {
            throw new BitstreamException("config record truncated");
        }

        return read(new BitReader(record, offset, GENERAL_SIZE), 0);
    }

    /**
     * Writes the 12-byte general part (profile space to level) into an array.
     *
     * @param out    the array.
     * @param offset index of the first byte written.
     */
    public void writeRecordBytes(final byte[] out, final int offset)
    {
        out[offset] = (byte)((profileSpace << 6) | (tierFlag ? 0x20 : 0) | profileIdc);
        for (int i = 0; i < 4; i++)
        {
            out[offset + 1 + i] = (byte)(compatibilityFlags >>> (24 - 8 * i));
        }

        for (int i = 0; i < 6; i++)
        {
            out[offset + 5 + i] = (byte)(constraintFlags >>> (40 - 8 * i));
        }

        out[offset + 11] = (byte)levelIdc;
    }

    /**
     * The RFC 6381 / ISO/IEC 14496-15 Annex E codecs parameter.
     *
     * <p>Format: {@code <entry>.<space><profile>.<compat>.<tier><level>[.<byte>...]}: space is empty for 0 or
     * A, B, C; profile and level are decimal; compat is the 32 compatibility flags in reverse bit order, hex
     * without leading zeros; tier is L (Main) or H (High); the constraint bytes follow in hex, trailing zero bytes
     * dropped, at least one byte kept (so all-zero flags give {@code .0}).
     *
     * @param sampleEntry {@code hvc1} or {@code hev1}.
     * @return e.g. {@code hvc1.1.6.L93.B0}.
     */
    public String codecsString(final String sampleEntry)
    {
        final StringBuilder out = new StringBuilder(32).append(sampleEntry).append('.');
        if (profileSpace > 0)
        {
            out.append((char)('A' + profileSpace - 1));
        }

        out.append(profileIdc).append('.')
            .append(Integer.toHexString(Integer.reverse(compatibilityFlags)).toUpperCase())
            .append('.').append(tierFlag ? 'H' : 'L').append(levelIdc);
        int byteCount = 6;
        while (byteCount > 1 && ((constraintFlags >>> (8 * (6 - byteCount))) & 0xFF) == 0)
        {
            byteCount--;
        }

        for (int i = 0; i < byteCount; i++)
        {
            final int value = (int)((constraintFlags & CONSTRAINT_MASK) >>> (40 - 8 * i)) & 0xFF;
            out.append('.').append(Integer.toHexString(value).toUpperCase());
        }

        return out.toString();
    }
}
