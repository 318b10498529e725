package com.cococam.codec.h265;

import com.cococam.codec.h264.BitstreamException;
import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(180)
class H265SpsTest
{
    @TempDir
    Path tempDir;

    @ParameterizedTest(name = "{6}")
    @CsvSource({
        "0, false, 1, 0x60000000, 0xB00000000000, 93, hvc1.1.6.L93.B0",
        "0, false, 2, 0x20000000, 0xB00000000000, 120, hvc1.2.4.L120.B0",
        "1, true, 1, 0x60000000, 0x900000000000, 153, hvc1.A1.6.H153.90",
        "3, false, 4, 0x08000000, 0x9D0800000000, 90, hvc1.C4.10.L90.9D.8",
        "0, false, 1, 0x60000000, 0x000000000000, 93, hvc1.1.6.L93.0",
        "0, false, 1, 0xE0000000, 0xB00000000001, 186, hvc1.1.7.L186.B0.0.0.0.0.1",
        "0, false, 1, 0x00000001, 0x900000000000, 63, hvc1.1.80000000.L63.90",
    })
    void shouldFormatCodecsStringTable(final int space, final boolean tier, final int profile, final String compat,
        final String constraints, final int level, final String expected)
    {
        final ProfileTierLevel ptl = new ProfileTierLevel(space, tier, profile, Long.decode(compat).intValue(),
            Long.decode(constraints), level);

        assertEquals(expected, ptl.codecsString("hvc1"));
        final byte[] bytes = new byte[ProfileTierLevel.GENERAL_SIZE];
        ptl.writeRecordBytes(bytes, 0);
        assertEquals(ptl, ProfileTierLevel.readRecordBytes(bytes, 0));
    }

    @Test
    void shouldMatchFfprobeForEveryAnnexBSample()
    {
        final List<String> names = CodecSamples.names("h265_");
        assertEquals(2, names.size());
        for (final String name : names)
        {
            assertMatchesFfprobe(Peers.sample(name), name);
        }
    }

    @Test
    void shouldDecodeTheGoldenSampleSps()
    {
        final Sps sps = firstSps(CodecSamples.bytes("h265_mp4ff_nallister.265"));

        assertEquals(1920, sps.width());
        assertEquals(1080, sps.height());
        assertEquals(1, sps.maxSubLayers());
        assertEquals(1, sps.chromaFormatIdc());
        assertEquals(8, sps.bitDepthLuma());
        assertEquals("hvc1.1.6.L123.90", sps.codecsString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "main 10 cropped, 718x574, yuv420p10le, log-level=error, 1",
        "main 4:2:2 rext with a temporal sub-layer, 718x574, yuv422p, log-level=error:temporal-layers=1, 2",
        "main 4:4:4, 640x360, yuv444p, log-level=error, 1",
        "main odd size, 322x182, yuv420p, log-level=error, 1",
        "main 12, 352x288, yuv420p12le, log-level=error, 1",
    })
    void shouldMatchFfprobeForFreshX265Encodings(final String name, final String size, final String pixFmt,
        final String params, final int subLayers)
    {
        final Path out = tempDir.resolve(name.replace(' ', '_').replace(':', '_') + ".265");
        final Peers.Result result = Peers.run(Duration.ofSeconds(90), Peers.ffmpeg(), "-v", "error", "-y", "-f",
            "lavfi", "-i", "testsrc=size=" + size + ":rate=25", "-frames:v", "9", "-pix_fmt", pixFmt, "-c:v",
            "libx265", "-x265-params", params, out.toString());
        assertEquals(0, result.exitCode(), result.stderr());

        final Sps sps = assertMatchesFfprobe(out, name);
        assertEquals(subLayers, sps.maxSubLayers(), name);
    }

    @Test
    void shouldFailCleanlyOnEveryTruncationAndRandomCorruption()
    {
        final Random random = new Random(0x265L);
        final List<byte[]> nals = new ArrayList<>();
        for (final String name : CodecSamples.names("h265_"))
        {
            for (final byte[] nal : CodecSamples.nals(CodecSamples.bytes(name)))
            {
                if (H265.nalType(nal[0]) == H265.NAL_SPS)
                {
                    nals.add(nal);
                }
            }
        }

        int rejected = 0;
        for (final byte[] nal : nals)
        {
            final Sps full = Sps.parse(nal);
            for (int length = 0; length < nal.length; length++)
            {
                try
                {
                    assertEquals(full, Sps.parse(Arrays.copyOf(nal, length)));
                }
                catch (final BitstreamException expected)
                {
                    rejected++;
                }
            }

            for (int i = 0; i < 300; i++)
            {
                final byte[] corrupt = nal.clone();
                corrupt[2 + random.nextInt(corrupt.length - 2)] ^= (byte)(1 << random.nextInt(8));
                try
                {
                    final Sps sps = Sps.parse(corrupt);
                    assertTrue(sps.width() > 0 && sps.width() <= Sps.MAX_SIZE);
                }
                catch (final BitstreamException expected)
                {
                    rejected++;
                }
                catch (final RuntimeException ex)
                {
                    fail("leaked " + ex);
                }
            }
        }

        assertTrue(rejected > nals.size() * 10, "rejected=" + rejected);
    }

