package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server pulls the GStreamer camera emulator (H.264 + AAC, Digest auth) over RTSP, over TCP and over UDP,
 * and serves it as HLS: ffprobe finds h264 and aac with the expected frame counts and ffmpeg decodes it without
 * a complaint; the camera API shows it online with the transport in use and never the password.
 */
@Timeout(120)
class RtspPullEndToEndTest
{
    private static final Pattern AUDIO_TRACK = Pattern.compile(
        "\\{\"type\":\"audio\",\"codec\":\"MPEG4-GENERIC\",\"packets\":(\\d+),\"units\":(\\d+)");

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
    void shouldPullH264AndAacOverTcpWithDigestAuthIntoHls() throws Exception
    {
        pullAndCheck("tcp");
    }

    @Test
    void shouldPullH264AndAacOverUdpWithDigestAuthIntoHls() throws Exception
    {
        pullAndCheck("udp");
    }

    private void pullAndCheck(final String transport) throws Exception
    {
        camera = RtspPullSupport.Camera.start(temp, TestServer.freePort(), "--codec", "h264", "--audio", "aac",
            "--user", RtspPullSupport.USER, "--password", RtspPullSupport.PASSWORD, "--auth", "digest");
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=" + camera.url(true),
            "--cameras.cam1.transport=" + transport, "--hls.windowSegments=20");
        final HlsDownload hls = RtspPullSupport.awaitPlaylist(server, "cam1", 4, Duration.ofSeconds(30));

        final String status = server.get("/api/v1/cameras/cam1").text();
        System.out.println("rtsp pull over " + transport + ": " + status);
        // Both formats come from the SDP before any media, so the first init segment has both tracks and the
        // playlist never cuts a discontinuity for a late audio track.
        assertEquals(0, hls.discontinuities(), "playlist: " + server.get("/live/cam1/stream.m3u8").text());
        final Matcher audioTrack = AUDIO_TRACK.matcher(status);
        assertTrue(audioTrack.find(), status);
        assertTrue(Long.parseLong(audioTrack.group(2)) > 0 && Long.parseLong(audioTrack.group(1)) > 0,
            "audio packets and units reach the assembler: " + status);
        assertTrue(status.contains("\"state\":\"online\""), status);
        assertTrue(status.contains("\"transport\":\"" + transport + "\""), status);
        assertTrue(status.contains("\"live\":true"), status);
        assertFalse(status.contains(RtspPullSupport.PASSWORD), status);
        assertTrue(status.contains("rtsp://***@127.0.0.1"), status);
        final String metrics = server.get("/metrics").text();
        assertTrue(metrics.contains("cococam_camera_up{camera=\"cam1\"} 1"), metrics);
        assertFalse(metrics.contains(RtspPullSupport.PASSWORD));

        final Path joined = temp.resolve("hls-" + transport + ".mp4");
        hls.downloadTo(server, "/live/cam1/", joined);
        final Map<String, String> probe = Peers.ffprobeFlat(RtspPullSupport.PEER_TIMEOUT, "-count_frames",
            "-show_entries", "stream=codec_name,width,height,sample_rate,nb_read_frames", joined.toString());
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals("640", probe.get("streams.stream.0.width"), probe.toString());
        assertEquals("aac", probe.get("streams.stream.1.codec_name"), probe.toString());
        final int videoFrames = Integer.parseInt(probe.get("streams.stream.0.nb_read_frames"));
        final double seconds = hls.totalSeconds();
        assertTrue(Math.abs(videoFrames - seconds * 25) <= 3, "video frames " + videoFrames + " for " + seconds +
            " s: " + probe);
        final int audioFrames = Integer.parseInt(probe.get("streams.stream.1.nb_read_frames"));
        final int sampleRate = Integer.parseInt(probe.get("streams.stream.1.sample_rate"));
        assertTrue(Math.abs(audioFrames - seconds * sampleRate / 1024.0) <= 0.1 * seconds * sampleRate / 1024.0,
            "audio frames " + audioFrames + " for " + seconds + " s at " + sampleRate + ": " + probe);

        final Peers.Result decode = Peers.run(RtspPullSupport.PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror",
            "-i", joined.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }
}
