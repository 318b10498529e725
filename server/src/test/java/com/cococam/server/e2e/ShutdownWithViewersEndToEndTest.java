package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsPlaylist;
import com.cococam.server.testing.ProcessSignals;
import com.cococam.server.testing.RawRtmpClient;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping the server while a publisher streams and viewers are attached (one reading, one stalled with a full
 * backlog): the stop completes, every peer connection is closed, and no buffer leaks (the class-level Netty leak
 * check of the test jar fails the class otherwise: HLS segments, GOP cache and viewer backlogs must all be freed).
 */
@Timeout(90)
class ShutdownWithViewersEndToEndTest
{
    private static final String PATH = "live/cam1";

    @TempDir
    Path temp;

    private Process publisher;
    private Process viewer;
    private RawRtmpClient stalled;

    @AfterEach
    void cleanUp()
    {
        if (stalled != null)
        {
            stalled.close();
        }

        ProcessSignals.destroy(publisher, viewer);
    }

    @Test
    void shouldStopCleanlyWhileAPublisherAndViewersAreConnected() throws Exception
    {
        final TestServer server = TestServer.start(temp.resolve("rec"));
        try
        {
            viewer = Peers.start(temp.resolve("viewer.txt"), List.of(Peers.ffprobe(), "-v", "error",
                "-rw_timeout", "30000000", "-show_packets", "-of", "compact", server.rtmpUrl(PATH)));
            stalled = RawRtmpClient.open(server.server().rtmpPort(), 4096);
            stalled.handshake();
            stalled.connect(server.server().rtmpPort(), "live");
            stalled.createStream();
            stalled.play("cam1");
            assertTrue(stalled.readUntil("NetStream.Play.Start", Duration.ofSeconds(10)), "stalled viewer plays");
            Await.until(Duration.ofSeconds(30), () ->
            {
                final LiveStream stream = server.server().hub().find(PATH);
                return stream != null && stream.metrics().viewers.get() == 2;
            }, "both viewers attached");

            publisher = TestServer.publishTestPattern(server.publishUrl(PATH, TestServer.KEY1), 30, "libx264",
                List.of("-g", "25"), temp.resolve("publisher.log"));
            Await.until(Duration.ofSeconds(30), () ->
            {
                final HlsPlaylist playlist = HlsPlaylist.fetch(server, "/live/cam1/stream.m3u8");
                return playlist != null && playlist.segments().size() >= 2;
            }, "HLS segments while everyone is connected");
        }
        finally
        {
            final long startNs = System.nanoTime();
            server.close();
            assertTrue(System.nanoTime() - startNs < Duration.ofSeconds(15).toNanos(), "stop is bounded");
        }

        assertTrue(stalled.awaitClosedMs(Duration.ofSeconds(10)) >= 0, "stalled viewer's connection closed");
        assertTrue(viewer.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "ffprobe viewer saw the close");
        assertTrue(publisher.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "publisher saw the close");
    }
}
