package com.cococam.server.e2e;

import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A camera that dies and comes back, and a camera that refuses UDP: the puller reports the outage, reconnects
 * (HLS resumes after a discontinuity), and falls back from UDP to TCP on a 461.
 */
@Timeout(120)
class RtspPullReconnectTest
{
    @TempDir
    Path temp;

    private RtspPullSupport.Camera camera;
    private TestServer server;

    @AfterEach
    void stop() throws Exception
    {
        if (server != null)
        {
            server.close();
        }

        if (camera != null)
        {
            camera.close();
        }
    }

    @Test
    void shouldReconnectWhenTheCameraComesBack() throws Exception
    {
        final int port = TestServer.freePort();
        camera = RtspPullSupport.Camera.start(temp, port, "--codec", "h264", "--audio", "aac");
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=" + camera.url(false),
            "--cameras.cam1.transport=tcp", "--hls.windowSegments=30");
        RtspPullSupport.awaitPlaylist(server, "cam1", 2, Duration.ofSeconds(30));
        final CameraPuller puller = server.server().pullers().find("cam1");
        assertEquals(PullState.ONLINE, puller.state());

        camera.kill();
        final long killedNs = System.nanoTime();
        Await.until(Duration.ofSeconds(10), () -> puller.state() == PullState.RETRYING, () -> puller.json());
        assertNotNull(puller.lastError(), puller.json());
        final String status = server.get("/api/v1/cameras/cam1").text();
        assertTrue(status.contains("\"state\":\"retrying\"") && status.contains("\"lastError\":\""), status);
        assertTrue(server.get("/metrics").text().contains("cococam_camera_up{camera=\"cam1\"} 0"));

        camera = RtspPullSupport.Camera.start(temp, port, "--codec", "h264", "--audio", "aac");
        final long restartedNs = System.nanoTime();
        Await.until(Duration.ofSeconds(40), () -> puller.state() == PullState.ONLINE, () -> puller.json());
        final long reconnectMs = (System.nanoTime() - restartedNs) / 1_000_000;
        System.out.println("rtsp pull: offline detected, camera restarted after " +
            (restartedNs - killedNs) / 1_000_000 + " ms; online again " + reconnectMs + " ms after restart");
        assertTrue(puller.reconnects() >= 1, puller.json());
        assertTrue(server.get("/metrics").text().contains("cococam_camera_reconnects_total{camera=\"cam1\"} 1"));

        final double before = HlsDownload.parse(server.get("/live/cam1/stream.m3u8").text()).totalSeconds();
        Await.until(Duration.ofSeconds(30), () ->
        {
            final HlsDownload hls = HlsDownload.parse(server.get("/live/cam1/stream.m3u8").text());
            return hls.discontinuities() >= 1 && hls.totalSeconds() >= before + 2;
        }, () -> "HLS did not resume: " + server.get("/live/cam1/stream.m3u8").text());
    }

    @Test
    void shouldFallBackToTcpWhenTheCameraRefusesUdp() throws Exception
    {
        camera = RtspPullSupport.Camera.start(temp, TestServer.freePort(), "--codec", "h265", "--audio", "pcma",
            "--tcp-only", "--user", RtspPullSupport.USER, "--password", RtspPullSupport.PASSWORD, "--auth", "basic");
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=" + camera.url(true),
            "--cameras.cam1.transport=auto");
        RtspPullSupport.awaitPlaylist(server, "cam1", 3, Duration.ofSeconds(40));
        final CameraPuller puller = server.server().pullers().find("cam1");
        assertEquals("tcp", puller.transportInUse(), puller.json());
        assertTrue(puller.json().contains("unsupported_transport"), puller.json());
        final String playlist = server.get("/live/cam1/stream.m3u8").text();
        assertTrue(!playlist.isEmpty(), playlist);
    }
}
