package com.cococam.server.record;

import java.util.Arrays;

/**
 * What a {@link CameraJournal} keeps in memory about one roll cycle, so that spans, seeks and retention need no
 * scan: its index file, first and last access unit times, byte total and the recording breaks inside it.
 *
 * <p>Thread safety: guarded by the owning journal's lock.
 */
final class CycleState
{
    final int cycle;
    KeyframeIndexFile index;
    long firstAccessUnitWallClockMs = CameraJournal.NO_TIME;
    long lastAccessUnitWallClockMs = CameraJournal.NO_TIME;
    long firstKeyframeWallClockMs = CameraJournal.NO_TIME;
    long lastKeyframeWallClockMs = CameraJournal.NO_TIME;
    long lastEntryWallClockMs = CameraJournal.NO_TIME;
    long bytes;

    /**
     * Breaks as triplets: wall-clock of the access unit after the gap, of the one before it, and the cycle bytes
     * before the record after the gap.
     */
    private long[] breaks = new long[3 * 4];
    private int breakCount;

    CycleState(final int cycle)
    {
        this.cycle = cycle;
    }

    void onEntry(
        final long wallClockMs,
        final long previousWallClockMs,
        final long bytesBefore,
        final int kind,
        final long gapThresholdMs)
    {
        lastEntryWallClockMs = wallClockMs;
        if ((kind & KeyframeIndexFile.KIND_KEYFRAME) != 0)
        {
            if (firstKeyframeWallClockMs == CameraJournal.NO_TIME)
            {
                firstKeyframeWallClockMs = wallClockMs;
            }

            lastKeyframeWallClockMs = wallClockMs;
        }

        if ((kind & KeyframeIndexFile.KIND_BREAK) != 0 && previousWallClockMs != CameraJournal.NO_TIME &&
            wallClockMs - previousWallClockMs > gapThresholdMs)
        {
            if (3 * (breakCount + 1) > breaks.length)
            {
                breaks = Arrays.copyOf(breaks, breaks.length * 2);
            }

            breaks[3 * breakCount] = wallClockMs;
            breaks[3 * breakCount + 1] = previousWallClockMs;
            breaks[3 * breakCount + 2] = bytesBefore;
            breakCount++;
        }
    }

    void onRecord(final int length, final boolean accessUnit, final long wallClockMs)
    {
        bytes += length;
        if (accessUnit)
        {
            if (firstAccessUnitWallClockMs == CameraJournal.NO_TIME)
            {
                firstAccessUnitWallClockMs = wallClockMs;
            }

            lastAccessUnitWallClockMs = wallClockMs;
        }
    }

    int breakCount()
    {
        return breakCount;
    }

    long breakWallClockMs(final int i)
    {
        return breaks[3 * i];
    }

    long breakPreviousWallClockMs(final int i)
    {
        return breaks[3 * i + 1];
    }

    long breakBytesBefore(final int i)
    {
        return breaks[3 * i + 2];
    }
}
