package com.cococam.server.e2e;

import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.protocols.rtsp.Transport;
import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code rtsp.udpPortMin..udpPortMax}: the server's one shared RTP/RTCP pair is bound in the range (every UDP
 * player shares it, so one pair serves any number of players); when no pair of the range is free the server
 * offers TCP only (UDP SETUP gets 461); camera pullers bind their client pairs in the same range, and a camera
 * that finds none free falls back to TCP while the one that got a pair keeps pulling over UDP.
 */
@Timeout(150)
class RtspUdpPortRangeTest
{
    private static final String PATH = "live/cam1";

    @TempDir
    Path temp;

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private TestServer server;
    private Process publisher;

    @AfterEach
    void stop() throws Exception
    {
        if (publisher != null)
        {
            publisher.destroyForcibly();
        }

        if (server != null)
        {
            server.close();
        }

        for (final AutoCloseable closeable : closeables)
        {
            closeable.close();
        }
    }

    /** @return the first port of {@code pairs} consecutive free even/odd pairs (checked by binding them). */
    private static int freeUdpPairs(final int pairs) throws IOException
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int base = 2 * ThreadLocalRandom.current().nextInt(10_000, 30_000);
            final List<DatagramSocket> probes = new ArrayList<>();
            try
            {
                for (int port = base; port < base + 2 * pairs; port++)
                {
                    probes.add(new DatagramSocket(new InetSocketAddress("127.0.0.1", port)));
                }

                return base;
            }
            catch (final IOException ex)
            {
                // Taken: try another base.
            }
            finally
            {
                for (final DatagramSocket probe : probes)
                {
                    probe.close();
                }
            }
        }

        throw new IOException("no free UDP port pairs");
    }

    private void startPublishing() throws Exception
    {
        publisher = TestServer.publishTestPattern(server.publishUrl(PATH, TestServer.KEY1), 60, "libx264", List.of(),
            temp.resolve("publisher.log"));
        RtspSupport.awaitLive(server, PATH);
    }

    @Test
    void shouldServeEveryUdpPlayerFromTheOnePairOfAOnePairRange() throws Exception
    {
        final int base = freeUdpPairs(1);
        server = TestServer.start(temp.resolve("rec"), "--rtsp.udpPortMin=" + base,
            "--rtsp.udpPortMax=" + (base + 1));
        startPublishing();

        final List<DatagramSocket> rtpSockets = new ArrayList<>();
        for (int player = 0; player < 2; player++)
        {
            final DatagramSocket rtp = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            rtp.setSoTimeout(5_000);
            closeables.add(rtp);
            rtpSockets.add(rtp);
            final RawRtspPlayer raw = new RawRtspPlayer(server.server().rtspPort());
            closeables.add(raw);
            final String url = server.rtspUrl(PATH);
            assertEquals(200, raw.request("DESCRIBE", url).status());
            final RawRtspPlayer.Response setup = raw.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP;unicast;client_port=" + rtp.getLocalPort() + "-" + (rtp.getLocalPort() + 1));
            assertEquals(200, setup.status(), "player " + player);
            final Transport granted = Transport.parse(setup.header("Transport"));
            assertEquals(new Transport.Range(base, base + 1), granted.serverPort(), "the range's pair, player " + player);
            final String session = SessionHeader.parse(setup.header("Session")).id();
            assertEquals(200, raw.request("PLAY", url, "Session: " + session).status());
        }

        for (final DatagramSocket rtp : rtpSockets)
        {
            final DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
            rtp.receive(packet);
            assertEquals(base, packet.getPort(), "RTP comes from the range's even port");
            assertTrue(packet.getLength() >= 12 && (packet.getData()[0] & 0xC0) == 0x80, "an RTP packet");
        }
    }

    @Test
    void shouldOfferTcpOnlyWhenTheRangeIsTaken() throws Exception
    {
        final int base = freeUdpPairs(1);
        closeables.add(new DatagramSocket(new InetSocketAddress("127.0.0.1", base)));
        closeables.add(new DatagramSocket(new InetSocketAddress("127.0.0.1", base + 1)));
        server = TestServer.start(temp.resolve("rec"), "--rtsp.udpPortMin=" + base,
            "--rtsp.udpPortMax=" + (base + 1));
        startPublishing();

        try (RawRtspPlayer raw = new RawRtspPlayer(server.server().rtspPort()))
        {
            final String url = server.rtspUrl(PATH);
            assertEquals(200, raw.request("DESCRIBE", url).status());
            assertEquals(461, raw.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP;unicast;client_port=40000-40001").status(), "no UDP pair: UDP refused");
            final RawRtspPlayer.Response tcp = raw.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            assertEquals(200, tcp.status());
            final String session = SessionHeader.parse(tcp.header("Session")).id();
            assertEquals(200, raw.request("PLAY", url, "Session: " + session).status());
            final RawRtspPlayer.Frame frame = raw.nextFrame(5_000);
            assertTrue(frame != null && frame.data().length >= 12, "media over TCP");
        }
    }

    @Test
    void shouldBindPullerPortsInTheRangeAndFallBackToTcpWhenItIsFull() throws Exception
    {
        final RtspPullSupport.Camera cameraA = RtspPullSupport.Camera.start(temp, TestServer.freePort(), "--codec",
            "h264", "--audio", "none");
        closeables.add(cameraA);
        final RtspPullSupport.Camera cameraB = RtspPullSupport.Camera.start(temp, TestServer.freePort(), "--codec",
            "h264", "--audio", "none");
        closeables.add(cameraB);
        // Two pairs: one for the server's own pair, one for a single-track camera.
        final int base = freeUdpPairs(2);
        server = TestServer.start(temp.resolve("rec"), "--rtsp.udpPortMin=" + base,
            "--rtsp.udpPortMax=" + (base + 3),
            "--cameras.cam1.source=" + cameraA.url(false), "--cameras.cam1.transport=udp");
        final CameraPuller a = server.server().pullers().find("cam1");
        Await.until(Duration.ofSeconds(30), () -> a.state() == PullState.ONLINE && a.packets() > 50,
            () -> "camera A online over UDP: " + a.json());
        assertEquals("udp", a.transportInUse());
        assertEquals(base, server.server().rtspIngest().udpServerPorts().first(), "the server has the first pair");
        assertBound(base + 2, "camera A's RTP port is the range's second pair");

        // A second server (same range, its own pair taken by the first server) pulls camera B with auto.
        try (TestServer second = TestServer.start(temp.resolve("rec2"), "--rtsp.udpPortMin=" + base,
            "--rtsp.udpPortMax=" + (base + 3),
            "--cameras.cam2.source=" + cameraB.url(false), "--cameras.cam2.transport=auto"))
        {
            final CameraPuller b = second.server().pullers().find("cam2");
            Await.until(Duration.ofSeconds(40), () -> b.state() == PullState.ONLINE && b.packets() > 50,
                () -> "camera B online: " + b.json());
            assertEquals("tcp", b.transportInUse(), b.json());
            assertTrue(b.json().contains("no free local UDP port pair in " + base + "-" + (base + 3)), b.json());
            final long before = a.packets();
            Await.until(Duration.ofSeconds(10), () -> a.packets() > before + 50, "camera A keeps pulling over UDP");
            assertEquals(0, a.reconnects(), a.json());
        }
    }

    private static void assertBound(final int port, final String message)
    {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", port)))
        {
            org.junit.jupiter.api.Assertions.fail(message + ": port " + port + " was free");
        }
        catch (final IOException ex)
        {
            // Bound by the puller, as expected.
        }
    }
}
