package com.cococam.server.config;

import java.util.Objects;

/**
 * Settings of the HLS packager.
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 *
 * @param segmentDurationMs target segment duration, see {@link #SEGMENT_DURATION_MS_KEY}.
 * @param windowSegments    segments listed in the live playlist, see {@link #WINDOW_SEGMENTS_KEY}.
 * @param format            segment container, see {@link #FORMAT_KEY}.
 */
public record HlsConfig(int segmentDurationMs, int windowSegments, HlsFormat format)
{
    /**
     * Target segment duration in milliseconds, 200..60000. A segment closes at the first keyframe at or after
     * this duration, so the real length also depends on the camera's keyframe interval.
     */
    public static final String SEGMENT_DURATION_MS_KEY = "hls.segmentDurationMs";

    /**
     * Default for {@link #SEGMENT_DURATION_MS_KEY}.
     */
    public static final int SEGMENT_DURATION_MS_DEFAULT = 2000;

    /**
     * Number of segments kept in the live playlist, 3..1000 (RFC 8216 wants at least three target durations
     * in a live playlist).
     */
    public static final String WINDOW_SEGMENTS_KEY = "hls.windowSegments";

    /**
     * Default for {@link #WINDOW_SEGMENTS_KEY}.
     */
    public static final int WINDOW_SEGMENTS_DEFAULT = 6;

    /**
     * Segment container: {@code fmp4} or {@code mpegts}.
     */
    public static final String FORMAT_KEY = "hls.format";

    /**
     * Default for {@link #FORMAT_KEY}.
     */
    public static final HlsFormat FORMAT_DEFAULT = HlsFormat.FMP4;

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when a count or duration is not positive.
     * @throws NullPointerException     when {@code format} is null.
     */
    public HlsConfig
    {
        Objects.requireNonNull(format, "format");
        Limits.requirePositive(SEGMENT_DURATION_MS_KEY, segmentDurationMs);
        Limits.requirePositive(WINDOW_SEGMENTS_KEY, windowSegments);
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static HlsConfig defaults()
    {
        return new HlsConfig(SEGMENT_DURATION_MS_DEFAULT, WINDOW_SEGMENTS_DEFAULT, FORMAT_DEFAULT);
    }
}
