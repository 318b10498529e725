package com.cococam.server.e2e;

import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsPlaylist;
import com.cococam.server.testing.ProcessSignals;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two ffmpeg publishers on one path: a second one is refused while the first sends; once the first has sent
 * nothing for longer than {@code stream.takeoverIdleMs} (it is SIGSTOPped, so its connection stays open) a new
 * publisher takes the path over, the HLS output continues after an EXT-X-DISCONTINUITY, and the old connection
 * is closed by the server.
 */
@Timeout(120)
class PublishTakeoverEndToEndTest
{
    private static final int TAKEOVER_IDLE_MS = 1000;
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);
    private static final String PATH = "live/cam1";
    private static final String PLAYLIST = "/live/cam1/stream.m3u8";

    @TempDir
    Path temp;

    private TestServer server;
    private Process first;
    private Process second;
    private Process third;

    @BeforeEach
    void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--stream.takeoverIdleMs=" + TAKEOVER_IDLE_MS,
            "--hls.segmentDurationMs=1000", "--hls.windowSegments=30");
    }

    @AfterEach
    void stopAll()
    {
        ProcessSignals.destroy(first, second, third);
        server.close();
    }

    @Test
    void shouldRefuseASecondPublisherWhileTheFirstSendsAndLetOneTakeOverAfterTheFirstWentIdle() throws Exception
    {
        first = publish(30, "first.log");
        Await.until(PEER_TIMEOUT, () -> lastSequence() >= 1, "HLS of the first publisher");
        final LiveStream stream = server.server().hub().find(PATH);
        final PublishSession firstSession = stream.publisher();

        second = publish(4, "second.log");
        assertNotEquals(0, TestServer.waitFor(second, PEER_TIMEOUT), () -> "second publisher refused: " +
            read("second.log"));
        final long afterRefusal = lastSequence();
        Await.until(Duration.ofSeconds(10), () -> lastSequence() >= afterRefusal + 2,
            "the first publisher's HLS continues after the refusal");
        assertTrue(first.isAlive(), () -> read("first.log"));
        assertSame(firstSession, stream.publisher(), "the first publisher still owns the path");
        assertEquals(1, stream.metrics().publishes.sum());
        assertEquals(0, HlsPlaylist.fetch(server, PLAYLIST).discontinuities(), "no discontinuity yet");

        ProcessSignals.stop(first);
        Await.until(Duration.ofSeconds(10), () ->
            System.nanoTime() - firstSession.lastActivityNs() > Duration.ofMillis(TAKEOVER_IDLE_MS + 300).toNanos(),
            "first publisher idle past the takeover time");
        final long beforeTakeover = lastSequence();

        third = publish(4, "third.log");
        Await.until(PEER_TIMEOUT, () -> stream.publisher() != null && stream.publisher() != firstSession,
            "the new publisher took the path over");
        assertFalse(firstSession.isActive(), "the idle session was evicted");
        assertEquals(0, TestServer.waitFor(third, PEER_TIMEOUT), () -> read("third.log"));
        Await.until(Duration.ofSeconds(10), () -> lastSequence() >= beforeTakeover + 3,
            "HLS segments of the new publisher");

        final HlsPlaylist playlist = HlsPlaylist.fetch(server, PLAYLIST);
        final List<HlsPlaylist.Segment> segments = playlist.segments();
        final int cut = indexOfDiscontinuity(segments);
        assertTrue(cut > 0, () -> "EXT-X-DISCONTINUITY between the publishers: " + playlist.text());
        assertTrue(segments.size() - cut >= 3, () -> "the new publisher's segments: " + playlist.text());
        assertEquals(2, stream.metrics().publishes.sum());

        // The server closed the evicted connection: once resumed, ffmpeg finds its socket dead and fails.
        ProcessSignals.resume(first);
        assertNotEquals(0, TestServer.waitFor(first, PEER_TIMEOUT), () -> "evicted publisher: " + read("first.log"));
    }

    private static int indexOfDiscontinuity(final List<HlsPlaylist.Segment> segments)
    {
        for (int i = 0; i < segments.size(); i++)
        {
            if (segments.get(i).discontinuity())
            {
                return i;
            }
        }

        return -1;
    }

    private Process publish(final int seconds, final String log)
    {
        return TestServer.publishTestPattern(server.publishUrl(PATH, TestServer.KEY1), seconds, "libx264",
            List.of("-g", "25"), temp.resolve(log));
    }

    private long lastSequence()
    {
        final HlsPlaylist playlist = HlsPlaylist.fetch(server, PLAYLIST);
        return playlist == null ? -1 : playlist.lastSequence();
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
