package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.StreamMetrics;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.RawRtmpClient;
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
 * An RTMP viewer that stops reading (a raw client with a tiny receive buffer that plays and then never reads)
 * beside a healthy ffprobe viewer and HLS: with small backlog bounds the slow viewer is skipped to keyframes and
 * then disconnected, while the publisher runs in real time and the healthy viewer and HLS get every
 * frame.
 */
@Timeout(120)
class SlowViewerEndToEndTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(40);
    private static final String PATH = "live/cam1";
    private static final int SECONDS = 8;

    /**
     * Above the largest frame of the noisy 10 Mb/s stream (a healthy viewer must never cross it between two
     * drains), and small beside what the kernel buffers: Linux grows a loopback socket's send buffer to
     * {@code tcp_wmem} max (4 MiB) even when the peer never reads, so a stalled viewer is only seen once that
     * is full; the noisy stream fills it in about two seconds.
     */
    private static final int SKIP_BYTES = 512 * 1024;

    @TempDir
    Path temp;

    private TestServer server;
    private RawRtmpClient slow;
    private Process healthy;
    private Process publisher;

    @BeforeEach
    void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--stream.subscriberSkipBytes=" + SKIP_BYTES,
            "--stream.subscriberMaxBytes=" + 2 * SKIP_BYTES);
    }

    @AfterEach
    void stopAll()
    {
        if (slow != null)
        {
            slow.close();
        }

        if (healthy != null)
        {
            healthy.destroyForcibly();
        }

        if (publisher != null)
        {
            publisher.destroyForcibly();
        }

        server.close();
    }

    @Test
    void shouldSkipThenDisconnectAStalledViewerWithoutHurtingThePublisherOrOtherViewers() throws Exception
    {
        final int frames = SECONDS * 25;
        healthy = Peers.start(temp.resolve("healthy.txt"), List.of(Peers.ffprobe(), "-v", "error",
            "-rw_timeout", "30000000", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
            "-select_streams", "v:0", "-of", "flat", server.rtmpUrl(PATH)));
        slow = RawRtmpClient.open(server.server().rtmpPort(), 4096);
        slow.handshake();
        slow.connect(server.server().rtmpPort(), "live");
        slow.createStream();
        slow.play("cam1");
        assertTrue(slow.readUntil("NetStream.Play.Start", Duration.ofSeconds(10)), "slow viewer plays");
        Await.until(Duration.ofSeconds(30), () ->
        {
            final LiveStream stream = server.server().hub().find(PATH);
            return stream != null && stream.metrics().viewers.get() == 2;
        }, "both viewers attached");

        final long startNs = System.nanoTime();
        publisher = TestServer.publishTestPattern(server.publishUrl(PATH, TestServer.KEY1), SECONDS, "libx264",
            List.of("-g", "12", "-b:v", "10M", "-vf", "noise=alls=40:allf=t+u"), temp.resolve("publisher.log"));
        assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> read("publisher.log"));
        final double elapsedSec = (System.nanoTime() - startNs) / 1e9;
        assertTrue(elapsedSec < SECONDS + 4, "publisher ran in real time, never blocked: " + elapsedSec + " s");

        final StreamMetrics metrics = server.server().hub().find(PATH).metrics();
        final String counters = "skips=" + metrics.viewerSkips.sum() + " skippedFrames=" +
            metrics.viewerSkippedFrames.sum() + " disconnects=" + metrics.viewerDisconnects.sum() + " viewers=" +
            metrics.viewers.get() + " healthy=" + read("healthy.txt");
        assertTrue(metrics.viewerSkips.sum() >= 1, "slow viewer skipped to a keyframe: " + counters);
        assertTrue(metrics.viewerSkippedFrames.sum() >= 1, "frames not sent to the slow viewer: " + counters);
        assertEquals(1, metrics.viewerDisconnects.sum(), "slow viewer disconnected: " + counters);
        assertEquals(0, metrics.ringDrops.sum(), "nothing dropped from the ring");
        assertTrue(slow.awaitClosedMs(Duration.ofSeconds(10)) >= 0, "the slow viewer's connection was closed");

        assertEquals(0, TestServer.waitFor(healthy, PEER_TIMEOUT), () -> read("healthy.txt"));
        final Map<String, String> played = Peers.parseFlat(read("healthy.txt"));
        assertEquals(frames, Integer.parseInt(played.get("streams.stream.0.nb_read_frames")),
            "the healthy viewer got every frame: " + played);

        Await.until(Duration.ofSeconds(10), () ->
        {
            final TestServer.HttpResult playlist = server.get("/live/cam1/stream.m3u8");
            return playlist.status() == 200 && HlsDownload.parse(playlist.text()).totalSeconds() >= SECONDS - 0.1;
        }, "HLS covers the whole publish");
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
