package com.cococam.server.record;

/**
 * A stretch without recording between two {@link RecordingSpan}s.
 *
 * @param startWallClockMs wall-clock time of the last access unit before the gap.
 * @param endWallClockMs   wall-clock time of the first access unit after the gap.
 */
public record RecordingGap(long startWallClockMs, long endWallClockMs)
{
    /**
     * @return the gap's length in milliseconds.
     */
    public long durationMs()
    {
        return endWallClockMs - startWallClockMs;
    }
}
