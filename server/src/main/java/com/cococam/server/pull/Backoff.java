package com.cococam.server.pull;

import java.util.function.DoubleSupplier;

/**
 * Exponential reconnect delays with jitter: {@code initialMs * 2^attempt}, capped at {@code maxMs}, each
 * multiplied by a random factor in {@code [1 - jitter, 1 + jitter]}.
 * <p>
 * Thread safety: immutable; {@link #delayMs(int, DoubleSupplier)} is pure apart from the random source.
 *
 * @param initialMs first delay, at least 1.
 * @param maxMs     largest delay before jitter, at least {@code initialMs}.
 * @param jitter    relative jitter, 0 to 0.5.
 */
public record Backoff(long initialMs, long maxMs, double jitter)
{
    /** The production default: 1 s doubling to 30 s, +-20 %. */
    public static final Backoff DEFAULT = new Backoff(1_000, 30_000, 0.2);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException when out of range.
     */
    public Backoff
    {
        if (initialMs < 1 || maxMs < initialMs || jitter < 0 || jitter > 0.5)
        {
            throw new IllegalArgumentException("backoff out of range");
        }
    }

    /**
     * @param attempt failures in a row before this one, 0 for the first retry.
     * @param random  uniform values in [0, 1).
     * @return the delay in milliseconds, at least 1.
     */
    public long delayMs(final int attempt, final DoubleSupplier random)
    {
        long base = initialMs;
        for (int i = 0; i < attempt && base < maxMs; i++)
        {
            base *= 2;
        }

        final double factor = 1 + jitter * (2 * random.getAsDouble() - 1);
        return Math.max(1, Math.round(Math.min(maxMs, base) * factor));
    }
}
