package com.cococam.server.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Polls a condition until it holds or a deadline passes (tests never sleep for a fixed time).
 */
public final class Await
{
    private Await()
    {
    }

    /**
     * @param timeout   longest wait.
     * @param condition the condition.
     * @param message   describes what was awaited; may be built lazily.
     */
    public static void until(final Duration timeout, final BooleanSupplier condition, final Supplier<String> message)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + message.get());
            }

            LockSupport.parkNanos(20_000_000);
        }
    }

    /**
     * @param timeout   longest wait.
     * @param condition the condition.
     * @param message   describes what was awaited.
     */
    public static void until(final Duration timeout, final BooleanSupplier condition, final String message)
    {
        until(timeout, condition, () -> message);
    }
}
