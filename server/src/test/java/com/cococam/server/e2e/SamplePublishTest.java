package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real recorded media, not generated test patterns: files from {@code shared/samples} (SRS benchmark FLVs with
 * B-frames, a Huawei IP camera's 9-slice 1080p H.264, an H.265 stream with CRA random access) are published
 * with {@code ffmpeg -re -i FILE -c copy -f flv}; every frame of the input must come out of the live HLS
 * output, which must decode without a single error.
 */
@Timeout(180)
class SamplePublishTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    /** The downloaded HLS output of each sample is kept here for inspection. */
    private static final Path ARTIFACTS = Paths.get("target", "e2e-artifacts");

    @TempDir
    Path temp;

    private TestServer server;
    private Process publisher;

    @AfterEach
    void cleanUp()
    {
        if (publisher != null)
        {
            publisher.destroyForcibly();
        }

        if (server != null)
        {
            server.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // sample,                                   demuxer, video, width, height, B-frames, audio
        "flv_srs_avatar_h264_aac.flv,               ,        h264,  768,   320,    true,     aac",
        "flv_srs_bbb.flv,                           ,        h264,  640,   360,    false,    aac",
        "h264_huawei_ipc_1080p_9slices_gop1.h264,   h264,    h264,  1920,  1080,   false,    ",
        "h265_srs_avatar.h265,                      hevc,    hevc,  768,   320,    true,     ",
    })
    void shouldDeliverEveryFrameOfARealSampleToHls(
        final String sample,
        final String demuxer,
        final String videoCodec,
        final int width,
        final int height,
        final boolean bFrames,
        final String audioCodec) throws Exception
    {
        final Path file = Peers.sample(sample);
        final List<String> input = new ArrayList<>();
        if (demuxer != null)
        {
            input.addAll(List.of("-f", demuxer, "-framerate", "25"));
        }

        input.addAll(List.of("-i", file.toString()));
        final Map<String, String> source = probe(input);
        assertEquals(videoCodec, source.get("streams.stream.0.codec_name"), source.toString());
        final int videoFrames = Integer.parseInt(source.get("streams.stream.0.nb_read_frames"));
        final int audioFrames = audioCodec == null ? 0 : audioFramesFromFirstVideoKeyframe(input);
        assertTrue(videoFrames >= 50, "sample frames " + videoFrames);

        server = TestServer.start(temp.resolve("rec"), "--hls.windowSegments=40");
        final List<String> command = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostats",
            "-loglevel", "error", "-re"));
        command.addAll(input);
        command.addAll(List.of("-c", "copy"));
        if (demuxer != null)
        {
            final String filter = presentationTimes(input);
            if (!filter.isEmpty())
            {
                command.addAll(List.of("-bsf:v", filter));
            }
        }

        command.addAll(List.of("-f", "flv", server.publishUrl("live/cam1", TestServer.KEY1)));
        publisher = Peers.start(temp.resolve("publisher.log"), command);
        assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> log("publisher.log"));

        final HlsDownload hls = awaitPlaylistCovering(videoFrames);
        assertEquals(1, hls.mapUris().size(), hls.playlist());
        assertEquals(0, hls.discontinuities(), hls.playlist());
        final Path output = temp.resolve("hls.mp4");
        hls.downloadTo(server, "/live/cam1/", output);
        Files.createDirectories(ARTIFACTS);
        Files.copy(output, ARTIFACTS.resolve(sample + ".hls.mp4"), StandardCopyOption.REPLACE_EXISTING);

        final Map<String, String> out = probe(List.of(output.toString()));
        assertEquals(videoCodec, out.get("streams.stream.0.codec_name"), out.toString());
        assertEquals(Integer.toString(width), out.get("streams.stream.0.width"), out.toString());
        assertEquals(Integer.toString(height), out.get("streams.stream.0.height"), out.toString());
        assertEquals(videoFrames, Integer.parseInt(out.get("streams.stream.0.nb_read_frames")),
            () -> "every video frame of " + sample + " reaches HLS: " + out + "\n" + hls.playlist());
        if (audioCodec == null)
        {
            assertEquals(null, out.get("streams.stream.1.codec_name"), "no audio track invented: " + out);
        }
        else
        {
            assertEquals(audioCodec, out.get("streams.stream.1.codec_name"), out.toString());
            assertEquals(audioFrames, Integer.parseInt(out.get("streams.stream.1.nb_read_frames")),
                () -> "every audio frame of " + sample + " reaches HLS: " + out);
        }

        if (videoCodec.equals("hevc"))
        {
            assertEquals("hvc1", out.get("streams.stream.0.codec_tag_string"), out.toString());
            final String multivariant = server.get("/live/cam1/index.m3u8").text();
            assertTrue(multivariant.contains("CODECS=\"hvc1."), multivariant);
        }

        assertPresentationTimesIncrease(output);
        assertEquals(bFrames, hasCompositionOffsets(output), "B-frames keep their composition offsets");
        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            output.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }

    /**
     * Decoded pictures, in display order, must have strictly increasing times: a lost or wrong composition offset
     * on a B-frame stream breaks this.
     */
    private static void assertPresentationTimesIncrease(final Path file)
    {
        final List<String> times = column(List.of("-select_streams", "v:0", "-i", file.toString()), "frame=pts");
        long previous = Long.MIN_VALUE;
        for (final String time : times)
        {
            final long pts = Long.parseLong(time);
            assertTrue(pts > previous, "display times must increase: " + previous + " then " + pts);
            previous = pts;
        }
    }

    private static boolean hasCompositionOffsets(final Path file)
    {
        final Peers.Result packets = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            "v:0", "-show_entries", "packet=pts,dts", "-of", "csv=p=0", file.toString());
        assertEquals(0, packets.exitCode(), packets.stderr());
        for (final String line : packets.stdout().split("\n"))
        {
            final String[] fields = line.trim().split(",");
            if (fields.length >= 2 && !fields[0].equals(fields[1]))
            {
                return true;
            }
        }

        return false;
    }

    private static Map<String, String> probe(final List<String> input)
    {
        final List<String> args = new ArrayList<>(input);
        args.addAll(List.of("-count_frames", "-show_entries",
            "stream=codec_name,codec_tag_string,width,height,nb_read_frames"));
        final Map<String, String> result = Peers.ffprobeFlat(PEER_TIMEOUT, args.toArray(new String[0]));
        assertNotNull(result.get("streams.stream.0.nb_read_frames"), result.toString());
        return result;
    }

    /**
     * A raw elementary stream has decode order only; with B-frames, FLV still needs each picture's presentation
     * time, which ffmpeg cannot invent when copying. The decoder knows the display order, so it is read once with
     * ffprobe (frames come out in display order, each naming the byte position of its packet) and written back
     * with setts filters: {@code pts = dts + (delay + displayIndex - decodeIndex) / 25 s}, as a sum of
     * {@code k*not(N-i)} terms (1 only for packet i), split over chained filters to keep each expression short.
     *
     * @return the {@code -bsf:v} value, or an empty string when the stream has no reordering.
     */
    private static String presentationTimes(final List<String> input)
    {
        final List<String> packetPositions = column(input, "packet=pos");
        final List<String> framePositions = column(input, "frame=pkt_pos");
        assertEquals(packetPositions.size(), framePositions.size(), "one frame per packet");
        final Map<String, Integer> displayIndex = new HashMap<>();
        for (int i = 0; i < framePositions.size(); i++)
        {
            displayIndex.put(framePositions.get(i), i);
        }

        final int[] offsets = new int[packetPositions.size()];
        int delay = 0;
        for (int i = 0; i < offsets.length; i++)
        {
            final Integer display = displayIndex.get(packetPositions.get(i));
            assertNotNull(display, "frame of packet at byte " + packetPositions.get(i));
            offsets[i] = display - i;
            delay = Math.max(delay, -offsets[i]);
        }

        if (delay == 0)
        {
            return "";
        }

        final List<String> filters = new ArrayList<>();
        StringBuilder terms = new StringBuilder();
        int count = 0;
        for (int i = 0; i < offsets.length; i++)
        {
            if (offsets[i] != 0)
            {
                terms.append(offsets[i] > 0 ? "+" : "").append(offsets[i]).append("*not(N-").append(i).append(')');
                count++;
            }

            if (count == 40 || (i == offsets.length - 1 && count > 0))
            {
                filters.add(filters.isEmpty() ? "setts=pts=DTS+(" + delay + terms + ")/25/TB"
                    : "setts=pts=PTS+(0" + terms + ")/25/TB");
                terms = new StringBuilder();
                count = 0;
            }
        }

        return String.join(",", filters);
    }

    private static List<String> column(final List<String> input, final String entry)
    {
        final List<String> command = new ArrayList<>(List.of(Peers.ffprobe(), "-v", "error"));
        command.addAll(input);
        command.addAll(List.of("-show_entries", entry, "-of", "csv=p=0"));
        final Peers.Result result = Peers.run(PEER_TIMEOUT, command);
        assertEquals(0, result.exitCode(), result.stderr());
        final List<String> values = new ArrayList<>();
        for (final String line : result.stdout().split("\n"))
        {
            final String value = line.trim().split(",")[0];
            if (!value.isEmpty())
            {
                values.add(value);
            }
        }

        return values;
    }

    /**
     * HLS segments start at a video keyframe, so audio the sample carries before its first video keyframe (93 ms
     * in flv_srs_bbb.flv) has no segment to go into; every audio frame from that keyframe on must come through.
     */
    private static int audioFramesFromFirstVideoKeyframe(final List<String> input)
    {
        final List<String> command = new ArrayList<>(List.of(Peers.ffprobe(), "-v", "error"));
        command.addAll(input);
        command.addAll(List.of("-show_entries", "packet=stream_index,dts,flags", "-of", "csv=p=0"));
        final Peers.Result packets = Peers.run(PEER_TIMEOUT, command);
        assertEquals(0, packets.exitCode(), packets.stderr());
        long firstKeyframeDts = Long.MIN_VALUE;
        final List<Long> audioDts = new ArrayList<>();
        for (final String line : packets.stdout().split("\n"))
        {
            final String[] fields = line.trim().split(",");
            if (fields.length < 3 || fields[1].equals("N/A"))
            {
                continue;
            }

            final long dts = Long.parseLong(fields[1]);
            if (fields[0].equals("1"))
            {
                audioDts.add(dts);
            }
            else if (fields[0].equals("0") && fields[2].startsWith("K") && firstKeyframeDts == Long.MIN_VALUE)
            {
                firstKeyframeDts = dts;
            }
        }

        final long from = firstKeyframeDts;
        assertTrue(from != Long.MIN_VALUE, "sample has a video keyframe");
        return (int)audioDts.stream().filter(dts -> dts >= from).count();
    }

    private HlsDownload awaitPlaylistCovering(final int videoFrames)
    {
        final String[] last = {""};
        Await.until(Duration.ofSeconds(20), () ->
        {
            final TestServer.HttpResult result = server.get("/live/cam1/stream.m3u8");
            if (result.status() != 200)
            {
                return false;
            }

            last[0] = result.text();
            return HlsDownload.parse(last[0]).totalSeconds() * 25 >= videoFrames - 1;
        }, () -> "playlist covering " + videoFrames + " frames; last:\n" + last[0]);
        return HlsDownload.parse(server.get("/live/cam1/stream.m3u8").text());
    }

    private String log(final String name)
    {
        try
        {
            return Files.readString(temp.resolve(name));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
