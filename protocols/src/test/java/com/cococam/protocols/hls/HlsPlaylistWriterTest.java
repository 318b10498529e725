package com.cococam.protocols.hls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hand-written number and date formatting of {@link HlsPlaylistWriter} checked against the JDK's formatters,
 * and whole playlists checked line by line.
 */
@Timeout(30)
class HlsPlaylistWriterTest
{
    private static final DateTimeFormatter REFERENCE_DATE =
        DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT).withZone(ZoneOffset.UTC);

    @Test
    void shouldFormatDatesAsTheJdkDoesAcrossLeapYearsAndCenturies()
    {
        final long[] fixed = {
            0L, -1L, 951_782_400_000L, 951_868_799_999L, 1_709_164_800_000L, -2_203_891_200_001L,
            1_764_000_000_123L, 253_402_300_799_999L, -62_135_596_800_000L, 4_107_542_400_000L,
        };
        for (final long ms : fixed)
        {
            assertEquals(REFERENCE_DATE.format(Instant.ofEpochMilli(ms)), date(ms), "epoch ms " + ms);
        }

        final Random random = new Random(42);
        for (int i = 0; i < 200_000; i++)
        {
            final long ms = random.nextLong(-62_135_596_800_000L, 253_402_300_799_999L);
            assertEquals(REFERENCE_DATE.format(Instant.ofEpochMilli(ms)), date(ms), "epoch ms " + ms);
        }
    }

    @Test
    void shouldWriteDecimalsOfEveryMagnitude()
    {
        final long[] values = {0, 7, 9, 10, 99, 100, 12_345, 1_000_000_000_000L, Long.MAX_VALUE, -1, -908,
            Long.MIN_VALUE};
        for (final long value : values)
        {
            final ByteBuf out = Unpooled.buffer();
            HlsPlaylistWriter.writeDecimal(out, value);
            assertEquals(Long.toString(value), out.toString(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void shouldRenderAMediaPlaylistWithDurationsAsStringFormatRoundsThem()
    {
        final Random random = new Random(7);
        final List<HlsSegmentInfo> window = new ArrayList<>();
        final StringBuilder expected = new StringBuilder(
            "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:3\n#EXT-X-MEDIA-SEQUENCE:41\n"
                + "#EXT-X-DISCONTINUITY-SEQUENCE:2\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (int i = 0; i < 500; i++)
        {
            // Durations that are not whole milliseconds, including exact half-millisecond ties (45 ticks).
            final long ticks = i == 0 ? 45 : i == 1 ? 180_045 : 1 + random.nextInt(300_000);
            final long pdt = 1_764_000_000_000L + i * 2_001L;
            final boolean discontinuity = i % 97 == 5;
            final String map = i < 250 ? "init-0.mp4" : "init-1.mp4";
            window.add(new HlsSegmentInfo(41 + i, "seg-" + (41 + i) + ".m4s", ticks, pdt, discontinuity, map, 1000));
            if (discontinuity)
            {
                expected.append("#EXT-X-DISCONTINUITY\n");
            }

            if (i == 0 || i == 250)
            {
                expected.append("#EXT-X-MAP:URI=\"").append(map).append("\"\n");
            }

            expected.append("#EXT-X-PROGRAM-DATE-TIME:").append(REFERENCE_DATE.format(Instant.ofEpochMilli(pdt)))
                .append("\n#EXTINF:").append(String.format(Locale.ROOT, "%.3f", ticks / 90_000.0)).append(",\n")
                .append("seg-").append(41 + i).append(".m4s\n");
        }

        expected.append("#EXT-X-ENDLIST\n");
        final ByteBuf out = Unpooled.buffer(16);
        final int written = HlsPlaylistWriter.writeMediaPlaylist(out, window, 3, 2, true);
        assertEquals(expected.toString(), out.toString(StandardCharsets.US_ASCII));
        assertEquals(out.readableBytes(), written);
        assertEquals(expected.toString(), HlsPlaylistWriter.mediaPlaylist(window, 3, 2, true));
    }

    @Test
    void shouldRenderTheMultivariantPlaylistWithOptionalAttributes()
    {
        assertEquals("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=2200000,AVERAGE-BANDWIDTH=1800000,CODECS=\"avc1.64001f,mp4a.40.2\","
                + "RESOLUTION=1280x720,FRAME-RATE=29.970\nstream.m3u8\n",
            HlsPlaylistWriter.multivariantPlaylist("stream.m3u8", 2_200_000, 1_800_000, "avc1.64001f,mp4a.40.2",
                1280, 720, 29.97));
        assertEquals("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS=\"mp4a.40.2\"\nstream.m3u8\n",
            HlsPlaylistWriter.multivariantPlaylist("stream.m3u8", 0, 0, "mp4a.40.2", 0, 0, 0));
    }

    private static String date(final long ms)
    {
        final ByteBuf out = Unpooled.buffer(32);
        HlsPlaylistWriter.writeUtcDateTime(out, ms);
        return out.toString(StandardCharsets.US_ASCII);
    }
}
