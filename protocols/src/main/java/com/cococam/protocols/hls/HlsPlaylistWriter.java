package com.cococam.protocols.hls;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Renders HLS playlists (RFC 8216) as text. Called once per new segment, never per request.
 *
 * <p>Thread safety: stateless. Allocation: builds strings (cold path).
 */
public final class HlsPlaylistWriter
{
    /** Playlist protocol version: 7 covers fMP4 with EXT-X-MAP in media playlists. */
    public static final int VERSION = 7;

    private static final DateTimeFormatter PROGRAM_DATE_TIME =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT).withZone(ZoneOffset.UTC);

    private HlsPlaylistWriter()
    {
    }

    /**
     * Renders a live media playlist of a sliding window.
     *
     * @param segments               the window, oldest first; not empty.
     * @param targetDurationSeconds  EXT-X-TARGETDURATION, at least the rounded longest segment.
     * @param discontinuitySequence  discontinuities that have slid out of the window.
     * @param ended                  whether to close the playlist with EXT-X-ENDLIST.
     * @return the playlist text.
     */
    public static String mediaPlaylist(
        final List<HlsSegmentInfo> segments,
        final int targetDurationSeconds,
        final long discontinuitySequence,
        final boolean ended)
    {
        final StringBuilder text = new StringBuilder(256 + 160 * segments.size());
        text.append("#EXTM3U\n");
        text.append("#EXT-X-VERSION:").append(VERSION).append('\n');
        text.append("#EXT-X-TARGETDURATION:").append(targetDurationSeconds).append('\n');
        text.append("#EXT-X-MEDIA-SEQUENCE:").append(segments.get(0).sequence()).append('\n');
        if (discontinuitySequence > 0)
        {
            text.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(discontinuitySequence).append('\n');
        }

        text.append("#EXT-X-INDEPENDENT-SEGMENTS\n");

        String currentMap = null;
        for (int i = 0; i < segments.size(); i++)
        {
            final HlsSegmentInfo segment = segments.get(i);
            if (segment.discontinuity() && i > 0)
            {
                text.append("#EXT-X-DISCONTINUITY\n");
            }

            if (segment.mapUri() != null && !segment.mapUri().equals(currentMap))
            {
                currentMap = segment.mapUri();
                text.append("#EXT-X-MAP:URI=\"").append(currentMap).append("\"\n");
            }

            text.append("#EXT-X-PROGRAM-DATE-TIME:")
                .append(PROGRAM_DATE_TIME.format(Instant.ofEpochMilli(segment.programDateTimeMs()))).append('\n');
            text.append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", segment.durationSeconds()))
                .append(",\n");
            text.append(segment.uri()).append('\n');
        }

        if (ended)
        {
            text.append("#EXT-X-ENDLIST\n");
        }

        return text.toString();
    }

    /**
     * Renders a multivariant playlist with one variant.
     *
     * @param mediaPlaylistUri  URI of the media playlist, relative.
     * @param peakBitrateBps    BANDWIDTH: the peak segment bitrate.
     * @param averageBitrateBps AVERAGE-BANDWIDTH, 0 to leave out.
     * @param codecs            RFC 6381 codecs of every track, e.g. {@code avc1.64001f,mp4a.40.2}.
     * @param width             video width, 0 if audio only.
     * @param height            video height.
     * @param frameRate         frames per second, 0 if unknown.
     * @return the playlist text.
     */
    public static String multivariantPlaylist(
        final String mediaPlaylistUri,
        final long peakBitrateBps,
        final long averageBitrateBps,
        final String codecs,
        final int width,
        final int height,
        final double frameRate)
    {
        final StringBuilder text = new StringBuilder(256);
        text.append("#EXTM3U\n");
        text.append("#EXT-X-VERSION:").append(VERSION).append('\n');
        text.append("#EXT-X-INDEPENDENT-SEGMENTS\n");
        text.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(Math.max(1, peakBitrateBps));
        if (averageBitrateBps > 0)
        {
            text.append(",AVERAGE-BANDWIDTH=").append(averageBitrateBps);
        }

        text.append(",CODECS=\"").append(codecs).append('"');
        if (width > 0 && height > 0)
        {
            text.append(",RESOLUTION=").append(width).append('x').append(height);
        }

        if (frameRate > 0)
        {
            text.append(",FRAME-RATE=").append(String.format(Locale.ROOT, "%.3f", frameRate));
        }

        text.append('\n').append(mediaPlaylistUri).append('\n');
        return text.toString();
    }
}
