package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.JournalScan;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server pulls the GStreamer camera emulator (H.264 + AAC, Digest auth) over RTSP, over TCP and over UDP,
 * and serves it as HLS: ffprobe finds h264 and aac with the expected frame counts and ffmpeg decodes it without
 * a complaint; the camera API shows it online with the transport in use and never the password; the camera's
 * journal holds its H.264 units (a keyframe first, the SDP's format, strictly increasing decode times), at least as
 * many as HLS served.
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
        assertJournalHoldsTheVideo(videoFrames);
    }

    /**
     * The pulled camera is recorded: its journal holds at least the video units HLS served, each an H.264 unit of
     * the 640-wide format with a well-formed first NAL length, decode times strictly increasing, a keyframe first.
     */
    private void assertJournalHoldsTheVideo(final int hlsFrames)
    {
        final CameraJournal journal = server.server().recording().journal("cam1");
        // units, keyframes, units that break the rules, whether the first unit is a keyframe
        final long[] video = new long[4];
        Await.until(Duration.ofSeconds(10), () ->
        {
            Arrays.fill(video, 0);
            final long[] lastDts = {Long.MIN_VALUE};
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
            {
                if (trackId != TrackFormat.VIDEO_TRACK)
                {
                    return;
                }

                final boolean key = FrameFlags.isKeyframe(flags);
                video[3] = video[0] == 0 ? (key ? 1 : 0) : video[3];
                video[0]++;
                video[1] += key ? 1 : 0;
                final boolean framed = payload.readableBytes() > 4 &&
                    payload.getInt(payload.readerIndex()) + 4L <= payload.readableBytes();
                if (format == null || format.codec() != CodecId.H264 || format.width() != 640 || !framed ||
                    dts90k <= lastDts[0])
                {
                    video[2]++;
                }

                lastDts[0] = dts90k;
            });
            return video[0] >= hlsFrames;
        }, () -> "journal video units " + video[0] + " of at least " + hlsFrames);
        System.out.println("journal: " + video[0] + " video units, " + video[1] + " keyframes (HLS served " +
            hlsFrames + ")");
        assertEquals(0, video[2], "recorded units that are not well-formed 640-wide H.264 in decode order");
        assertEquals(1, video[3], "the first recorded unit is a keyframe");
        assertTrue(video[1] >= 2, "keyframes: " + video[1]);
    }
}
