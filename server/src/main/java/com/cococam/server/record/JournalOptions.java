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
 * @param blockSizeBytes     bytes of the journal memory-mapped at a time (Chronicle's block size): bounds the
 *                           resident memory of an open journal (about two blocks) and the largest record (a
 *                           quarter of a block, {@link #maxRecordBytes()}). Default {@link #DEFAULT_BLOCK_SIZE_BYTES}.
 */
public record JournalOptions(
    RollCycle rollCycle,
    long gapThresholdMs,
    long minIndexIntervalMs,
    long minFreeBytes,
    long blockSizeBytes)
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
     * Default block: 8 MiB, so an open journal keeps about 16 MiB mapped and records frames up to 2 MiB. (Chronicle's
     * own default, 64 MiB, left up to 128 MiB of written pages resident per camera.)
     */
    public static final long DEFAULT_BLOCK_SIZE_BYTES = 8L * 1024 * 1024;

    /** Smallest block accepted: 1 MiB (largest record 256 KiB). */
    public static final long MIN_BLOCK_SIZE_BYTES = 1024L * 1024;

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

        if (blockSizeBytes < MIN_BLOCK_SIZE_BYTES || blockSizeBytes > (1L << 30))
        {
            throw new IllegalArgumentException("journal: blockSizeBytes=" + blockSizeBytes);
        }
    }

    /**
     * @return the largest record the journal can hold: a quarter of a block (Chronicle writes a record within one
     *         mapped block plus its overlap).
     */
    public long maxRecordBytes()
    {
        return blockSizeBytes / 4;
    }

    /**
     * @return the defaults.
     */
    public static JournalOptions defaults()
    {
        return new JournalOptions(DEFAULT_ROLL_CYCLE, DEFAULT_GAP_THRESHOLD_MS, DEFAULT_MIN_INDEX_INTERVAL_MS,
            DEFAULT_MIN_FREE_BYTES, DEFAULT_BLOCK_SIZE_BYTES);
    }

    /**
     * @param cycle the roll cycle.
     * @return a copy with that roll cycle.
     */
    public JournalOptions withRollCycle(final RollCycle cycle)
    {
        return new JournalOptions(cycle, gapThresholdMs, minIndexIntervalMs, minFreeBytes, blockSizeBytes);
    }

    /**
     * @param thresholdMs the gap threshold.
     * @return a copy with that gap threshold.
     */
    public JournalOptions withGapThresholdMs(final long thresholdMs)
    {
        return new JournalOptions(rollCycle, thresholdMs, minIndexIntervalMs, minFreeBytes, blockSizeBytes);
    }

    /**
     * @param intervalMs the minimum index interval.
     * @return a copy with that interval.
     */
    public JournalOptions withMinIndexIntervalMs(final long intervalMs)
    {
        return new JournalOptions(rollCycle, gapThresholdMs, intervalMs, minFreeBytes, blockSizeBytes);
    }

    /**
     * @param bytes the free-space floor.
     * @return a copy with that floor.
     */
    public JournalOptions withMinFreeBytes(final long bytes)
    {
        return new JournalOptions(rollCycle, gapThresholdMs, minIndexIntervalMs, bytes, blockSizeBytes);
    }

    /**
     * @param bytes the block size.
     * @return a copy with that block size.
     */
    public JournalOptions withBlockSizeBytes(final long bytes)
    {
        return new JournalOptions(rollCycle, gapThresholdMs, minIndexIntervalMs, minFreeBytes, bytes);
    }
}
