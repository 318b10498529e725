package com.cococam.server.e2e;

import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.record.JournalReader;
import com.cococam.server.record.JournalRecordHandler;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job, end to end with real peers: ffmpeg publishes over RTMP; the live HLS output is fetched over HTTP
 * and checked with ffprobe; ffmpeg plays the path back over RTMP; the journal holds every video access unit.
 */
@Timeout(180)
class RtmpToHlsEndToEndTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

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

    @Test
    void shouldDeliverH264WithBFramesAndAacToHlsRtmpPlayersAndTheJournal() throws Exception
    {
        final int seconds = 8;
        final int expectedVideoFrames = seconds * 25;
        final Process player = startRtmpProbe("live/cam1", temp.resolve("player.txt"));
        awaitViewers("live/cam1", 1);

        final Process publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1),
            seconds, "libx264", List.of("-bf", "2", "-profile:v", "high"), temp.resolve("publisher.log"));
        Await.until(Duration.ofSeconds(20), () -> server.get("/live/cam1/stream.m3u8").status() == 200,
            "first HLS segment");
        assertLateRtmpJoinerStartsAtAKeyframe("live/cam1");
        assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> log("publisher.log"));

        final Map<String, String> played = probeResult(player, "player.txt");
        assertEquals("h264", played.get("streams.stream.0.codec_name"), played.toString());
        assertEquals(expectedVideoFrames, Integer.parseInt(played.get("streams.stream.0.nb_read_frames")),
            "frames the RTMP player decoded: " + played);

        final HlsDownload hls = awaitFinalPlaylist("/live/cam1/stream.m3u8", expectedVideoFrames);
        assertTrue(hls.mapUris().size() == 1, "one init segment: " + hls.playlist());
        assertEquals(0, hls.discontinuities(), hls.playlist());
        final Path file = temp.resolve("hls.mp4");
        hls.downloadTo(server, "/live/cam1/", file);

        final Map<String, String> probe = Peers.ffprobeFlat(PEER_TIMEOUT, "-count_frames", "-show_entries",
            "stream=codec_name,profile,width,height,nb_read_frames,duration", file.toString());
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals("High", probe.get("streams.stream.0.profile"));
        assertEquals("640", probe.get("streams.stream.0.width"));
        assertEquals("aac", probe.get("streams.stream.1.codec_name"));
        assertEquals(expectedVideoFrames, Integer.parseInt(probe.get("streams.stream.0.nb_read_frames")),
            "every published video frame is in the HLS segments: " + probe);
        final int audioFrames = Integer.parseInt(probe.get("streams.stream.1.nb_read_frames"));
        assertTrue(Math.abs(audioFrames - seconds * 48000 / 1024.0) < 4, "audio frames: " + audioFrames);
        assertEquals(seconds, hls.totalSeconds(), 0.1, "EXTINF sum: " + hls.playlist());

        assertDecodesCleanly(file);
        assertVideoTimestampsIncrease(file);
        assertHasBFrames(file);

        assertEquals(expectedVideoFrames, countJournalVideoUnits("cam1"), "video access units in the journal");
    }

    @Test
    void shouldDeliverH265AndAacOverEnhancedRtmpToHlsAndRtmpPlayers() throws Exception
    {
        final int seconds = 6;
        final int expectedVideoFrames = seconds * 25;
        final Process player = startRtmpProbe("live/cam2", temp.resolve("player.txt"));
        awaitViewers("live/cam2", 1);

        final Process publisher = TestServer.publishTestPattern(server.publishUrl("live/cam2", TestServer.KEY2),
            seconds, "libx265", List.of(), temp.resolve("publisher.log"));
        assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> log("publisher.log"));

        final Map<String, String> played = probeResult(player, "player.txt");
        assertEquals("hevc", played.get("streams.stream.0.codec_name"), played.toString());
        assertEquals(expectedVideoFrames, Integer.parseInt(played.get("streams.stream.0.nb_read_frames")));

        final HlsDownload hls = awaitFinalPlaylist("/live/cam2/stream.m3u8", expectedVideoFrames);
        final Path file = temp.resolve("hls.mp4");
        hls.downloadTo(server, "/live/cam2/", file);
        final Map<String, String> probe = Peers.ffprobeFlat(PEER_TIMEOUT, "-count_frames", "-show_entries",
            "stream=codec_name,codec_tag_string,width,height,nb_read_frames", file.toString());
        assertEquals("hevc", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals("hvc1", probe.get("streams.stream.0.codec_tag_string"));
        assertEquals("aac", probe.get("streams.stream.1.codec_name"));
        assertEquals(expectedVideoFrames, Integer.parseInt(probe.get("streams.stream.0.nb_read_frames")));
        assertDecodesCleanly(file);

        final String multivariant = server.get("/live/cam2/index.m3u8").text();
        assertTrue(multivariant.contains("CODECS=\"hvc1.1.6.L"), multivariant);
        assertEquals(expectedVideoFrames, countJournalVideoUnits("cam2"));
    }

    private void assertLateRtmpJoinerStartsAtAKeyframe(final String path)
    {
        final Peers.Result joined = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-read_intervals",
            "%+1", "-show_entries", "stream=codec_name:packet=stream_index,flags", "-of", "compact",
            server.rtmpUrl(path));
        assertEquals(0, joined.exitCode(), joined.stderr());
        final List<String> streams = joined.stdout().lines().filter(l -> l.startsWith("stream|")).toList();
        assertEquals(List.of("stream|codec_name=h264", "stream|codec_name=aac"), streams,
            "a late joiner sees exactly the video and audio tracks");
        final String firstVideo = joined.stdout().lines()
            .filter(l -> l.startsWith("packet|stream_index=0")).findFirst().orElseThrow();
        assertTrue(firstVideo.contains("flags=K"), "first video packet of a late joiner is a keyframe: " + firstVideo);
        assertTrue(joined.stderr().isBlank(), joined.stderr());
    }

    private Process startRtmpProbe(final String path, final Path out)
    {
        return Peers.start(out, List.of(Peers.ffprobe(), "-v", "error", "-rw_timeout", "30000000",
            "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-select_streams", "v:0",
            "-of", "flat", server.rtmpUrl(path)));
    }

    private Map<String, String> probeResult(final Process player, final String outName) throws Exception
    {
        assertEquals(0, TestServer.waitFor(player, PEER_TIMEOUT), () -> log(outName));
        return Peers.parseFlat(log(outName));
    }

    private void awaitViewers(final String path, final int viewers)
    {
        Await.until(Duration.ofSeconds(30), () ->
        {
            final LiveStream stream = server.server().hub().find(path);
            return stream != null && stream.metrics().viewers.get() >= viewers;
        }, "RTMP viewer attached to " + path);
    }

    private HlsDownload awaitFinalPlaylist(final String playlistPath, final int frames)
    {
        final long[] segmentsSeen = {0};
        Await.until(Duration.ofSeconds(20), () ->
        {
            final TestServer.HttpResult result = server.get(playlistPath);
            if (result.status() != 200)
            {
                return false;
            }

            final HlsDownload download = HlsDownload.parse(result.text());
            segmentsSeen[0] = download.segmentUris().size();
            return download.totalSeconds() * 25 >= frames - 1;
        }, () -> "playlist covering all frames, segments so far " + segmentsSeen[0]);
        return HlsDownload.parse(server.get(playlistPath).text());
    }

    private static void assertDecodesCleanly(final Path file)
    {
        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }

    private static void assertVideoTimestampsIncrease(final Path file)
    {
        final Peers.Result packets = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            "v:0", "-show_entries", "packet=dts", "-of", "csv=p=0", file.toString());
        assertEquals(0, packets.exitCode(), packets.stderr());
        long previous = Long.MIN_VALUE;
        int count = 0;
        for (final String line : packets.stdout().split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }

            final long dts = Long.parseLong(line.trim());
            assertTrue(dts > previous, "video dts must increase: " + previous + " then " + dts);
            previous = dts;
            count++;
        }

        assertTrue(count > 0);
    }

    private static void assertHasBFrames(final Path file)
    {
        final Peers.Result frames = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            "v:0", "-show_entries", "frame=pict_type", "-of", "csv=p=0", file.toString());
        assertEquals(0, frames.exitCode(), frames.stderr());
        assertTrue(frames.stdout().contains("B"), "B-frames survive packaging");
    }

    private long countJournalVideoUnits(final String camera)
    {
        final CameraJournal journal = server.server().recording().journal(camera);
        final long[] video = {0};
        Await.until(Duration.ofSeconds(10), () ->
        {
            video[0] = 0;
            try (JournalReader reader = journal.createReader())
            {
                reader.readAll(new JournalRecordHandler()
                {
                    @Override
                    public void onFormat(final TrackFormat format, final long wallClockMs)
                    {
                    }

                    @Override
                    public void onAccessUnit(
                        final int trackId,
                        final int flags,
                        final long dts90k,
                        final long pts90k,
                        final long wallClockMs,
                        final ByteBuf payload)
                    {
                        if (trackId == TrackFormat.VIDEO_TRACK)
                        {
                            video[0]++;
                        }
                    }
                });
            }

            return video[0] > 0 && server.server().hub().find("live/" + camera).ringLag() == 0;
        }, "journal caught up");
        return video[0];
    }

    private String log(final String name)
    {
        try
        {
            return java.nio.file.Files.readString(temp.resolve(name));
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
