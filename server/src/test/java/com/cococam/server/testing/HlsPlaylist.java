package com.cococam.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A live media playlist read the way a player reads it: media sequence, and each segment with its sequence number,
 * its EXT-X-MAP (init segment) and whether an EXT-X-DISCONTINUITY precedes it. Complements {@link HlsDownload}
 * for playlists with several init segments.
 *
 * @param text          the playlist text.
 * @param mediaSequence EXT-X-MEDIA-SEQUENCE (0 when absent).
 * @param segments      the segments in order.
 */
public record HlsPlaylist(String text, long mediaSequence, List<Segment> segments)
{
    /**
     * One listed segment.
     *
     * @param sequence      its media sequence number.
     * @param uri           its URI.
     * @param mapUri        the init segment in force, or null (MPEG-TS).
     * @param discontinuity whether EXT-X-DISCONTINUITY precedes it.
     * @param durationSec   EXTINF.
     */
    public record Segment(long sequence, String uri, String mapUri, boolean discontinuity, double durationSec)
    {
    }

    /**
     * @param text a media playlist.
     * @return its parts.
     */
    public static HlsPlaylist parse(final String text)
    {
        long mediaSequence = 0;
        String map = null;
        boolean discontinuity = false;
        double duration = 0;
        final List<Segment> segments = new ArrayList<>();
        for (final String raw : text.split("\n"))
        {
            final String line = raw.trim();
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:"))
            {
                mediaSequence = Long.parseLong(line.substring(22));
            }
            else if (line.startsWith("#EXT-X-MAP:URI=\""))
            {
                map = line.substring(16, line.indexOf('"', 16));
            }
            else if (line.equals("#EXT-X-DISCONTINUITY"))
            {
                discontinuity = true;
            }
            else if (line.startsWith("#EXTINF:"))
            {
                duration = Double.parseDouble(line.substring(8, line.indexOf(',')));
            }
            else if (!line.isEmpty() && !line.startsWith("#"))
            {
                segments.add(new Segment(mediaSequence + segments.size(), line, map, discontinuity, duration));
                discontinuity = false;
            }
        }

        return new HlsPlaylist(text, mediaSequence, segments);
    }

    /**
     * Fetches and parses a media playlist.
     *
     * @param server the server.
     * @param path   e.g. {@code /live/cam1/stream.m3u8}.
     * @return the playlist, or null while it is not served (404).
     */
    public static HlsPlaylist fetch(final TestServer server, final String path)
    {
        final TestServer.HttpResult result = server.get(path);
        return result.status() == 200 ? parse(result.text()) : null;
    }

    /**
     * @return sequence number of the last listed segment, or -1 when none.
     */
    public long lastSequence()
    {
        return segments.isEmpty() ? -1 : segments.get(segments.size() - 1).sequence();
    }

    /**
     * @return number of EXT-X-DISCONTINUITY tags.
     */
    public int discontinuities()
    {
        return (int)segments.stream().filter(Segment::discontinuity).count();
    }

    /**
     * Splits the segments into runs that can be played as one file: a run ends at a discontinuity or a change of
     * init segment.
     *
     * @return runs in order, each non-empty.
     */
    public List<List<Segment>> runs()
    {
        final List<List<Segment>> runs = new ArrayList<>();
        List<Segment> current = null;
        for (final Segment segment : segments)
        {
            if (current == null || segment.discontinuity() ||
                !java.util.Objects.equals(segment.mapUri(), current.get(0).mapUri()))
            {
                current = new ArrayList<>();
                runs.add(current);
            }

            current.add(segment);
        }

        return runs;
    }

    /**
     * Downloads one run (its init segment, then its segments) into a file.
     *
     * @param server   the server.
     * @param basePath e.g. {@code /live/cam1/}.
     * @param run      one of {@link #runs()}.
     * @param out      the file.
     * @throws IOException on a write failure.
     */
    public static void download(
        final TestServer server,
        final String basePath,
        final List<Segment> run,
        final Path out) throws IOException
    {
        final Map<String, byte[]> parts = new LinkedHashMap<>();
        if (run.get(0).mapUri() != null)
        {
            parts.put(run.get(0).mapUri(), null);
        }

        for (final Segment segment : run)
        {
            parts.put(segment.uri(), null);
        }

        try (OutputStream file = Files.newOutputStream(out))
        {
            for (final String uri : parts.keySet())
            {
                final TestServer.HttpResult part = server.get(basePath + uri);
                assertEquals(200, part.status(), "GET " + basePath + uri);
                file.write(part.body());
            }
        }
    }
}
