package com.cococam.server.record;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.util.Objects;

/**
 * Tuning of a {@link CameraJournal}. Each option has a default constant.
 *
 * @param rollCycle          Chronicle roll cycle: one journal file (and one index file) per cycle; retention
 *                           deletes whole cycles. Default {@link #DEFAULT_ROLL_CYCLE}.
 * @param gapThresholdMs     two consecutive access units further apart than this start a new
 *                           {@link RecordingSpan}. Default {@link #DEFAULT_GAP_THRESHOLD_MS}.
 * @param minIndexIntervalMs a keyframe closer than this to the previous indexed keyframe is not indexed (bounds
 *                           the index of all-intra video and of audio-only cameras, where every frame is a
 *                           keyframe). Default {@link #DEFAULT_MIN_INDEX_INTERVAL_MS}.
 * @param minFreeBytes       appends fail with {@link JournalWriteException} while the journal's file store has
 *                           less usable space than this (checked at most once a second), so a full disk is an
 *                           exception rather than a fault in a memory-mapped write. Default
 *                           {@link #DEFAULT_MIN_FREE_BYTES}.
 */
public record JournalOptions(RollCycle rollCycle, long gapThresholdMs, long minIndexIntervalMs, long minFreeBytes)
{
    /**
     * One file per UTC day.
     */
    public static final RollCycle DEFAULT_ROLL_CYCLE = RollCycles.FAST_DAILY;

    /**
     * Default gap that splits spans: 5 s.
     */
    public static final long DEFAULT_GAP_THRESHOLD_MS = 5_000;

    /**
     * Default minimum spacing of indexed keyframes: 500 ms.
     */
    public static final long DEFAULT_MIN_INDEX_INTERVAL_MS = 500;

    /**
     * Default free-space floor: 256 MiB.
     */
    public static final long DEFAULT_MIN_FREE_BYTES = 256L * 1024 * 1024;

    /**
     * Validates the options.
     */
    public JournalOptions
    {
        Objects.requireNonNull(rollCycle, "rollCycle");
        if (gapThresholdMs <= 0)
        {
            throw new IllegalArgumentException("journal: gapThresholdMs=" + gapThresholdMs);
        }

        if (minIndexIntervalMs < 0)
        {
            throw new IllegalArgumentException("journal: minIndexIntervalMs=" + minIndexIntervalMs);
        }

        if (minFreeBytes < 0)
        {
            throw new IllegalArgumentException("journal: minFreeBytes=" + minFreeBytes);
        }
    }

    /**
     * @return the defaults.
     */
    public static JournalOptions defaults()
    {
        return new JournalOptions(DEFAULT_ROLL_CYCLE, DEFAULT_GAP_THRESHOLD_MS, DEFAULT_MIN_INDEX_INTERVAL_MS,
            DEFAULT_MIN_FREE_BYTES);
    }

    /**
     * @param cycle the roll cycle.
     * @return a copy with that roll cycle.
     */
    public JournalOptions withRollCycle(final RollCycle cycle)
    {
        return new JournalOptions(cycle, gapThresholdMs, minIndexIntervalMs, minFreeBytes);
    }

    /**
     * @param thresholdMs the gap threshold.
     * @return a copy with that gap threshold.
     */
    public JournalOptions withGapThresholdMs(final long thresholdMs)
    {
        return new JournalOptions(rollCycle, thresholdMs, minIndexIntervalMs, minFreeBytes);
    }

    /**
     * @param intervalMs the minimum index interval.
     * @return a copy with that interval.
     */
    public JournalOptions withMinIndexIntervalMs(final long intervalMs)
    {
        return new JournalOptions(rollCycle, gapThresholdMs, intervalMs, minFreeBytes);
    }

    /**
     * @param bytes the free-space floor.
     * @return a copy with that floor.
     */
    public JournalOptions withMinFreeBytes(final long bytes)
    {
        return new JournalOptions(rollCycle, gapThresholdMs, minIndexIntervalMs, bytes);
    }
}
