package com.cococam.codec.h264;

/**
 * The fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) a server needs: profile, level,
 * chroma format, bit depth, picture size after frame cropping, and what slice headers need to be read.
 * The VUI is not decoded.
 *
 * <p>Limits: pictures up to {@link #MAX_SIZE_MBS} macroblocks wide and tall, values bounded as in the
 * specification (seq_parameter_set_id up to 31, log2_max_frame_num_minus4 up to 12, ...). Anything else is
 * rejected.
 *
 * <p>Thread safety: immutable.
 *
 * @param profileIdc            profile_idc (66 Baseline, 77 Main, 100 High, ...).
 * @param constraintFlags       the byte after profile_idc: constraint_set0_flag in bit 7 down to reserved bits.
 * @param levelIdc              level_idc (31 = level 3.1).
 * @param spsId                 seq_parameter_set_id.
 * @param chromaFormatIdc       chroma_format_idc (1 = 4:2:0).
 * @param separateColourPlane   separate_colour_plane_flag.
 * @param bitDepthLuma          luma bit depth, 8 to 14.
 * @param bitDepthChroma        chroma bit depth, 8 to 14.
 * @param log2MaxFrameNum       log2 of MaxFrameNum, 4 to 16.
 * @param picOrderCntType       pic_order_cnt_type, 0 to 2.
 * @param log2MaxPicOrderCntLsb log2 of MaxPicOrderCntLsb (4 to 16) when picOrderCntType is 0, else 0.
 * @param maxNumRefFrames       max_num_ref_frames.
 * @param frameMbsOnly          frame_mbs_only_flag (false: fields or MBAFF possible).
 * @param width                 displayed luma width in pixels, after cropping.
 * @param height                displayed luma height in pixels, after cropping.
 */
