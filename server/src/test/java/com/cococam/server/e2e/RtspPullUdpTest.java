package com.cococam.server.e2e;

import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A camera pulled over UDP ({@link FakeRtspCamera}: SETUP with client_port, RTP sent from its RTP port to the
 * puller's): the puller's RTCP receiver reports must reach the camera at least every 5 s (cameras stop sending
 * without them), each reporting the SSRC of the camera's RTP, whether the SETUP answer named the camera's ports
 * ({@code server_port}) or not; without it the reports go to where the camera's sender reports come from, else to
 * its RTP port + 1. And a camera that answers SETUP and PLAY over UDP but sends nothing: {@code auto} falls back
 * to TCP interleaved after {@link CameraPuller#UDP_PROBE_MS} and the media flows. RTP and RTCP from another
 * address than the camera's are dropped and counted.
 */
@Timeout(120)
class RtspPullUdpTest
{
    private static final long SSRC = 0x5EC0_FFEEL;
    private static final long MAX_REPORT_GAP_MS = 5_000;
    private static final int REPORTS = 3;
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\na=control:*\r\n" +
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";

    @TempDir
    Path temp;

    @Test
    void shouldSendReceiverReportsToTheServerPortOfTheSetupAnswer() throws Exception
    {
        receiverReports(new FakeRtspCamera(), "server_port");
    }

    @Test
    void shouldSendReceiverReportsToTheRtpPortPlusOneWhenTheAnswerHasNoServerPort() throws Exception
    {
        receiverReports(new FakeRtspCamera().serverPortInReply(false), "rtp port + 1");
    }

    @Test
    void shouldSendReceiverReportsToTheSenderReportSourceWhenTheAnswerHasNoServerPort() throws Exception
    {
        final FakeRtspCamera camera = new FakeRtspCamera().serverPortInReply(false).rtcpNextToRtp(false)
            .senderReports(true);

        receiverReports(camera, "sender report source");

        assertNotEquals(camera.rtpPort(0) + 1, camera.rtcpPort(0), "the RTCP port is not RTP + 1 here");
        assertTrue(camera.srSent.get() > 0);
    }

    @Test
    void shouldFallBackToTcpWhenUdpStaysSilent() throws Exception
    {
        try (FakeRtspCamera camera = camera(new FakeRtspCamera().silentOverUdp(true)).start();
             TestServer server = TestServer.start(temp.resolve("rec"), source(camera), "--cameras.cam1.transport=auto"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            final LiveStream[] stream = new LiveStream[1];
            Await.until(Duration.ofSeconds(20), () ->
            {
                stream[0] = server.server().hub().find("live/cam1");
                return "tcp".equals(puller.transportInUse()) && stream[0] != null &&
                    stream[0].metrics().ingestFrames.sum() >= 25;
            }, () -> puller.json() + "\n" + camera.requests);

            final List<FakeRtspCamera.Request> setups = camera.requests("SETUP");
            assertEquals(2, setups.size(), camera.requests.toString());
            assertTrue(setups.get(0).header("Transport").contains("client_port="), setups.get(0).text());
            assertEquals(1, setups.get(0).connection());
            assertTrue(setups.get(1).header("Transport").contains("interleaved="), setups.get(1).text());
            assertEquals(2, setups.get(1).connection());
            assertEquals(2, camera.requests("PLAY").size());
            assertTrue(camera.requests("TEARDOWN").stream().anyMatch((r) -> r.connection() == 1),
                "the silent UDP session was torn down: " + camera.requests);
            final long fallbackMs = TimeUnit.NANOSECONDS.toMillis(setups.get(1).atNs() -
                camera.requests("PLAY").get(0).atNs());
            System.out.println("udp silent: fell back to tcp " + fallbackMs + " ms after the UDP PLAY; " +
                puller.json());
            assertTrue(fallbackMs >= CameraPuller.UDP_PROBE_MS - 50 && fallbackMs <= CameraPuller.UDP_PROBE_MS + 2_000,
                "fallback after " + fallbackMs + " ms");
            assertTrue(puller.json().contains("\"udpFallback\":\"no_media: "), puller.json());
            assertEquals(PullState.ONLINE, puller.state());
            assertEquals(0, puller.reconnects(), "a fallback is not a reconnect: " + puller.json());
            final long frames = stream[0].metrics().ingestFrames.sum();
            Await.until(Duration.ofSeconds(5), () -> stream[0].metrics().ingestFrames.sum() > frames + 25,
                "media keeps flowing over tcp");
        }
    }

    @Test
    void shouldDropUdpPacketsThatDoNotComeFromTheCamera() throws Exception
    {
        try (FakeRtspCamera camera = camera(new FakeRtspCamera()).start();
             TestServer server = TestServer.start(temp.resolve("rec"), source(camera), "--cameras.cam1.transport=udp");
             DatagramSocket forger = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0)))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(20), () -> puller.state() == PullState.ONLINE && puller.packets() > 10,
                puller::json);
            final String transport = camera.requests("SETUP").get(0).header("Transport");
            final Matcher ports = Pattern.compile("client_port=(\\d+)-(\\d+)").matcher(transport);
            assertTrue(ports.find(), transport);
            final long badBefore = puller.badRtpPackets();

            // Well-formed RTP of the camera's SSRC and payload type, and an RTCP sender report, from 127.0.0.2.
            final byte[] rtp = new byte[12 + 4];
            rtp[0] = (byte)0x80;
            rtp[1] = 96;
            rtp[8] = 0x5E;
            rtp[9] = (byte)0xC0;
            rtp[10] = (byte)0xFF;
            rtp[11] = (byte)0xEE;
            rtp[12] = 0x65;
            final byte[] sr = {(byte)0x80, (byte)200, 0, 6, 0x5E, (byte)0xC0, (byte)0xFF, (byte)0xEE, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            final InetAddress puller127 = InetAddress.getLoopbackAddress();
            for (int i = 0; i < 20; i++)
            {
                forger.send(new DatagramPacket(rtp, rtp.length, puller127, Integer.parseInt(ports.group(1))));
                forger.send(new DatagramPacket(sr, sr.length, puller127, Integer.parseInt(ports.group(2))));
            }

            Await.until(Duration.ofSeconds(10), () -> puller.badRtpPackets() >= badBefore + 40,
                () -> "bad packets " + puller.badRtpPackets() + ", " + puller.json());
            assertEquals(PullState.ONLINE, puller.state(), puller.json());
            assertTrue(server.get("/metrics").text().contains("cococam_camera_rtp_bad_packets_total{camera=\"cam1\"} "
                + puller.badRtpPackets()), "metrics count them");
        }
    }

    private void receiverReports(final FakeRtspCamera fake, final String target) throws Exception
    {
        try (FakeRtspCamera camera = camera(fake).start();
             TestServer server = TestServer.start(temp.resolve("rec"), source(camera), "--cameras.cam1.transport=udp"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(30), () -> reportsWithBlock(camera).size() >= REPORTS,
                () -> target + ": reports " + camera.receiverReports().size() + ", " + puller.json());
            assertEquals("udp", puller.transportInUse(), puller.json());

            final List<FakeRtspCamera.Rtcp> reports = reportsWithBlock(camera);
            long previousNs = camera.requests("PLAY").get(0).atNs();
            long maxGapMs = 0;
            for (final FakeRtspCamera.Rtcp report : reports)
            {
                assertTrue(report.udp());
                assertEquals(camera.rtcpPort(0), report.toPort());
                assertEquals(SSRC, report.reportedSsrc(), "SSRC reported: " + Long.toHexString(report.reportedSsrc()));
                maxGapMs = Math.max(maxGapMs, TimeUnit.NANOSECONDS.toMillis(report.atNs() - previousNs));
                previousNs = report.atNs();
            }

            System.out.printf("receiver reports (%s): %d with a block, longest gap %d ms (from PLAY on)%n", target,
                reports.size(), maxGapMs);
            assertTrue(maxGapMs <= MAX_REPORT_GAP_MS, target + ": longest gap " + maxGapMs + " ms");
            assertFalse(camera.rtcp.stream().anyMatch((p) -> !p.udp()), "all RTCP over UDP");
            assertEquals(1, camera.connections.get());
        }
    }

    /**
     * @return receiver reports that carry a report block (sent once RTP arrived).
     */
    private static List<FakeRtspCamera.Rtcp> reportsWithBlock(final FakeRtspCamera camera)
    {
        return camera.receiverReports().stream().filter((r) -> r.reportCount() >= 1).toList();
    }

    private static FakeRtspCamera camera(final FakeRtspCamera camera) throws Exception
    {
        return camera.sdp(SDP)
            .media("video", new FakeRtspCamera.Media(FakeRtspCamera.wowzaVideo(), 90_000, SSRC, true));
    }

    private static String source(final FakeRtspCamera camera)
    {
        return "--cameras.cam1.source=rtsp://127.0.0.1:" + camera.port() + "/stream";
    }
}
