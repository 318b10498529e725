package com.cococam.server.stream;

import io.netty.channel.EventLoop;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Batches the drains of the {@link LoopViewers} that share one Netty event loop: fan-outs that queue frames for
 * the viewers of a hundred streams on one loop post one task to it, not one per stream.
 *
 * <p>The pending drains form an intrusive stack (each {@link LoopViewers} has a link field): a producer pushes
 * with a CAS on the head; the event loop's task takes the whole stack with one exchange and drains every entry
 * on it. Only the push that finds the stack empty posts the task, so posting costs one executor offer (and at most
 * one wake-up of the loop) per batch. An entry is on the stack at most once, guarded by its own drain flag, so
 * the links never form a cycle. Taking the whole stack at once avoids the ABA problem of single pops.
 *
 * <p>Thread safety: {@link #schedule} from any thread; the drain task runs on the event loop.
 * Allocation: none per frame or per viewer; one instance per event loop, kept until the loop terminates.
 */
final class EventLoopDrains implements Runnable
{
    private static final ConcurrentMap<EventLoop, EventLoopDrains> BY_LOOP = new ConcurrentHashMap<>();

    private final EventLoop eventLoop;
    private final AtomicReference<LoopViewers> head = new AtomicReference<>();

    private EventLoopDrains(final EventLoop eventLoop)
    {
        this.eventLoop = eventLoop;
    }

    /**
     * The batcher of an event loop. Cold path (once per viewer).
     *
     * @param eventLoop the viewer's event loop.
     * @return its batcher; forgotten when the loop terminates.
     */
    static EventLoopDrains of(final EventLoop eventLoop)
    {
        final EventLoopDrains existing = BY_LOOP.get(eventLoop);
        if (existing != null)
        {
            return existing;
        }

        final EventLoopDrains created = new EventLoopDrains(eventLoop);
        final EventLoopDrains raced = BY_LOOP.putIfAbsent(eventLoop, created);
        if (raced != null)
        {
            return raced;
        }

        try
        {
            eventLoop.terminationFuture().addListener(future -> BY_LOOP.remove(eventLoop, created));
        }
        catch (final UnsupportedOperationException ex)
        {
            // A loop without a termination future (Netty's EmbeddedEventLoop in tests): don't keep it in the map.
            BY_LOOP.remove(eventLoop, created);
        }

        return created;
    }

    /**
     * Queues a drain whose flag the caller just set. Any thread.
     *
     * @param pending the viewers of one stream group on this loop (not already pending).
     */
    void schedule(final LoopViewers pending)
    {
        LoopViewers top;
        do
        {
            top = head.get();
            pending.nextPending = top;
        }
        while (!head.compareAndSet(top, pending));

        if (top == null)
        {
            try
            {
                eventLoop.execute(this);
            }
            catch (final RejectedExecutionException ex)
            {
                // The loop has terminated (server stop): nobody else will drain, so free what is queued here.
                discardAll();
            }
        }
    }

    /**
     * Drains every pending entry. Event loop.
     */
    @Override
    public void run()
    {
        takeAll(false);
    }

    private void discardAll()
    {
        takeAll(true);
    }

    private void takeAll(final boolean discard)
    {
        LoopViewers next = head.getAndSet(null);
        while (next != null)
        {
            final LoopViewers pending = next;
            next = pending.nextPending;
            pending.nextPending = null;
            if (discard)
            {
                pending.discard();
            }
            else
            {
                pending.drain();
            }
        }
    }
}
