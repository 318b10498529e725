package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.JournalScan;
import com.cococam.server.testing.TestServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Timing of a G.711 camera's HLS output, in both segment formats: the AAC made from the G.711 lasts as long as the
 * G.711 that came in (the encoder is drained into the last segment when the publisher leaves), the playlist has no
 * discontinuity, and the audio and video timestamps run on without a gap or a step back across segment boundaries.
 * The playlist and a segment are then fetched whole, with HEAD and with byte ranges, which must all agree.
 *
 * <p>The input length is measured, not assumed: it is the number of G.711 samples the journal recorded.
 */
@Timeout(120)
class G711HlsTimingEndToEndTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final int SECONDS = 5;
    private static final double AAC_FRAME_SECONDS = 1024 / 8000.0;

    @TempDir
    Path temp;

    private TestServer server;

    @AfterEach
    void stopServer()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"fmp4", "mpegts"})
    void shouldKeepEveryG711SampleAndContinuousTimestampsInHls(final String hlsFormat) throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--hls.format=" + hlsFormat, "--hls.windowSegments=20");
        final Process publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1),
            SECONDS, "libx264", List.of("-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1"), temp.resolve("pub.log"));
        assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> log("pub.log"));

        final long inputSamples = journalG711Samples("cam1");
        final double inputSeconds = inputSamples / 8000.0;
        final HlsDownload hls = awaitFinalPlaylist();
        assertEquals(0, hls.discontinuities(), hls.playlist());
        assertTrue(hls.segmentUris().size() >= 2, hls.playlist());

        final Path file = temp.resolve(hlsFormat.equals("fmp4") ? "hls.mp4" : "hls.ts");
        hls.downloadTo(server, "/live/cam1/", file);
        final Map<String, String> probe = Peers.ffprobeFlat(PEER_TIMEOUT, "-count_frames", "-show_entries",
            "stream=codec_name,sample_rate,nb_read_frames", file.toString());
        assertEquals("aac", probe.get("streams.stream.1.codec_name"), probe.toString());
        assertEquals("8000", probe.get("streams.stream.1.sample_rate"), probe.toString());

        // The AAC audio, less the encoder's priming frame (stamped one frame before the first input sample, and
        // not content), holds every input sample and at most one frame of padding: by the decoder's frame count
        // and by the packet timestamps.
        final int decodedFrames = Integer.parseInt(probe.get("streams.stream.1.nb_read_frames"));
        final double decodedSeconds = (decodedFrames - 1) * AAC_FRAME_SECONDS;
        assertWithinOneFrameAbove(inputSeconds, decodedSeconds, "decoded AAC frames " + decodedFrames + " for "
            + inputSamples + " G.711 samples; " + probe);
        final List<double[]> audio = packets(file, "a:0");
        final double first = audio.get(0)[0];
        final double[] last = audio.get(audio.size() - 1);
        final double spanSeconds = last[0] + last[1] - first - AAC_FRAME_SECONDS;
        assertWithinOneFrameAbove(inputSeconds, spanSeconds, "AAC timestamps span " + spanSeconds + " s for "
            + inputSamples + " G.711 samples");
        assertEquals(decodedFrames, audio.size());

        assertContinuous("audio", audio);
        assertContinuous("video", packets(file, "v:0"));
        assertDecodesCleanly(file);

        assertServedWhole("/live/cam1/stream.m3u8");
        assertServedWhole("/live/cam1/" + hls.segmentUris().get(1));
    }

    /**
     * GET, HEAD, ranges and an unsatisfiable range of one HLS file all describe the same bytes (each served from one
     * shared buffer of the packager).
     */
    private void assertServedWhole(final String path) throws Exception
    {
        final byte[] whole = server.get(path).body();
        assertTrue(whole.length > 200, path + ": " + whole.length);
        assertArrayEquals(whole, server.get(path).body(), "a second GET of " + path);

        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        final HttpResponse<byte[]> head = client.send(request(path).method("HEAD",
            HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode(), path);
        assertEquals(String.valueOf(whole.length), head.headers().firstValue("Content-Length").orElse(""), path);
        assertEquals(0, head.body().length, path);

        final HttpResponse<byte[]> range = client.send(request(path).header("Range", "bytes=100-199").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode(), path);
        assertEquals("bytes 100-199/" + whole.length, range.headers().firstValue("Content-Range").orElse(""));
        assertArrayEquals(Arrays.copyOfRange(whole, 100, 200), range.body(), path);

        final HttpResponse<byte[]> suffix = client.send(request(path).header("Range", "bytes=-50").build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, suffix.statusCode(), path);
        assertArrayEquals(Arrays.copyOfRange(whole, whole.length - 50, whole.length), suffix.body(), path);

        final HttpResponse<byte[]> headRange = client.send(request(path).header("Range", "bytes=10-19")
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, headRange.statusCode(), path);
        assertEquals("10", headRange.headers().firstValue("Content-Length").orElse(""), path);

        final HttpResponse<byte[]> beyond = client.send(request(path).header("Range", "bytes=" + whole.length + "-")
            .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(416, beyond.statusCode(), path);
        assertEquals("bytes */" + whole.length, beyond.headers().firstValue("Content-Range").orElse(""), path);
    }

    private HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create(server.httpUrl(path))).timeout(Duration.ofSeconds(10));
    }

    private static void assertWithinOneFrameAbove(final double inputSeconds, final double seconds, final String what)
    {
        assertTrue(seconds >= inputSeconds - 0.001 && seconds < inputSeconds + AAC_FRAME_SECONDS,
            what + ": " + seconds + " s for " + inputSeconds + " s in");
    }

    /**
     * Each packet starts where the previous one ended (within a millisecond): no gap, no overlap, across the segment
     * boundaries too.
     */
    private static void assertContinuous(final String what, final List<double[]> packets)
    {
        assertTrue(packets.size() > 10, what + " packets: " + packets.size());
        for (int i = 1; i < packets.size(); i++)
        {
            final double end = packets.get(i - 1)[0] + packets.get(i - 1)[1];
            assertEquals(end, packets.get(i)[0], 0.001, what + " packet " + i + " starts off the previous end");
        }
    }

    /**
     * @return {dts seconds, duration seconds} of each packet of one stream, in file order.
     */
    private static List<double[]> packets(final Path file, final String stream)
    {
        final Peers.Result result = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            stream, "-show_entries", "packet=dts_time,duration_time", "-of", "csv=p=0", file.toString());
        assertEquals(0, result.exitCode(), result.stderr());
        final List<double[]> packets = new ArrayList<>();
        for (final String line : result.stdout().split("\n"))
        {
            if (!line.isBlank())
            {
                final String[] fields = line.trim().split(",");
                packets.add(new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1])});
            }
        }

        return packets;
    }

    private HlsDownload awaitFinalPlaylist()
    {
        Await.until(Duration.ofSeconds(20), () ->
        {
            final TestServer.HttpResult result = server.get("/live/cam1/stream.m3u8");
            return result.status() == 200 && HlsDownload.parse(result.text()).totalSeconds() >= SECONDS - 0.05 &&
                server.server().hub().find("live/cam1").ringLag() == 0;
        }, "playlist covering the whole publish");
        return HlsDownload.parse(server.get("/live/cam1/stream.m3u8").text());
    }

    private static void assertDecodesCleanly(final Path file)
    {
        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }

    /**
     * @return G.711 samples (one byte each) recorded for the camera, once the journal has caught up.
     */
    private long journalG711Samples(final String camera)
    {
        final CameraJournal journal = server.server().recording().journal(camera);
        final long[] samples = new long[1];
        final long[] previous = {-1};
        Await.until(Duration.ofSeconds(10), () ->
        {
            samples[0] = 0;
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
            {
                if (trackId == TrackFormat.AUDIO_TRACK && format != null && format.codec() == CodecId.G711A)
                {
                    samples[0] += payload.readableBytes();
                }
            });

            final boolean settled = samples[0] > 0 && samples[0] == previous[0] &&
                server.server().hub().find("live/" + camera).ringLag() == 0;
            previous[0] = samples[0];
            return settled;
        }, "journal caught up");
        return samples[0];
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
