package com.cococam.protocols.hls;

/**
 * What a playlist says about one media segment.
 *
 * @param sequence          media sequence number.
 * @param uri               URI relative to the playlist, e.g. {@code seg-12.m4s}.
 * @param durationTicks     duration in 90 kHz ticks.
 * @param programDateTimeMs wall-clock time of its first frame, epoch milliseconds.
 * @param discontinuity     whether a discontinuity precedes it.
 * @param mapUri            URI of its init segment (fMP4), or null (MPEG-TS).
 * @param bytes             size in bytes.
 */
public record HlsSegmentInfo(
    long sequence,
    String uri,
    long durationTicks,
    long programDateTimeMs,
    boolean discontinuity,
    String mapUri,
    long bytes)
{
    /**
     * @return duration in seconds.
     */
    public double durationSeconds()
    {
        return durationTicks / 90_000.0;
    }

    /**
     * @return bits per second over the segment, 0 for an empty one.
     */
    public long bitrateBps()
    {
        return durationTicks <= 0 ? 0 : bytes * 8L * 90_000L / durationTicks;
    }
}
