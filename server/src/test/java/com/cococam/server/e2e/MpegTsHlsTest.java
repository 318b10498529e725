package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MPEG-TS flavour of live HLS ({@code --hls.format=mpegts}): ffmpeg publishes H.264 with B-frames and AAC; the
 * playlist must list {@code .ts} segments without an init segment, every segment must be a self-contained
 * transport stream that starts with a video keyframe, and the concatenated segments must carry every frame and
 * decode without an error.
 */
@Timeout(120)
class MpegTsHlsTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final int TS_PACKET = 188;

    @TempDir
    Path temp;

    private TestServer server;

    @AfterEach
    void stopServer()
    {
        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldServeH264AndAacAsTransportStreamSegments() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--hls.format=mpegts", "--hls.windowSegments=20");
        final int seconds = 6;
        final int videoFrames = seconds * 25;
        final Process publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1),
            seconds, "libx264", List.of("-bf", "2"), temp.resolve("publisher.log"));
        assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> log("publisher.log"));

        final HlsDownload hls = awaitPlaylistCovering(videoFrames);
        assertTrue(hls.mapUris().isEmpty(), "no EXT-X-MAP for MPEG-TS: " + hls.playlist());
        assertFalse(hls.playlist().contains("#EXT-X-MAP"), hls.playlist());
        assertTrue(hls.segmentUris().size() >= 3, hls.playlist());
        for (final String uri : hls.segmentUris())
        {
            assertTrue(uri.endsWith(".ts"), "segment " + uri + " in\n" + hls.playlist());
        }

        assertEquals(0, hls.discontinuities(), hls.playlist());
        assertEquals(seconds, hls.totalSeconds(), 0.1, "EXTINF sum: " + hls.playlist());

        for (int i = 0; i < hls.segmentUris().size(); i++)
        {
            final String uri = hls.segmentUris().get(i);
            final TestServer.HttpResult segment = server.get("/live/cam1/" + uri);
            assertEquals(200, segment.status(), uri);
            assertEquals("video/mp2t", segment.header("Content-Type"), uri);
            assertSyncedTransportStream(uri, segment.body());
            final Path file = temp.resolve("segment-" + i + ".ts");
            Files.write(file, segment.body());
            assertStartsWithKeyframe(uri, file);
        }

        final Path joined = temp.resolve("hls.ts");
        hls.downloadTo(server, "/live/cam1/", joined);
        final Map<String, String> probe = Peers.ffprobeFlat(PEER_TIMEOUT, "-count_frames", "-show_entries",
            "stream=codec_name,profile,width,height,sample_rate,nb_read_frames:format=format_name", joined.toString());
        assertEquals("mpegts", probe.get("format.format_name"), probe.toString());
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals("640", probe.get("streams.stream.0.width"));
        assertEquals("360", probe.get("streams.stream.0.height"));
        assertEquals("aac", probe.get("streams.stream.1.codec_name"), probe.toString());
        assertEquals("48000", probe.get("streams.stream.1.sample_rate"));
        assertEquals(videoFrames, Integer.parseInt(probe.get("streams.stream.0.nb_read_frames")),
            "every published video frame is in the TS segments: " + probe);
        final int audioFrames = Integer.parseInt(probe.get("streams.stream.1.nb_read_frames"));
        assertTrue(Math.abs(audioFrames - seconds * 48000 / 1024.0) < 4, "audio frames: " + audioFrames);

        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            joined.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());

        final Peers.Result frames = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            "v:0", "-show_entries", "frame=pict_type,pts", "-of", "csv=p=0", joined.toString());
        assertEquals(0, frames.exitCode(), frames.stderr());
        assertTrue(frames.stdout().contains("B"), "B-frames survive TS packaging");
        long previous = Long.MIN_VALUE;
        for (final String line : frames.stdout().split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }

            final long pts = Long.parseLong(line.split(",")[0].trim());
            assertTrue(pts > previous, "display times increase across segments: " + previous + " then " + pts);
            previous = pts;
        }
    }

    /**
     * Every 188-byte packet starts with the sync byte, the first one is the PAT, and the PID continuity counters
     * step by one within the segment.
     */
    private static void assertSyncedTransportStream(final String uri, final byte[] data)
    {
        assertTrue(data.length > 0 && data.length % TS_PACKET == 0, uri + " length " + data.length);
        final int[] lastCounter = new int[8192];
        Arrays.fill(lastCounter, -1);
        for (int offset = 0; offset < data.length; offset += TS_PACKET)
        {
            assertEquals(0x47, data[offset] & 0xff, uri + " sync byte at " + offset);
            final int pid = ((data[offset + 1] & 0x1f) << 8) | (data[offset + 2] & 0xff);
            if (offset == 0)
            {
                assertEquals(0, pid, uri + " starts with the PAT");
            }

            final boolean hasPayload = (data[offset + 3] & 0x10) != 0;
            final int counter = data[offset + 3] & 0x0f;
            if (hasPayload && pid != 0x1fff)
            {
                if (lastCounter[pid] >= 0)
                {
                    assertEquals((lastCounter[pid] + 1) & 0x0f, counter,
                        uri + " continuity counter of PID " + pid + " at byte " + offset);
                }

                lastCounter[pid] = counter;
            }
        }
    }

    private static void assertStartsWithKeyframe(final String uri, final Path file)
    {
        final Peers.Result first = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            "v:0", "-read_intervals", "%+#1", "-show_entries", "frame=key_frame,pict_type", "-of", "csv=p=0",
            file.toString());
        assertEquals(0, first.exitCode(), uri + ": " + first.stderr());
        assertTrue(first.stdout().trim().startsWith("1,I"), uri + " first decoded frame: " + first.stdout());
    }

    private HlsDownload awaitPlaylistCovering(final int videoFrames)
    {
        final String[] last = {""};
        Await.until(Duration.ofSeconds(20), () ->
        {
            final TestServer.HttpResult result = server.get("/live/cam1/stream.m3u8");
            if (result.status() != 200)
            {
                return false;
            }

            last[0] = result.text();
            return HlsDownload.parse(last[0]).totalSeconds() * 25 >= videoFrames - 1;
        }, () -> "playlist covering " + videoFrames + " frames; last:\n" + last[0]);
        return HlsDownload.parse(server.get("/live/cam1/stream.m3u8").text());
    }

    private String log(final String name)
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
