package com.cococam.server.e2e;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import com.cococam.server.hls.HlsPackager;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.JournalScan;
import com.cococam.server.testing.TestServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Motion JPEG (RFC 2435) end to end: ffmpeg pushes MJPEG over RTSP, ffprobe and ffmpeg play it back over RTSP
 * (TCP and UDP) and decode frames with exactly the pixels of the pushed images; the journal records every image
 * as a keyframe; HLS leaves the path empty (404) and the server says why once, not per frame.
 */
@Timeout(150)
class RtspMjpegEndToEndTest
{
    private static final String SOURCE = "testsrc2=size=640x480:rate=10";
    private static final int SECONDS = 12;
    private static final List<String> ENCODE = List.of("-c:v", "mjpeg", "-huffman", "default", "-pix_fmt",
        "yuvj420p", "-force_duplicated_matrix", "1", "-q:v", "5");

    @TempDir
    Path temp;

    private TestServer server;
    private ListAppender<ILoggingEvent> hlsLog;

    @BeforeEach
    void startServer() throws Exception
    {
        hlsLog = new ListAppender<>();
        hlsLog.start();
        ((Logger)LoggerFactory.getLogger(HlsPackager.class)).addAppender(hlsLog);
        server = TestServer.start(temp.resolve("rec"));
    }

    @AfterEach
    void stopServer()
    {
        server.close();
        ((Logger)LoggerFactory.getLogger(HlsPackager.class)).detachAppender(hlsLog);
    }

