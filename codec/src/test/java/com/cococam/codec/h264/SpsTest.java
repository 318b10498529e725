package com.cococam.codec.h264;

import com.cococam.codec.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(180)
class SpsTest
{
    @TempDir
    Path tempDir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // base64 SPS from camera SDPs; profile/level/size as ffmpeg trace_headers decoded them (SAMPLES.md).
        "Z00AH5WoFAFuQA==, 77, 0x00, 31, 1280, 720, 1, true",
        "Z0IAKZY1QPAET8s3AQEBQAAAAwBAAAAHoQ==, 66, 0x00, 41, 1920, 1080, 1, true",
        "Z2QAHqwsaoLA9puCgIKgAAADACAAAAMD0IAA, 100, 0x00, 30, 704, 480, 1, true",
        "Z0LAHtkDxWhAAAADAEAAAAwDxYuS, 66, 0xc0, 30, 240, 160, 1, true",
        "Z01AMpWgCoAwfiZuAgICgAAB9AAAdTBC, 77, 0x40, 50, 2688, 1520, 1, true",
    })
    void shouldDecodeGoldenCameraSps(final String base64, final int profile, final String constraints,
        final int level, final int width, final int height, final int chroma, final boolean frameMbsOnly)
    {
        final Sps sps = Sps.parse(Base64.getDecoder().decode(base64));

        assertEquals(profile, sps.profileIdc());
        assertEquals(Integer.decode(constraints), sps.constraintFlags());
        assertEquals(level, sps.levelIdc());
        assertEquals(width, sps.width());
        assertEquals(height, sps.height());
        assertEquals(chroma, sps.chromaFormatIdc());
        assertEquals(frameMbsOnly, sps.frameMbsOnly());
        assertEquals(String.format("avc1.%02x%02x%02x", profile, Integer.decode(constraints), level),
            sps.codecsString());
    }

    @Test
    void shouldMatchFfmpegTraceHeadersForEverySdpSprop()
    {
        final List<CodecSamples.Sprop> sprops = CodecSamples.sprops();
        assertTrue(sprops.size() >= 10, "sprops found: " + sprops.size());
        for (final CodecSamples.Sprop sprop : sprops)
        {
            final List<byte[]> spsNals = new ArrayList<>();
            for (final byte[] chunk : sprop.nals())
            {
                for (final byte[] nal : AvcDecoderConfigurationRecord.splitNals(chunk))
                {
                    if (H264.nalType(nal[0]) == H264.NAL_SPS)
                    {
                        spsNals.add(nal);
                    }
                }
            }

            assertEquals(1, spsNals.size(), sprop.file());
            final Sps sps = Sps.parse(spsNals.get(0));
            assertEquals(sprop.profile(), sps.profileIdc(), sprop.file());
            assertEquals(sprop.level(), sps.levelIdc(), sprop.file());
            assertEquals(sprop.width(), sps.width(), sprop.file());
            assertEquals(sprop.height(), sps.height(), sprop.file());
        }
    }

    @Test
    void shouldMatchFfprobeForEveryAnnexBSample()
    {
        final List<String> names = CodecSamples.names("h264_");
        assertEquals(8, names.size());
        for (final String name : names)
        {
            assertMatchesFfprobe(Peers.sample(name), name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "high with jvt scaling matrices, 718x574, yuv420p, -profile:v high -x264-params cqm=jvt",
        "high 4:2:2 10-bit, 718x574, yuv422p10le, -profile:v high422",
        "high 4:4:4 cropped, 718x574, yuv444p, -profile:v high444",
        "interlaced field coding cropped, 718x572, yuv420p, -flags +ildct+ilme",
        "baseline odd size, 178x146, yuv420p, -profile:v baseline",
        "main 1080p, 1920x1080, yuv420p, -profile:v main",
    })
    void shouldMatchFfprobeForFreshX264Encodings(final String name, final String size, final String pixFmt,
        final String options)
    {
        final Path out = tempDir.resolve(name.replace(' ', '_') + ".h264");
        final List<String> command = new ArrayList<>(List.of(Peers.ffmpeg(), "-v", "error", "-y", "-f", "lavfi",
            "-i", "testsrc=size=" + size + ":rate=25", "-frames:v", "2", "-pix_fmt", pixFmt, "-c:v", "libx264"));
        command.addAll(Arrays.asList(options.split(" ")));
        command.add(out.toString());
        final Peers.Result result = Peers.run(Duration.ofSeconds(60), command);
        assertEquals(0, result.exitCode(), result.stderr());

        assertMatchesFfprobe(out, name);
    }

    @Test
    void shouldFailCleanlyOnEveryTruncation() throws Exception
    {
        for (final byte[] nal : allSpsNals())
        {
            final Sps full = Sps.parse(nal);
            for (int length = 0; length < nal.length; length++)
            {
                final byte[] cut = Arrays.copyOf(nal, length);
                try
                {
                    // A prefix holds the same leading bits, so any successful parse must agree with the whole.
                    assertEquals(full, Sps.parse(cut));
                }
                catch (final BitstreamException expected)
                {
                    assertFalse(expected.getMessage().isEmpty());
                }
            }

            assertThrows(BitstreamException.class, () -> Sps.parse(Arrays.copyOf(nal, 6)));
        }
    }

    @Test
    void shouldFailCleanlyOnRandomCorruption() throws Exception
    {
        final Random random = new Random(0x5B5L);
        int rejected = 0;
        int accepted = 0;
        for (final byte[] nal : allSpsNals())
        {
            for (int i = 0; i < 300; i++)
            {
                final byte[] corrupt = nal.clone();
                final int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++)
                {
                    final int index = 1 + random.nextInt(corrupt.length - 1);
                    corrupt[index] ^= (byte)(1 << random.nextInt(8));
                }

                try
                {
                    final Sps sps = Sps.parse(corrupt);
                    assertTrue(sps.width() > 0 && sps.width() <= Sps.MAX_SIZE_MBS * 16);
                    assertTrue(sps.height() > 0 && sps.height() <= Sps.MAX_SIZE_MBS * 32);
                    accepted++;
                }
                catch (final BitstreamException expected)
                {
                    rejected++;
                }
                catch (final RuntimeException ex)
                {
                    fail("leaked " + ex + " for " + Arrays.toString(corrupt));
                }
            }
        }

        assertTrue(rejected > 0 && accepted > 0, "rejected=" + rejected + " accepted=" + accepted);
    }

    @Test
    void shouldRejectAbsurdValues()
    {
        // profile 66, level 30, sps id 0, then log2_max_frame_num_minus4 = 13 (limit is 12).
        final byte[] frameNum = {0x67, 0x42, 0x00, 0x1E, (byte)0x80 | 0x00, 0x07, 0x00};
        // ue(13) = 0001110 after the sps id bit "1": bits 1 0001110 -> 0x8E.
        frameNum[4] = (byte)0x8E;
        final byte[] notSps = {0x68, (byte)0xCE, 0x38, (byte)0x80};

        assertEquals("sps: log2_max_frame_num_minus4=13",
            assertThrows(BitstreamException.class, () -> Sps.parse(frameNum)).getMessage());
        assertEquals("sps: nal type=8", assertThrows(BitstreamException.class, () -> Sps.parse(notSps)).getMessage());
        assertThrows(BitstreamException.class, () -> Sps.parse(new byte[] {0x67}));
    }

    static List<byte[]> allSpsNals()
    {
        final List<byte[]> out = new ArrayList<>();
        for (final String name : CodecSamples.names("h264_"))
        {
            for (final byte[] nal : CodecSamples.nals(CodecSamples.bytes(name)))
            {
                if (H264.nalType(nal[0]) == H264.NAL_SPS)
                {
                    out.add(nal);
                }
            }
        }

        for (final CodecSamples.Sprop sprop : CodecSamples.sprops())
        {
            for (final byte[] chunk : sprop.nals())
            {
                for (final byte[] nal : AvcDecoderConfigurationRecord.splitNals(chunk))
                {
                    if (H264.nalType(nal[0]) == H264.NAL_SPS)
                    {
                        out.add(nal);
                    }
                }
            }
        }

        return out;
    }

    private static void assertMatchesFfprobe(final Path file, final String what)
    {
        final byte[] data;
        try
        {
            data = Files.readAllBytes(file);
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }

        final List<Sps> parsed = new ArrayList<>();
        for (final byte[] nal : CodecSamples.nals(data))
        {
            if (H264.nalType(nal[0]) == H264.NAL_SPS)
            {
                parsed.add(Sps.parse(nal));
            }
        }

        assertFalse(parsed.isEmpty(), what);
        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-show_entries",
            "stream=width,height,profile,codec_name", file.toString());
        final Sps sps = parsed.get(0);
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), what);
        assertEquals(probe.get("streams.stream.0.width"), Integer.toString(sps.width()), what);
        assertEquals(probe.get("streams.stream.0.height"), Integer.toString(sps.height()), what);
        assertEquals(probe.get("streams.stream.0.profile"), ffmpegProfileName(sps), what);
    }

    static String ffmpegProfileName(final Sps sps)
    {
        final boolean set1 = (sps.constraintFlags() & 0x40) != 0;
        final boolean set3 = (sps.constraintFlags() & 0x10) != 0;
        return switch (sps.profileIdc())
        {
            case 66 -> set1 ? "Constrained Baseline" : "Baseline";
            case 77 -> "Main";
            case 88 -> "Extended";
            case 100 -> "High";
            case 110 -> set3 ? "High 10 Intra" : "High 10";
            case 122 -> set3 ? "High 4:2:2 Intra" : "High 4:2:2";
            case 244 -> set3 ? "High 4:4:4 Intra" : "High 4:4:4 Predictive";
            default -> "profile " + sps.profileIdc();
        };
    }
}