public record Sps(
    int profileIdc,
    int constraintFlags,
    int levelIdc,
    int spsId,
    int chromaFormatIdc,
    boolean separateColourPlane,
    int bitDepthLuma,
    int bitDepthChroma,
    int log2MaxFrameNum,
    int picOrderCntType,
    int log2MaxPicOrderCntLsb,
    int maxNumRefFrames,
    boolean frameMbsOnly,
    int width,
    int height)
{
    /**
     * Largest accepted picture width or height in macroblocks (16384 pixels).
     */
    public static final int MAX_SIZE_MBS = 1024;

    /**
     * Parses an SPS NAL unit, header byte included, emulation prevention bytes still present.
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
     * Parses an SPS NAL unit, header byte included, emulation prevention bytes still present.
     *
     * @param nal    array holding the NAL unit; not modified, not kept.
     * @param offset index of the NAL header byte.
     * @param length NAL unit length.
     * @return the decoded fields.
     * @throws BitstreamException if it is not an SPS, is truncated or holds out-of-range values.
     */
    public static Sps parse(final byte[] nal, final int offset, final int length)
    {
        if (length < 4)
        {
            throw new BitstreamException("sps: too short");
        }

        if (H264.nalType(nal[offset]) != H264.NAL_SPS)
        {
            throw new BitstreamException("sps: nal type=" + H264.nalType(nal[offset]));
        }

        final byte[] rbsp = NalUnits.unescapeRbsp(nal, offset + 1, length - 1);
        return parseRbsp(new BitReader(rbsp, 0, rbsp.length));
    }

    private static Sps parseRbsp(final BitReader reader)
    {
        final int profileIdc = reader.readBits(8);
        final int constraintFlags = reader.readBits(8);
        final int levelIdc = reader.readBits(8);
        final int spsId = reader.readUe(31, "sps: seq_parameter_set_id");
        int chromaFormatIdc = 1;
        boolean separateColourPlane = false;
        int bitDepthLuma = 8;
        int bitDepthChroma = 8;
        if (hasChromaInfo(profileIdc))
        {
            chromaFormatIdc = reader.readUe(3, "sps: chroma_format_idc");
            if (chromaFormatIdc == 3)
            {
                separateColourPlane = reader.readFlag();
            }

            bitDepthLuma = 8 + reader.readUe(6, "sps: bit_depth_luma_minus8");
            bitDepthChroma = 8 + reader.readUe(6, "sps: bit_depth_chroma_minus8");
            reader.readFlag();
            if (reader.readFlag())
            {
                skipScalingMatrix(reader, chromaFormatIdc == 3 ? 12 : 8);
            }
        }

        final int log2MaxFrameNum = 4 + reader.readUe(12, "sps: log2_max_frame_num_minus4");
        final int picOrderCntType = reader.readUe(2, "sps: pic_order_cnt_type");
        int log2MaxPicOrderCntLsb = 0;
        if (picOrderCntType == 0)
        {
            log2MaxPicOrderCntLsb = 4 + reader.readUe(12, "sps: log2_max_pic_order_cnt_lsb_minus4");
        }
        else if (picOrderCntType == 1)
        {
            reader.readFlag();
            reader.readSe();
            reader.readSe();
            final int cycle = reader.readUe(255, "sps: num_ref_frames_in_pic_order_cnt_cycle");
            for (int i = 0; i < cycle; i++)
            {
                reader.readSe();
            }
        }

        final int maxNumRefFrames = reader.readUe(MAX_SIZE_MBS, "sps: max_num_ref_frames");
        reader.readFlag();
        final int widthMbs = 1 + reader.readUe(MAX_SIZE_MBS - 1, "sps: pic_width_in_mbs_minus1");
        final int heightMapUnits = 1 + reader.readUe(MAX_SIZE_MBS - 1, "sps: pic_height_in_map_units_minus1");
        final boolean frameMbsOnly = reader.readFlag();
        if (!frameMbsOnly)
        {
            reader.readFlag();
        }

        reader.readFlag();
        final int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        final int frameHeightFactor = frameMbsOnly ? 1 : 2;
        final int cropUnitX = chromaArrayType == 0 || chromaArrayType == 3 ? 1 : 2;
        final int cropUnitY = (chromaArrayType == 1 ? 2 : 1) * frameHeightFactor;
        final int codedWidth = widthMbs * 16;
        final int codedHeight = heightMapUnits * 16 * frameHeightFactor;
        int width = codedWidth;
        int height = codedHeight;
        if (reader.readFlag())
        {
            final long left = reader.readUe();
            final long right = reader.readUe();
            final long top = reader.readUe();
            final long bottom = reader.readUe();
            final long croppedWidth = codedWidth - cropUnitX * (left + right);
            final long croppedHeight = codedHeight - cropUnitY * (top + bottom);
            if (croppedWidth <= 0 || croppedHeight <= 0)
            {
                throw new BitstreamException("sps: frame cropping exceeds picture");
            }

            width = (int)croppedWidth;
            height = (int)croppedHeight;
        }

        // vui_parameters_present_flag must still be readable: a record cut before it is truncated.
        reader.readFlag();
        return new Sps(profileIdc, constraintFlags, levelIdc, spsId, chromaFormatIdc, separateColourPlane,
            bitDepthLuma, bitDepthChroma, log2MaxFrameNum, picOrderCntType, log2MaxPicOrderCntLsb, maxNumRefFrames,
            frameMbsOnly, width, height);
    }

    /**
     * @param profileIdc a profile_idc.
     * @return whether SPSs of that profile carry chroma_format_idc, bit depths and scaling matrices.
     */
    public static boolean hasChromaInfo(final int profileIdc)
    {
        return switch (profileIdc)
        {
            case 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 -> true;
            default -> false;
        };
    }

    /**
     * @return the RFC 6381 codecs parameter, {@code avc1.PPCCLL} in hex.
     */
    public String codecsString()
    {
        return String.format("avc1.%02x%02x%02x", profileIdc, constraintFlags, levelIdc);
    }

    private static void skipScalingMatrix(final BitReader reader, final int listCount)
    {
        for (int i = 0; i < listCount; i++)
        {
            if (reader.readFlag())
            {
                skipScalingList(reader, i < 6 ? 16 : 64);
            }
        }
    }

    private static void skipScalingList(final BitReader reader, final int size)
    {
        int lastScale = 8;
        int nextScale = 8;
        for (int j = 0; j < size; j++)
        {
            if (nextScale != 0)
            {
                final int delta = reader.readSe();
                if (delta < -128 || delta > 127)
                {
                    throw new BitstreamException("sps: delta_scale=" + delta);
                }

                nextScale = (lastScale + delta + 256) % 256;
            }

            lastScale = nextScale == 0 ? lastScale : nextScale;
        }
    }
}
