package com.cococam.server.stream;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * Idle strategy for stream workers on small machines: a short spin, then park until a producer calls
 * {@link #wake()} or {@code maxParkNs} passes.
 *
 * <p>Busy-spinning workers would take cores from the Netty event loops on a 2-core box; parking without a
 * wake-up would add up to a park period of latency. A producer wakes the worker after each publish, which
 * costs an unpark system call only when the worker is actually parked.
 *
 * <p>Thread safety: {@link #idle} and {@link #reset} by the worker thread only; {@link #wake()} from any thread.
 * Allocation: none.
 */
public final class WakeableIdleStrategy implements IdleStrategy
{
    private static final int SPINS = 64;

    private final long maxParkNs;
    private volatile Thread owner;
    private volatile boolean parked;
    private volatile boolean signalled;
    private int spins;

    /**
     * @param maxParkNs longest park before the worker runs its housekeeping anyway.
     */
    public WakeableIdleStrategy(final long maxParkNs)
    {
        this.maxParkNs = maxParkNs;
    }

    /**
     * Wakes the worker if it is parked. Any thread; never blocks.
     */
    public void wake()
    {
        signalled = true;
        if (parked)
        {
            final Thread thread = owner;
            if (thread != null)
            {
                LockSupport.unpark(thread);
            }
        }
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            spins = 0;
            return;
        }

        idle();
    }

    @Override
    public void idle()
    {
        if (spins < SPINS)
        {
            spins++;
            Thread.onSpinWait();
            return;
        }

        if (owner == null)
        {
            owner = Thread.currentThread();
        }

        parked = true;
        if (!signalled)
        {
            LockSupport.parkNanos(this, maxParkNs);
        }

        parked = false;
        signalled = false;
        spins = 0;
    }

    @Override
    public void reset()
    {
        spins = 0;
    }

    @Override
    public String alias()
    {
        return "wakeable";
    }
}
