package com.cococam.codec.h264;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The AVCDecoderConfigurationRecord of ISO/IEC 14496-15 5.3.3.1 (the {@code avcC} box body, RTMP sequence header).
 *
 * <pre>
 *   u8  configurationVersion = 1
 *   u8  AVCProfileIndication, u8 profile_compatibility, u8 AVCLevelIndication
 *   u8  111111 lengthSizeMinusOne(2)
 *   u8  111 numOfSequenceParameterSets(5)    then per SPS: u16 length, NAL unit
 *   u8  numOfPictureParameterSets            then per PPS: u16 length, NAL unit
 *   High profiles (100, 110, 122, 144), optional in practice:
 *   u8  111111 chroma_format(2)
 *   u8  11111 bit_depth_luma_minus8(3)
 *   u8  11111 bit_depth_chroma_minus8(3)
 *   u8  numOfSequenceParameterSetExt         then per SPS extension: u16 length, NAL unit
 * </pre>
 *
 * <p>Parsing is lenient where encoders differ (reserved bits, the high-profile tail missing, trailing bytes)
 * and strict where a reader would go wrong (version, lengths, counts).
 *
 * <p>Thread safety: immutable as long as nobody writes into the NAL arrays the lists hold (callers must not).
 * Equality compares NAL bytes.
 *
 * @param profileIndication    AVCProfileIndication (profile_idc of the SPS).
 * @param profileCompatibility profile_compatibility (the SPS constraint flags byte).
 * @param levelIndication      AVCLevelIndication (level_idc).
 * @param nalLengthSize        bytes of each NAL length prefix in samples, 1 to 4.
 * @param sps                  SPS NAL units, header included, at least one.
 * @param pps                  PPS NAL units, header included.
 * @param chromaFormat         chroma_format_idc from the high-profile tail, -1 when absent.
 * @param bitDepthLuma         luma bit depth from the high-profile tail, -1 when absent.
 * @param bitDepthChroma       chroma bit depth from the high-profile tail, -1 when absent.
 * @param spsExt               SPS extension NAL units from the high-profile tail (empty when absent).
 */
