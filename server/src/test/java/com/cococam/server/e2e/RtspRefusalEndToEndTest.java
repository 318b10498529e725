package com.cococam.server.e2e;

import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals and bad input on the RTSP listener, from a raw socket: unknown camera, missing and wrong keys,
 * garbage, an oversize header, a Content-Length that lies, bad RTP on a publisher's channel and frames on
 * channels never set up. Each ends as specified (status, closed connection, counted) and the server stays up.
 */
@Timeout(60)
class RtspRefusalEndToEndTest
{
    private static final String SDP = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n" +
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\n" +
        "a=control:streamid=0\r\n";

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
    void shouldRefuseUnknownCameraMissingAndWrongKeysAndClose() throws Exception
    {
        assertRefused("live/nope?key=" + TestServer.KEY1, "RTSP/1.0 404 Not Found: unknown camera live/nope");
        assertRefused("live/cam1", "RTSP/1.0 401 Unauthorized: missing publish key for live/cam1");
        assertRefused("live/cam1?key=wrong", "RTSP/1.0 403 Forbidden: wrong publish key for live/cam1");
        assertEquals(null, server.server().hub().find("live/cam1") == null ? null :
            server.server().hub().find("live/cam1").publisher());
    }

    @Test
    void shouldAnswerGarbageOversizeHeadersAndLyingContentLengthAndClose() throws Exception
    {
        final long before = server.server().rtspIngest().protocolErrors();
        try (Socket socket = connect())
        {
            // A little garbage is skipped (decoder resync) and the next request is answered.
            send(socket.getOutputStream(), "\u0001\u0002garbage\r\n\r\nOPTIONS " + server.rtspUrl("live/cam1") +
                " RTSP/1.0\r\nCSeq: 5\r\n\r\n");
            assertTrue(readResponse(socket.getInputStream()).startsWith("RTSP/1.0 200 OK"));
        }

        // A lot of it closes the connection.
        assertClosedAfter("\u0001garbage!".repeat(10_000).getBytes(StandardCharsets.ISO_8859_1), "");
        assertClosedAfter(("OPTIONS rtsp://x/ RTSP/1.0\r\nCSeq: 1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII), "RTSP/1.0 400");
        try (Socket socket = connect())
        {
            socket.getOutputStream().write(("ANNOUNCE " + server.rtspUrl("live/cam1?key=" + TestServer.KEY1) +
                " RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: 500\r\n\r\nv=0\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertEquals(-1, readAll(socket.getInputStream()).indexOf("200 OK"), "a short body is never accepted");
        }

        Await.until(Duration.ofSeconds(5), () -> server.server().rtspIngest().protocolErrors() >= before + 3,
            "three protocol errors counted");
        assertEquals(200, optionsStatus(), "the server still answers");
    }

    @Test
    void shouldDropBadRtpAndFramesOnUnknownChannels() throws Exception
    {
        try (Socket socket = connect())
        {
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            final String url = server.rtspUrl("live/cam1");
            send(out, "ANNOUNCE " + url + "?key=" + TestServer.KEY1 + " RTSP/1.0\r\nCSeq: 1\r\n" +
                "Content-Type: application/sdp\r\nContent-Length: " + SDP.length() + "\r\n\r\n" + SDP);
            assertTrue(readResponse(in).startsWith("RTSP/1.0 200"));
            send(out, "SETUP " + url + "/streamid=0 RTSP/1.0\r\nCSeq: 2\r\n" +
                "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\r\n");
            final String setup = readResponse(in);
            assertTrue(setup.startsWith("RTSP/1.0 200") && setup.contains("interleaved=0-1"), setup);
            final String session = setup.lines().filter(l -> l.startsWith("Session:")).findFirst().orElseThrow()
                .substring(8).trim().split(";")[0];
            send(out, "RECORD " + url + " RTSP/1.0\r\nCSeq: 3\r\nSession: " + session + "\r\n\r\n");
            assertTrue(readResponse(in).startsWith("RTSP/1.0 200"));

            // RTP version 1, then version 2 with an extension longer than the packet, then channel 7 (not set up).
            out.write(new byte[] {'$', 0, 0, 12, 0x40, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1});
            out.write(new byte[] {'$', 0, 0, 16, (byte)0x90, 96, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 50});
            out.write(new byte[] {'$', 7, 0, 12, (byte)0x80, 96, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1});
            out.flush();
            Await.until(Duration.ofSeconds(5), () -> server.server().rtspIngest().badRtpPackets() >= 2,
                "bad RTP counted");
            send(out, "TEARDOWN " + url + " RTSP/1.0\r\nCSeq: 4\r\nSession: " + session + "\r\n\r\n");
            assertTrue(readResponse(in).startsWith("RTSP/1.0 200"));
        }

        Await.until(Duration.ofSeconds(5), () -> server.server().rtspIngest().unknownChannelFrames() == 1,
            "unknown channel frame counted");
        assertEquals(200, optionsStatus());
        final String metrics = server.get("/metrics").text();
        assertTrue(metrics.contains("cococam_rtsp_unknown_channel_frames_total 1\n"), metrics);
        assertTrue(metrics.contains("cococam_rtsp_bad_rtp_packets_total " +
            server.server().rtspIngest().badRtpPackets() + "\n"), metrics);
    }

    private void assertRefused(final String pathAndQuery, final String expectedStatusLine) throws Exception
    {
        try (Socket socket = connect())
        {
            send(socket.getOutputStream(), "ANNOUNCE " + server.rtspUrl(pathAndQuery) + " RTSP/1.0\r\nCSeq: 1\r\n" +
                "Content-Type: application/sdp\r\nContent-Length: " + SDP.length() + "\r\n\r\n" + SDP);
            final String response = readAll(socket.getInputStream());
            assertTrue(response.startsWith(expectedStatusLine + "\r\n"), response);
            assertTrue(response.contains("CSeq: 1"), response);
        }
    }

    private void assertClosedAfter(final byte[] request, final String expectedStart) throws Exception
    {
        try (Socket socket = connect())
        {
            socket.getOutputStream().write(request);
            final String response = readAll(socket.getInputStream());
            if (expectedStart != null)
            {
                assertTrue(response.startsWith(expectedStart), response);
            }
        }
    }

    private int optionsStatus() throws IOException
    {
        try (Socket socket = connect())
        {
            send(socket.getOutputStream(), "OPTIONS " + server.rtspUrl("live/cam1") + " RTSP/1.0\r\nCSeq: 9\r\n\r\n");
            final String response = readResponse(socket.getInputStream());
            assertTrue(response.contains("Public: "), response);
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket("127.0.0.1", server.server().rtspPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void send(final OutputStream out, final String text) throws IOException
    {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads until the server closes the connection (bounded by the socket timeout). */
    private static String readAll(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) >= 0)
        {
            out.write(buffer, 0, n);
        }

        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads one response head (no body expected). */
    private static String readResponse(final InputStream in) throws IOException
    {
        final StringBuilder text = new StringBuilder();
        while (!text.toString().endsWith("\r\n\r\n"))
        {
            final int b = in.read();
            if (b < 0)
            {
                break;
            }

            text.append((char)b);
        }

        return text.toString();
    }
}
