package com.cococam.codec.h265;

import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h264.AvcDecoderConfigurationRecord.Cursor;
import com.cococam.codec.h264.BitstreamException;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The HEVCDecoderConfigurationRecord of ISO/IEC 14496-15 8.3.3.1 (the {@code hvcC} box body, Enhanced RTMP
 * sequence start).
 *
 * <pre>
 *   u8   configurationVersion = 1
 *   u8   general_profile_space(2) general_tier_flag(1) general_profile_idc(5)
 *   u32  general_profile_compatibility_flags
 *   u48  general_constraint_indicator_flags
 *   u8   general_level_idc
 *   u16  1111 min_spatial_segmentation_idc(12)
 *   u8   111111 parallelismType(2)
 *   u8   111111 chromaFormat(2)
 *   u8   11111 bitDepthLumaMinus8(3)
 *   u8   11111 bitDepthChromaMinus8(3)
 *   u16  avgFrameRate
 *   u8   constantFrameRate(2) numTemporalLayers(3) temporalIdNested(1) lengthSizeMinusOne(2)
 *   u8   numOfArrays, then per array:
 *        u8 array_completeness(1) reserved(1) NAL_unit_type(6), u16 numNalus, per NAL: u16 length, NAL unit
 * </pre>
 *
 * <p>Thread safety: immutable as long as nobody writes into the NAL arrays (callers must not). Equality compares
 * NAL bytes.
 *
 * @param profileTierLevel            general profile, tier, level, compatibility and constraint flags.
 * @param minSpatialSegmentationIdc   min_spatial_segmentation_idc, 0 to 4095.
 * @param parallelismType             parallelismType, 0 to 3.
 * @param chromaFormat                chroma_format_idc, 0 to 3.
 * @param bitDepthLuma                luma bit depth, 8 to 15.
 * @param bitDepthChroma              chroma bit depth, 8 to 15.
 * @param avgFrameRate                frames per 256 seconds, 0 if unknown.
 * @param constantFrameRate           constantFrameRate, 0 to 3.
 * @param numTemporalLayers           numTemporalLayers, 0 to 7.
 * @param temporalIdNested            temporalIdNested.
 * @param nalLengthSize               bytes of each NAL length prefix in samples: 1, 2 or 4.
 * @param arrays                      the NAL unit arrays in record order.
 */
