package com.cococam.codec.h264;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
class AvcDecoderConfigurationRecordTest
{
    @TempDir
    Path tempDir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // Main profile: no chroma/bit-depth tail. Reserved bits set: FF = 111111 + lengthSizeMinusOne 3,
        // E1 = 111 + one SPS.
        "foscam main, 674D001F95A814016E40, 68EE3C80, 014D001FFFE1000A674D001F95A814016E4001000468EE3C80",
        // High profile: tail FD (4:2:0), F8 F8 (8-bit), no SPS extensions.
        "dahua high, 6764001EAC2C6A82C0F69B828082A0000003002000000303D08000, 68EE31B21B00, " +
            "0164001EFFE1001A6764001EAC2C6A82C0F69B828082A0000003002000000303D080 01 0005 68EE31B21B FDF8F800",
    })
    void shouldBuildGoldenRecords(final String name, final String sps, final String pps, final String expected)
    {
        final byte[] spsNal = trimZeros(hex(sps));
        final AvcDecoderConfigurationRecord record =
            AvcDecoderConfigurationRecord.of(List.of(spsNal), List.of(trimZeros(hex(pps))));

        assertArrayEquals(hex(expected), record.encode());
        assertEquals(record, AvcDecoderConfigurationRecord.parse(hex(expected)));
    }

    @Test
    void shouldRoundTripRecordsBuiltFromEverySampleStream()
    {
        for (final String name : CodecSamples.names("h264_"))
        {
            final List<byte[]> sps = new ArrayList<>();
            final List<byte[]> pps = new ArrayList<>();
            for (final byte[] nal : CodecSamples.nals(CodecSamples.bytes(name)))
            {
                addDistinct(H264.nalType(nal[0]) == H264.NAL_SPS ? sps : H264.nalType(nal[0]) == H264.NAL_PPS ?
                    pps : null, nal);
            }

            final AvcDecoderConfigurationRecord built = AvcDecoderConfigurationRecord.of(sps, pps);
            final byte[] encoded = built.encode();
            final AvcDecoderConfigurationRecord parsed = AvcDecoderConfigurationRecord.parse(encoded);

            assertEquals(built, parsed, name);
            assertEquals(built.hashCode(), parsed.hashCode(), name);
            NalUnitsTest.assertNalListsEqual(sps, parsed.sps(), name);
            NalUnitsTest.assertNalListsEqual(pps, parsed.pps(), name);
            assertEquals(sps.get(0)[1] & 0xFF, parsed.profileIndication(), name);
            assertEquals(sps.get(0)[2] & 0xFF, parsed.profileCompatibility(), name);
            assertEquals(sps.get(0)[3] & 0xFF, parsed.levelIndication(), name);
            assertArrayEquals(encoded, parsed.encode(), name);
        }
    }

    @Test
    void shouldRoundTripRecordsBuiltFromEverySdpSprop()
    {
        for (final CodecSamples.Sprop sprop : CodecSamples.sprops())
        {
            final AvcDecoderConfigurationRecord built = AvcDecoderConfigurationRecord.fromParameterSets(sprop.nals());

            assertEquals(1, built.sps().size(), sprop.file());
            assertEquals(1, built.pps().size(), sprop.file());
            assertEquals(H264.NAL_SPS, H264.nalType(built.sps().get(0)[0]), sprop.file());
            assertEquals(H264.NAL_PPS, H264.nalType(built.pps().get(0)[0]), sprop.file());
            assertEquals(sprop.profile(), built.profileIndication(), sprop.file());
            assertEquals(sprop.level(), built.levelIndication(), sprop.file());
            assertEquals(built, AvcDecoderConfigurationRecord.parse(built.encode()), sprop.file());
        }
    }

    @Test
    void shouldMatchTheRecordFfmpegWritesWhenRemuxingToMp4()
    {
        for (final String name : List.of("h264_srs_avatar.h264", "h264_openh264_zhling_1280x720.264",
            "h264_openh264_cisco_640x320_cabac_bframes.264", "h264_gst_uvc_camera.h264"))
        {
            final byte[] avcc = CodecSamples.boxBody(CodecSamples.remuxToMp4(name, "h264", tempDir), "avcC");
            assertNotNull(avcc, name);
            final AvcDecoderConfigurationRecord theirs = AvcDecoderConfigurationRecord.parse(avcc);
            final List<byte[]> nals = CodecSamples.nals(CodecSamples.bytes(name));
            final byte[] firstSps = nals.stream().filter(n -> H264.nalType(n[0]) == H264.NAL_SPS).findFirst()
                .orElseThrow();
            final byte[] firstPps = nals.stream().filter(n -> H264.nalType(n[0]) == H264.NAL_PPS).findFirst()
                .orElseThrow();
            final AvcDecoderConfigurationRecord ours = AvcDecoderConfigurationRecord.of(List.of(firstSps),
                List.of(firstPps));

            assertArrayEquals(avcc, theirs.encode(), name + ": re-encoding ffmpeg's record");
            assertEquals(ours.profileIndication(), theirs.profileIndication(), name);
            assertEquals(ours.profileCompatibility(), theirs.profileCompatibility(), name);
            assertEquals(ours.levelIndication(), theirs.levelIndication(), name);
            assertEquals(4, theirs.nalLengthSize(), name);
            assertArrayEquals(firstSps, trimZeros(theirs.sps().get(0)), name);
            // ffmpeg 8.1 keeps a trailing_zero_8bits byte on a NAL unit followed by a 4-byte start code; a NAL unit
            // never ends in 0x00 (H.264 7.4.1), so our splitter drops it.
            assertArrayEquals(firstPps, trimZeros(theirs.pps().get(0)), name);
        }
    }

    @Test
    void shouldReencodeEveryRecordFoundInMp4SamplesByteForByte()
    {
        int found = 0;
        for (final String name : CodecSamples.names(""))
        {
            if (!(name.endsWith(".mp4")))
            {
                continue;
            }

            final byte[] avcc = CodecSamples.boxBody(CodecSamples.bytes(name), "avcC");
            if (avcc == null)
            {
                continue;
            }

            found++;
            final AvcDecoderConfigurationRecord record = AvcDecoderConfigurationRecord.parse(avcc);
            assertArrayEquals(avcc, record.encode(), name);
            assertEquals(record.profileIndication(), Sps.parse(record.sps().get(0)).profileIdc(), name);
        }

        assertTrue(found >= 4, "avcC boxes found: " + found);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "empty, ''",
        "version 0, 004D001FFFE1000A674D001F95A814016E4001000468EE3C80",
        "no sps, 014D001FFFE001000468EE3C80",
        "sps length past end, 014D001FFFE10030674D001F95A814016E4001000468EE3C80",
        "empty sps, 014D001FFFE10000",
        "pps count missing, 014D001FFFE1000A674D001F95A814016E40",
        "pps length past end, 014D001FFFE1000A674D001F95A814016E4001000968EE3C80",
        "truncated high tail, 0164001EFFE10004676400 1E010004 68EE31B2 FDF8F801 0005",
    })
    void shouldRejectMalformedRecords(final String name, final String record)
    {
        final BitstreamException ex = assertThrows(BitstreamException.class,
            () -> AvcDecoderConfigurationRecord.parse(hex(record)));
        assertTrue(Character.isLowerCase(ex.getMessage().charAt(0)), ex.getMessage());
    }

    @Test
    void shouldFailCleanlyOnEveryTruncationAndRandomCorruption()
    {
        final Random random = new Random(0xA7CCL);
        for (final byte[] record : sampleRecords())
        {
            final AvcDecoderConfigurationRecord full = AvcDecoderConfigurationRecord.parse(record);
            for (int length = 0; length < record.length; length++)
            {
                try
                {
                    final AvcDecoderConfigurationRecord cut =
                        AvcDecoderConfigurationRecord.parse(Arrays.copyOf(record, length));
                    // Only a cut inside the optional high-profile tail can still parse.
                    NalUnitsTest.assertNalListsEqual(full.sps(), cut.sps(), "truncated sps");
                    NalUnitsTest.assertNalListsEqual(full.pps(), cut.pps(), "truncated pps");
                }
                catch (final BitstreamException expected)
                {
                    assertTrue(expected.getMessage().length() > 0);
                }
            }

            for (int i = 0; i < 300; i++)
            {
                final byte[] corrupt = record.clone();
                corrupt[random.nextInt(corrupt.length)] ^= (byte)(1 << random.nextInt(8));
                try
                {
                    AvcDecoderConfigurationRecord.parse(corrupt);
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

    static List<byte[]> sampleRecords()
    {
        final List<byte[]> records = new ArrayList<>();
        for (final CodecSamples.Sprop sprop : CodecSamples.sprops())
        {
            records.add(AvcDecoderConfigurationRecord.fromParameterSets(sprop.nals()).encode());
        }

        for (final String name : CodecSamples.names(""))
        {
            final byte[] avcc = name.endsWith(".mp4") ? CodecSamples.boxBody(CodecSamples.bytes(name), "avcC") : null;
            if (avcc != null)
            {
                records.add(avcc);
            }
        }

        return records;
    }

    private static void addDistinct(final List<byte[]> list, final byte[] nal)
    {
        if (list != null && list.stream().noneMatch(n -> Arrays.equals(n, nal)))
        {
            list.add(nal);
        }
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
