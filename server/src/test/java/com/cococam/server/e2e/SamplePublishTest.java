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
        // sample,                                   demuxer, video, width, height, audio
        "flv_srs_avatar_h264_aac.flv,               ,        h264,  768,   320,    aac",
        "flv_srs_bbb.flv,                           ,        h264,  640,   360,    aac",
        "h264_huawei_ipc_1080p_9slices_gop1.h264,   h264,    h264,  1920,  1080,   ",
        "h265_srs_avatar.h265,                      hevc,    hevc,  768,   320,    ",
    })
    // Raw H.265 with B-frames carries no presentation times, which FLV needs: the publisher sets pts = dts
    // (setts), so the frames still arrive in decode order with a valid timeline; counts and decoding are unaffected.
    void shouldDeliverEveryFrameOfARealSampleToHls(
        final String sample,
        final String demuxer,
        final String videoCodec,
        final int width,
        final int height,
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
        if (videoCodec.equals("hevc") && demuxer != null)
        {
            command.addAll(List.of("-bsf:v", "setts=pts=DTS"));
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

        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            output.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
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
