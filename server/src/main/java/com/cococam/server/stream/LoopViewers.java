package com.cococam.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.IovArray;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The viewers of one protocol group of a stream that share one Netty event loop, and the queue through which the
 * stream's fan-out hands them frames.
 *
 * <p>The fan-out queues each encoded frame once per event loop, not once per viewer: one reference and one
 * queue offer per loop. The loop then takes the frames in order and gives each to every viewer of its list, which
 * writes it or holds it in its own backlog; a viewer that wrote through Netty's queue is flushed once after the
 * batch. All viewer state lives on the event loop, so the per-viewer work of a frame touches no
 * memory that another thread writes (the shared frame's count is taken once per loop, and viewers' duplicates
 * are taken from the frame's bytes by this loop alone).
 *
 * <p>Joins and stream ends travel through the same queue as commands, so a joiner's replayed GOP comes before the
 * first live frame it gets, and a stream end after the last frame. A viewer that closes (socket gone, too slow,
 * stopped by its protocol) is dropped from the list when a drain finds it closed.
 *
 * <p>Thread safety: {@link #offer} and {@link #offerCommand} by the stream's fan-out owner only (one producer at a
 * time, ordered by {@link FanoutDrain}'s hand-over); the rest on the event loop. Limits: {@link #QUEUE_CAPACITY}
 * items; when the loop falls that far behind, the frame is not queued and every viewer of the loop skips to the next
 * keyframe. Each drain handles at most {@link #DRAIN_LIMIT} items and then queues itself again behind the loop's
 * other work. Allocation: none per frame.
 */
final class LoopViewers
{
    /** Items (frames and commands) the queue holds: about a minute of a 25 fps camera with audio. */
    static final int QUEUE_CAPACITY = 4096;

    /** Items one drain takes before it yields the event loop. */
    static final int DRAIN_LIMIT = 256;

    /** Frames given to the viewers together (one gathering write each). */
    static final int MAX_BATCH = 16;

    private final EventLoop eventLoop;
    private final StreamMetrics metrics;
    private final BatchLatencyRecorder latency;
    private final OneToOneConcurrentArrayQueue<Object> queue = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final EventLoopDrains drains;
    private final ArrayList<LiveSubscriber> viewers = new ArrayList<>();
    private final OutFrame[] batch = new OutFrame[MAX_BATCH];
    private int batchCount;
    private IovArray iov;
    /** Viewers of the list that may write straight to their sockets. */
    private int directViewers;
    private volatile boolean framesLost;
    /** Viewers the fan-out has added and not yet seen leave (fan-out owner only). */
    int fanoutCount;
    /** Link in the event loop's stack of pending drains (see {@link EventLoopDrains}). */
    LoopViewers nextPending;

    /**
     * @param eventLoop the viewers' event loop.
     * @param metrics   the stream's counters.
     */
    LoopViewers(final EventLoop eventLoop, final StreamMetrics metrics)
    {
        this.eventLoop = eventLoop;
        this.metrics = metrics;
        this.latency = metrics.newBatchRecorder();
        this.drains = EventLoopDrains.of(eventLoop);
    }

    /**
     * @return the event loop these viewers share.
     */
    EventLoop eventLoop()
    {
        return eventLoop;
    }

    /**
     * Queues one frame for every viewer of the loop. Fan-out owner only.
     *
     * @param frame the shared frame (not consumed: retained if queued).
     */
    void offer(final OutFrame frame)
    {
        frame.retain();
        if (!queue.offer(frame))
        {
            frame.release();
            // Ordered before any later frame's offer, so the drain that takes the next frame sees it.
            framesLost = true;
            metrics.viewerSkippedFrames.increment();
        }

        scheduleDrain();
    }

    /**
     * Queues a command (join, stream end) behind the frames already queued. Fan-out owner only.
     *
     * @param command the command; run on the event loop.
     * @return false if the queue is full (the command was not queued).
     */
    boolean offerCommand(final Command command)
    {
        final boolean queued = queue.offer(command);
        scheduleDrain();
        return queued;
    }

    private void scheduleDrain()
    {
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true))
        {
            drains.schedule(this);
        }
    }

    /**
     * Delivers what the fan-out queued, in order. Event loop.
     */
    void drain()
    {
        drainScheduled.set(false);
        final long latencyToken = latency.begin();
        int items = 0;
        Object item;
        while (items < DRAIN_LIMIT && (item = queue.poll()) != null)
        {
            items++;
            if (framesLost)
            {
                // The frames batched so far came before the lost one; the viewers skip from here on.
                deliverBatch();
                framesLost = false;
                skipAll();
            }

            if (item instanceof OutFrame frame)
            {
                batch[batchCount++] = frame;
                if (batchCount == MAX_BATCH)
                {
                    deliverBatch();
                }
            }
            else
            {
                deliverBatch();
                ((Command)item).run(this);
            }
        }

        deliverBatch();
        latency.end(latencyToken);
        if (!queue.isEmpty())
        {
            scheduleDrain();
        }
    }

    /**
     * Gives the frames taken so far to every viewer: all of them in one gathering write per viewer where it can
     * take them straight to its socket (frames that queued up while the loop was busy cost one system call, not
     * one each), else frame by frame.
     */
    private void deliverBatch()
    {
        final int count = batchCount;
        if (count == 0)
        {
            return;
        }

        try
        {
            // The iovec array needs the native transport, which only direct-writing viewers (epoll) imply.
            final boolean gather = count > 1 && directViewers > 0 && fillIov(count);
            final ArrayList<LiveSubscriber> list = viewers;
            for (int i = list.size() - 1; i >= 0; i--)
            {
                final LiveSubscriber viewer = list.get(i);
                if (viewer.isClosed())
                {
                    removeAt(i);
                    continue;
                }

                // The clock per viewer, not per drain: a frame's hand-off to the last of hundreds of viewers comes
                // milliseconds after the first, and that wait is part of its latency.
                final long handOffNs = System.nanoTime();
                if (!gather || !viewer.deliverDirect(batch, count, iov, handOffNs))
                {
                    for (int f = 0; f < count; f++)
                    {
                        viewer.deliver(batch[f], batch[f].isHeader(), handOffNs);
                    }
                }

                // Once per viewer and batch (a drain rarely has more than one batch): only what went through
                // Netty's queue needs it, and no second pass over every viewer is made for it.
                viewer.flushIfWritten();
            }
        }
        finally
        {
            for (int f = 0; f < count; f++)
            {
                batch[f].release();
                batch[f] = null;
            }

            batchCount = 0;
        }
    }

    /**
     * Describes the batch for a gathering write; false when it holds a header (headers take the frame-by-frame
     * path, which remembers them) or a frame outside direct memory.
     */
    private boolean fillIov(final int count)
    {
        if (iov == null)
        {
            iov = new IovArray(Unpooled.directBuffer(MAX_BATCH * IovArray.IOV_SIZE));
        }

        iov.clear();
        for (int f = 0; f < count; f++)
        {
            final OutFrame frame = batch[f];
            final ByteBuf data = frame.data();
            if (frame.isHeader() || !iov.add(data, data.readerIndex(), data.readableBytes()))
            {
                return false;
            }
        }

        return true;
    }

    private void skipAll()
    {
        for (int i = 0, n = viewers.size(); i < n; i++)
        {
            viewers.get(i).skipToRandomAccess();
        }
    }

    private void removeAt(final int index)
    {
        final int last = viewers.size() - 1;
        final LiveSubscriber removed = viewers.get(index);
        directViewers -= removed.writesDirect() ? 1 : 0;
        viewers.set(index, viewers.get(last));
        viewers.remove(last);
        removed.releaseBacklog();
    }

    /**
     * The stream closed: drops what is queued and forgets the viewers, on the event loop (or here once the loop has
     * terminated). Fan-out owner.
     */
    void discardOnLoop()
    {
        try
        {
            eventLoop.execute(this::discard);
        }
        catch (final RejectedExecutionException ex)
        {
            discard();
        }
    }

    /**
     * Drops everything still queued and forgets the viewers (their channels are closed by the fan-out). Event loop,
     * or the producer's thread once the loop has terminated.
     */
    void discard()
    {
        Object item;
        while ((item = queue.poll()) != null)
        {
            if (item instanceof OutFrame frame)
            {
                frame.release();
            }
            else
            {
                ((Command)item).discard();
            }
        }

        for (int f = 0; f < batchCount; f++)
        {
            batch[f].release();
            batch[f] = null;
        }

        batchCount = 0;
        if (iov != null)
        {
            iov.release();
            iov = null;
        }

        for (final LiveSubscriber viewer : viewers)
        {
            viewer.releaseBacklog();
        }

        viewers.clear();
        directViewers = 0;
        drainScheduled.set(false);
    }

    /**
     * Something the fan-out asks the event loop to do in order with the frames.
     */
    abstract static class Command
    {
        /**
         * Runs on the event loop.
         *
         * @param loop the viewers of the loop.
         */
        abstract void run(LoopViewers loop);

        /**
         * The command will never run (the stream closed): release what it holds.
         */
        void discard()
        {
        }
    }

    /**
     * A viewer joins: it gets the stream's headers and the group's cached GOP frames, then the live frames.
     */
    static final class Join extends Command
    {
        private final LiveSubscriber viewer;
        private final List<OutFrame> replay;
        private final boolean startWithoutRandomAccess;

        /**
         * @param viewer                   the joining viewer.
         * @param replay                   headers and GOP frames, each with one reference that the command owns
         *                                 (the GOP frames are the group's, shared with every viewer).
         * @param startWithoutRandomAccess whether there was no GOP to replay (the viewer waits for a keyframe).
         */
        Join(final LiveSubscriber viewer, final List<OutFrame> replay, final boolean startWithoutRandomAccess)
        {
            this.viewer = viewer;
            this.replay = replay;
            this.startWithoutRandomAccess = startWithoutRandomAccess;
        }

        @Override
        void run(final LoopViewers loop)
        {
            viewer.attach(loop.metrics, loop.latency, startWithoutRandomAccess);
            for (final OutFrame frame : replay)
            {
                if (!viewer.isClosed())
                {
                    // No time: a replayed frame's age is not a delivery latency.
                    viewer.deliver(frame, frame.isHeader(), 0);
                }

                frame.release();
            }

            replay.clear();
            if (viewer.isClosed())
            {
                viewer.releaseBacklog();
                return;
            }

            viewer.flushIfWritten();

            loop.viewers.add(viewer);
            loop.directViewers += viewer.writesDirect() ? 1 : 0;
        }

        @Override
        void discard()
        {
            for (final OutFrame frame : replay)
            {
                frame.release();
            }

            replay.clear();
        }
    }

    /**
     * The publisher ended: each viewer, once its queued frames are written, is told so by its protocol.
     */
    static final class End extends Command
    {
        static final End INSTANCE = new End();

        @Override
        void run(final LoopViewers loop)
        {
            for (int i = 0, n = loop.viewers.size(); i < n; i++)
            {
                loop.viewers.get(i).onStreamEnd();
            }
        }
    }
}
