package com.cococam.server.stream;

import com.lmax.disruptor.EventPoller;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Runs a stream's live fan-out ({@link LiveFanout}, its own consumer group of the ring) on the thread that asks for
 * it: the publisher's event loop right after each publish, a viewer's event loop when it joins or leaves, the live
 * worker on its housekeeping tick. A unit therefore reaches the viewers' queues in the same event-loop turn that read
 * it from the camera, with no worker thread to wake in between: one thread hand-off per frame (to each viewer event
 * loop but the publisher's own), not two.
 *
 * <p>Exclusion without waiting: whoever asks sets a request flag and then tries to become the owner. The owner
 * drains until no request is left, then gives ownership up and checks the flag once more, so a request made while
 * it was finishing is never stranded; a thread that finds an owner leaves its request to it and returns at once (a
 * publisher never waits for a viewer's join, nor the reverse). Ownership is handed over with a volatile write and
 * read, so the fan-out's state (groups, GOP cache, encoders) moves between threads safely although it has no lock
 * of its own. A call from inside the fan-out on the same thread (a viewer closed by it, leaving) only sets the flag.
 *
 * <p>Thread safety: {@link #run} and {@link #housekeep} from any thread; {@link #close} once, from the worker.
 * Allocation: none per unit.
 */
final class FanoutDrain implements EventPoller.Handler<AccessUnitEvent>
{
    private static final AtomicIntegerFieldUpdater<FanoutDrain> OWNER =
        AtomicIntegerFieldUpdater.newUpdater(FanoutDrain.class, "owner");

    private final LiveStream stream;
    private final EventPoller<AccessUnitEvent> poller;
    private final LiveFanout fanout;
    private volatile int owner;
    private volatile boolean requested;
    /** Set by {@link #close}: events are still taken from the ring (to release them) but not fanned out. */
    private boolean closed;

    FanoutDrain(final LiveStream stream, final EventPoller<AccessUnitEvent> poller, final LiveFanout fanout)
    {
        this.stream = stream;
        this.poller = poller;
        this.fanout = fanout;
    }

    /**
     * @return the stream whose fan-out this is.
     */
    LiveStream stream()
    {
        return stream;
    }

    /**
     * Fans out what the ring holds and takes pending joins and leaves, here and now, or leaves that to the thread
     * doing it already. Any thread; never waits.
     */
    void run()
    {
        requested = true;
        while (requested && OWNER.compareAndSet(this, 0, 1))
        {
            try
            {
                while (requested)
                {
                    requested = false;
                    poll();
                }
            }
            finally
            {
                owner = 0;
            }
        }
    }

    /**
     * The fan-out's periodic housekeeping (joins and leaves not yet taken, viewers that closed by themselves), if no
     * other thread runs the fan-out now (it takes joins and leaves itself; the sweep waits for the next tick).
     *
     * @param nowNs the worker's clock.
     * @return work done.
     */
    int housekeep(final long nowNs)
    {
        if (!OWNER.compareAndSet(this, 0, 1))
        {
            return 0;
        }

        int work;
        try
        {
            work = closed ? 0 : fanout.onIdle(stream, nowNs);
        }
        catch (final RuntimeException ex)
        {
            stream.metrics().consumerErrors.increment();
            stream.onConsumerError(fanout, ex);
            work = 1;
        }
        finally
        {
            owner = 0;
        }

        if (requested)
        {
            run();
        }

        return work;
    }

    /**
     * Delivers what is left in the ring, then closes the fan-out (its viewers are closed, its buffers released).
     * Waits for a thread that runs the fan-out now to finish (a few microseconds). Worker, once.
     */
    void close()
    {
        while (!OWNER.compareAndSet(this, 0, 1))
        {
            Thread.onSpinWait();
        }

        try
        {
            poll();
            closed = true;
            fanout.onStreamClosed(stream);
        }
        catch (final RuntimeException ex)
        {
            stream.metrics().consumerErrors.increment();
            stream.onConsumerError(fanout, ex);
        }
        finally
        {
            owner = 0;
        }
    }

    private void poll()
    {
        try
        {
            poller.poll(this);
        }
        catch (final Exception ex)
        {
            // onEvent catches what the fan-out throws; this is the poller's own failure.
            stream.metrics().consumerErrors.increment();
            stream.onConsumerError(fanout, ex instanceof RuntimeException rex ? rex : new IllegalStateException(ex));
        }
    }

    @Override
    public boolean onEvent(final AccessUnitEvent event, final long sequence, final boolean endOfBatch)
    {
        if (!closed)
        {
            try
            {
                fanout.onEvent(stream, event, event.ingestNanos);
            }
            catch (final RuntimeException ex)
            {
                stream.metrics().consumerErrors.increment();
                stream.onConsumerError(fanout, ex);
            }
        }

        LiveStream.releaseGroupReference(event);
        return true;
    }
}
