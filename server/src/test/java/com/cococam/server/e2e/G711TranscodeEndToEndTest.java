package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.JournalScan;
import com.cococam.server.testing.TestServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A G.711 camera end to end: ffmpeg publishes H.264 with A-law or mu-law audio over RTMP; HLS players get H.264 and
 * AAC (transcoded on the live worker), RTMP players get the G.711 back as it came, the journal keeps the G.711.
 */
@Timeout(180)
class G711TranscodeEndToEndTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final int SECONDS = 6;

    @TempDir
    Path temp;

    private TestServer server;

    @BeforeEach
    void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
    }

    @AfterEach
    void stopServer()
    {
        server.close();
    }

    @ParameterizedTest
    @CsvSource({"pcm_alaw, G711A, cam1, key1", "pcm_mulaw, G711U, cam2, key2"})
    void shouldTranscodeG711ToAacForHlsAndPassItThroughToRtmpAndTheJournal(
        final String encoder,
        final CodecId codec,
        final String camera,
        final String key) throws Exception
    {
        final String path = "live/" + camera;
        final Process player = Peers.start(temp.resolve("player.txt"), List.of(Peers.ffprobe(), "-v", "error",
            "-rw_timeout", "30000000", "-count_frames", "-show_entries",
            "stream=codec_name,sample_rate,channels,nb_read_frames", "-select_streams", "a:0", "-of", "flat",
            server.rtmpUrl(path)));
        Await.until(Duration.ofSeconds(30), () ->
        {
            final LiveStream stream = server.server().hub().find(path);
            return stream != null && stream.metrics().viewers.get() >= 1;
        }, "RTMP viewer attached");

        final Process publisher = TestServer.publishTestPattern(server.publishUrl(path, key), SECONDS, "libx264",
            List.of("-c:a", encoder, "-ar", "8000", "-ac", "1"), temp.resolve("publisher.log"));
        assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> log("publisher.log"));

        // RTMP: the G.711 comes back as it went in.
        assertEquals(0, TestServer.waitFor(player, PEER_TIMEOUT), () -> log("player.txt"));
        final Map<String, String> played = Peers.parseFlat(log("player.txt"));
        assertEquals(encoder, played.get("streams.stream.0.codec_name"), played.toString());
        assertEquals("8000", played.get("streams.stream.0.sample_rate"), played.toString());
        assertEquals("1", played.get("streams.stream.0.channels"), played.toString());
        final int playedFrames = Integer.parseInt(played.get("streams.stream.0.nb_read_frames"));
        assertTrue(playedFrames > 0, played.toString());

        // HLS: H.264 + AAC-LC 8 kHz mono, in time with the video, decoding cleanly.
        final HlsDownload hls = awaitFinalPlaylist("/" + path + "/stream.m3u8");
        assertEquals(0, hls.discontinuities(), hls.playlist());
        final Path file = temp.resolve("hls.mp4");
        hls.downloadTo(server, "/" + path + "/", file);
        final Map<String, String> probe = Peers.ffprobeFlat(PEER_TIMEOUT, "-count_frames", "-show_entries",
            "stream=codec_name,profile,sample_rate,channels,nb_read_frames,duration,start_time", file.toString());
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals("aac", probe.get("streams.stream.1.codec_name"), probe.toString());
        assertEquals("LC", probe.get("streams.stream.1.profile"), probe.toString());
        assertEquals("8000", probe.get("streams.stream.1.sample_rate"), probe.toString());
        assertEquals("1", probe.get("streams.stream.1.channels"), probe.toString());
        final int audioFrames = Integer.parseInt(probe.get("streams.stream.1.nb_read_frames"));
        // 6 s at 8 kHz is 46.9 frames of 1024, plus the priming frame; the encoder is flushed at the end (exact
        // counts: G711HlsTimingEndToEndTest), the slack is for the publisher's own start and end.
        assertTrue(Math.abs(audioFrames - SECONDS * 8000 / 1024.0) <= 4, "audio frames: " + probe);
        // ffprobe's MP4 duration is the end time; HLS timestamps start at 1 s (HlsPackager.TIMESTAMP_OFFSET_TICKS).
        final double audioSeconds = Double.parseDouble(probe.get("streams.stream.1.duration")) -
            Double.parseDouble(probe.get("streams.stream.1.start_time"));
        final double videoSeconds = Double.parseDouble(probe.get("streams.stream.0.duration")) -
            Double.parseDouble(probe.get("streams.stream.0.start_time"));
        assertEquals(SECONDS, audioSeconds, 0.5, probe.toString());
        assertEquals(videoSeconds, audioSeconds, 0.5, probe.toString());
        assertEquals(SECONDS, hls.totalSeconds(), 0.1, hls.playlist());
        assertDecodesCleanly(file);

        final String multivariant = server.get("/" + path + "/index.m3u8").text();
        assertTrue(multivariant.contains("mp4a.40.2"), multivariant);
        assertTrue(multivariant.contains("avc1."), multivariant);

        // Journal: the original G.711, every sample of it.
        final long[] journal = countJournalAudio(camera, codec);
        assertTrue(journal[0] > 0, "G.711 units in the journal");
        assertEquals(SECONDS * 8000, journal[1], 1024, "G.711 samples in the journal");
    }

    private HlsDownload awaitFinalPlaylist(final String playlistPath)
    {
        Await.until(Duration.ofSeconds(20), () ->
        {
            final TestServer.HttpResult result = server.get(playlistPath);
            return result.status() == 200 && HlsDownload.parse(result.text()).totalSeconds() >= SECONDS - 0.05;
        }, "playlist covering the whole publish");
        return HlsDownload.parse(server.get(playlistPath).text());
    }

    private static void assertDecodesCleanly(final Path file)
    {
        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }

    /**
     * @return {units, payload bytes} of the camera's audio track recorded as {@code codec}.
     */
    private long[] countJournalAudio(final String camera, final CodecId codec)
    {
        final CameraJournal journal = server.server().recording().journal(camera);
        final long[] counts = new long[2];
        Await.until(Duration.ofSeconds(10), () ->
        {
            counts[0] = 0;
            counts[1] = 0;
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
            {
                if (trackId == TrackFormat.AUDIO_TRACK && format != null && format.codec() == codec)
                {
                    counts[0]++;
                    counts[1] += payload.readableBytes();
                }
            });

            return counts[1] >= SECONDS * 8000 - 1024 &&
                server.server().hub().find("live/" + camera).ringLag() == 0;
        }, "journal caught up");
        return counts;
    }

    private String log(final String name)
    {
        try
        {
            return Files.readString(temp.resolve(name));
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
