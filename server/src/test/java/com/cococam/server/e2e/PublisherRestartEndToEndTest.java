package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsPlaylist;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A camera that publishes, stops and publishes again on the same path: the live playlist keeps one timeline with
 * an EXT-X-DISCONTINUITY at the restart, sequence numbers keep increasing, and every segment decodes (each run
 * between discontinuities downloaded with its init segment and checked with ffprobe and ffmpeg).
 */
@Timeout(120)
class PublisherRestartEndToEndTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);
    private static final String PLAYLIST = "/live/cam1/stream.m3u8";
    private static final int SECONDS = 4;

    @TempDir
    Path temp;

    private TestServer server;

    @BeforeEach
    void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--hls.windowSegments=20");
    }

    @AfterEach
    void stopServer()
    {
        server.close();
    }

    @Test
    void shouldContinueThePlaylistAcrossAPublisherRestart() throws Exception
    {
        publishAndWait("first.log");
        Await.until(Duration.ofSeconds(10), () -> coveredSeconds() >= SECONDS - 0.1, "first publish listed");
        final HlsPlaylist before = HlsPlaylist.fetch(server, PLAYLIST);
        assertEquals(0, before.discontinuities(), before.text());

        publishAndWait("second.log");
        Await.until(Duration.ofSeconds(10), () -> coveredSeconds() >= 2 * SECONDS - 0.1, "second publish listed");
        final HlsPlaylist after = HlsPlaylist.fetch(server, PLAYLIST);

        assertEquals(1, after.discontinuities(), after.text());
        assertTrue(after.mediaSequence() >= before.mediaSequence(), after.text());
        assertTrue(after.lastSequence() > before.lastSequence(), after.text());
        long previous = -1;
        for (final HlsPlaylist.Segment segment : after.segments())
        {
            assertTrue(segment.sequence() > previous, after.text());
            assertTrue(segment.uri().equals("seg-" + segment.sequence() + ".m4s"), after.text());
            previous = segment.sequence();
        }

        final List<List<HlsPlaylist.Segment>> runs = after.runs();
        assertEquals(2, runs.size(), after.text());
        int frames = 0;
        for (int i = 0; i < runs.size(); i++)
        {
            final Path file = temp.resolve("run-" + i + ".mp4");
            HlsPlaylist.download(server, "/live/cam1/", runs.get(i), file);
            final Map<String, String> probe = Peers.ffprobeFlat(PEER_TIMEOUT, "-count_frames", "-show_entries",
                "stream=codec_name,nb_read_frames", file.toString());
            assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
            assertEquals("aac", probe.get("streams.stream.1.codec_name"), probe.toString());
            final int runFrames = Integer.parseInt(probe.get("streams.stream.0.nb_read_frames"));
            assertEquals(SECONDS * 25, runFrames, "video frames of publish " + (i + 1) + ": " + probe);
            frames += runFrames;
            final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
                file.toString(), "-f", "null", "-");
            assertEquals(0, decode.exitCode(), decode.stderr());
            assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
        }

        assertEquals(2 * SECONDS * 25, frames);
        assertEquals(2, server.server().hub().find("live/cam1").metrics().publishes.sum());
    }

    private double coveredSeconds()
    {
        final HlsPlaylist playlist = HlsPlaylist.fetch(server, PLAYLIST);
        return playlist == null ? 0 :
            playlist.segments().stream().mapToDouble(HlsPlaylist.Segment::durationSec).sum();
    }

    private void publishAndWait(final String log) throws Exception
    {
        final Process publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1),
            SECONDS, "libx264", List.of(), temp.resolve(log));
        try
        {
            assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> read(log));
        }
        finally
        {
            publisher.destroyForcibly();
        }
    }

    private String read(final String name)
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
