package com.cococam.server.e2e;

import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pulled camera's state and error counters on {@code /metrics} and {@code /api/v1/cameras/cam1}, from a real
 * session with a fake camera ({@link FakeRtspCamera}, TCP interleaved): the camera sends two bad RTP packets on the
 * video channel (version 1, and a payload type the SDP does not use), then bytes that are no RTSP between two
 * interleaved frames (one resynchronisation); then it goes away. The metrics must show the state (online, then
 * retrying), the counters, and the time of the last error, matching the JSON.
 */
@Timeout(90)
class RtspPullMetricsTest
{
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\na=control:*\r\n" +
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";

    @TempDir
    Path temp;

    @Test
    void shouldExportStateLastErrorResyncsAndBadPackets() throws Exception
    {
        try (FakeRtspCamera camera = new FakeRtspCamera().sdp(SDP)
            .media("video", new FakeRtspCamera.Media(FakeRtspCamera.wowzaVideo(), 90_000, -1, true)).start();
             TestServer server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=rtsp://127.0.0.1:" +
                 camera.port() + "/stream", "--cameras.cam1.transport=tcp"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(15), () -> puller.packets() >= 30, () -> puller.json());
            String metrics = server.get("/metrics").text();
            assertState(metrics, "online");
            assertEquals("0.000", value(metrics, "cococam_camera_last_error_timestamp_seconds{camera=\"cam1\"}"));
            assertEquals("0", value(metrics, "cococam_camera_interleaved_resyncs_total{camera=\"cam1\"}"));
            assertEquals("0", value(metrics, "cococam_camera_rtp_bad_packets_total{camera=\"cam1\"}"));

            camera.inject(interleaved(0, rtp(1, 96)));
            camera.inject(interleaved(0, rtp(2, 100)));
            // After the bad packets: resynchronising skips frames that do not look like RTP version 2.
            camera.inject("garbage, no rtsp here".getBytes(StandardCharsets.US_ASCII));
            Await.until(Duration.ofSeconds(10), () -> puller.resyncs() >= 1 && puller.badRtpPackets() >= 2,
                () -> puller.json());
            final long packets = puller.packets();
            Await.until(Duration.ofSeconds(5), () -> puller.packets() > packets + 10, "media goes on after them");

            metrics = server.get("/metrics").text();
            String status = server.get("/api/v1/cameras/cam1").text();
            assertState(metrics, "online");
            assertEquals("1", value(metrics, "cococam_camera_interleaved_resyncs_total{camera=\"cam1\"}"), metrics);
            assertEquals("2", value(metrics, "cococam_camera_rtp_bad_packets_total{camera=\"cam1\"}"), metrics);
            assertTrue(status.contains("\"resyncs\":1,\"badRtpPackets\":2"), status);
            assertTrue(status.contains("\"lastErrorAt\":null"), status);

            camera.goAway();
            Await.until(Duration.ofSeconds(10), () -> puller.state() == PullState.RETRYING, () -> puller.json());

            // Retries fail every second or so, each with a new error time: take both texts between two of them.
            final String[] texts = new String[2];
            final long[] errorAtMs = new long[1];
            Await.until(Duration.ofSeconds(10), () ->
            {
                errorAtMs[0] = puller.lastErrorAtMs();
                texts[0] = server.get("/metrics").text();
                texts[1] = server.get("/api/v1/cameras/cam1").text();
                return puller.lastErrorAtMs() == errorAtMs[0];
            }, "a stable error time");
            metrics = texts[0];
            status = texts[1];
            System.out.println("camera gone: " + status);
            assertState(metrics, "retrying");
            assertEquals("0", value(metrics, "cococam_camera_up{camera=\"cam1\"}"));
            final Matcher lastErrorAt = Pattern.compile("\"lastErrorAt\":\"([^\"]+)\"").matcher(status);
            assertTrue(lastErrorAt.find(), status);
            final long atMs = Instant.parse(lastErrorAt.group(1)).toEpochMilli();
            assertEquals(errorAtMs[0], atMs);
            assertEquals(String.format(Locale.ROOT, "%d.%03d", atMs / 1_000, atMs % 1_000),
                value(metrics, "cococam_camera_last_error_timestamp_seconds{camera=\"cam1\"}"), metrics);
            assertTrue(status.contains("\"state\":\"retrying\"") && status.contains("\"lastError\":\"closed: "),
                status);
            assertEquals("1", value(metrics, "cococam_camera_interleaved_resyncs_total{camera=\"cam1\"}"), metrics);
            assertEquals("2", value(metrics, "cococam_camera_rtp_bad_packets_total{camera=\"cam1\"}"), metrics);
        }
    }

    private static void assertState(final String metrics, final String expected)
    {
        for (final PullState state : PullState.values())
        {
            final String name = state.jsonName();
            assertEquals(name.equals(expected) ? "1" : "0",
                value(metrics, "cococam_camera_state{camera=\"cam1\",state=\"" + name + "\"}"), metrics);
        }
    }

    /**
     * @return the value of the sample with exactly that name and labels; fails when there is none.
     */
    private static String value(final String metrics, final String sample)
    {
        final Matcher matcher = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(metrics);
        assertTrue(matcher.find(), sample + " in\n" + metrics);
        return matcher.group(1);
    }

    /**
     * @return a 16-byte RTP packet with that version and payload type.
     */
    private static byte[] rtp(final int version, final int payloadType)
    {
        final byte[] packet = new byte[16];
        packet[0] = (byte)(version << 6);
        packet[1] = (byte)payloadType;
        packet[12] = 0x65;
        return packet;
    }

    private static byte[] interleaved(final int channel, final byte[] packet)
    {
        final ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write('$');
        frame.write(channel);
        frame.write(packet.length >> 8);
        frame.write(packet.length);
        frame.writeBytes(packet);
        return frame.toByteArray();
    }
}