    @Test
    void shouldSkipSubLayerProfilesAndLevelsOfAHandBuiltSps()
    {
        final String rbsp = "0000 010 1"
            + "00 0 00001" + "0110" + "0".repeat(28) + "1001" + "0".repeat(44) + "01011101"
            // sub-layer 0 has profile and level, sub-layer 1 level only; then 6 x reserved_zero_2bits.
            + "11" + "01" + "0".repeat(12)
            + "1".repeat(88) + "11111111" + "10101010"
            // sps id 0, 4:2:0, 1920 x 1080, window bottom offset 4 (8 luma rows), 10-bit, poc lsb 8 bits.
            + "1" + "010" + "0".repeat(10) + "11110000001" + "0".repeat(10) + "10000111001"
            + "1" + "1" + "1" + "1" + "00101" + "011" + "011" + "00101" + "1";
        final byte[] nal = escape(CodecSamples.bits(rbsp));

        final Sps sps = Sps.parse(nal);

        assertEquals(3, sps.maxSubLayers());
        assertEquals(new ProfileTierLevel(0, false, 1, 0x60000000, 0x9000_0000_0000L, 93), sps.profileTierLevel());
        assertEquals(1920, sps.width());
        assertEquals(1072, sps.height());
        assertEquals(1080, sps.codedHeight());
        assertEquals(10, sps.bitDepthLuma());
        assertEquals(10, sps.bitDepthChroma());
        assertEquals(8, sps.log2MaxPicOrderCntLsb());
        assertEquals("hvc1.1.6.L93.90", sps.codecsString());
    }

    private static byte[] escape(final byte[] rbsp)
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0x42);
        out.write(0x01);
        int zeros = 0;
        for (final byte b : rbsp)
        {
            if (zeros >= 2 && (b & 0xFF) <= 3)
            {
                out.write(3);
                zeros = 0;
            }

            out.write(b);
            zeros = b == 0 ? zeros + 1 : 0;
        }

        return out.toByteArray();
    }

    @Test
    void shouldRejectWrongNalTypeAndAbsurdSubLayers()
    {
        // Header 0x42 0x01 = SPS; first byte 0x0E: vps id 0, sps_max_sub_layers_minus1 = 7, nesting 0.
        final byte[] subLayers = hex("4201 0E 01600000 00000000 0000 5d");
        final byte[] pps = hex("4401 c172b46240");

        assertEquals("hevc sps: sps_max_sub_layers_minus1=7",
            assertThrows(BitstreamException.class, () -> Sps.parse(subLayers)).getMessage());
        assertEquals("hevc sps: nal type=34", assertThrows(BitstreamException.class, () -> Sps.parse(pps))
            .getMessage());
    }

    @Test
    void shouldDetectIrapAccessUnits()
    {
        final String[][] cases = {
            {"00000002 2601", "true"},
            {"00000002 2801", "true"},
            {"00000002 2a01", "true"},
            {"00000002 2001 00000002 4001", "true"},
            {"00000002 0201", "false"},
            {"00000002 4001 00000002 4201 00000002 4401", "false"},
            {"00000002 2601 00000009 02", "false"},
            {"", "false"},
        };
        for (final String[] testCase : cases)
        {
            final ByteBuf au = Unpooled.wrappedBuffer(hex(testCase[0]));

            assertEquals(Boolean.parseBoolean(testCase[1]), H265.isKeyframe(au), testCase[0]);
        }

        assertEquals(H265.NAL_VPS, H265.nalType(0x40));
        assertEquals(H265.NAL_CRA, H265.nalType(0x2A));
        assertEquals(H265.NAL_IDR_N_LP, H265.nalType(0x28));
    }

    static Sps firstSps(final byte[] annexB)
    {
        for (final byte[] nal : CodecSamples.nals(annexB))
        {
            if (H265.nalType(nal[0]) == H265.NAL_SPS)
            {
                return Sps.parse(nal);
            }
        }

        throw new AssertionError("no sps");
    }

    private static Sps assertMatchesFfprobe(final Path file, final String what)
    {
        final byte[] data;
        try
        {
            data = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }

        final List<Sps> all = new ArrayList<>();
        for (final byte[] nal : CodecSamples.nals(data))
        {
            if (H265.nalType(nal[0]) == H265.NAL_SPS)
            {
                all.add(Sps.parse(nal));
            }
        }

        assertFalse(all.isEmpty(), what);
        final Sps sps = all.get(0);
        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-show_entries",
            "stream=width,height,profile,codec_name,pix_fmt", file.toString());
        assertEquals("hevc", probe.get("streams.stream.0.codec_name"), what);
        assertEquals(probe.get("streams.stream.0.width"), Integer.toString(sps.width()), what);
        assertEquals(probe.get("streams.stream.0.height"), Integer.toString(sps.height()), what);
        assertEquals(probe.get("streams.stream.0.profile"), ffmpegProfileName(sps.profileTierLevel().profileIdc()),
            what);
        assertEquals(probe.get("streams.stream.0.pix_fmt"), pixFmt(sps), what);
        return sps;
    }

    private static String ffmpegProfileName(final int profileIdc)
    {
        return switch (profileIdc)
        {
            case 1 -> "Main";
            case 2 -> "Main 10";
            case 3 -> "Main Still Picture";
            case 4 -> "Rext";
            default -> "profile " + profileIdc;
        };
    }

    private static String pixFmt(final Sps sps)
    {
        final String chroma = switch (sps.chromaFormatIdc())
        {
            case 0 -> "gray";
            case 1 -> "yuv420p";
            case 2 -> "yuv422p";
            default -> "yuv444p";
        };
        return sps.bitDepthLuma() == 8 ? chroma : chroma + sps.bitDepthLuma() + "le";
    }
}
