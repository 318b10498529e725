package com.cococam.server.e2e;

import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import com.cococam.server.testing.Vlc;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * VLC, a player that is neither ours nor ffmpeg's, watches what the server serves: ffmpeg publishes a 640x360
 * H.264 + AAC test pattern over RTMP, VLC plays the path over RTMP, over fMP4 HLS and over MPEG-TS HLS for a few
 * seconds and records what it received, unchanged, into an MPEG-TS file; ffprobe finds both codecs, the published
 * resolution and about real-time counts of decoded video and audio frames, and the video decodes without an error.
 *
 * <p>Skipped when VLC is not installed, failed instead when {@code COCOCAM_REQUIRE_VLC=true} (see {@link Vlc}).
 */
@Timeout(40)
class VlcPlayerEndToEndTest
{
    private static final int PLAY_SECONDS = 6;
    private static final int FPS = 25;
    private static final Duration VLC_TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path temp;

    private Vlc vlc;
    private TestServer server;
    private Process publisher;

    @BeforeEach
    void findVlc() throws Exception
    {
        vlc = Vlc.require();
    }

    @AfterEach
    void stop()
    {
        if (publisher != null)
        {
            publisher.descendants().forEach(ProcessHandle::destroyForcibly);
            publisher.destroyForcibly();
        }

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
    void shouldPlayTheRtmpStreamInVlcStartingAtAKeyframe() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
        // Without B-frames: see shouldKeepAudioInStepForVlcJoiningRtmpWithBFrames for what VLC does with them.
        startPublisher(List.of("-bf", "0"));
        awaitLive();

        final Vlc.Recording recording = recordRtmp("rtmp.ts", PLAY_SECONDS);
        final VlcChecks.Probe probe = assertPlayedTestPattern(recording, PLAY_SECONDS);
        final String flags = VlcChecks.firstVideoPacketFlags(recording.file());
        assertTrue(flags.startsWith("K"),
            "VLC's first video packet is a keyframe (the server starts RTMP players at the last keyframe): " + flags);
        assertAudioStartsWithVideo(probe);
        System.out.println("VLC over RTMP: " + probe);
    }

