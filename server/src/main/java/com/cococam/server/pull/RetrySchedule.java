package com.cococam.server.pull;

import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The reconnect schedule of one puller: each failure takes the next {@link Backoff} delay (1 s, 2 s, 4 s ... up
 * to the cap, with jitter), a session that delivered media resets it to the first delay.
 *
 * <p>Thread safety: single thread (the puller's event loop). Allocation: none.
 */
public final class RetrySchedule
{
    private final Backoff backoff;
    private final DoubleSupplier random;
    private final LongSupplier clockMs;
    private int failuresInRow;
    private long nextAttemptAtMs;

    /**
     * @param backoff the delays.
     * @param random  uniform values in [0, 1) for the jitter.
     * @param clockMs wall-clock milliseconds, for {@link #nextAttemptAtMs()}.
     */
    public RetrySchedule(final Backoff backoff, final DoubleSupplier random, final LongSupplier clockMs)
    {
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.random = Objects.requireNonNull(random, "random");
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
    }

    /**
     * A session failed: returns the delay before the next attempt and counts the failure.
     *
     * @return the delay in milliseconds, at least 1.
     */
    public long nextDelayMs()
    {
        final long delayMs = backoff.delayMs(failuresInRow, random);
        if (failuresInRow < Integer.MAX_VALUE)
        {
            failuresInRow++;
        }

        nextAttemptAtMs = clockMs.getAsLong() + delayMs;
        return delayMs;
    }

    /**
     * A session delivered media: the next failure starts again from the first delay.
     */
    public void onSuccess()
    {
        failuresInRow = 0;
    }

    /**
     * @return failures since the last success.
     */
    public int failuresInRow()
    {
        return failuresInRow;
    }

    /**
     * @return when the attempt scheduled by the last {@link #nextDelayMs()} is due (wall clock, ms), 0 before.
     */
    public long nextAttemptAtMs()
    {
        return nextAttemptAtMs;
    }
}
