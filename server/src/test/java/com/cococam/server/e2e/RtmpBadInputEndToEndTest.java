package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.RawRtmpClient;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile or broken RTMP peers against a running server while another camera streams: each bad connection is
 * closed by the server (the client's read returns -1 within a bound), and the healthy camera's HLS output keeps
 * growing and its RTMP viewer keeps receiving. The bad peers are hand-built chunk streams from
 * {@link RawRtmpClient}; the healthy camera is ffmpeg, its viewer ffprobe.
 */
@Timeout(120)
class RtmpBadInputEndToEndTest
{
    private static final int HANDSHAKE_TIMEOUT_MS = 500;
    private static final int MAX_MESSAGE_BYTES = 65_536;
    private static final Duration CLOSE_BOUND = Duration.ofSeconds(3);
    private static final String PATH = "live/cam1";

    @TempDir
    static Path temp;

    private static TestServer server;
    private static Process publisher;
    private static Process viewer;
    private static Path viewerOut;

    private RawRtmpClient client;
    private long segmentBefore;
    private long viewerBytesBefore;

    @BeforeAll
    static void startHealthyCamera() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--rtmp.handshakeTimeoutMs=" + HANDSHAKE_TIMEOUT_MS,
            "--rtmp.maxMessageBytes=" + MAX_MESSAGE_BYTES, "--hls.segmentDurationMs=1000");
        viewerOut = temp.resolve("viewer.txt");
        viewer = Peers.start(viewerOut, List.of(Peers.ffprobe(), "-v", "error", "-rw_timeout", "30000000",
            "-show_packets", "-of", "compact", server.rtmpUrl(PATH)));
        Await.until(Duration.ofSeconds(30), () ->
        {
            final LiveStream stream = server.server().hub().find(PATH);
            return stream != null && stream.metrics().viewers.get() >= 1;
        }, "healthy viewer attached");

        // Small keyframes (1 s GOP at 500 kb/s) so every message stays under the lowered message bound.
        publisher = TestServer.publishTestPattern(server.publishUrl(PATH, TestServer.KEY1), 60, "libx264",
            List.of("-g", "25", "-b:v", "500k"), temp.resolve("publisher.log"));
        Await.until(Duration.ofSeconds(30), () -> lastSegmentNumber() >= 1, "first HLS segments of the healthy camera");
    }

    @AfterAll
    static void stopAll()
    {
        if (publisher != null)
        {
            publisher.destroyForcibly();
        }

        if (viewer != null)
        {
            viewer.destroyForcibly();
        }

        if (server != null)
        {
            server.close();
        }
    }

    @BeforeEach
    void noteHealthyProgress() throws IOException
    {
        segmentBefore = lastSegmentNumber();
        viewerBytesBefore = Files.size(viewerOut);
    }

    @AfterEach
    void healthyCameraKeepsStreaming() throws IOException
    {
        if (client != null)
        {
            client.close();
        }

        Await.until(Duration.ofSeconds(10), () -> lastSegmentNumber() >= segmentBefore + 2,
            () -> "new HLS segments of the healthy camera after segment " + segmentBefore);
        Await.until(Duration.ofSeconds(10), () -> fileSize(viewerOut) > viewerBytesBefore,
            "the healthy RTMP viewer keeps receiving packets");
        assertTrue(publisher.isAlive(), () -> "healthy publisher still running: " + read("publisher.log"));
        final LiveStream stream = server.server().hub().find(PATH);
        assertTrue(stream.publisher() != null && stream.publisher().isActive(), "healthy publisher owns its path");
        assertEquals(1, stream.metrics().viewers.get(), "healthy viewer still attached");
        assertEquals(0, stream.metrics().ringDrops.sum(), "no units dropped");
    }

    @Test
    void shouldCloseAConnectionThatSendsGarbageInsteadOfAHandshake() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        final byte[] garbage = new byte[256];
        Arrays.fill(garbage, (byte)0xFF);
        client.sendRaw(garbage);

        assertClosedWithin(CLOSE_BOUND);
    }

    @Test
    void shouldCloseATruncatedHandshakeAfterTheHandshakeTimeout() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        final byte[] partial = new byte[100];
        partial[0] = 3;
        client.sendRaw(partial);

        final long closedAfterMs = assertClosedWithin(Duration.ofMillis(HANDSHAKE_TIMEOUT_MS + 2500));
        assertTrue(closedAfterMs >= HANDSHAKE_TIMEOUT_MS - 100,
            "closed by the timeout, not at once: " + closedAfterMs + " ms");
    }

    @Test
    void shouldCloseAConnectionThatSetsAChunkSizeOverTheBound() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        client.handshake();
        client.setChunkSize(1 << 20);

        assertClosedWithin(CLOSE_BOUND);
    }

    @Test
    void shouldCloseAConnectionThatAnnouncesAMessageOverTheLengthBound() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        client.startPublishing(server.server().rtmpPort(), "live", "cam2?key=" + TestServer.KEY2);
        client.sendMessage(RawRtmpClient.VIDEO_CSID, 9, RawRtmpClient.MEDIA_STREAM_ID, 0, MAX_MESSAGE_BYTES + 1,
            new byte[512]);

        assertClosedWithin(CLOSE_BOUND);
        Await.until(Duration.ofSeconds(5), () ->
        {
            final LiveStream cam2 = server.server().hub().find("live/cam2");
            return cam2 == null || cam2.publisher() == null;
        }, "the closed publisher no longer owns live/cam2");
    }

    @Test
    void shouldCloseAConnectionWhoseCompressedHeaderStartsAnUnseenChunkStream() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        client.handshake();
        client.sendRaw(new byte[] {(byte)0xC5, 1, 2, 3, 4, 5, 6, 7});

        assertClosedWithin(CLOSE_BOUND);
    }

    @Test
    void shouldCloseAConnectionWhoseCommandIsNotParseableAmf() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        client.handshake();
        // AMF0 string marker announcing 32 bytes, followed by only three.
        client.sendMessage(RawRtmpClient.COMMAND_CSID, 20, 0, 0,
            new byte[] {0x02, 0x00, 0x20, 'c', 'o', 'n'});

        assertClosedWithin(CLOSE_BOUND);
    }

    @Test
    void shouldCloseAConnectionWhoseCommandHasNoName() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        client.handshake();
        client.sendCommand(0, RawRtmpClient.Amf0.number(1), RawRtmpClient.Amf0.nul());

        assertClosedWithin(CLOSE_BOUND);
    }

    /**
     * Unknown message types are ignored by design (the session counts them; clients send oddities such as shared
     * objects), so the connection is not closed: it must stay usable.
     */
    @Test
    void shouldIgnoreAnUnknownMessageTypeAndStillAnswerConnect() throws IOException
    {
        client = RawRtmpClient.open(server.server().rtmpPort(), 0);
        client.handshake();
        client.sendMessage(5, 0x7E, 0, 0, "not a known message type".getBytes(StandardCharsets.US_ASCII));
        client.sendMessage(5, 0, 0, 0, new byte[] {1, 2, 3});
        client.connect(server.server().rtmpPort(), "live");

        assertTrue(client.readUntil("NetConnection.Connect.Success", Duration.ofSeconds(5)),
            () -> "connect answered after the unknown messages: " + client.receivedText().length() + " bytes");
    }

    private long assertClosedWithin(final Duration bound) throws IOException
    {
        final long closedAfterMs = client.awaitClosedMs(bound);
        assertTrue(closedAfterMs >= 0, "server closed the connection within " + bound);
        return closedAfterMs;
    }

    private static long lastSegmentNumber()
    {
        final TestServer.HttpResult result = server.get("/" + PATH + "/stream.m3u8");
        if (result.status() != 200)
        {
            return -1;
        }

        final List<String> uris = HlsDownload.parse(result.text()).segmentUris();
        if (uris.isEmpty())
        {
            return -1;
        }

        final String last = uris.get(uris.size() - 1);
        return Long.parseLong(last.substring(last.indexOf('-') + 1, last.indexOf('.')));
    }

    private static long fileSize(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static String read(final String name)
    {
        try
        {
            return Files.readString(temp.resolve(name));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
