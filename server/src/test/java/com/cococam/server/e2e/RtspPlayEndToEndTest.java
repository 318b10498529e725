package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTSP play with real players: ffmpeg publishes over RTMP (or RTSP for H.265), ffprobe plays
 * {@code rtsp://.../live/camN} over TCP and UDP at the same time (two viewer groups, frames packetized once per
 * group), GStreamer's rtspsrc plays it over TCP and over UDP into Matroska files.
 */
@Timeout(150)
class RtspPlayEndToEndTest
{
    @TempDir
    Path temp;

    private TestServer server;

    @BeforeEach
    void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
    }

    @AfterEach
    void stopServer()
    {
        server.close();
    }

    @Test
    void shouldPlayAnRtmpPublishedStreamOverRtspTcpUdpAndGstreamer() throws Exception
    {
        final String path = "live/cam1";
        final Path log = temp.resolve("publisher.log");
        final Process publisher = TestServer.publishTestPattern(server.publishUrl(path, TestServer.KEY1), 12,
            "libx264", List.of("-bf", "2"), log);
        RtspSupport.awaitLive(server, path);

        final Path tcpOut = temp.resolve("tcp.txt");
        final Path udpOut = temp.resolve("udp.txt");
        final Process tcp = probe(path, "tcp", tcpOut);
        final Process udp = probe(path, "udp", udpOut);
        final Process gstTcp = gstPlay(path, "tcp");
        final Process gstUdp = gstPlay(path, "udp");

        assertProbe(tcp, tcpOut, "h264");
        assertProbe(udp, udpOut, "h264");
        assertGstPlayed(gstTcp, "tcp");
        assertGstPlayed(gstUdp, "udp");
        assertEquals(0, TestServer.waitFor(publisher, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(log));
    }

    @Test
    void shouldPushAndPlayH265OverRtsp() throws Exception
    {
        final String path = "live/cam2";
        final Path log = temp.resolve("publisher.log");
        final Process publisher = RtspSupport.publish(server.rtspUrl(path) + "?key=" + TestServer.KEY2, 10,
            "libx265", List.of("-f", "rtsp", "-rtsp_transport", "tcp"), log);
        RtspSupport.awaitLive(server, path);
        final Path tcpOut = temp.resolve("tcp.txt");
        final Path udpOut = temp.resolve("udp.txt");
        final Process tcp = probe(path, "tcp", tcpOut);
        final Process udp = probe(path, "udp", udpOut);
        assertProbe(tcp, tcpOut, "hevc");
        assertProbe(udp, udpOut, "hevc");
        assertEquals(0, TestServer.waitFor(publisher, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(log));

        final Path file = temp.resolve("hls.mp4");
        RtspSupport.awaitFinalPlaylist(server, "/" + path + "/stream.m3u8", 250).downloadTo(server, "/" + path + "/",
            file);
        final Map<String, String> probe = Peers.ffprobeFlat(RtspSupport.PEER_TIMEOUT, "-count_frames",
            "-show_entries", "stream=codec_name,nb_read_frames", file.toString());
        assertEquals("hevc", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals(250, Integer.parseInt(probe.get("streams.stream.0.nb_read_frames")), probe.toString());
        RtspSupport.assertDecodesCleanly(file);
    }

    /**
     * GStreamer's rtspsrc plays the path over one transport; 50 video frames go into a Matroska file (which keeps
     * their PTS; GStreamer has no DTS from RTP and its mp4mux then writes PTS as DTS). The jitter buffer takes its
     * timestamps from RTP only ({@code buffer-mode=none}): its default mode follows arrival times, and the joining
     * viewer's GOP arrives at once.
     */
    private Process gstPlay(final String path, final String transport)
    {
        return Peers.start(temp.resolve("gst-" + transport + ".log"), List.of("gst-launch-1.0", "-q", "rtspsrc",
            "location=" + server.rtspUrl(path), "protocols=" + transport, "buffer-mode=none", "!", "rtph264depay",
            "!", "h264parse", "!", "identity", "eos-after=50", "!", "matroskamux", "!", "filesink",
            "location=" + temp.resolve("gst-" + transport + ".mkv")));
    }

    /**
     * Whether rtspsrc's only errors are its own race at the end: after the 50th frame the pipeline's EOS makes it
     * send PAUSE while its CLOSE (TEARDOWN) interrupts the same connection from another thread, and the PAUSE then
     * reads end-of-file. Seen in about 1 run in 3 of this test on a loaded 2-core box with two rtspsrc at once; the
     * server logged no close of its own (every close it makes is logged with its reason). The frames written
     * before it are still checked in full.
     */
    private static boolean onlyTeardownRace(final String log)
    {
        final List<String> errors = log.lines().filter((l) -> l.startsWith("ERROR:")).toList();
        return !errors.isEmpty() && log.contains("gst_rtspsrc_pause") && log.contains("Received end-of-file") &&
            errors.stream().allMatch((l) -> l.contains("Could not write to resource"));
    }

    private void assertGstPlayed(final Process gst, final String transport) throws Exception
    {
        final Path gstLog = temp.resolve("gst-" + transport + ".log");
        final Path mkv = temp.resolve("gst-" + transport + ".mkv");
        final int exit = TestServer.waitFor(gst, RtspSupport.PEER_TIMEOUT);
        assertTrue(exit == 0 || exit == 1 && onlyTeardownRace(RtspSupport.read(gstLog)), () -> "exit " + exit + "\n" +
            RtspSupport.read(gstLog));
        final Map<String, String> gstProbe = Peers.ffprobeFlat(RtspSupport.PEER_TIMEOUT, "-count_frames",
            "-show_entries", "stream=codec_name,width,nb_read_frames", mkv.toString());
        assertEquals("h264", gstProbe.get("streams.stream.0.codec_name"), transport + ": " + gstProbe);
        assertEquals("640", gstProbe.get("streams.stream.0.width"), transport + ": " + gstProbe);
        final int gstFrames = Integer.parseInt(gstProbe.get("streams.stream.0.nb_read_frames"));
        assertTrue(gstFrames >= 48 && gstFrames <= 50, "GStreamer frames over " + transport + ": " + gstProbe);
        // 50 frames in decode order from a keyframe, at 25 fps: their PTS cover 2 s, give or take the B-frames that
        // the cut at the 50th frame leaves out or in.
        final double seconds = RtspSupport.presentationSeconds(mkv, "v:0");
        assertTrue(seconds >= 1.9 && seconds <= 2.12, "GStreamer's PTS over " + transport + " cover " + seconds +
            " s: " + gstProbe);
        System.out.println("rtsp play, gstreamer " + transport + ": " + gstFrames + " frames, " + seconds + " s");
        final Peers.Result decode = Peers.run(RtspSupport.PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror",
            "-i", mkv.toString(), "-f", "null", "-");
        // With no DTS from RTP, ffmpeg's muxer warns about the B-frames' derived DTS: that is the file, not the
        // stream. Decoding must still succeed without a decoder error.
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().lines().allMatch(l -> l.contains("non monotonically increasing dts")),
            decode.stderr());
    }

    private Process probe(final String path, final String transport, final Path out)
    {
        return Peers.start(out, List.of(Peers.ffprobe(), "-v", "error", "-rtsp_transport", transport,
            "-read_intervals", "%+3", "-count_frames", "-show_entries", "stream=codec_name,width,nb_read_frames",
            "-of", "flat", server.rtspUrl(path)));
    }

    private static void assertProbe(final Process process, final Path out, final String videoCodec) throws Exception
    {
        assertEquals(0, TestServer.waitFor(process, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(out));
        final Map<String, String> result = Peers.parseFlat(Files.readString(out));
        assertEquals(videoCodec, result.get("streams.stream.0.codec_name"), result.toString());
        assertEquals("640", result.get("streams.stream.0.width"), result.toString());
        assertEquals("aac", result.get("streams.stream.1.codec_name"), result.toString());
        final int video = Integer.parseInt(result.get("streams.stream.0.nb_read_frames"));
        final int audio = Integer.parseInt(result.get("streams.stream.1.nb_read_frames"));
        // Three seconds read, starting at the last keyframe (up to two seconds of GOP cache at once).
        assertTrue(video >= 70 && video <= 130, "video frames over RTSP: " + result);
        assertTrue(audio >= 120, "audio frames over RTSP: " + result);
    }
}