public record HevcDecoderConfigurationRecord(
    ProfileTierLevel profileTierLevel,
    int minSpatialSegmentationIdc,
    int parallelismType,
    int chromaFormat,
    int bitDepthLuma,
    int bitDepthChroma,
    int avgFrameRate,
    int constantFrameRate,
    int numTemporalLayers,
    boolean temporalIdNested,
    int nalLengthSize,
    List<NalArray> arrays)
{
    /**
     * Size of the fixed part before the first array.
     */
    public static final int HEADER_SIZE = 23;

    /**
     * Makes the array list unmodifiable and checks the length size.
     */
    public HevcDecoderConfigurationRecord
    {
        Objects.requireNonNull(profileTierLevel, "profileTierLevel");
        arrays = List.copyOf(arrays);
        if (nalLengthSize < 1 || nalLengthSize > 4 || nalLengthSize == 3)
        {
            throw new IllegalArgumentException("hvcc: nalLengthSize=" + nalLengthSize);
        }

        if (arrays.size() > 255)
        {
            throw new IllegalArgumentException("hvcc: too many arrays");
        }
    }

    /**
     * One array of NAL units of a single type.
     *
     * @param complete whether all NAL units of this type are in the array (array_completeness).
     * @param nalType  the NAL unit type (32 VPS, 33 SPS, 34 PPS, 39/40 SEI).
     * @param nals     the NAL units, 2-byte header included.
     */
    public record NalArray(boolean complete, int nalType, List<byte[]> nals)
    {
        /**
         * Makes the list unmodifiable.
         */
        public NalArray
        {
            nals = List.copyOf(nals);
            if (nals.size() > 0xFFFF)
            {
                throw new IllegalArgumentException("hvcc: too many nal units");
            }
        }

        @Override
        public boolean equals(final Object o)
        {
            return this == o || o instanceof NalArray other && complete == other.complete &&
                nalType == other.nalType && sameNals(nals, other.nals);
        }

        @Override
        public int hashCode()
        {
            int hash = Boolean.hashCode(complete) * 31 + nalType;
            for (final byte[] nal : nals)
            {
                hash = hash * 31 + Arrays.hashCode(nal);
            }

            return hash;
        }
    }

    /**
     * Parses a record.
     *
     * @param record the bytes; not kept (NAL units are copied).
     * @return the record.
     * @throws BitstreamException if the version is not 1, the length size is 3, a length runs past the end, a
     *                            NAL unit is empty, or no SPS is present.
     */
    public static HevcDecoderConfigurationRecord parse(final byte[] record)
    {
        Objects.requireNonNull(record, "record");
        if (record.length < HEADER_SIZE)
        {
            throw new BitstreamException("config record truncated");
        }

        if (record[0] != 1)
        {
            throw new BitstreamException("hvcc: configurationVersion=" + (record[0] & 0xFF));
        }

        final ProfileTierLevel ptl = ProfileTierLevel.readRecordBytes(record, 1);
        final Cursor cursor = new Cursor(record);
        cursor.bytes(1 + ProfileTierLevel.GENERAL_SIZE);
        final int minSpatialSegmentation = cursor.u16() & 0x0FFF;
        final int parallelismType = cursor.u8() & 3;
        final int chromaFormat = cursor.u8() & 3;
        final int bitDepthLuma = (cursor.u8() & 7) + 8;
        final int bitDepthChroma = (cursor.u8() & 7) + 8;
        final int avgFrameRate = cursor.u16();
        final int packed = cursor.u8();
        final int nalLengthSize = (packed & 3) + 1;
        if (nalLengthSize == 3)
        {
            throw new BitstreamException("hvcc: lengthSizeMinusOne=2");
        }

        final int arrayCount = cursor.u8();
        final List<NalArray> arrays = new ArrayList<>(arrayCount);
        for (int i = 0; i < arrayCount; i++)
        {
            final int head = cursor.u8();
            arrays.add(new NalArray((head & 0x80) != 0, head & 0x3F, cursor.nalList(cursor.u16())));
        }

        final HevcDecoderConfigurationRecord parsed = new HevcDecoderConfigurationRecord(ptl, minSpatialSegmentation,
            parallelismType, chromaFormat, bitDepthLuma, bitDepthChroma, avgFrameRate, packed >> 6,
            (packed >> 3) & 7, (packed & 4) != 0, nalLengthSize, arrays);
        if (parsed.sps().isEmpty())
        {
            throw new BitstreamException("hvcc: no sps");
        }

        return parsed;
    }

    /**
     * Builds a record with 4-byte NAL lengths from parameter sets. Profile, tier, level, chroma format, bit
     * depths, temporal layers and nesting come from the first SPS; min_spatial_segmentation_idc, parallelismType,
     * avgFrameRate and constantFrameRate are written as 0 (unknown). Arrays are written VPS, SPS, PPS, each
     * marked complete, empty ones left out.
     *
     * @param vps VPS NAL units (2-byte header included, escaped as on the wire); arrays kept, not copied.
     * @param sps SPS NAL units, at least one.
     * @param pps PPS NAL units.
     * @return the record.
     * @throws BitstreamException if the first SPS does not parse or a NAL unit is empty or over 65535 bytes.
     */
    public static HevcDecoderConfigurationRecord of(final List<byte[]> vps, final List<byte[]> sps,
        final List<byte[]> pps)
    {
        if (sps.isEmpty())
        {
            throw new BitstreamException("hvcc: no sps");
        }

        final Sps first = Sps.parse(sps.get(0));
        final List<NalArray> arrays = new ArrayList<>(3);
        addArray(arrays, H265.NAL_VPS, vps);
        addArray(arrays, H265.NAL_SPS, sps);
        addArray(arrays, H265.NAL_PPS, pps);
        if (first.bitDepthLuma() > 15 || first.bitDepthChroma() > 15)
        {
            throw new BitstreamException("hvcc: bit depth above 15");
        }

        return new HevcDecoderConfigurationRecord(first.profileTierLevel(), 0, 0, first.chromaFormatIdc(),
            first.bitDepthLuma(), first.bitDepthChroma(), 0, 0, first.maxSubLayers(), first.temporalIdNesting(),
            4, arrays);
    }

    /**
     * Builds a record from parameter sets as they come from RTSP {@code sprop-vps/sps/pps} (base64-decoded) or
     * from in-band NAL units. Each array is one NAL unit or several in Annex-B form (start codes and trailing
     * zeros tolerated). VPS, SPS and PPS units are kept in order, duplicates dropped; others are ignored.
     *
     * @param nals parameter sets in any order.
     * @return the record with 4-byte NAL lengths.
     * @throws BitstreamException if no SPS is present or the first one does not parse.
     */
    public static HevcDecoderConfigurationRecord fromParameterSets(final Iterable<byte[]> nals)
    {
        final List<byte[]> vps = new ArrayList<>();
        final List<byte[]> sps = new ArrayList<>();
        final List<byte[]> pps = new ArrayList<>();
        for (final byte[] chunk : nals)
        {
            for (final byte[] nal : AvcDecoderConfigurationRecord.splitNals(chunk))
            {
                if (nal.length < H265.NAL_HEADER_SIZE)
                {
                    continue;
                }

                switch (H265.nalType(nal[0]))
                {
                    case H265.NAL_VPS -> addUnique(vps, nal);
                    case H265.NAL_SPS -> addUnique(sps, nal);
                    case H265.NAL_PPS -> addUnique(pps, nal);
                    default ->
                    {
                    }
                }
            }
        }

        return of(vps, sps, pps);
    }

    /**
     * @param nalType a NAL unit type.
     * @return the NAL units of all arrays of that type, in order (a new list).
     */
    public List<byte[]> nalsOfType(final int nalType)
    {
        final List<byte[]> out = new ArrayList<>();
        for (final NalArray array : arrays)
        {
            if (array.nalType() == nalType)
            {
                out.addAll(array.nals());
            }
        }

        return out;
    }

    /**
     * @return the VPS NAL units.
     */
    public List<byte[]> vps()
    {
        return nalsOfType(H265.NAL_VPS);
    }

    /**
     * @return the SPS NAL units.
     */
    public List<byte[]> sps()
    {
        return nalsOfType(H265.NAL_SPS);
    }

    /**
     * @return the PPS NAL units.
     */
    public List<byte[]> pps()
    {
        return nalsOfType(H265.NAL_PPS);
    }

    /**
     * @return the codecs parameter for an {@code hvc1} sample entry, e.g. {@code hvc1.1.6.L93.B0}.
     */
    public String codecsString()
    {
        return profileTierLevel.codecsString("hvc1");
    }

    /**
     * Serialises the record.
     *
     * @return a new array.
     */
    public byte[] encode()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        final byte[] head = new byte[HEADER_SIZE];
        head[0] = 1;
        profileTierLevel.writeRecordBytes(head, 1);
        head[13] = (byte)(0xF0 | (minSpatialSegmentationIdc >> 8));
        head[14] = (byte)minSpatialSegmentationIdc;
        head[15] = (byte)(0xFC | parallelismType);
        head[16] = (byte)(0xFC | chromaFormat);
        head[17] = (byte)(0xF8 | (bitDepthLuma - 8));
        head[18] = (byte)(0xF8 | (bitDepthChroma - 8));
        head[19] = (byte)(avgFrameRate >> 8);
        head[20] = (byte)avgFrameRate;
        head[21] = (byte)((constantFrameRate << 6) | (numTemporalLayers << 3) | (temporalIdNested ? 4 : 0) |
            (nalLengthSize - 1));
        head[22] = (byte)arrays.size();
        out.writeBytes(head);
        for (final NalArray array : arrays)
        {
            out.write((array.complete() ? 0x80 : 0) | array.nalType());
            out.write(array.nals().size() >> 8);
            out.write(array.nals().size());
            for (final byte[] nal : array.nals())
            {
                out.write(nal.length >> 8);
                out.write(nal.length);
                out.writeBytes(nal);
            }
        }

        return out.toByteArray();
    }

    @Override
    public String toString()
    {
        return "HevcDecoderConfigurationRecord{" + codecsString() + ", arrays=" + arrays.size() + "}";
    }

    private static boolean sameNals(final List<byte[]> a, final List<byte[]> b)
    {
        if (a.size() != b.size())
        {
            return false;
        }

        for (int i = 0; i < a.size(); i++)
        {
            if (!Arrays.equals(a.get(i), b.get(i)))
            {
                return false;
            }
        }

        return true;
    }

    private static void addArray(final List<NalArray> arrays, final int nalType, final List<byte[]> nals)
    {
        for (final byte[] nal : nals)
        {
            if (nal.length == 0 || nal.length > 0xFFFF)
            {
                throw new BitstreamException("hvcc: nal length=" + nal.length);
            }
        }

        if (!nals.isEmpty())
        {
            arrays.add(new NalArray(true, nalType, nals));
        }
    }

    private static void addUnique(final List<byte[]> list, final byte[] nal)
    {
        for (final byte[] existing : list)
        {
            if (Arrays.equals(existing, nal))
            {
                return;
            }
        }

        list.add(nal);
    }
}
