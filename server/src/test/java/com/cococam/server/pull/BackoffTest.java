package com.cococam.server.pull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reconnect delays: 1 s doubling to 30 s, +-20 % jitter at the extremes of the random source, and the schedule's
 * reset after a session that delivered media; random source and clock injected.
 */
@Timeout(10)
class BackoffTest
{
    private static final DoubleSupplier MIDDLE = () -> 0.5;

    @Test
    void shouldDoubleFromOneSecondUpToThirtySeconds()
    {
        final long[] expected = {1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000};
        for (int attempt = 0; attempt < expected.length; attempt++)
        {
            assertEquals(expected[attempt], Backoff.DEFAULT.delayMs(attempt, MIDDLE), "attempt " + attempt);
        }

        assertEquals(30_000, Backoff.DEFAULT.delayMs(Integer.MAX_VALUE, MIDDLE), "no overflow on huge counts");
    }

    @Test
    void shouldKeepTheJitterWithinTwentyPercent()
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            final long base = Backoff.DEFAULT.delayMs(attempt, MIDDLE);
            assertEquals(Math.round(base * 0.8), Backoff.DEFAULT.delayMs(attempt, () -> 0.0), "lowest, " + attempt);
            final long highest = Backoff.DEFAULT.delayMs(attempt, () -> Math.nextDown(1.0));
            assertTrue(highest <= Math.round(base * 1.2) && highest >= Math.round(base * 1.2) - 1,
                "highest " + highest + " for " + base);
            for (int i = 0; i <= 100; i++)
            {
                final double r = i / 100.0 * Math.nextDown(1.0);
                final long delay = Backoff.DEFAULT.delayMs(attempt, () -> r);
                assertTrue(delay >= base * 0.8 - 1 && delay <= base * 1.2, delay + " for " + base);
            }
        }

        assertEquals(30_000 * 1.2, Backoff.DEFAULT.delayMs(20, () -> Math.nextDown(1.0)), 1.0,
            "the cap applies before the jitter");
    }

    @Test
    void shouldResetToTheFirstDelayAfterASuccess()
    {
        final long[] nowMs = {1_000_000};
        final RetrySchedule schedule = new RetrySchedule(Backoff.DEFAULT, MIDDLE, () -> nowMs[0]);
        assertEquals(1_000, schedule.nextDelayMs());
        assertEquals(1_001_000, schedule.nextAttemptAtMs());
        nowMs[0] += 1_000;
        assertEquals(2_000, schedule.nextDelayMs());
        assertEquals(4_000, schedule.nextDelayMs());
        assertEquals(3, schedule.failuresInRow());
        schedule.onSuccess();
        assertEquals(0, schedule.failuresInRow());
        nowMs[0] += 60_000;
        assertEquals(1_000, schedule.nextDelayMs(), "a session that worked starts the sequence again");
        assertEquals(1_062_000, schedule.nextAttemptAtMs());
        for (int i = 0; i < 10; i++)
        {
            schedule.nextDelayMs();
        }

        assertEquals(30_000, schedule.nextDelayMs());
    }

    @Test
    void shouldRejectOutOfRangeSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(0, 1_000, 0.2));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(2_000, 1_000, 0.2));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(1_000, 30_000, 0.6));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(1_000, 30_000, -0.1));
    }
}
