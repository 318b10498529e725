package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server pulls the GStreamer camera emulator with H.265 video and G.711 A-law audio (the usual IP camera
 * pair), over TCP and over UDP, and serves it as HLS: ffprobe finds hevc 640x360 with 25 frames per second of
 * playlist, and AAC-LC at 8 kHz mono (transcoded from the A-law) covering the same time as the video; ffmpeg
 * decodes it without a complaint; the multivariant playlist names both codecs.
 */
@Timeout(150)
class RtspPullH265PcmaEndToEndTest
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

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "udp"})
    void shouldPullH265AndPcmaIntoHlsWithHevcAndAac(final String transport) throws Exception
    {
        camera = RtspPullSupport.Camera.start(temp, TestServer.freePort(), "--codec", "h265", "--audio", "pcma");
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=" + camera.url(false),
            "--cameras.cam1.transport=" + transport, "--hls.windowSegments=20");
        final HlsDownload hls = RtspPullSupport.awaitPlaylist(server, "cam1", 6, Duration.ofSeconds(60));

        final String status = server.get("/api/v1/cameras/cam1").text();
        assertTrue(status.contains("\"transport\":\"" + transport + "\"") && status.contains("\"codec\":\"PCMA\"") &&
            status.contains("\"codec\":\"H265\""), status);
        assertEquals(0, hls.discontinuities(), hls.playlist());
        final String multivariant = server.get("/live/cam1/index.m3u8").text();
        assertTrue((multivariant.contains("hvc1.") || multivariant.contains("hev1.")) &&
            multivariant.contains("mp4a.40.2"), multivariant);

        final Path file = temp.resolve("hls-" + transport + ".mp4");
        hls.downloadTo(server, "/live/cam1/", file);
        final Map<String, String> probe = Peers.ffprobeFlat(RtspPullSupport.PEER_TIMEOUT, "-count_frames",
            "-show_entries", "stream=codec_name,profile,width,height,sample_rate,channels,nb_read_frames",
            file.toString());
        assertEquals("hevc", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals("640", probe.get("streams.stream.0.width"), probe.toString());
        assertEquals("360", probe.get("streams.stream.0.height"), probe.toString());
        assertEquals("aac", probe.get("streams.stream.1.codec_name"), probe.toString());
        assertEquals("LC", probe.get("streams.stream.1.profile"), probe.toString());
        assertEquals("8000", probe.get("streams.stream.1.sample_rate"), probe.toString());
        assertEquals("1", probe.get("streams.stream.1.channels"), probe.toString());

        final double playlistSeconds = hls.totalSeconds();
        final int videoFrames = Integer.parseInt(probe.get("streams.stream.0.nb_read_frames"));
        final double videoSeconds = RtspSupport.presentationSeconds(file, "v:0");
        assertTrue(Math.abs(videoFrames - playlistSeconds * 25) <= 1, "video frames " + videoFrames + " for " +
            playlistSeconds + " s of playlist: " + probe);
        assertEquals(playlistSeconds, videoSeconds, 0.05, "video PTS cover the playlist");
        // The AAC of the first segment starts when the transcoder's first frame is out, up to about 0.3 s after the
        // first keyframe (HlsPackager); from then on audio and video end together.
        final int audioFrames = Integer.parseInt(probe.get("streams.stream.1.nb_read_frames"));
        final double audioSeconds = RtspSupport.presentationSeconds(file, "a:0");
        assertTrue(audioSeconds <= videoSeconds + 0.15 && audioSeconds >= videoSeconds - 0.5,
            "audio covers " + audioSeconds + " s of " + videoSeconds + " s of video");
        assertEquals(audioSeconds * 8000 / 1024, audioFrames, 1.5, "AAC frames of 1024 samples at 8 kHz");
        System.out.printf("rtsp pull h265+pcma over %s: %.2f s of playlist, %d hevc frames (%.3f s), %d aac frames " +
            "(%.3f s)%n", transport, playlistSeconds, videoFrames, videoSeconds, audioFrames, audioSeconds);

        final Peers.Result decode = Peers.run(RtspPullSupport.PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror",
            "-i", file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }
}
