package com.cococam.server.record;

import java.util.concurrent.TimeUnit;

/**
 * How long a camera's recordings are kept: whole cycles whose time range ended more than
 * {@code retentionDays} ago are expired.
 *
 * @param retentionDays days to keep, 1 to 3650 (the plans use 7, 14 or 30).
 */
public record RetentionPolicy(int retentionDays)
{
    /**
     * Validates the days.
     */
    public RetentionPolicy
    {
        if (retentionDays < 1 || retentionDays > 3650)
        {
            throw new IllegalArgumentException("retention: retentionDays=" + retentionDays);
        }
    }

    /**
     * @return the retention in milliseconds.
     */
    public long retentionMs()
    {
        return TimeUnit.DAYS.toMillis(retentionDays);
    }

    /**
     * @param nowMs wall-clock now.
     * @return records that ended strictly before this time are expired.
     */
    public long cutoffMs(final long nowMs)
    {
        return nowMs - retentionMs();
    }
}
