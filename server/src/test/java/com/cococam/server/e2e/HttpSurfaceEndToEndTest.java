package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsPlaylist;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP surface after a real publish (ffmpeg, with an ffprobe RTMP viewer so latency is measured): HEAD, byte
 * ranges, 404s, CORS, content types and caching of HLS files, the metrics text and the recordings API. Requests go
 * over a raw socket so status lines, headers and bodies are seen exactly as sent.
 */
@Timeout(90)
class HttpSurfaceEndToEndTest
{
    private static final String BASE = "/live/cam1/";

    @TempDir
    static Path temp;

    private static TestServer server;
    private static HlsPlaylist playlist;
    private static String segmentUri;
    private static byte[] segment;

    @BeforeAll
    static void publishOnce() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
        final Process viewer = Peers.start(temp.resolve("viewer.txt"), List.of(Peers.ffprobe(), "-v", "error",
            "-rw_timeout", "30000000", "-count_frames", "-show_entries", "stream=nb_read_frames", "-of", "flat",
            server.rtmpUrl("live/cam1")));
        try
        {
            Await.until(Duration.ofSeconds(30), () -> server.server().hub().find("live/cam1") != null &&
                server.server().hub().find("live/cam1").metrics().viewers.get() == 1, "viewer attached");
            final Process publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1),
                4, "libx264", List.of(), temp.resolve("publisher.log"));
            assertEquals(0, TestServer.waitFor(publisher, Duration.ofSeconds(30)));
            assertEquals(0, TestServer.waitFor(viewer, Duration.ofSeconds(30)));
        }
        finally
        {
            viewer.destroyForcibly();
        }

        Await.until(Duration.ofSeconds(10), () ->
        {
            final HlsPlaylist p = HlsPlaylist.fetch(server, BASE + "stream.m3u8");
            return p != null && p.segments().size() >= 2;
        }, "segments listed");
        playlist = HlsPlaylist.fetch(server, BASE + "stream.m3u8");
        segmentUri = playlist.segments().get(0).uri();
        segment = server.get(BASE + segmentUri).body();
        assertTrue(segment.length > 1000, "segment bytes: " + segment.length);
    }

    @AfterAll
    static void stopServer()
    {
        server.close();
    }

    @Test
    void shouldAnswerHeadOnASegmentWithItsLengthAndNoBody() throws IOException
    {
        final Response head = request("HEAD", BASE + segmentUri, Map.of());
        assertEquals(200, head.status);
        assertEquals(Integer.toString(segment.length), head.header("content-length"));
        assertEquals(0, head.body.length, "HEAD carries no body");
        assertEquals("video/iso.segment", head.header("content-type"));
    }

    @Test
    void shouldServeAByteRangeAsPartialContent() throws IOException
    {
        final Response range = request("GET", BASE + segmentUri, Map.of("Range", "bytes=100-1099"));
        assertEquals(206, range.status);
        assertEquals("bytes 100-1099/" + segment.length, range.header("content-range"));
        assertEquals("1000", range.header("content-length"));
        assertArrayEquals(Arrays.copyOfRange(segment, 100, 1100), range.body);

        final Response suffix = request("GET", BASE + segmentUri, Map.of("Range", "bytes=-10"));
        assertEquals(206, suffix.status);
        assertArrayEquals(Arrays.copyOfRange(segment, segment.length - 10, segment.length), suffix.body);
    }

    @Test
    void shouldRefuseAnUnsatisfiableRange() throws IOException
    {
        final Response range = request("GET", BASE + segmentUri,
            Map.of("Range", "bytes=" + segment.length + "-"));
        assertEquals(416, range.status);
        assertEquals("bytes */" + segment.length, range.header("content-range"));
    }

    @Test
    void shouldAnswerNotFoundForUnknownPathsSegmentsAndStreams() throws IOException
    {
        assertEquals(404, request("GET", "/nope", Map.of()).status);
        assertEquals(404, request("GET", BASE + "seg-999999.m4s", Map.of()).status);
        assertEquals(404, request("GET", BASE + "init-77.mp4", Map.of()).status);
        assertEquals(404, request("GET", "/live/nosuch/stream.m3u8", Map.of()).status);
        assertEquals(404, request("GET", "/live/nosuch/seg-0.m4s", Map.of()).status);
        assertEquals(405, request("POST", BASE + "stream.m3u8", Map.of()).status);
    }

    @Test
    void shouldSendCorsHeadersAndAnswerAPreflight() throws IOException
    {
        assertEquals("*", request("GET", BASE + "stream.m3u8", Map.of()).header("access-control-allow-origin"));
        assertEquals("*", request("GET", BASE + segmentUri, Map.of()).header("access-control-allow-origin"));

        final Response preflight = request("OPTIONS", BASE + segmentUri, Map.of("Origin", "http://example.test",
            "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "range"));
        assertTrue(preflight.status == 204 || preflight.status == 200, "preflight status " + preflight.status);
        assertEquals("*", preflight.header("access-control-allow-origin"));
        assertTrue(preflight.header("access-control-allow-methods").contains("GET"));
        assertTrue(preflight.header("access-control-allow-headers").toLowerCase(Locale.ROOT).contains("range"));
    }

    @Test
    void shouldLabelAndCacheHlsFilesByKind() throws IOException
    {
        for (final String name : List.of("stream.m3u8", "index.m3u8"))
        {
            final Response response = request("GET", BASE + name, Map.of());
            assertEquals(200, response.status, name);
            assertEquals("application/vnd.apple.mpegurl", response.header("content-type"), name);
            assertTrue(response.header("cache-control").contains("no-cache"), name);
        }

        final Response media = request("GET", BASE + segmentUri, Map.of());
        assertEquals("video/iso.segment", media.header("content-type"));
        assertTrue(media.header("cache-control").contains("immutable"), media.header("cache-control"));
        assertArrayEquals(segment, media.body);

        final String init = playlist.segments().get(0).mapUri();
        assertNotNull(init);
        final Response initResponse = request("GET", BASE + init, Map.of());
        assertEquals(200, initResponse.status);
        assertEquals("video/mp4", initResponse.header("content-type"));
        assertTrue(initResponse.header("cache-control").contains("immutable"));
        assertEquals("ftyp", new String(initResponse.body, 4, 4, StandardCharsets.US_ASCII));
    }

    @Test
    void shouldExposeIngestAndLatencyMetrics() throws IOException
    {
        final Response response = request("GET", "/metrics", Map.of());
        assertEquals(200, response.status);
        assertTrue(response.header("content-type").startsWith("text/plain"));
        final String metrics = new String(response.body, StandardCharsets.UTF_8);
        assertTrue(value(metrics, "cococam_ingest_bytes_total{path=\"live/cam1\"}") > 0, metrics);
        assertTrue(value(metrics, "cococam_ingest_frames_total{path=\"live/cam1\"}") >= 100, metrics);
        assertEquals(1, value(metrics, "cococam_publishes_total{path=\"live/cam1\"}"), metrics);
        assertTrue(value(metrics, "cococam_hls_segments_total{path=\"live/cam1\"}") >= 2, metrics);
        // Quantiles of real hand-offs: above zero, in order, none above the largest.
        final double max = value(metrics, "cococam_ingest_to_send_latency_seconds_max{path=\"live/cam1\"}");
        double lower = 0;
        for (final String quantile : List.of("0.5", "0.99", "0.999"))
        {
            final double seconds = value(metrics,
                "cococam_ingest_to_send_latency_seconds{path=\"live/cam1\",quantile=\"" + quantile + "\"}");
            assertTrue(seconds > 0 && seconds >= lower && seconds <= max, "quantile " + quantile + ": " + metrics);
            lower = seconds;
        }

        final double timed = value(metrics, "cococam_ingest_to_send_latency_seconds_count{path=\"live/cam1\"}");
        assertTrue(timed >= 100, "frames sent to the viewer were timed: " + metrics);
        assertTrue(value(metrics, "cococam_ingest_to_send_latency_seconds_sum{path=\"live/cam1\"}") > 0, metrics);

        // The same latencies as cumulative buckets: never decreasing, ending at the total count.
        double previous = 0;
        for (final String bound : List.of("0.000100000", "0.000250000", "0.000500000", "0.001000000", "0.002500000",
            "0.005000000", "0.010000000", "0.025000000", "0.050000000", "0.100000000", "0.250000000", "1.000000000",
            "+Inf"))
        {
            final double count = value(metrics, "cococam_ingest_to_send_seconds_bucket{path=\"live/cam1\",le=\"" +
                bound + "\"}");
            assertTrue(count >= previous, "bucket le=" + bound + " below the one before: " + metrics);
            previous = count;
        }

        assertEquals(value(metrics, "cococam_ingest_to_send_seconds_count{path=\"live/cam1\"}"), previous, metrics);
        assertEquals(timed, previous, "both families read from one snapshot: " + metrics);
    }

    @Test
    void shouldListRecordingSpansOfAPublishedCamera() throws IOException
    {
        final String[] json = {""};
        Await.until(Duration.ofSeconds(10), () ->
        {
            try
            {
                final Response response = request("GET", "/api/v1/cameras/cam1/recordings", Map.of());
                json[0] = new String(response.body, StandardCharsets.UTF_8);
                return response.status == 200 && maxBytes(json[0]) > 0;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }, () -> "a span with bytes: " + json[0]);
        assertTrue(json[0].startsWith("{\"camera\":\"cam1\""), json[0]);
        assertTrue(json[0].contains("\"spans\":[{"), json[0]);

        final Response response = request("GET", "/api/v1/cameras/cam1/recordings", Map.of());
        assertEquals("application/json", response.header("content-type"));
        assertEquals(404, request("GET", "/api/v1/cameras/nope/recordings", Map.of()).status);
    }

    private static long maxBytes(final String json)
    {
        long max = 0;
        final Matcher matcher = Pattern.compile("\"bytes\":(\\d+)").matcher(json);
        while (matcher.find())
        {
            max = Math.max(max, Long.parseLong(matcher.group(1)));
        }

        return max;
    }

    private static double value(final String metrics, final String series)
    {
        for (final String line : metrics.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }

        throw new AssertionError("no series " + series);
    }

    /**
     * Metrics and API documents are built off the event loop; requests pipelined behind them on the same connection
     * still get their answers in the order they were sent, including quick ones answered on the loop.
     */
    @Test
    void shouldAnswerPipelinedRequestsInOrderAroundOffloadedDocuments() throws IOException
    {
        final String[][] requests = {
            {"GET", "/metrics"},
            {"GET", "/nothing-here"},
            {"GET", "/api/v1/cameras"},
            {"GET", BASE + "stream.m3u8"},
            {"GET", "/api/v1/cameras/nobody"},
            {"HEAD", "/metrics"},
            {"GET", "/favicon.ico"},
            {"GET", "/api/v1/cameras/cam1"},
        };
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < requests.length; i++)
        {
            text.append(requests[i][0]).append(' ').append(requests[i][1]).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                .append(i == requests.length - 1 ? "Connection: close\r\n" : "").append("\r\n");
        }

        final byte[] raw;
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", server.server().httpPort()), 5000);
            socket.setSoTimeout(10_000);
            // All in one write: the server decodes them from one read, while the first is still being built.
            socket.getOutputStream().write(text.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            raw = socket.getInputStream().readAllBytes();
        }

        final List<Response> responses = new ArrayList<>();
        int offset = 0;
        for (final String[] request : requests)
        {
            final Response response = Response.parse(Arrays.copyOfRange(raw, offset, raw.length));
            final int headLength = indexOfHeadEnd(raw, offset) + 4 - offset;
            // HEAD has no body; a 204 has no length header either.
            final String length = response.header("content-length");
            final int bodyLength = request[0].equals("HEAD") || length == null ? 0 : Integer.parseInt(length);
            responses.add(new Response(response.status(), response.headers(),
                Arrays.copyOfRange(raw, offset + headLength, offset + headLength + bodyLength)));
            offset += headLength + bodyLength;
        }

        assertEquals(raw.length, offset, "nothing after the last response");
        assertEquals(List.of(200, 404, 200, 200, 404, 200, 204, 200),
            responses.stream().map(Response::status).toList(), "statuses in request order");
        final String metrics = new String(responses.get(0).body(), StandardCharsets.UTF_8);
        assertTrue(metrics.contains("cococam_ingest_frames_total{path=\"live/cam1\"}"), metrics);
        assertEquals("not found\n", new String(responses.get(1).body(), StandardCharsets.UTF_8));
        assertTrue(new String(responses.get(2).body(), StandardCharsets.UTF_8).contains("cam1"));
        assertTrue(new String(responses.get(3).body(), StandardCharsets.UTF_8).startsWith("#EXTM3U"));
        assertEquals("unknown camera\n", new String(responses.get(4).body(), StandardCharsets.UTF_8));
        assertTrue(Integer.parseInt(responses.get(5).header("content-length")) > 1000, "HEAD of metrics: length only");
        assertTrue(new String(responses.get(7).body(), StandardCharsets.UTF_8).contains("\"cam1\""));
    }

    private static int indexOfHeadEnd(final byte[] raw, final int from)
    {
        for (int i = from; i + 3 < raw.length; i++)
        {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n')
            {
                return i;
            }
        }

        throw new AssertionError("no complete response head after byte " + from);
    }

    private static Response request(final String method, final String path, final Map<String, String> headers)
        throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", server.server().httpPort()), 5000);
            socket.setSoTimeout(10_000);
            final StringBuilder text = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\nConnection: close\r\n");
            headers.forEach((name, value) -> text.append(name).append(": ").append(value).append("\r\n"));
            text.append("\r\n");
            socket.getOutputStream().write(text.toString().getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return Response.parse(socket.getInputStream().readAllBytes());
        }
    }

    private record Response(int status, Map<String, String> headers, byte[] body)
    {
        static Response parse(final byte[] raw)
        {
            int end = -1;
            for (int i = 0; i + 3 < raw.length; i++)
            {
                if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n')
                {
                    end = i;
                    break;
                }
            }

            assertTrue(end > 0, "a complete response head");
            final String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
            final int status = Integer.parseInt(lines[0].split(" ")[1]);
            final Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++)
            {
                final int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
            }

            return new Response(status, headers, Arrays.copyOfRange(raw, end + 4, raw.length));
        }

        String header(final String name)
        {
            return headers.get(name);
        }
    }
}
