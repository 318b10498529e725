package com.cococam.server.stream;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * Idle strategy for stream workers on small machines: a short spin, then park until a producer calls
 * {@link #wake()} or {@code maxParkNs} passes.
 *
 * <p>Busy-spinning workers would take cores from the Netty event loops on a 2-core box; parking without a
 * wake-up adds up to a park period of latency. A producer wakes the worker only for the units a consumer waits for
 * (see {@link StreamConsumer#wakeOnPublish}), which costs an unpark system call (and a context switch) only when the
 * worker is actually parked; the others wait for the park to end. A worker with nothing to poll parks longer
 * ({@link #parkLimit}).
 *
 * <p>A worker whose work is not latency-sensitive (the recorder) is built with {@code wakeOnData} false: publishes
 * do not wake it ({@link #wakeForData()} is a no-op) and it drains what accumulated every {@code maxParkNs}. With
 * a hundred cameras that turns about 7,500 wake-ups a second into a hundred, each writing a batch.
 *
 * <p>Thread safety: {@link #idle} and {@link #reset} by the worker thread only; {@link #wake()} from any thread.
 * Allocation: none.
 */
public final class WakeableIdleStrategy implements IdleStrategy
{
    /**
     * Empty duty cycles spun before parking. Short: on a 2-core box a spin rarely catches the next unit (a hundred
     * cameras publish one every ~130 µs) and every spin is a pass over the worker's queues and the clock.
     */
    private static final int SPINS = 16;

    private final long maxParkNs;
    private final boolean wakeOnData;
    /** The park in force: {@link #maxParkNs}, or longer while the worker has nothing to poll (worker thread only). */
    private long parkNs;
    private volatile Thread owner;
    private volatile boolean parked;
    private volatile boolean signalled;
    private int spins;

    /**
     * @param maxParkNs longest park before the worker runs its housekeeping anyway.
     */
    public WakeableIdleStrategy(final long maxParkNs)
    {
        this(maxParkNs, true);
    }

    /**
     * @param maxParkNs  longest park before the worker runs its housekeeping anyway.
     * @param wakeOnData whether {@link #wakeForData()} wakes the worker (false: it polls every {@code maxParkNs}).
     */
    public WakeableIdleStrategy(final long maxParkNs, final boolean wakeOnData)
    {
        this.maxParkNs = maxParkNs;
        this.wakeOnData = wakeOnData;
        this.parkNs = maxParkNs;
    }

    /**
     * @return the longest park while the worker polls rings.
     */
    public long maxParkNs()
    {
        return maxParkNs;
    }

    /**
     * Sets the longest park from now on: the worker lengthens it while it has no ring to poll (a recorder with no
     * recorded camera, a live worker with no stream) so an unused worker does not wake hundreds of times a second.
     * Commands and {@link #wake()} still end a park at once. Worker thread only.
     *
     * @param parkNs the longest park.
     */
    public void parkLimit(final long parkNs)
    {
        this.parkNs = parkNs;
    }

    /**
     * A producer published data for this worker: wakes it if it waits for data, else leaves it to its period.
     * Any thread; never blocks.
     */
    public void wakeForData()
    {
        if (wakeOnData)
        {
            wake();
        }
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
            LockSupport.parkNanos(this, parkNs);
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
