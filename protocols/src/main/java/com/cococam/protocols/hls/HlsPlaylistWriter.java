package com.cococam.protocols.hls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Renders HLS playlists (RFC 8216) as US-ASCII text into a {@link ByteBuf}, once per new segment, never per
 * request: the caller keeps the rendered bytes and serves duplicates of them.
 *
 * <p>Numbers and dates are formatted by hand (no {@code String.format}, no {@code java.time} objects): EXTINF
 * durations with three decimals (90 kHz ticks rounded half up to milliseconds), EXT-X-PROGRAM-DATE-TIME as
 * {@code yyyy-MM-ddTHH:mm:ss.SSSZ} in UTC (proleptic Gregorian calendar, years 0 to 9999).
 *
 * <p>Thread safety: stateless. Allocation: the {@code write...} methods allocate nothing (they append to the
 * caller's buffer, which grows as Netty buffers do); the {@code String} forms allocate their result and a heap
 * buffer, for callers off the hot path.
 */
public final class HlsPlaylistWriter
{
    /** Playlist protocol version: 7 covers fMP4 with EXT-X-MAP in media playlists. */
    public static final int VERSION = 7;

    private static final long MS_PER_DAY = 86_400_000L;
    private static final long MAX_EPOCH_MS = 253_402_300_799_999L;

    private HlsPlaylistWriter()
    {
    }

    /**
     * @param segments segments in the window.
     * @return a generous size for a media playlist of that many segments (short URIs), to size its buffer.
     */
    public static int estimateMediaPlaylistBytes(final int segments)
    {
        return 256 + 128 * segments;
    }

    /**
     * Renders a live media playlist of a sliding window.
     *
     * @param out                   receives the text at its writer index.
     * @param segments              the window, oldest first; not empty.
     * @param targetDurationSeconds EXT-X-TARGETDURATION, at least the rounded longest segment.
     * @param discontinuitySequence discontinuities that have slid out of the window.
     * @param ended                 whether to close the playlist with EXT-X-ENDLIST.
     * @return bytes written.
     */
    public static int writeMediaPlaylist(
        final ByteBuf out,
        final List<HlsSegmentInfo> segments,
        final int targetDurationSeconds,
        final long discontinuitySequence,
        final boolean ended)
    {
        final int start = out.writerIndex();
        ByteBufUtil.writeAscii(out, "#EXTM3U\n#EXT-X-VERSION:");
        writeDecimal(out, VERSION);
        ByteBufUtil.writeAscii(out, "\n#EXT-X-TARGETDURATION:");
        writeDecimal(out, targetDurationSeconds);
        ByteBufUtil.writeAscii(out, "\n#EXT-X-MEDIA-SEQUENCE:");
        writeDecimal(out, segments.get(0).sequence());
        out.writeByte('\n');
        if (discontinuitySequence > 0)
        {
            ByteBufUtil.writeAscii(out, "#EXT-X-DISCONTINUITY-SEQUENCE:");
            writeDecimal(out, discontinuitySequence);
            out.writeByte('\n');
        }

        ByteBufUtil.writeAscii(out, "#EXT-X-INDEPENDENT-SEGMENTS\n");

        String currentMap = null;
        for (int i = 0; i < segments.size(); i++)
        {
            final HlsSegmentInfo segment = segments.get(i);
            if (segment.discontinuity() && i > 0)
            {
                ByteBufUtil.writeAscii(out, "#EXT-X-DISCONTINUITY\n");
            }

            if (segment.mapUri() != null && !segment.mapUri().equals(currentMap))
            {
                currentMap = segment.mapUri();
                ByteBufUtil.writeAscii(out, "#EXT-X-MAP:URI=\"");
                ByteBufUtil.writeAscii(out, currentMap);
                ByteBufUtil.writeAscii(out, "\"\n");
            }

            ByteBufUtil.writeAscii(out, "#EXT-X-PROGRAM-DATE-TIME:");
            writeUtcDateTime(out, segment.programDateTimeMs());
            ByteBufUtil.writeAscii(out, "\n#EXTINF:");
            writeThousandths(out, (segment.durationTicks() + 45) / 90);
            ByteBufUtil.writeAscii(out, ",\n");
            ByteBufUtil.writeAscii(out, segment.uri());
            out.writeByte('\n');
        }

        if (ended)
        {
            ByteBufUtil.writeAscii(out, "#EXT-X-ENDLIST\n");
        }

        return out.writerIndex() - start;
    }

    /**
     * Renders a live media playlist as a String; see {@link #writeMediaPlaylist}. Allocates (off the hot path).
     *
     * @param segments              the window, oldest first; not empty.
     * @param targetDurationSeconds EXT-X-TARGETDURATION.
     * @param discontinuitySequence discontinuities that have slid out of the window.
     * @param ended                 whether to close the playlist with EXT-X-ENDLIST.
     * @return the playlist text.
     */
    public static String mediaPlaylist(
        final List<HlsSegmentInfo> segments,
        final int targetDurationSeconds,
        final long discontinuitySequence,
        final boolean ended)
    {
        final ByteBuf out = Unpooled.buffer(estimateMediaPlaylistBytes(segments.size()));
        writeMediaPlaylist(out, segments, targetDurationSeconds, discontinuitySequence, ended);
        return out.toString(StandardCharsets.US_ASCII);
    }

    /**
     * Renders a multivariant playlist with one variant.
     *
     * @param out               receives the text at its writer index.
     * @param mediaPlaylistUri  URI of the media playlist, relative.
     * @param peakBitrateBps    BANDWIDTH: the peak segment bitrate (at least 1 is written).
     * @param averageBitrateBps AVERAGE-BANDWIDTH, 0 to leave out.
     * @param codecs            RFC 6381 codecs of every track, e.g. {@code avc1.64001f,mp4a.40.2} (ASCII).
     * @param width             video width, 0 if audio only.
     * @param height            video height.
     * @param frameRate         frames per second, 0 if unknown (written with three decimals).
     * @return bytes written.
     */
    public static int writeMultivariantPlaylist(
        final ByteBuf out,
        final String mediaPlaylistUri,
        final long peakBitrateBps,
        final long averageBitrateBps,
        final CharSequence codecs,
        final int width,
        final int height,
        final double frameRate)
    {
        final int start = out.writerIndex();
        ByteBufUtil.writeAscii(out, "#EXTM3U\n#EXT-X-VERSION:");
        writeDecimal(out, VERSION);
        ByteBufUtil.writeAscii(out, "\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=");
        writeDecimal(out, Math.max(1, peakBitrateBps));
        if (averageBitrateBps > 0)
        {
            ByteBufUtil.writeAscii(out, ",AVERAGE-BANDWIDTH=");
            writeDecimal(out, averageBitrateBps);
        }

        ByteBufUtil.writeAscii(out, ",CODECS=\"");
        ByteBufUtil.writeAscii(out, codecs);
        out.writeByte('"');
        if (width > 0 && height > 0)
        {
            ByteBufUtil.writeAscii(out, ",RESOLUTION=");
            writeDecimal(out, width);
            out.writeByte('x');
            writeDecimal(out, height);
        }

        if (frameRate > 0)
        {
            ByteBufUtil.writeAscii(out, ",FRAME-RATE=");
            writeThousandths(out, Math.round(frameRate * 1000));
        }

        out.writeByte('\n');
        ByteBufUtil.writeAscii(out, mediaPlaylistUri);
        out.writeByte('\n');
        return out.writerIndex() - start;
    }

    /**
     * Renders a multivariant playlist as a String; see {@link #writeMultivariantPlaylist}. Allocates.
     *
     * @param mediaPlaylistUri  URI of the media playlist, relative.
     * @param peakBitrateBps    BANDWIDTH: the peak segment bitrate.
     * @param averageBitrateBps AVERAGE-BANDWIDTH, 0 to leave out.
     * @param codecs            RFC 6381 codecs of every track.
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
        final ByteBuf out = Unpooled.buffer(256);
        writeMultivariantPlaylist(out, mediaPlaylistUri, peakBitrateBps, averageBitrateBps, codecs, width, height,
            frameRate);
        return out.toString(StandardCharsets.US_ASCII);
    }

    /**
     * Writes a signed decimal integer.
     *
     * @param out   receives the digits.
     * @param value any value.
     */
    static void writeDecimal(final ByteBuf out, final long value)
    {
        if (value < 0)
        {
            out.writeByte('-');
            if (value == Long.MIN_VALUE)
            {
                ByteBufUtil.writeAscii(out, "9223372036854775808");
                return;
            }

            writeDecimal(out, -value);
            return;
        }

        long divisor = 1;
        while (divisor <= value / 10)
        {
            divisor *= 10;
        }

        long rest = value;
        while (divisor > 0)
        {
            out.writeByte('0' + (int)(rest / divisor));
            rest %= divisor;
            divisor /= 10;
        }
    }

    /**
     * Writes {@code thousandths / 1000} with exactly three decimals, e.g. 2002 as {@code 2.002}.
     */
    private static void writeThousandths(final ByteBuf out, final long thousandths)
    {
        long value = thousandths;
        if (value < 0)
        {
            out.writeByte('-');
            value = -value;
        }

        writeDecimal(out, value / 1000);
        out.writeByte('.');
        writeFixed(out, value % 1000, 3);
    }

    /**
     * Writes a non-negative value as exactly {@code digits} digits, zero-padded (higher digits dropped).
     */
    private static void writeFixed(final ByteBuf out, final long value, final int digits)
    {
        long divisor = 1;
        for (int i = 1; i < digits; i++)
        {
            divisor *= 10;
        }

        long rest = value;
        while (divisor > 0)
        {
            out.writeByte('0' + (int)(rest / divisor % 10));
            rest %= divisor;
            divisor /= 10;
        }
    }

    /**
     * Writes a UTC date-time with milliseconds, {@code yyyy-MM-ddTHH:mm:ss.SSSZ}; times outside years 0 to 9999 are
     * clamped to them.
     *
     * @param out     receives 24 bytes.
     * @param epochMs milliseconds since 1970-01-01T00:00:00Z.
     */
    static void writeUtcDateTime(final ByteBuf out, final long epochMs)
    {
        final long ms = Math.max(-62_167_219_200_000L, Math.min(MAX_EPOCH_MS, epochMs));
        final long days = Math.floorDiv(ms, MS_PER_DAY);
        final long msOfDay = Math.floorMod(ms, MS_PER_DAY);

        // Civil date from a day count: shift the epoch to 0000-03-01 so that leap days fall at the end of a year,
        // split into 400-year eras of 146097 days, then into years of a March-based calendar.
        final long shifted = days + 719_468;
        final long era = Math.floorDiv(shifted, 146_097);
        final long dayOfEra = shifted - era * 146_097;
        final long yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        final long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        final long marchMonth = (5 * dayOfYear + 2) / 153;
        final long day = dayOfYear - (153 * marchMonth + 2) / 5 + 1;
        final long month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9;
        final long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        writeFixed(out, year, 4);
        out.writeByte('-');
        writeFixed(out, month, 2);
        out.writeByte('-');
        writeFixed(out, day, 2);
        out.writeByte('T');
        writeFixed(out, msOfDay / 3_600_000, 2);
        out.writeByte(':');
        writeFixed(out, msOfDay / 60_000 % 60, 2);
        out.writeByte(':');
        writeFixed(out, msOfDay / 1000 % 60, 2);
        out.writeByte('.');
        writeFixed(out, msOfDay % 1000, 3);
        out.writeByte('Z');
    }
}
