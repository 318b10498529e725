package com.cococam.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Downloads a live HLS media playlist and its segments over HTTP into one playable file (init segment followed by
 * media segments, or concatenated TS), the way a player would fetch them.
 *
 * @param playlist        the media playlist text.
 * @param segmentUris     segment URIs in order.
 * @param durationsSec    EXTINF durations in order.
 * @param mapUris         the EXT-X-MAP URIs seen.
 * @param discontinuities number of EXT-X-DISCONTINUITY tags.
 */
public record HlsDownload(
    String playlist,
    List<String> segmentUris,
    List<Double> durationsSec,
    List<String> mapUris,
    int discontinuities)
{
    /**
     * @param text a media playlist.
     * @return its parts.
     */
    public static HlsDownload parse(final String text)
    {
        final List<String> segments = new ArrayList<>();
        final List<Double> durations = new ArrayList<>();
        final List<String> maps = new ArrayList<>();
        int discontinuities = 0;
        for (final String raw : text.split("\n"))
        {
            final String line = raw.trim();
            if (line.startsWith("#EXTINF:"))
            {
                durations.add(Double.parseDouble(line.substring(8, line.indexOf(','))));
            }
            else if (line.startsWith("#EXT-X-MAP:URI=\""))
            {
                maps.add(line.substring(16, line.indexOf('"', 16)));
            }
            else if (line.equals("#EXT-X-DISCONTINUITY"))
            {
                discontinuities++;
            }
            else if (!line.isEmpty() && !line.startsWith("#"))
            {
                segments.add(line);
            }
        }

        return new HlsDownload(text, segments, durations, maps, discontinuities);
    }

    /**
     * @return sum of EXTINF durations in seconds.
     */
    public double totalSeconds()
    {
        return durationsSec.stream().mapToDouble(Double::doubleValue).sum();
    }

    /**
     * Fetches the init segment (if any) and every segment into one file.
     *
     * @param server   the server.
     * @param basePath e.g. {@code /live/cam1/}.
     * @param out      file to write.
     * @return bytes written.
     * @throws IOException on a write failure.
     */
    public long downloadTo(final TestServer server, final String basePath, final Path out) throws IOException
    {
        long bytes = 0;
        try (OutputStream file = Files.newOutputStream(out))
        {
            if (!mapUris.isEmpty())
            {
                final TestServer.HttpResult init = server.get(basePath + mapUris.get(0));
                assertEquals(200, init.status(), "init segment " + mapUris.get(0));
                file.write(init.body());
                bytes += init.body().length;
            }

            for (final String uri : segmentUris)
            {
                final TestServer.HttpResult segment = server.get(basePath + uri);
                assertEquals(200, segment.status(), "segment " + uri);
                file.write(segment.body());
                bytes += segment.body().length;
            }
        }

        return bytes;
    }
}
