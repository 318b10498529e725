package com.cococam.server.e2e;

import com.cococam.codec.rtp.RtpWrapResult;
import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.server.stream.LiveStream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Refusals and bad input on the RTSP listener, from a raw socket: unknown camera, missing and wrong keys,
 * garbage, an oversize header, a Content-Length that lies, bad RTP on a publisher's channel and frames on
 * channels never set up. Each ends as specified (status, closed connection, counted under its reason in
 * {@code /metrics}) and the server stays up; a healthy camera pushing over RTSP meanwhile keeps its rate, and its
 * RTMP and RTSP viewers get every frame.
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
        assertTrue(metrics.contains("cococam_rtsp_bad_rtp_packets_total{reason=\"bad_version\"} 1\n"), metrics);
        assertTrue(metrics.contains("cococam_rtsp_bad_rtp_packets_total{reason=\"bad_extension_length\"} 1\n"),
            metrics);
        assertEquals(2, server.server().rtspIngest().badRtpPackets());
    }

    @Test
    @Timeout(120)
    void shouldKeepAHealthyStreamWholeWhileBadInputHitsTheServer() throws Exception
    {
        final String healthy = "live/cam2";
        final int seconds = 14;
        final ExecutorService executor = Executors.newCachedThreadPool();
        try
        {
            // An RTMP viewer waiting before the publish starts gets every frame; it counts packets (no decoding).
            final Path viewerOut = temp.resolve("viewer.txt");
            final Process viewer = Peers.start(viewerOut, List.of(Peers.ffprobe(), "-v", "error", "-rw_timeout",
                "30000000", "-count_packets", "-show_entries", "stream=codec_name,nb_read_packets",
                "-select_streams", "v:0", "-of", "flat", server.rtmpUrl(healthy)));
            RtspSupport.awaitViewers(server, healthy, 1);
            final Path log = temp.resolve("publisher.log");
            final Process publisher = RtspSupport.publish(server.rtspUrl(healthy) + "?key=" + TestServer.KEY2,
                seconds, "libx264", List.of("-bf", "0", "-f", "rtsp", "-rtsp_transport", "tcp"), log);
            RtspSupport.awaitLive(server, healthy);
            final LiveStream stream = server.server().hub().find(healthy);
            final Future<List<RawRtspPlayer.Frame>> rtspViewer = executor.submit(() -> playUntilEnd(healthy, publisher));

            // Bad input, round after round, while the healthy camera streams.
            final AtomicBoolean sampling = new AtomicBoolean(true);
            final Future<List<long[]>> samples = executor.submit(() -> sampleIngest(stream, sampling));
            final long badUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds - 5);
            int rounds = 0;
            while (System.nanoTime() < badUntil)
            {
                sendEveryBadInput(rounds + 1);
                rounds++;
            }

            sampling.set(false);
            assertHealthyRate(samples.get(10, TimeUnit.SECONDS));

            assertEquals(0, TestServer.waitFor(publisher, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(log));
            assertEquals(0, TestServer.waitFor(viewer, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(viewerOut));
            final Map<String, String> played = Peers.parseFlat(RtspSupport.read(viewerOut));
            assertEquals("h264", played.get("streams.stream.0.codec_name"), played.toString());
            assertEquals(seconds * 25, Integer.parseInt(played.get("streams.stream.0.nb_read_packets")),
                "every frame reached the RTMP viewer: " + played);
            assertRtspViewerGotEveryFrame(rtspViewer.get(30, TimeUnit.SECONDS), seconds);
            assertBadInputCounted(rounds);
            assertEquals(0, stream.metrics().ringDrops.sum(), "no unit of the healthy stream dropped");
            System.out.println("rtsp bad input: " + rounds + " rounds of 7 bad inputs while " + healthy +
                " streamed; RTMP viewer " + played.get("streams.stream.0.nb_read_packets") + " frames");
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    /**
     * Garbage, an oversize header, a lying Content-Length, and on a publisher's session (of live/cam1) RTP of
     * version 1, RTP with an extension longer than the packet, RTCP of version 1 and a frame on channel 7 (never set
     * up); each counter moves by one, under its reason.
     *
     * @param round the round (1, 2, ...): the counters' expected values.
     */
    private void sendEveryBadInput(final int round) throws Exception
    {
        final com.cococam.server.rtsp.RtspIngest ingest = server.server().rtspIngest();
        assertClosedAfter("\u0001garbage!".repeat(10_000).getBytes(StandardCharsets.ISO_8859_1), "");
        awaitCount(() -> ingest.protocolErrors("garbage"), round, "garbage");
        assertClosedAfter(("OPTIONS rtsp://x/ RTSP/1.0\r\nCSeq: 1\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII), "RTSP/1.0 400");
        awaitCount(() -> ingest.protocolErrors("headers_too_large"), round, "oversize header");
        try (Socket socket = connect())
        {
            socket.getOutputStream().write(("ANNOUNCE " + server.rtspUrl("live/cam1?key=" + TestServer.KEY1) +
                " RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: 500\r\n\r\nv=0\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            socket.shutdownOutput();
            assertEquals(-1, readAll(socket.getInputStream()).indexOf("200 OK"), "a short body is never accepted");
        }

        awaitCount(() -> ingest.protocolErrors("truncated_message"), round, "lying Content-Length");

        try (Socket socket = connect())
        {
            final OutputStream out = socket.getOutputStream();
            final String session = startRecording(socket, "live/cam1?key=" + TestServer.KEY1);
            out.write(new byte[] {'$', 0, 0, 12, 0x40, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1});
            out.flush();
            awaitCount(() -> ingest.badRtpPackets(RtpWrapResult.BAD_VERSION), round, "RTP version 1");
            out.write(new byte[] {'$', 0, 0, 16, (byte)0x90, 96, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 50});
            out.flush();
            awaitCount(() -> ingest.badRtpPackets(RtpWrapResult.BAD_EXTENSION_LENGTH), round, "extension length");
            out.write(new byte[] {'$', 1, 0, 8, 0x40, (byte)200, 0, 1, 0, 0, 0, 1});
            out.flush();
            awaitCount(() -> ingest.badRtpPackets(null), round, "RTCP version 1");
            out.write(new byte[] {'$', 7, 0, 12, (byte)0x80, 96, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1});
            send(out, "TEARDOWN " + server.rtspUrl("live/cam1") + " RTSP/1.0\r\nCSeq: 4\r\nSession: " + session +
                "\r\n\r\n");
            assertTrue(readResponse(socket.getInputStream()).startsWith("RTSP/1.0 200"));
        }

        awaitCount(ingest::unknownChannelFrames, round, "frame on channel 7");
    }

    /**
     * ANNOUNCE, SETUP (TCP, channels 0-1) and RECORD of the one-track {@link #SDP}.
     *
     * @return the session id.
     */
    private String startRecording(final Socket socket, final String pathAndQuery) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        final InputStream in = socket.getInputStream();
        final String url = server.rtspUrl(pathAndQuery);
        send(out, "ANNOUNCE " + url + " RTSP/1.0\r\nCSeq: 1\r\nContent-Type: application/sdp\r\nContent-Length: " +
            SDP.length() + "\r\n\r\n" + SDP);
        final String announce = readResponse(in);
        assertTrue(announce.startsWith("RTSP/1.0 200"), announce);
        send(out, "SETUP " + server.rtspUrl("live/cam1") + "/streamid=0 RTSP/1.0\r\nCSeq: 2\r\n" +
            "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n\r\n");
        final String setup = readResponse(in);
        assertTrue(setup.startsWith("RTSP/1.0 200") && setup.contains("interleaved=0-1"), setup);
        final String session = setup.lines().filter(l -> l.startsWith("Session:")).findFirst().orElseThrow()
            .substring(8).trim().split(";")[0];
        send(out, "RECORD " + server.rtspUrl("live/cam1") + " RTSP/1.0\r\nCSeq: 3\r\nSession: " + session +
            "\r\n\r\n");
        final String record = readResponse(in);
        assertTrue(record.startsWith("RTSP/1.0 200"), record);
        return session;
    }

    private static void awaitCount(final LongSupplier counter, final long expected, final String what)
    {
        Await.until(Duration.ofSeconds(5), () -> counter.getAsLong() >= expected, () -> what + " counted " +
            expected + " times: " + counter.getAsLong());
        assertEquals(expected, counter.getAsLong(), what + " counted once per round");
    }

    private void assertBadInputCounted(final int rounds)
    {
        final String metrics = server.get("/metrics").text();
        for (final String line : List.of(
            "cococam_rtsp_protocol_errors_total{reason=\"garbage\"} " + rounds,
            "cococam_rtsp_protocol_errors_total{reason=\"headers_too_large\"} " + rounds,
            "cococam_rtsp_protocol_errors_total{reason=\"truncated_message\"} " + rounds,
            "cococam_rtsp_protocol_errors_total{reason=\"refused\"} 0",
            "cococam_rtsp_protocol_errors_total{reason=\"session_timeout\"} 0",
            "cococam_rtsp_bad_rtp_packets_total{reason=\"bad_version\"} " + rounds,
            "cococam_rtsp_bad_rtp_packets_total{reason=\"bad_extension_length\"} " + rounds,
            "cococam_rtsp_bad_rtp_packets_total{reason=\"bad_rtcp\"} " + rounds,
            "cococam_rtsp_bad_rtp_packets_total{reason=\"truncated_header\"} 0",
            "cococam_rtsp_unknown_channel_frames_total " + rounds))
        {
            assertTrue(metrics.contains(line + "\n"), "metrics line: " + line + "\n" + metrics);
        }
    }

    /**
     * @return (nanoTime, units ingested) every 250 ms until told to stop.
     */
    private static List<long[]> sampleIngest(final LiveStream stream, final AtomicBoolean sampling)
    {
        final List<long[]> samples = new ArrayList<>();
        long next = System.nanoTime();
        while (sampling.get())
        {
            samples.add(new long[] {System.nanoTime(), stream.metrics().ingestFrames.sum()});
            next += TimeUnit.MILLISECONDS.toNanos(250);
            LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
        }

        return samples;
    }

    /**
     * The publisher sends 25 video frames and 48000 / 1024 AAC frames a second: every 2-second window of the bad
     * input phase must see about that many units arrive.
     */
    private static void assertHealthyRate(final List<long[]> samples)
    {
        final double nominal = 25 + 48_000 / 1024.0;
        assertTrue(samples.size() >= 20, "samples: " + samples.size());
        double lowest = Double.MAX_VALUE;
        for (int i = 8; i < samples.size(); i++)
        {
            final double rate = (samples.get(i)[1] - samples.get(i - 8)[1]) * 1e9 /
                (samples.get(i)[0] - samples.get(i - 8)[0]);
            lowest = Math.min(lowest, rate);
        }

        final long[] first = samples.get(0);
        final long[] last = samples.get(samples.size() - 1);
        final double overall = (last[1] - first[1]) * 1e9 / (last[0] - first[0]);
        System.out.printf("rtsp bad input: healthy ingest %.1f units/s overall (nominal %.1f), lowest 2 s window " +
            "%.1f%n", overall, nominal, lowest);
        assertEquals(nominal, overall, nominal * 0.1, "units per second while the bad input came");
        assertTrue(lowest >= nominal * 0.75, "units per second in the slowest 2 s window: " + lowest);
    }

    /**
     * Plays the path over TCP until the publisher has ended and the media stopped.
     *
     * @return every interleaved frame.
     */
    private List<RawRtspPlayer.Frame> playUntilEnd(final String path, final Process publisher) throws Exception
    {
        final String url = server.rtspUrl(path);
        final List<RawRtspPlayer.Frame> frames = new ArrayList<>();
        try (RawRtspPlayer player = new RawRtspPlayer(server.server().rtspPort()))
        {
            assertEquals(200, player.request("DESCRIBE", url, "Accept: application/sdp").status());
            final RawRtspPlayer.Response video = player.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            final String session = SessionHeader.parse(video.header("Session")).id();
            assertEquals(200, player.request("SETUP", url + "/trackID=1",
                "Transport: RTP/AVP/TCP;unicast;interleaved=2-3", "Session: " + session).status());
            assertEquals(200, player.request("PLAY", url, "Session: " + session).status());
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline)
            {
                final RawRtspPlayer.Frame frame = player.nextFrame(1_500);
                if (frame == null)
                {
                    if (!publisher.isAlive())
                    {
                        break;
                    }

                    continue;
                }

                frames.add(frame);
            }
        }

        return frames;
    }

    /**
     * From its join on, the RTSP viewer got every packet of both tracks (no sequence gap) and every video frame
     * (no B-frames: one RTP time per 3600 ticks from the first to the last, the last one the publish's end).
     */
    private static void assertRtspViewerGotEveryFrame(final List<RawRtspPlayer.Frame> frames, final int seconds)
    {
        final java.util.TreeSet<Long> videoTimes = new java.util.TreeSet<>();
        for (final int channel : new int[] {0, 2})
        {
            int previous = -1;
            int packets = 0;
            for (final RawRtspPlayer.Frame frame : frames)
            {
                if (frame.channel() != channel)
                {
                    continue;
                }

                if (previous >= 0)
                {
                    assertEquals((previous + 1) & 0xFFFF, frame.seq(), "no sequence gap on channel " + channel);
                }

                previous = frame.seq();
                packets++;
                if (channel == 0)
                {
                    videoTimes.add(frame.rtpTime());
                }
            }

            assertTrue(packets > 100, "packets on channel " + channel + ": " + packets);
        }

        final long span = (videoTimes.last() - videoTimes.first()) & 0xFFFF_FFFFL;
        assertTrue(videoTimes.last() - videoTimes.first() < 0x8000_0000L, "no RTP time wrap in this test");
        assertEquals(span / 3600 + 1, videoTimes.size(), "every video frame from the first to the last");
        assertTrue(videoTimes.size() >= (seconds - 4) * 25, "video frames played over RTSP: " + videoTimes.size());
        System.out.println("rtsp bad input: RTSP viewer got " + videoTimes.size() + " video frames without a gap");
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