    /**
     * KNOWN BUG, disabled until the late-joiner start in server/.../stream/ changes. A late RTMP joiner gets the last
     * keyframe and then only the audio stamped after it. With B-frames (keyframe PTS = DTS + 80 ms) VLC 3.0, which
     * demuxes RTMP through libavformat, then stamps the whole audio track on its system clock: hours off (13521 s
     * in VLC's recording against 0.4 s for video). Measured with the same publisher: with B-frames it happened in
     * every join whose first audio came after the keyframe's DTS (first audio 4005/6011/8016/12005 ms against
     * keyframes at 4000/6000/8000/12000 ms) and in none where the first audio tied with the DTS (2000, 10000 ms),
     * 6 of 10 joins in all; without B-frames never (6 of 6, although the first audio came 21 ms late each time);
     * against nginx-rtmp, whose joiners get audio before the first keyframe, never (6 of 6, B-frames on).
     * ffmpeg-based players don't mind. Suggested fix: also send a late joiner the newest audio frame stamped at or
     * before the keyframe's DTS. Three joins in a row make a pass by chance unlikely.
     */
    @Test
    @Disabled("known interop bug, cause not found: VLC 3.0 over RTMP with B-frames puts a late joiner's audio hours"
        + " off. Sending the newest audio frame before the keyframe's DTS first (as tried) did not fix it")
    void shouldKeepAudioInStepForVlcJoiningRtmpWithBFrames() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
        startPublisher(List.of("-bf", "2"));
        awaitLive();
        for (int join = 0; join < 3; join++)
        {
            final Vlc.Recording recording = recordRtmp("rtmp-bframes-" + join + ".ts", 3);
            final VlcChecks.Probe probe = assertPlayedTestPattern(recording, 3);
            assertAudioStartsWithVideo(probe);
        }
    }

    @Test
    void shouldPlayTheFmp4HlsStreamInVlc() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
        playHls("hls-fmp4.ts", ".m4s");
    }

    @Test
    void shouldPlayTheMpegTsHlsStreamInVlc() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--hls.format=mpegts");
        playHls("hls-mpegts.ts", ".ts");
    }

    private void playHls(final String outName, final String segmentSuffix) throws Exception
    {
        startPublisher(List.of("-bf", "2"));
        final String[] last = {""};
        Await.until(Duration.ofSeconds(20), () ->
        {
            final TestServer.HttpResult result = server.get("/live/cam1/stream.m3u8");
            last[0] = result.status() == 200 ? result.text() : "";
            return HlsDownload.parse(last[0]).segmentUris().size() >= 3;
        }, () -> "three HLS segments: " + last[0]);
        final HlsDownload playlist = HlsDownload.parse(last[0]);
        assertTrue(playlist.segmentUris().get(0).endsWith(segmentSuffix), playlist.playlist());

        final Vlc.Recording recording = vlc.record(server.httpUrl("/live/cam1/index.m3u8"), outName,
            Duration.ofSeconds(PLAY_SECONDS), VLC_TIMEOUT);
        assertRan(recording);
        final VlcChecks.Probe probe = assertPlayedTestPattern(recording, PLAY_SECONDS);
        assertAudioStartsWithVideo(probe);
        System.out.println("VLC over HLS (" + segmentSuffix + "): " + probe);
    }

    private void awaitLive()
    {
        Await.until(Duration.ofSeconds(15), () -> server.get("/api/v1/cameras/cam1").text().contains("\"live\":true"),
            () -> "cam1 never went live: " + server.get("/api/v1/cameras/cam1").text());
    }

    private Vlc.Recording recordRtmp(final String name, final int seconds) throws Exception
    {
        final Vlc.Recording recording = vlc.record(server.rtmpUrl("live/cam1"), name, Duration.ofSeconds(seconds),
            VLC_TIMEOUT);
        assertRan(recording);
        return recording;
    }

    private static void assertRan(final Vlc.Recording recording)
    {
        assertFalse(recording.timedOut(), recording.toString());
        assertEquals(0, recording.exitCode(), recording.toString());
        assertTrue(recording.sizeBytes() > 50_000, recording.toString());
    }

    private static void assertAudioStartsWithVideo(final VlcChecks.Probe probe)
    {
        assertTrue(Math.abs(probe.videoStartSec() - probe.audioStartSec()) < 0.5,
            "audio and video start together in VLC's recording: " + probe);
    }

    /**
     * Checks VLC's recording against the published test pattern: 640x360 H.264 and 48 kHz AAC, at least
     * {@code seconds - 2} seconds of each (VLC spends up to a second connecting and buffering), at most what
     * could have been published meanwhile, and a video stream that decodes cleanly.
     */
    private VlcChecks.Probe assertPlayedTestPattern(final Vlc.Recording recording, final int seconds)
    {
        final VlcChecks.Probe probe = VlcChecks.probe(recording.file());
        assertEquals("h264", probe.video().get("codec_name"), probe + "\n" + recording);
        assertEquals("640", probe.video().get("width"), probe.toString());
        assertEquals("360", probe.video().get("height"), probe.toString());
        final int minFrames = (seconds - 2) * FPS;
        assertTrue(probe.videoFrames() >= minFrames, "at least " + minFrames + " video frames: " + probe);
        assertTrue(probe.videoFrames() <= 20 * FPS, "no more frames than were published: " + probe);
        assertNotNull(probe.audio(), "VLC's recording has an audio stream: " + probe);
        assertEquals("aac", probe.audio().get("codec_name"), probe.toString());
        assertEquals("48000", probe.audio().get("sample_rate"), probe.toString());
        final int minAudioFrames = (seconds - 2) * 48000 / 1024;
        assertTrue(probe.audioFrames() >= minAudioFrames, "at least " + minAudioFrames + " AAC frames: " + probe);
        // Only the video: VLC's TS muxer cuts the last audio PES when --run-time stops it (see Vlc#record).
        VlcChecks.assertVideoDecodesCleanly(recording.file());
        return probe;
    }

    private void startPublisher(final List<String> videoOptions)
    {
        publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1), 20, "libx264",
            videoOptions, temp.resolve("publisher.log"));
    }
}
