package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Helpers shared by the RTSP server end-to-end tests: ffmpeg publishing over RTSP or RTMP, HLS and decode checks.
 */
final class RtspSupport
{
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);

    private RtspSupport()
    {
    }

    /**
     * @param url       output URL.
     * @param seconds   duration.
     * @param video     libx264 or libx265.
     * @param format    output options: {@code -f rtsp -rtsp_transport tcp} or {@code -f flv}.
     * @param log       ffmpeg's log.
     * @return the running ffmpeg.
     */
    static Process publish(
        final String url,
        final int seconds,
        final String video,
        final List<String> format,
        final Path log)
    {
        final List<String> command = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostats",
            "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", Integer.toString(seconds),
            "-c:v", video, "-g", "50", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "96k"));
        if (video.equals("libx264"))
        {
            command.addAll(List.of("-preset", "veryfast", "-b:v", "1500k", "-bf", "2", "-profile:v", "high"));
        }
        else
        {
            command.addAll(List.of("-preset", "ultrafast", "-x265-params",
                "log-level=error:keyint=50:min-keyint=50"));
        }

        command.addAll(format);
        command.add(url);
        return Peers.start(log, command);
    }

    static void awaitLive(final TestServer server, final String path)
    {
        Await.until(Duration.ofSeconds(20), () ->
        {
            final LiveStream stream = server.server().hub().find(path);
            return stream != null && stream.publisher() != null && stream.format(0) != null &&
                stream.format(1) != null;
        }, "stream live with both tracks: " + path);
    }

    static void awaitViewers(final TestServer server, final String path, final int viewers)
    {
        Await.until(Duration.ofSeconds(30), () ->
        {
            final LiveStream stream = server.server().hub().find(path);
            return stream != null && stream.metrics().viewers.get() >= viewers;
        }, "viewers attached to " + path);
    }

    static HlsDownload awaitFinalPlaylist(final TestServer server, final String playlistPath, final int frames)
    {
        Await.until(Duration.ofSeconds(20), () ->
        {
            final TestServer.HttpResult result = server.get(playlistPath);
            return result.status() == 200 && HlsDownload.parse(result.text()).totalSeconds() * 25 >= frames - 1;
        }, () -> "playlist covering all frames: " + server.get(playlistPath).text());
        return HlsDownload.parse(server.get(playlistPath).text());
    }

    static void assertDecodesCleanly(final Path file)
    {
        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }

    static void assertTimestampsIncrease(final Path file, final String stream)
    {
        final Peers.Result packets = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            stream, "-show_entries", "packet=dts", "-of", "csv=p=0", file.toString());
        assertEquals(0, packets.exitCode(), packets.stderr());
        long previous = Long.MIN_VALUE;
        int count = 0;
        for (final String line : packets.stdout().split("\n"))
        {
            if (line.isBlank())
            {
                continue;
            }

            final long dts = Long.parseLong(line.trim().replace(",", ""));
            assertTrue(dts > previous, stream + " dts must increase: " + previous + " then " + dts);
            previous = dts;
            count++;
        }

        assertTrue(count > 0);
    }

    /**
     * @return the time a stream's packets cover: from the earliest PTS to the latest PTS plus its duration (0 where
     *         the file has none), seconds.
     */
    static double presentationSeconds(final Path file, final String stream)
    {
        final Peers.Result packets = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            stream, "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", file.toString());
        assertEquals(0, packets.exitCode(), packets.stderr());
        double first = Double.MAX_VALUE;
        double end = -Double.MAX_VALUE;
        for (final String line : packets.stdout().split("\n"))
        {
            final String[] fields = line.trim().split(",");
            if (fields.length >= 2 && !fields[0].isEmpty() && !fields[0].equals("N/A"))
            {
                final double pts = Double.parseDouble(fields[0]);
                first = Math.min(first, pts);
                end = Math.max(end, pts + (fields[1].equals("N/A") ? 0 : Double.parseDouble(fields[1])));
            }
        }

        assertTrue(end > first, stream + " has timed packets in " + file);
        return end - first;
    }

    static String read(final Path file)
    {
        try
        {
            return Files.readString(file);
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
