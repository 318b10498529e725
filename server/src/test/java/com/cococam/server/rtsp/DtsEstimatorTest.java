package com.cococam.server.rtsp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class DtsEstimatorTest
{
    private static final long STEP = 3600;

    @Test
    void shouldGiveIncreasingDtsNotAbovePtsForAnX264PyramidGop()
    {
        // Decode order of I P B B P B B ... with a B-pyramid (display indexes): I0 P3 B1 B2 P6 B4 B5 P9 B7 B8 ...
        final int[] display = {0, 4, 2, 1, 3, 8, 6, 5, 7, 12, 10, 9, 11, 16, 14, 13, 15};
        final DtsEstimator estimator = new DtsEstimator(DtsEstimator.DEFAULT_DEPTH, STEP);
        long previous = Long.MIN_VALUE;
        for (final int index : display)
        {
            final long pts = 90_000 + index * STEP;
            final long dts = estimator.dts(pts);
            assertTrue(dts > previous, "increasing: " + previous + " then " + dts);
            assertTrue(dts <= pts, "dts " + dts + " <= pts " + pts);
            previous = dts;
        }

        assertEquals(0, estimator.clampCount());
    }

    @Test
    void shouldKeepAConstantLagWithoutBFrames()
    {
        final DtsEstimator estimator = new DtsEstimator(4, STEP);
        for (int i = 0; i < 50; i++)
        {
            final long pts = 1000 + i * STEP;
            assertEquals(pts - 4 * STEP, estimator.dts(pts), "frame " + i);
        }
    }

    @Test
    void shouldClampAndCountAStreamDeeperThanTheWindow()
    {
        final DtsEstimator estimator = new DtsEstimator(1, STEP);
        final long[] pts = {0, 3 * STEP, 2 * STEP, STEP, 4 * STEP};
        long previous = Long.MIN_VALUE;
        for (final long p : pts)
        {
            final long dts = estimator.dts(p);
            assertTrue(dts > previous);
            previous = dts;
        }

        assertTrue(estimator.clampCount() > 0);
    }
}
