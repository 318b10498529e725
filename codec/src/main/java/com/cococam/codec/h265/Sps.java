package com.cococam.codec.h265;

import com.cococam.codec.h264.BitReader;
import com.cococam.codec.h264.BitstreamException;
import com.cococam.codec.h264.NalUnits;

/**
 * The leading fields of an H.265 sequence parameter set (ITU-T H.265 7.3.2.2.1): profile/tier/level, chroma
 * format, picture size after the conformance window, bit depths. Parsing stops after
 * log2_max_pic_order_cnt_lsb_minus4.
 *
 * <p>Limits: pictures up to {@link #MAX_SIZE} luma samples wide and tall; sub-layers as in the specification
 * (at most 7); anything else is rejected.
 *
 * <p>Thread safety: immutable.
 *
 * @param vpsId                 sps_video_parameter_set_id.
 * @param maxSubLayers          sps_max_sub_layers_minus1 + 1, 1 to 7.
 * @param temporalIdNesting     sps_temporal_id_nesting_flag.
 * @param profileTierLevel      the general profile, tier and level.
 * @param spsId                 sps_seq_parameter_set_id, 0 to 15.
 * @param chromaFormatIdc       chroma_format_idc (1 = 4:2:0).
 * @param separateColourPlane   separate_colour_plane_flag.
 * @param codedWidth            pic_width_in_luma_samples.
 * @param codedHeight           pic_height_in_luma_samples.
 * @param width                 luma width after the conformance window.
 * @param height                luma height after the conformance window.
 * @param bitDepthLuma          luma bit depth, 8 to 16.
 * @param bitDepthChroma        chroma bit depth, 8 to 16.
 * @param log2MaxPicOrderCntLsb log2 of MaxPicOrderCntLsb, 4 to 16.
 */
public record Sps(
    int vpsId,
    int maxSubLayers,
    boolean temporalIdNesting,
    ProfileTierLevel profileTierLevel,
    int spsId,
    int chromaFormatIdc,
    boolean separateColourPlane,
    int codedWidth,
    int codedHeight,
    int width,
    int height,
    int bitDepthLuma,
    int bitDepthChroma,
    int log2MaxPicOrderCntLsb)
{
    /**
     * Largest accepted pic_width_in_luma_samples or pic_height_in_luma_samples.
     */
    public static final int MAX_SIZE = 16384;

    /**
     * Parses an SPS NAL unit, 2-byte header included, emulation prevention bytes still present.
     *
     * @param nal the NAL unit; not modified, not kept.
     * @return the decoded fields.
     * @throws BitstreamException if it is not an SPS, is truncated or holds out-of-range values.
     */
    public static Sps parse(final byte[] nal)
    {
        return parse(nal, 0, nal.length);
    }

    /**
     * Parses an SPS NAL unit, 2-byte header included, emulation prevention bytes still present.
     *
     * @param nal    array holding the NAL unit; not modified, not kept.
     * @param offset index of the first header byte.
     * @param length NAL unit length.
     * @return the decoded fields.
     * @throws BitstreamException if it is not an SPS, is truncated or holds out-of-range values.
     */
    public static Sps parse(final byte[] nal, final int offset, final int length)
    {
        if (length < H265.NAL_HEADER_SIZE + 1)
        {
            throw new BitstreamException("hevc sps: too short");
        }

        if (H265.nalType(nal[offset]) != H265.NAL_SPS)
        {
            throw new BitstreamException("hevc sps: nal type=" + H265.nalType(nal[offset]));
        }

        final byte[] rbsp = NalUnits.unescapeRbsp(nal, offset + H265.NAL_HEADER_SIZE, length - H265.NAL_HEADER_SIZE);
        return parseRbsp(new BitReader(rbsp, 0, rbsp.length));
    }

    private static Sps parseRbsp(final BitReader reader)
    {
        final int vpsId = reader.readBits(4);
        final int maxSubLayersMinus1 = reader.readBits(3);
        if (maxSubLayersMinus1 > ProfileTierLevel.MAX_SUB_LAYERS_MINUS1)
        {
            throw new BitstreamException("hevc sps: sps_max_sub_layers_minus1=" + maxSubLayersMinus1);
        }

        final boolean temporalIdNesting = reader.readFlag();
        final ProfileTierLevel ptl = ProfileTierLevel.read(reader, maxSubLayersMinus1);
        final int spsId = reader.readUe(15, "hevc sps: sps_seq_parameter_set_id");
        final int chromaFormatIdc = reader.readUe(3, "hevc sps: chroma_format_idc");
        final boolean separateColourPlane = chromaFormatIdc == 3 && reader.readFlag();
        final int codedWidth = reader.readUe(MAX_SIZE, "hevc sps: pic_width_in_luma_samples");
        final int codedHeight = reader.readUe(MAX_SIZE, "hevc sps: pic_height_in_luma_samples");
        if (codedWidth == 0 || codedHeight == 0)
        {
            throw new BitstreamException("hevc sps: empty picture");
        }

        int width = codedWidth;
        int height = codedHeight;
        if (reader.readFlag())
        {
            final int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
            final int subWidth = chromaArrayType == 1 || chromaArrayType == 2 ? 2 : 1;
            final int subHeight = chromaArrayType == 1 ? 2 : 1;
            final long left = reader.readUe();
            final long right = reader.readUe();
            final long top = reader.readUe();
            final long bottom = reader.readUe();
            final long croppedWidth = codedWidth - subWidth * (left + right);
            final long croppedHeight = codedHeight - subHeight * (top + bottom);
            if (croppedWidth <= 0 || croppedHeight <= 0)
            {
                throw new BitstreamException("hevc sps: conformance window exceeds picture");
            }

            width = (int)croppedWidth;
            height = (int)croppedHeight;
        }

        final int bitDepthLuma = 8 + reader.readUe(8, "hevc sps: bit_depth_luma_minus8");
        final int bitDepthChroma = 8 + reader.readUe(8, "hevc sps: bit_depth_chroma_minus8");
        final int log2MaxPicOrderCntLsb = 4 + reader.readUe(12, "hevc sps: log2_max_pic_order_cnt_lsb_minus4");
        return new Sps(vpsId, maxSubLayersMinus1 + 1, temporalIdNesting, ptl, spsId, chromaFormatIdc,
            separateColourPlane, codedWidth, codedHeight, width, height, bitDepthLuma, bitDepthChroma,
            log2MaxPicOrderCntLsb);
    }

    /**
     * @return the codecs parameter for an {@code hvc1} sample entry, e.g. {@code hvc1.1.6.L93.B0}.
     */
    public String codecsString()
    {
        return profileTierLevel.codecsString("hvc1");
    }
}