    @Test
    void shouldPlayBackMjpegPushedOverRtspWithTheSamePixels() throws Exception
    {
        final String path = "live/cam1";
        final Path log = temp.resolve("publisher.log");
        final List<String> push = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostats", "-loglevel",
            "error", "-re", "-f", "lavfi", "-i", SOURCE, "-t", Integer.toString(SECONDS)));
        push.addAll(ENCODE);
        push.addAll(List.of("-f", "rtsp", "-rtsp_transport", "tcp", server.rtspUrl(path) + "?key=" + TestServer.KEY1));
        final Process publisher = Peers.start(log, push);
        awaitVideo(path);

        final Map<String, String> tcp = Peers.ffprobeFlat(RtspSupport.PEER_TIMEOUT, "-rtsp_transport", "tcp",
            "-read_intervals", "%+3", "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames",
            server.rtspUrl(path));
        assertEquals("mjpeg", tcp.get("streams.stream.0.codec_name"), tcp.toString());
        assertEquals("640", tcp.get("streams.stream.0.width"));
        assertEquals("480", tcp.get("streams.stream.0.height"));
        assertTrue(Integer.parseInt(tcp.get("streams.stream.0.nb_read_frames")) >= 15, tcp.toString());

        final List<String> played = playedFrameMd5s(path, "udp", 2);
        assertEquals(0, TestServer.waitFor(publisher, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(log));

        final Set<String> pushed = new HashSet<>(sourceFrameMd5s());
        assertTrue(played.size() >= 10, "frames played over UDP: " + played.size());
        for (final String md5 : played)
        {
            assertTrue(pushed.contains(md5), "a played frame that was never pushed: " + md5);
        }

        assertEquals(0, server.server().rtspIngest().badRtpPackets());
        final int recorded = awaitJournalImages("cam1", SECONDS * 10);
        assertTrue(recorded >= SECONDS * 10 - 2, "MJPEG images in the journal: " + recorded);

        assertEquals(404, server.get("/" + path + "/stream.m3u8").status(), "no HLS for MJPEG");
        assertEquals(404, server.get("/" + path + "/index.m3u8").status());
        final long reasons = hlsLog.list.stream().filter(e -> e.getFormattedMessage().contains("MJPEG")).count();
        assertEquals(1, reasons, "said once, not per frame: " + hlsLog.list);
        assertTrue(hlsLog.list.stream().anyMatch(e -> e.getFormattedMessage().contains("play it over RTSP")));
    }

    @Test
    void shouldPullAnMjpegCameraAndServeItOverRtsp() throws Exception
    {
        final int cameraPort = TestServer.freePort();
        final Path script = Path.of(getClass().getResource("/e2e/mjpeg_camera.py").toURI());
        final Path cameraLog = temp.resolve("camera.log");
        final Process camera = Peers.start(cameraLog, List.of("/usr/bin/python3", script.toString(), "--port",
            Integer.toString(cameraPort), "--path", "/cam", "--format", "Y42B"));
        try
        {
            Await.until(Duration.ofSeconds(20), () -> RtspSupport.read(cameraLog).contains("READY"),
                () -> "camera did not start: " + RtspSupport.read(cameraLog));
            server.close();
            server = TestServer.start(temp.resolve("rec2"), "--cameras.cam2.source=rtsp://127.0.0.1:" + cameraPort +
                "/cam", "--cameras.cam2.transport=udp");
            final String path = "live/cam2";
            Await.until(Duration.ofSeconds(30), () ->
            {
                final LiveStream stream = server.server().hub().find(path);
                return stream != null && stream.format(TrackFormat.VIDEO_TRACK) != null;
            }, "pulled MJPEG camera live");
            final TrackFormat format = server.server().hub().find(path).format(TrackFormat.VIDEO_TRACK);
            assertEquals(CodecId.MJPEG, format.codec());
            assertEquals(320, format.width());
            assertEquals(240, format.height());

            final Map<String, String> probe = Peers.ffprobeFlat(RtspSupport.PEER_TIMEOUT, "-rtsp_transport", "tcp",
                "-read_intervals", "%+2", "-count_frames", "-show_entries",
                "stream=codec_name,width,height,pix_fmt,nb_read_frames", server.rtspUrl(path));
            assertEquals("mjpeg", probe.get("streams.stream.0.codec_name"), probe.toString());
            assertEquals("320", probe.get("streams.stream.0.width"));
            assertEquals("yuvj422p", probe.get("streams.stream.0.pix_fmt"), "4:2:2 kept (RFC 2435 type 0)");
            assertTrue(Integer.parseInt(probe.get("streams.stream.0.nb_read_frames")) >= 15, probe.toString());
            final List<String> played = playedFrameMd5s(path, "tcp", 1);
            assertTrue(played.size() >= 8, "decoded frames: " + played.size());
            assertEquals(404, server.get("/" + path + "/stream.m3u8").status(), "no HLS for MJPEG");
        }
        finally
        {
            camera.destroy();
            if (!camera.waitFor(5, java.util.concurrent.TimeUnit.SECONDS))
            {
                camera.destroyForcibly();
            }
        }
    }

    private void awaitVideo(final String path)
    {
        Await.until(Duration.ofSeconds(20), () ->
        {
            final LiveStream stream = server.server().hub().find(path);
            return stream != null && stream.publisher() != null && stream.format(TrackFormat.VIDEO_TRACK) != null;
        }, "MJPEG stream live: " + path);
        final TrackFormat format = server.server().hub().find(path).format(TrackFormat.VIDEO_TRACK);
        assertEquals(CodecId.MJPEG, format.codec());
        assertEquals(640, format.width());
        assertEquals(480, format.height());
        assertEquals(0, format.decoderConfig().length);
    }

    /**
     * @return the decoded frame MD5s of what an ffmpeg RTSP player got in {@code seconds}.
     */
    private List<String> playedFrameMd5s(final String path, final String transport, final int seconds)
    {
        final Peers.Result result = Peers.run(RtspSupport.PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error",
            "-rtsp_transport", transport, "-i", server.rtspUrl(path), "-t", Integer.toString(seconds),
            "-f", "framemd5", "-");
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stderr().isBlank(), "player complained: " + result.stderr());
        return md5s(result.stdout());
    }

    /**
     * @return the decoded frame MD5s of the same encode as the publisher's, made to a file.
     */
    private List<String> sourceFrameMd5s()
    {
        final Path file = temp.resolve("source.mjpeg");
        final List<String> encode = new ArrayList<>(List.of(Peers.ffmpeg(), "-v", "error", "-y", "-f", "lavfi",
            "-i", SOURCE, "-t", Integer.toString(SECONDS)));
        encode.addAll(ENCODE);
        encode.addAll(List.of("-f", "mjpeg", file.toString()));
        final Peers.Result made = Peers.run(RtspSupport.PEER_TIMEOUT, encode);
        assertEquals(0, made.exitCode(), made.stderr());
        final Peers.Result decoded = Peers.run(RtspSupport.PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-f",
            "mjpeg", "-i", file.toString(), "-f", "framemd5", "-");
        assertEquals(0, decoded.exitCode(), decoded.stderr());
        final List<String> md5s = md5s(decoded.stdout());
        assertEquals(SECONDS * 10, md5s.size());
        return md5s;
    }

    private static List<String> md5s(final String framemd5)
    {
        final List<String> out = new ArrayList<>();
        for (final String line : framemd5.split("\n"))
        {
            if (!line.startsWith("#") && !line.isBlank())
            {
                out.add(line.substring(line.lastIndexOf(',') + 1).trim());
            }
        }

        return out;
    }

    /**
     * @return MJPEG images recorded, once the journal has caught up; each must be a keyframe holding a JPEG.
     */
    private int awaitJournalImages(final String camera, final int expected)
    {
        final CameraJournal journal = server.server().recording().journal(camera);
        final int[] images = new int[2];
        Await.until(Duration.ofSeconds(10), () ->
        {
            images[0] = 0;
            images[1] = 0;
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
            {
                if (trackId != TrackFormat.VIDEO_TRACK || format == null || format.codec() != CodecId.MJPEG)
                {
                    return;
                }

                images[0]++;
                final boolean jpeg = payload.getUnsignedShort(payload.readerIndex()) == 0xFFD8 &&
                    payload.getUnsignedShort(payload.writerIndex() - 2) == 0xFFD9;
                if (!FrameFlags.isKeyframe(flags) || !jpeg || format.width() != 640)
                {
                    images[1]++;
                }
            });

            return images[0] >= expected - 2 && server.server().hub().find("live/" + camera).ringLag() == 0;
        }, "journal caught up");
        assertEquals(0, images[1], "recorded units that are not keyframe JPEGs of 640x480");
        return images[0];
    }
}
