package com.cococam.server.record;

/**
 * One stretch of continuous recording of a camera: consecutive access units were never more than the journal's
 * gap threshold apart.
 *
 * @param startWallClockMs wall-clock time of the first access unit of the span.
 * @param endWallClockMs   wall-clock time of the last access unit of the span.
 * @param bytes            journal record bytes (headers, formats and payloads) attributed to the span.
 */
public record RecordingSpan(long startWallClockMs, long endWallClockMs, long bytes)
{
    /**
     * @return the span's length in milliseconds.
     */
    public long durationMs()
    {
        return endWallClockMs - startWallClockMs;
    }
}
