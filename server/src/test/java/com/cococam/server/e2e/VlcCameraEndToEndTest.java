package com.cococam.server.e2e;

import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import com.cococam.server.testing.Vlc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VLC as an IP camera that is neither ours nor GStreamer: VLC serves a generated H.264 (High, B-frames) + AAC
 * clip over RTSP (RTP over UDP; VLC's RTSP server has no TCP interleaving), the server pulls it as camera
 * {@code cam2} and serves it as HLS; ffprobe finds both codecs with about 25 video frames per second of playlist
 * and ffmpeg decodes it without a complaint.
 *
 * <p>VLC quirks these tests meet (none needed a change in our RTSP client): its SDP carries a 20-digit
 * {@code o=} session id (larger than a signed 64-bit number), absolute {@code a=control} URLs, the same payload
 * type 96 on both media, fmtp lists ending in {@code ;} with spaces after the separators, and a 5-byte AAC
 * {@code config} (explicit "no SBR" extension); the order of the tracks in its SDP changes from run to run;
 * it answers a TCP SETUP with 461; and when it loops the file it re-creates its tracks (new {@code trackID}s)
 * and sends nothing more to the sessions set up on the old ones, so a puller must notice the silence and
 * reconnect.
 *
 * <p>Skipped when VLC is not installed, failed instead when {@code COCOCAM_REQUIRE_VLC=true} (see {@link Vlc}).
 */
@Timeout(40)
class VlcCameraEndToEndTest
{
    private static final Pattern RECONNECTS = Pattern.compile("\"reconnects\":(\\d+)");
    private static final Duration SDP_TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    static Path clips;

    @TempDir
    Path temp;

    private static Path longClip;
    private static Path loopClip;

    private Vlc vlc;
    private TestServer server;

    @BeforeAll
    static void generateClips()
    {
        Vlc.requireInstalled();
        longClip = clips.resolve("vlc-camera-16s.mp4");
        VlcChecks.generateClip(longClip, 16);
        loopClip = clips.resolve("vlc-camera-loop-12s.mp4");
        VlcChecks.generateClip(loopClip, 12);
    }

    @BeforeEach
    void findVlc() throws Exception
    {
        vlc = Vlc.require();
    }

    @AfterEach
    void stop()
    {
        if (server != null)
        {
            server.close();
        }

        if (vlc != null)
        {
            vlc.close();
        }
    }

    @Test
    void shouldPullVlcRtspServerOverUdpWhenTransportIsAutoAndServeItAsHls() throws Exception
    {
        final Vlc.RtspServer camera = vlc.serveRtsp(vlc.stage(longClip), TestServer.freePort(), false, SDP_TIMEOUT);
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam2.source=" + camera.url(),
            "--cameras.cam2.transport=auto", "--hls.windowSegments=20");
        final HlsDownload hls = RtspPullSupport.awaitPlaylist(server, "cam2", 6, Duration.ofSeconds(20));

        final String status = server.get("/api/v1/cameras/cam2").text();
        System.out.println("VLC camera: " + status);
        assertTrue(status.contains("\"state\":\"online\""), status);
        assertTrue(status.contains("\"transport\":\"udp\""), "auto settles on UDP, all VLC offers: " + status);
        assertTrue(status.contains("\"type\":\"video\",\"codec\":\"H264\""), status);
        assertTrue(status.contains("\"type\":\"audio\",\"codec\":\"MPEG4-GENERIC\""), status);
        assertTrue(status.contains("\"bFrames\":true"), "the clip's B-frames are seen: " + status);
        assertEquals(0, hls.discontinuities(), hls.playlist());

        final Path joined = temp.resolve("vlc-camera.mp4");
        hls.downloadTo(server, "/live/cam2/", joined);
        final VlcChecks.Probe probe = VlcChecks.probe(joined);
        assertEquals("h264", probe.video().get("codec_name"), probe.toString());
        assertEquals("High", probe.video().get("profile"), probe.toString());
        assertEquals("640", probe.video().get("width"), probe.toString());
        assertEquals("360", probe.video().get("height"), probe.toString());
        final double seconds = hls.totalSeconds();
        assertTrue(Math.abs(probe.videoFrames() - seconds * 25) <= 3,
            "video frames " + probe.videoFrames() + " for " + seconds + " s of playlist: " + probe);
        assertEquals("aac", probe.audio().get("codec_name"), probe.toString());
        assertEquals("48000", probe.audio().get("sample_rate"), probe.toString());
        assertEquals("1", probe.audio().get("channels"), probe.toString());
        final double expectedAudioFrames = seconds * 48000 / 1024.0;
        assertTrue(Math.abs(probe.audioFrames() - expectedAudioFrames) <= 0.1 * expectedAudioFrames,
            "audio frames " + probe.audioFrames() + " for " + seconds + " s: " + probe);
        VlcChecks.assertDecodesCleanly(joined);
        assertTrue(camera.alive(), camera.log());
    }

    @Test
    void shouldReportVlcRefusingTcpWhenTransportIsTcp() throws Exception
    {
        final Vlc.RtspServer camera = vlc.serveRtsp(vlc.stage(longClip), TestServer.freePort(), false, SDP_TIMEOUT);
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam2.source=" + camera.url(),
            "--cameras.cam2.transport=tcp");
        final String[] status = {""};
        Await.until(Duration.ofSeconds(15), () ->
        {
            status[0] = server.get("/api/v1/cameras/cam2").text();
            return status[0].contains("\"lastError\":\"unsupported_transport");
        }, () -> "a typed error for VLC's 461: " + status[0]);
        assertTrue(status[0].contains("461"), status[0]);
        assertFalse(status[0].contains("\"state\":\"online\""), status[0]);
        assertTrue(status[0].contains("\"live\":false"), status[0]);
        assertEquals(404, server.get("/live/cam2/stream.m3u8").status(), "no HLS without media");
    }

    @Test
    void shouldReconnectWhenVlcLoopsAndRecreatesItsTracks() throws Exception
    {
        final Vlc.RtspServer camera = vlc.serveRtsp(vlc.stage(loopClip), TestServer.freePort(), true, SDP_TIMEOUT);
        final String firstSdp = Vlc.describe(camera.port());
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam2.source=" + camera.url(),
            "--cameras.cam2.transport=udp", "--hls.windowSegments=30", "--hls.segmentDurationMs=1000");

        // The clip ends after 12 s; VLC starts it again on new tracks and the old session goes silent; 5 s of
        // silence later the puller reconnects and finds the new tracks in a fresh DESCRIBE.
        final String[] last = {"", ""};
        Await.until(Duration.ofSeconds(30), () ->
        {
            last[0] = server.get("/api/v1/cameras/cam2").text();
            final TestServer.HttpResult playlist = server.get("/live/cam2/stream.m3u8");
            last[1] = playlist.status() == 200 ? playlist.text() : "";
            return reconnects(last[0]) >= 1 && last[0].contains("\"state\":\"online\"")
                && secondsAfterLastDiscontinuity(last[1]) >= 2;
        }, () -> "a reconnect and 2 s of HLS after it: " + last[0] + "\n" + last[1]);
        assertTrue(last[0].contains("\"lastError\":\"no_media"), "the silence was noticed: " + last[0]);
        final String laterSdp = Vlc.describe(camera.port());
        assertFalse(controls(firstSdp).equals(controls(laterSdp)),
            "VLC re-created its tracks: " + controls(firstSdp) + " then " + controls(laterSdp));

        final List<String> after = segmentsAfterLastDiscontinuity(last[1]);
        final Path joined = temp.resolve("after-reconnect.mp4");
        final HlsDownload all = HlsDownload.parse(last[1]);
        final TestServer.HttpResult init = server.get("/live/cam2/" + all.mapUris().get(all.mapUris().size() - 1));
        assertEquals(200, init.status());
        final List<byte[]> parts = new ArrayList<>();
        parts.add(init.body());
        for (final String uri : after)
        {
            final TestServer.HttpResult segment = server.get("/live/cam2/" + uri);
            assertEquals(200, segment.status(), uri);
            parts.add(segment.body());
        }

        try (OutputStream out = Files.newOutputStream(joined))
        {
            for (final byte[] part : parts)
            {
                out.write(part);
            }
        }

        final VlcChecks.Probe probe = VlcChecks.probe(joined);
        final double seconds = secondsAfterLastDiscontinuity(last[1]);
        assertEquals("h264", probe.video().get("codec_name"), probe.toString());
        assertTrue(Math.abs(probe.videoFrames() - seconds * 25) <= 3,
            "video frames after the reconnect " + probe.videoFrames() + " for " + seconds + " s: " + probe);
        assertEquals("aac", probe.audio().get("codec_name"), probe.toString());
        assertTrue(probe.audioFrames() > 0, probe.toString());
        VlcChecks.assertDecodesCleanly(joined);
    }

    private static int reconnects(final String status)
    {
        final Matcher matcher = RECONNECTS.matcher(status);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : 0;
    }

    private static List<String> controls(final String sdp)
    {
        return sdp.lines().filter(l -> l.startsWith("a=control:") && l.contains("trackID")).sorted().toList();
    }

    private static double secondsAfterLastDiscontinuity(final String playlist)
    {
        final int at = playlist.lastIndexOf("#EXT-X-DISCONTINUITY");
        return at < 0 ? 0 : HlsDownload.parse(playlist.substring(at)).totalSeconds();
    }

    private static List<String> segmentsAfterLastDiscontinuity(final String playlist)
    {
        final int at = playlist.lastIndexOf("#EXT-X-DISCONTINUITY");
        return at < 0 ? List.of() : HlsDownload.parse(playlist.substring(at)).segmentUris();
    }
}
