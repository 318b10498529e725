package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.OpusTracks;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Opus audio from RTSP sources (RFC 7587: one Opus packet per RTP packet on a 48 kHz clock): pushed by ffmpeg
 * (libopus, stereo) and pulled from the GStreamer camera emulator, it is recorded packet by packet and played back
 * over RTSP as Opus; HLS and RTMP, which cannot carry it here, keep the video.
 */
@Timeout(150)
class RtspOpusEndToEndTest
{
    private static final int SECONDS = 6;

    @TempDir
    Path temp;

    private TestServer server;
    private RtspPullSupport.Camera camera;

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
    void shouldRecordAndPlayPushedOpus() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
        final String path = "live/cam1";
        final Path log = temp.resolve("publisher.log");
        final Process publisher = Peers.start(log, List.of(Peers.ffmpeg(), "-hide_banner", "-nostats", "-loglevel",
            "warning", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i",
            "sine=frequency=440:sample_rate=48000", "-t", Integer.toString(SECONDS), "-c:v", "libx264", "-preset",
            "veryfast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", "libopus", "-ac", "2", "-b:a", "64k",
            "-frame_duration", "20", "-f", "rtsp", "-rtsp_transport", "tcp",
            server.rtspUrl(path) + "?key=" + TestServer.KEY1));
        RtspSupport.awaitLive(server, path);

        final Map<String, String> played = probeRtsp(path);
        assertEquals(0, TestServer.waitFor(publisher, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(log));
        assertEquals("opus", played.get("streams.stream.1.codec_name"), played.toString());
        assertEquals("2", played.get("streams.stream.1.channels"), played.toString());
        assertEquals("48000", played.get("streams.stream.1.sample_rate"), played.toString());

        // 20 ms packets: 50 a second, every one recorded with the stereo Opus format.
        final long packets = awaitJournalOpus("cam1", OpusTracks.format(true).channels(), SECONDS * 50 - 10);
        assertTrue(packets <= SECONDS * 50 + 5, "Opus packets recorded: " + packets);

        final HlsDownload hls = RtspSupport.awaitFinalPlaylist(server, "/" + path + "/stream.m3u8", SECONDS * 25);
        final Path file = temp.resolve("hls.mp4");
        hls.downloadTo(server, "/" + path + "/", file);
        final Map<String, String> probe = Peers.ffprobeFlat(RtspSupport.PEER_TIMEOUT, "-count_frames",
            "-show_entries", "stream=codec_name,nb_read_frames", file.toString());
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals(SECONDS * 25, Integer.parseInt(probe.get("streams.stream.0.nb_read_frames")), probe.toString());
        assertEquals(null, probe.get("streams.stream.1.codec_name"), "HLS carries the video only: " + probe);
        System.out.println("rtsp opus push: " + packets + " packets recorded; played " + played);
    }

    @Test
    void shouldPullOpusFromACamera() throws Exception
    {
        camera = RtspPullSupport.Camera.start(temp, TestServer.freePort(), "--codec", "h264", "--audio", "opus");
        server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=" + camera.url(false),
            "--cameras.cam1.transport=tcp");
        final AtomicReference<String> status = new AtomicReference<>("");
        Await.until(Duration.ofSeconds(30), () ->
        {
            status.set(server.get("/api/v1/cameras/cam1").text());
            return status.get().contains("\"state\":\"online\"");
        }, () -> "camera online: " + status.get());
        assertTrue(status.get().contains("\"codec\":\"OPUS\""), status.get());

        final Map<String, String> played = probeRtsp("live/cam1");
        assertEquals("opus", played.get("streams.stream.1.codec_name"), played.toString());
        final int frames = Integer.parseInt(played.get("streams.stream.1.nb_read_frames"));
        assertTrue(frames >= 100, "Opus frames decoded over RTSP in 3 s: " + played);
        final long packets = awaitJournalOpus("cam1", -1, 100);
        System.out.println("rtsp opus pull: " + packets + " packets recorded; played " + played);
    }

    private Map<String, String> probeRtsp(final String path) throws Exception
    {
        final Path out = temp.resolve("probe.txt");
        final Process probe = Peers.start(out, List.of(Peers.ffprobe(), "-v", "error", "-rtsp_transport", "tcp",
            "-read_intervals", "%+3", "-count_frames", "-show_entries",
            "stream=codec_name,sample_rate,channels,nb_read_frames", "-of", "flat", server.rtspUrl(path)));
        assertEquals(0, TestServer.waitFor(probe, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(out));
        return Peers.parseFlat(RtspSupport.read(out));
    }

    /**
     * Waits until the journal holds at least {@code atLeast} Opus units.
     *
     * @param channels the channel count every unit's format must have, or -1 for any.
     * @return the Opus units recorded.
     */
    private long awaitJournalOpus(final String cameraName, final int channels, final long atLeast)
    {
        final CameraJournal journal = server.server().recording().journal(cameraName);
        final AtomicLong count = new AtomicLong();
        Await.until(Duration.ofSeconds(15), () ->
        {
            count.set(0);
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
            {
                if (format != null && format.codec() == CodecId.OPUS)
                {
                    assertTrue(channels < 0 || format.channels() == channels, format.toString());
                    assertTrue(payload.readableBytes() > 0 && payload.readableBytes() < 1500, "one Opus packet");
                    count.incrementAndGet();
                }
            });
            return count.get() >= atLeast;
        }, () -> "Opus units in the journal: " + count.get());
        return count.get();
    }
}
