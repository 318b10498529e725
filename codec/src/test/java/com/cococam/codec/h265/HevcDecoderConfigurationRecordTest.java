package com.cococam.codec.h265;

import com.cococam.codec.h264.BitstreamException;
import com.cococam.codec.h264.CodecSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(180)
class HevcDecoderConfigurationRecordTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldBuildTheGoldenHeaderForTheNallisterSample()
    {
        final List<List<byte[]>> sets = parameterSets("h265_mp4ff_nallister.265");
        final byte[] vps = sets.get(0).get(0);
        final byte[] sps = sets.get(1).get(0);
        final byte[] pps = sets.get(2).get(0);

        final byte[] encoded = HevcDecoderConfigurationRecord.of(List.of(vps), List.of(sps), List.of(pps)).encode();

        // version 1; Main profile (space 0, tier 0, idc 1); compat 0x60000000; constraints 90 00..; level 123;
        // reserved|min_spatial_segmentation 0; parallelism 0; 4:2:0; 8-bit; avgFrameRate 0;
        // constantFrameRate 0, one temporal layer, nested, 4-byte lengths (0x0F); three arrays.
        final String header = "01 01 60000000 900000000000 7B F000 FC FD F8 F8 0000 0F 03";
        final String arrays = array(0x20, vps) + array(0x21, sps) + array(0x22, pps);
        assertEquals((header + arrays).replace(" ", "").toLowerCase(), HexFormat.of().formatHex(encoded));
    }

    @Test
    void shouldRoundTripRecordsBuiltFromEverySampleStream()
    {
        for (final String name : CodecSamples.names("h265_"))
        {
            final List<List<byte[]>> sets = parameterSets(name);
            final HevcDecoderConfigurationRecord built =
                HevcDecoderConfigurationRecord.of(sets.get(0), sets.get(1), sets.get(2));
            final HevcDecoderConfigurationRecord parsed = HevcDecoderConfigurationRecord.parse(built.encode());
            final Sps sps = Sps.parse(sets.get(1).get(0));

            assertEquals(built, parsed, name);
            assertEquals(built.hashCode(), parsed.hashCode(), name);
            assertEquals(sps.profileTierLevel(), parsed.profileTierLevel(), name);
            assertEquals(sps.codecsString(), parsed.codecsString(), name);
            assertEquals(sets.get(0).size(), parsed.vps().size(), name);
            assertArrayEquals(sets.get(1).get(0), parsed.sps().get(0), name);
            assertArrayEquals(built.encode(), parsed.encode(), name);
        }
    }

    @Test
    void shouldBuildFromParameterSetsWithStartCodesAndDuplicates()
    {
        final List<List<byte[]>> sets = parameterSets("h265_srs_avatar.h265");
        final byte[] vps = sets.get(0).get(0);
        final byte[] sps = sets.get(1).get(0);
        final byte[] pps = sets.get(2).get(0);
        final byte[] annexB = concat(hex("00000001"), vps, hex("000001"), sps, hex("00000001"));

        final HevcDecoderConfigurationRecord record =
            HevcDecoderConfigurationRecord.fromParameterSets(List.of(pps, annexB, sps, hex("4e01 05")));

        assertEquals(HevcDecoderConfigurationRecord.of(List.of(vps), List.of(sps), List.of(pps)), record);
    }

    @Test
    void shouldMatchTheRecordFfmpegWritesWhenRemuxingToMp4()
    {
        for (final String name : CodecSamples.names("h265_"))
        {
            final byte[] hvcc = CodecSamples.boxBody(CodecSamples.remuxToMp4(name, "hevc", tempDir), "hvcC");
            assertNotNull(hvcc, name);
            final HevcDecoderConfigurationRecord theirs = HevcDecoderConfigurationRecord.parse(hvcc);
            final List<List<byte[]>> sets = parameterSets(name);
            final HevcDecoderConfigurationRecord ours = HevcDecoderConfigurationRecord.of(List.of(sets.get(0).get(0)),
                List.of(sets.get(1).get(0)), List.of(sets.get(2).get(0)));

            assertArrayEquals(hvcc, theirs.encode(), name + ": re-encoding ffmpeg's record");
            assertEquals(ours.profileTierLevel(), theirs.profileTierLevel(), name);
            assertEquals(ours.codecsString(), theirs.codecsString(), name);
            assertEquals(ours.chromaFormat(), theirs.chromaFormat(), name);
            assertEquals(ours.bitDepthLuma(), theirs.bitDepthLuma(), name);
            assertEquals(ours.bitDepthChroma(), theirs.bitDepthChroma(), name);
            assertEquals(ours.numTemporalLayers(), theirs.numTemporalLayers(), name);
            assertEquals(ours.temporalIdNested(), theirs.temporalIdNested(), name);
            assertEquals(4, theirs.nalLengthSize(), name);
            // ffmpeg may keep a trailing zero byte of the byte stream on a parameter set; NAL units never end in 0.
            assertArrayEquals(ours.vps().get(0), trimZeros(theirs.vps().get(0)), name);
            assertArrayEquals(ours.sps().get(0), trimZeros(theirs.sps().get(0)), name);
            assertArrayEquals(ours.pps().get(0), trimZeros(theirs.pps().get(0)), name);
        }
    }

    @Test
    void shouldReencodeEveryRecordFoundInMp4SamplesByteForByte()
    {
        int found = 0;
        for (final String name : CodecSamples.names(""))
        {
            final byte[] hvcc = name.endsWith(".mp4") ? CodecSamples.boxBody(CodecSamples.bytes(name), "hvcC") : null;
            if (hvcc == null)
            {
                continue;
            }

            found++;
            final HevcDecoderConfigurationRecord record = HevcDecoderConfigurationRecord.parse(hvcc);
            assertArrayEquals(hvcc, record.encode(), name);
            assertEquals(record.profileTierLevel(), Sps.parse(record.sps().get(0)).profileTierLevel(), name);
        }

        assertEquals(2, found);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "empty, ''",
        "short header, 0101600000009000000000007BF000FCFDF8F80000",
        "version 0, 0001600000009000000000007BF000FCFDF8F800000F00",
        "length size 3, 0101600000009000000000007BF000FCFDF8F800000E00",
        "no sps, 0101600000009000000000007BF000FCFDF8F800000F01 A00001 0002 4001",
        "array count past end, 0101600000009000000000007BF000FCFDF8F800000F02 A10001 0003 420101",
        "nal length past end, 0101600000009000000000007BF000FCFDF8F800000F01 A10001 0009 420101",
        "empty nal, 0101600000009000000000007BF000FCFDF8F800000F01 A10001 0000",
    })
    void shouldRejectMalformedRecords(final String name, final String record)
    {
        final BitstreamException ex = assertThrows(BitstreamException.class,
            () -> HevcDecoderConfigurationRecord.parse(hex(record)));
        assertTrue(Character.isLowerCase(ex.getMessage().charAt(0)), ex.getMessage());
    }

    @Test
    void shouldFailCleanlyOnEveryTruncationAndRandomCorruption()
    {
        final Random random = new Random(0x4E7CL);
        final List<byte[]> records = new ArrayList<>();
        for (final String name : CodecSamples.names("h265_"))
        {
            final List<List<byte[]>> sets = parameterSets(name);
            records.add(HevcDecoderConfigurationRecord.of(sets.get(0), sets.get(1), sets.get(2)).encode());
        }

        records.add(CodecSamples.boxBody(CodecSamples.bytes("fmp4_mp4ff_hvc1_init.mp4"), "hvcC"));
        for (final byte[] record : records)
        {
            for (int length = 0; length < record.length; length++)
            {
                final byte[] cut = Arrays.copyOf(record, length);
                assertThrows(BitstreamException.class, () -> HevcDecoderConfigurationRecord.parse(cut));
            }

            for (int i = 0; i < 300; i++)
            {
                final byte[] corrupt = record.clone();
                corrupt[random.nextInt(corrupt.length)] ^= (byte)(1 << random.nextInt(8));
                try
                {
                    HevcDecoderConfigurationRecord.parse(corrupt);
                }
                catch (final BitstreamException expected)
                {
                    assertTrue(expected.getMessage().length() > 0);
                }
                catch (final RuntimeException ex)
                {
                    fail("leaked " + ex);
                }
            }
        }
    }

    /**
     * @return distinct VPS, SPS and PPS lists of a sample stream, in order of appearance.
     */
    static List<List<byte[]>> parameterSets(final String name)
    {
        final List<byte[]> vps = new ArrayList<>();
        final List<byte[]> sps = new ArrayList<>();
        final List<byte[]> pps = new ArrayList<>();
        for (final byte[] nal : CodecSamples.nals(CodecSamples.bytes(name)))
        {
            final List<byte[]> target = switch (H265.nalType(nal[0]))
            {
                case H265.NAL_VPS -> vps;
                case H265.NAL_SPS -> sps;
                case H265.NAL_PPS -> pps;
                default -> null;
            };
            if (target != null && target.stream().noneMatch(n -> Arrays.equals(n, nal)))
            {
                target.add(nal);
            }
        }

        return List.of(vps, sps, pps);
    }

    private static String array(final int type, final byte[] nal)
    {
        return String.format("%02x0001%04x", 0x80 | type, nal.length) + HexFormat.of().formatHex(nal);
    }

    private static byte[] concat(final byte[]... parts)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (final byte[] part : parts)
        {
            out.writeBytes(part);
        }

        return out.toByteArray();
    }

    private static byte[] trimZeros(final byte[] nal)
    {
        int end = nal.length;
        while (end > 0 && nal[end - 1] == 0)
        {
            end--;
        }

        return Arrays.copyOf(nal, end);
    }
}
