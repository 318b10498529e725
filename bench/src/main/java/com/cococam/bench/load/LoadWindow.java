package com.cococam.bench.load;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The measurement window (set once by the main thread, read by every event loop) and the start time of each
 * publisher's schedule, plus the run's error counters.
 *
 * <p>Thread safety: the window bounds and start times are volatile or atomic; error counters are atomic (cold
 * path only).
 */
final class LoadWindow
{
    private volatile long startNs = Long.MAX_VALUE;
    private volatile long endNs = Long.MAX_VALUE;
    private volatile boolean stopping;
    private final AtomicLongArray publisherStartNs;

    final AtomicLong connectFailures = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    final AtomicLong closedEarly = new AtomicLong();
    final AtomicLong protocolErrors = new AtomicLong();
    final AtomicLong hlsHttpErrors = new AtomicLong();
    final AtomicLong hlsUnanchored = new AtomicLong();
    final AtomicLong publishersBehind = new AtomicLong();

    LoadWindow(final int publishers)
    {
        this.publisherStartNs = new AtomicLongArray(Math.max(1, publishers));
        for (int i = 0; i < publisherStartNs.length(); i++)
        {
            publisherStartNs.set(i, Long.MIN_VALUE);
        }
    }

    void set(final long windowStartNs, final long windowEndNs)
    {
        endNs = windowEndNs;
        startNs = windowStartNs;
    }

    long startNs()
    {
        return startNs;
    }

    long endNs()
    {
        return endNs;
    }

    void stopping()
    {
        stopping = true;
    }

    boolean isStopping()
    {
        return stopping;
    }

    boolean contains(final long nowNs)
    {
        return nowNs >= startNs && nowNs < endNs;
    }

    void publisherStarted(final int publisher, final long nowNs)
    {
        publisherStartNs.set(publisher, nowNs);
    }

    /**
     * @param publisher publisher index.
     * @return its schedule's start time (nanoTime), or {@link Long#MIN_VALUE} before it started.
     */
    long publisherStartNs(final int publisher)
    {
        return publisherStartNs.get(publisher);
    }
}