public record AvcDecoderConfigurationRecord(
    int profileIndication,
    int profileCompatibility,
    int levelIndication,
    int nalLengthSize,
    List<byte[]> sps,
    List<byte[]> pps,
    int chromaFormat,
    int bitDepthLuma,
    int bitDepthChroma,
    List<byte[]> spsExt)
{
    /**
     * Most SPS NAL units a record can carry (5-bit count).
     */
    public static final int MAX_SPS = 31;

    /**
     * Most PPS NAL units a record can carry (8-bit count).
     */
    public static final int MAX_PPS = 255;

    /**
     * Makes the lists unmodifiable and checks their sizes.
     */
    public AvcDecoderConfigurationRecord
    {
        sps = List.copyOf(sps);
        pps = List.copyOf(pps);
        spsExt = List.copyOf(spsExt);
        if (sps.size() > MAX_SPS || pps.size() > MAX_PPS || spsExt.size() > MAX_PPS)
        {
            throw new IllegalArgumentException("avcc: too many parameter sets");
        }

        if (nalLengthSize < 1 || nalLengthSize > 4)
        {
            throw new IllegalArgumentException("avcc: nalLengthSize=" + nalLengthSize);
        }
    }

    /**
     * Parses a record.
     *
     * @param record the bytes; not kept (NAL units are copied).
     * @return the record.
     * @throws BitstreamException if the version is not 1, a length runs past the end, a NAL unit is empty or no
     *                            SPS is present.
     */
    public static AvcDecoderConfigurationRecord parse(final byte[] record)
    {
        Objects.requireNonNull(record, "record");
        final Cursor cursor = new Cursor(record);
        final int version = cursor.u8();
        if (version != 1)
        {
            throw new BitstreamException("avcc: configurationVersion=" + version);
        }

        final int profile = cursor.u8();
        final int compatibility = cursor.u8();
        final int level = cursor.u8();
        final int nalLengthSize = (cursor.u8() & 3) + 1;
        final List<byte[]> sps = cursor.nalList(cursor.u8() & 0x1F);
        final List<byte[]> pps = cursor.nalList(cursor.u8());
        if (sps.isEmpty())
        {
            throw new BitstreamException("avcc: no sps");
        }

        int chromaFormat = -1;
        int bitDepthLuma = -1;
        int bitDepthChroma = -1;
        List<byte[]> spsExt = List.of();
        if (hasHighProfileTail(profile) && cursor.remaining() >= 4)
        {
            chromaFormat = cursor.u8() & 3;
            bitDepthLuma = (cursor.u8() & 7) + 8;
            bitDepthChroma = (cursor.u8() & 7) + 8;
            spsExt = cursor.nalList(cursor.u8());
        }

        return new AvcDecoderConfigurationRecord(profile, compatibility, level, nalLengthSize, sps, pps,
            chromaFormat, bitDepthLuma, bitDepthChroma, spsExt);
    }

    /**
     * Builds a record with 4-byte NAL lengths from parameter sets; profile, level, chroma format and bit depths
     * come from the first SPS (the high-profile tail is written for high profiles).
     *
     * @param sps SPS NAL units (header included, escaped as on the wire), 1 to 31; arrays are kept, not copied.
     * @param pps PPS NAL units, 0 to 255.
     * @return the record.
     * @throws BitstreamException if the first SPS does not parse, or a NAL unit is empty or over 65535 bytes.
     */
    public static AvcDecoderConfigurationRecord of(final List<byte[]> sps, final List<byte[]> pps)
    {
        if (sps.isEmpty())
        {
            throw new BitstreamException("avcc: no sps");
        }

        checkNalSizes(sps);
        checkNalSizes(pps);
        final Sps first = Sps.parse(sps.get(0));
        final boolean tail = hasHighProfileTail(first.profileIdc());
        return new AvcDecoderConfigurationRecord(first.profileIdc(), first.constraintFlags(), first.levelIdc(),
            4, sps, pps, tail ? first.chromaFormatIdc() : -1, tail ? first.bitDepthLuma() : -1,
            tail ? first.bitDepthChroma() : -1, List.of());
    }

    /**
     * Builds a record from parameter set NAL units as they come from an RTSP {@code sprop-parameter-sets}
     * (base64-decoded) or from in-band NAL units. Each array is one NAL unit, or several in Annex-B form: start
     * codes and trailing zero bytes are tolerated (some cameras append a start code). SPS (7), PPS (8) and SPS
     * extension (13) units are kept in order, duplicates dropped; other types are ignored.
     *
     * @param nals parameter sets in any order.
     * @return the record with 4-byte NAL lengths.
     * @throws BitstreamException if no SPS is present or the first one does not parse.
     */
    public static AvcDecoderConfigurationRecord fromParameterSets(final Iterable<byte[]> nals)
    {
        final List<byte[]> sps = new ArrayList<>();
        final List<byte[]> pps = new ArrayList<>();
        for (final byte[] chunk : nals)
        {
            for (final byte[] nal : splitNals(chunk))
            {
                final int type = H264.nalType(nal[0]);
                if (type == H264.NAL_SPS)
                {
                    addUnique(sps, nal);
                }
                else if (type == H264.NAL_PPS)
                {
                    addUnique(pps, nal);
                }
            }
        }

        return of(sps, pps);
    }

    /**
     * Splits an array that holds one bare NAL unit or Annex-B NAL units.
     *
     * @param chunk the bytes; not kept.
     * @return the NAL units, each a new array, empty ones dropped.
     */
    public static List<byte[]> splitNals(final byte[] chunk)
    {
        final List<byte[]> out = new ArrayList<>();
        final ByteBuf buf = Unpooled.wrappedBuffer(chunk);
        if (NalUnits.findStartCode(buf, 0, chunk.length) < 0)
        {
            int end = chunk.length;
            while (end > 0 && chunk[end - 1] == 0)
            {
                end--;
            }

            if (end > 0)
            {
                out.add(Arrays.copyOf(chunk, end));
            }

            return out;
        }

        // Bytes before the first start code are a NAL unit too when the array begins with a bare NAL unit.
        final int first = NalUnits.findStartCode(buf, 0, chunk.length);
        int lead = first;
        while (lead > 0 && chunk[lead - 1] == 0)
        {
            lead--;
        }

        if (lead > 0)
        {
            out.add(Arrays.copyOf(chunk, lead));
        }

        NalUnits.forEachAnnexB(buf, (b, offset, length) -> out.add(NalUnits.copy(b, offset, length)));
        return out;
    }

    /**
     * @param profileIdc a profile indication.
     * @return whether records of that profile may carry the chroma/bit-depth tail.
     */
    public static boolean hasHighProfileTail(final int profileIdc)
    {
        return profileIdc == 100 || profileIdc == 110 || profileIdc == 122 || profileIdc == 144;
    }

    /**
     * Serialises the record.
     *
     * @return a new array.
     */
    public byte[] encode()
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        out.write(1);
        out.write(profileIndication);
        out.write(profileCompatibility);
        out.write(levelIndication);
        out.write(0xFC | (nalLengthSize - 1));
        out.write(0xE0 | sps.size());
        writeNals(out, sps);
        out.write(pps.size());
        writeNals(out, pps);
        if (chromaFormat >= 0)
        {
            out.write(0xFC | chromaFormat);
            out.write(0xF8 | (bitDepthLuma - 8));
            out.write(0xF8 | (bitDepthChroma - 8));
            out.write(spsExt.size());
            writeNals(out, spsExt);
        }

        return out.toByteArray();
    }

    /**
     * @return the RFC 6381 codecs parameter, {@code avc1.PPCCLL} in hex.
     */
    public String codecsString()
    {
        return String.format("avc1.%02x%02x%02x", profileIndication, profileCompatibility, levelIndication);
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o || o instanceof AvcDecoderConfigurationRecord other &&
            profileIndication == other.profileIndication && profileCompatibility == other.profileCompatibility &&
            levelIndication == other.levelIndication && nalLengthSize == other.nalLengthSize &&
            chromaFormat == other.chromaFormat && bitDepthLuma == other.bitDepthLuma &&
            bitDepthChroma == other.bitDepthChroma && sameNals(sps, other.sps) && sameNals(pps, other.pps) &&
            sameNals(spsExt, other.spsExt);
    }

    @Override
    public int hashCode()
    {
        int hash = Objects.hash(profileIndication, profileCompatibility, levelIndication, nalLengthSize,
            chromaFormat, bitDepthLuma, bitDepthChroma);
        for (final List<byte[]> list : List.of(sps, pps, spsExt))
        {
            for (final byte[] nal : list)
            {
                hash = hash * 31 + Arrays.hashCode(nal);
            }
        }

        return hash;
    }

    @Override
    public String toString()
    {
        return "AvcDecoderConfigurationRecord{" + codecsString() + ", sps=" + sps.size() + ", pps=" + pps.size() +
            "}";
    }

    static boolean sameNals(final List<byte[]> a, final List<byte[]> b)
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

    private static void checkNalSizes(final List<byte[]> nals)
    {
        for (final byte[] nal : nals)
        {
            if (nal.length == 0 || nal.length > 0xFFFF)
            {
                throw new BitstreamException("avcc: nal length=" + nal.length);
            }
        }
    }

    private static void writeNals(final ByteArrayOutputStream out, final List<byte[]> nals)
    {
        for (final byte[] nal : nals)
        {
            out.write(nal.length >> 8);
            out.write(nal.length);
            out.writeBytes(nal);
        }
    }

    /**
     * Bounds-checked reader over a configuration record; every read past the end throws
     * {@link BitstreamException}. Shared with the HEVC record parser.
     */
    public static final class Cursor
    {
        private final byte[] data;
        private int position;

        /**
         * @param data the record bytes; not copied.
         */
        public Cursor(final byte[] data)
        {
            this.data = data;
        }

        /**
         * @return bytes not read yet.
         */
        public int remaining()
        {
            return data.length - position;
        }

        /**
         * @return the next unsigned byte.
         * @throws BitstreamException at the end.
         */
        public int u8()
        {
            require(1);
            return data[position++] & 0xFF;
        }

        /**
         * @return the next big-endian unsigned 16-bit value.
         * @throws BitstreamException past the end.
         */
        public int u16()
        {
            return (u8() << 8) | u8();
        }

        /**
         * @param count bytes to copy.
         * @return the next bytes, copied.
         * @throws BitstreamException past the end.
         */
        public byte[] bytes(final int count)
        {
            require(count);
            final byte[] out = Arrays.copyOfRange(data, position, position + count);
            position += count;
            return out;
        }

        /**
         * Reads {@code count} NAL units, each a u16 length and that many bytes.
         *
         * @param count number of NAL units.
         * @return copies of the NAL units.
         * @throws BitstreamException past the end or for an empty NAL unit.
         */
        public List<byte[]> nalList(final int count)
        {
            final List<byte[]> nals = new ArrayList<>(Math.min(count, 64));
            for (int i = 0; i < count; i++)
            {
                final int length = u16();
                if (length == 0)
                {
                    throw new BitstreamException("config record: empty nal unit");
                }

                nals.add(bytes(length));
            }

            return nals;
        }

        private void require(final int count)
        {
            if (count > data.length - position)
            {
                throw new BitstreamException("config record truncated");
            }
        }
    }
}
