package com.cococam.server.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundInvoker;
import org.agrona.concurrent.OneToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A viewer that the server pushes frames to (RTMP play, later RTSP and WebRTC), with its own bounded backlog.
 *
 * <p>The stream's live worker offers shared {@link OutFrame}s; the viewer's event loop drains them into the
 * socket while the channel is writable. The backlog is the bytes queued here plus the bytes Netty still holds
 * for the socket. Past {@code skipBytes} the viewer stops receiving frames until the next random access point
 * (skip to the next keyframe: the frames still queued here are dropped; what Netty holds is left to finish, so
 * the stream stays decodable); past {@code maxBytes}, or after {@code maxConsecutiveSkips} keyframes that still
 * found it behind, it is disconnected. Both are counted in the stream's metrics. The publisher and the other
 * viewers never wait for it.
 *
 * <p>Thread safety: {@link #offer} on the live worker only; draining on the channel's event loop; {@link #close}
 * from anywhere. Allocation: none per frame (drains are batched per event loop by {@link EventLoopDrains}, duplicates
 * are recycled).
 */
public final class LiveSubscriber
{
    private static final Logger LOG = LoggerFactory.getLogger(LiveSubscriber.class);
    /**
     * Frames a viewer may have queued: a whole cached GOP (a joiner gets it at once), and about 16 s of a 25 fps
     * camera with audio. A full queue skips to the next keyframe like a byte backlog does (so a joiner whose GOP
     * is at the cache's unit limit, plus its headers, starts at the next keyframe instead). The queue's array is
     * most of a viewer's heap (8 KB here; 4096 entries made it 16 KB of a ~30 KB viewer).
     */
    private static final int QUEUE_CAPACITY = LiveFanout.MAX_GOP_UNITS;

    private final Channel channel;
    private final ChannelOutboundInvoker writer;
    private final String description;
    private final long skipBytes;
    private final long maxBytes;
    private final int maxConsecutiveSkips;
    private final Runnable onStreamEnd;
    private final OneToOneConcurrentArrayQueue<OutFrame> queue = new OneToOneConcurrentArrayQueue<>(QUEUE_CAPACITY);
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final EventLoopDrains drains;
    private final AtomicLong dropUntil = new AtomicLong();
    private final OutFrame[] headers = new OutFrame[4];
    private int headerCount;
    private boolean lastOfferWasMedia;
    private long enqueued;
    private long dequeued;
    private volatile boolean closed;
    private StreamMetrics metrics;
    private boolean waitingForRandomAccess;
    private int consecutiveSkips;
    private long framesSent;
    /** Link in the event loop's stack of viewers waiting for a drain (see {@link EventLoopDrains}). */
    LiveSubscriber nextPending;

    /**
     * @param channel             the viewer's connection.
     * @param description         for logs, e.g. {@code rtmp 127.0.0.1:50123}.
     * @param skipBytes           backlog past which the viewer skips to the next keyframe.
     * @param maxBytes            backlog past which the viewer is disconnected.
     * @param maxConsecutiveSkips keyframes in a row that may find the viewer still behind before it is dropped.
     * @param onStreamEnd         run on the channel's event loop, after the queued frames, when the publisher ends.
     */
    public LiveSubscriber(
        final Channel channel,
        final String description,
        final long skipBytes,
        final long maxBytes,
        final int maxConsecutiveSkips,
        final Runnable onStreamEnd)
    {
        this(channel, channel, description, skipBytes, maxBytes, maxConsecutiveSkips, onStreamEnd);
    }

    /**
     * @param channel             the viewer's connection.
     * @param writer              where frames enter the outbound pipeline: the channel (the whole pipeline), or the
     *                            context of a handler the frames must skip (e.g. the RTMP chunk encoder: frames
     *                            are already chunked, so they start just below it and don't walk the handlers
     *                            above). Writes and flushes go there.
     * @param description         for logs, e.g. {@code rtmp 127.0.0.1:50123}.
     * @param skipBytes           backlog past which the viewer skips to the next keyframe.
     * @param maxBytes            backlog past which the viewer is disconnected.
     * @param maxConsecutiveSkips keyframes in a row that may find the viewer still behind before it is dropped.
     * @param onStreamEnd         run on the channel's event loop, after the queued frames, when the publisher ends.
     */
    public LiveSubscriber(
        final Channel channel,
        final ChannelOutboundInvoker writer,
        final String description,
        final long skipBytes,
        final long maxBytes,
        final int maxConsecutiveSkips,
        final Runnable onStreamEnd)
    {
        this.onStreamEnd = onStreamEnd;
        this.channel = channel;
        this.writer = writer;
        this.description = description;
        this.skipBytes = skipBytes;
        this.maxBytes = maxBytes;
        this.maxConsecutiveSkips = maxConsecutiveSkips;
        this.drains = EventLoopDrains.of(channel.eventLoop());
    }

    /**
     * @return the viewer's channel.
     */
    public Channel channel()
    {
        return channel;
    }

    /**
     * @return for logs.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return whether the viewer was closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * @return frames written to the socket so far (event loop's count, racy read).
     */
    public long framesSent()
    {
        return framesSent;
    }

    void attach(final StreamMetrics metrics, final boolean startWithoutRandomAccess)
    {
        this.metrics = metrics;
        this.waitingForRandomAccess = startWithoutRandomAccess;
    }

    /**
     * @return backlog in bytes: queued here plus pending in the channel's outbound buffer.
     */
    public long backlogBytes()
    {
        final long pending = channel.unsafe().outboundBuffer() == null ?
            0 : channel.unsafe().outboundBuffer().totalPendingWriteBytes();
        return queuedBytes.get() + pending;
    }

    /**
     * Offers one frame. Live worker only.
     *
     * @param frame   the shared frame (not consumed: retained if queued).
     * @param header  whether it is a header (metadata, sequence header) that must never be skipped.
     */
    void offer(final OutFrame frame, final boolean header)
    {
        if (closed)
        {
            return;
        }

        final long backlog = backlogBytes();
        if (backlog > maxBytes)
        {
            disconnect("backlog " + backlog + " bytes over " + maxBytes);
            return;
        }

        boolean resumed = false;
        if (!header)
        {
            if (waitingForRandomAccess)
            {
                if (!frame.isRandomAccess())
                {
                    metrics.viewerSkippedFrames.increment();
                    return;
                }

                if (backlog > skipBytes / 2)
                {
                    metrics.viewerSkippedFrames.increment();
                    if (++consecutiveSkips > maxConsecutiveSkips)
                    {
                        disconnect("still " + backlog + " bytes behind after " + maxConsecutiveSkips + " keyframes");
                    }

                    return;
                }

                waitingForRandomAccess = false;
                consecutiveSkips = 0;
                resumed = dropUntil.get() > 0;
            }
            else if (backlog > skipBytes)
            {
                startSkipping();
                metrics.viewerSkippedFrames.increment();
                return;
            }
        }

        if (header)
        {
            rememberHeader(frame);
        }
        else if (resumed)
        {
            // The dropped backlog may have held the sequence headers: send them again before the keyframe.
            for (int i = 0; i < headerCount; i++)
            {
                enqueue(headers[i]);
            }
        }

        lastOfferWasMedia = !header;
        if (!enqueue(frame))
        {
            startSkipping();
        }
    }

    private boolean enqueue(final OutFrame frame)
    {
        frame.retain();
        if (!queue.offer(frame))
        {
            frame.release();
            return false;
        }

        enqueued++;
        queuedBytes.addAndGet(frame.size());
        scheduleDrain();
        return true;
    }

    /**
     * Enters skip mode: whatever is queued now is dropped by the event loop (frames offered later are not), and
     * nothing more is queued until the next random access point.
     */
    private void startSkipping()
    {
        waitingForRandomAccess = true;
        metrics.viewerSkips.increment();
        dropUntil.set(enqueued);
        scheduleDrain();
    }

    private void rememberHeader(final OutFrame frame)
    {
        if (lastOfferWasMedia || headerCount == headers.length)
        {
            releaseHeaders();
        }

        headers[headerCount++] = frame.retain();
    }

    private void releaseHeaders()
    {
        for (int i = 0; i < headerCount; i++)
        {
            headers[i].release();
            headers[i] = null;
        }

        headerCount = 0;
    }

    /**
     * The publisher ended: once the frames already queued are written, the protocol tells the viewer. Live worker.
     * The viewer stays subscribed, so it gets the next publisher's stream (starting at a keyframe).
     */
    void onStreamEnd()
    {
        waitingForRandomAccess = true;
        consecutiveSkips = 0;
        runOnEventLoop(() ->
        {
            drain();
            if (!closed && channel.isActive())
            {
                onStreamEnd.run();
            }
        });
    }

    /**
     * Resumes draining after the channel became writable again. Event loop.
     */
    public void onWritabilityChanged()
    {
        if (channel.isWritable())
        {
            scheduleDrain();
        }
    }

    private void scheduleDrain()
    {
        if (drainScheduled.compareAndSet(false, true))
        {
            drains.schedule(this);
        }
    }

    /**
     * Runs the drain this viewer was queued for in its event loop's batch. Event loop.
     */
    void drainPending()
    {
        drain();
    }

    private void drain()
    {
        drainScheduled.set(false);
        if (closed || !channel.isActive())
        {
            releaseQueued();
            return;
        }

        int written = 0;
        final long nowNs = System.nanoTime();
        final long dropLimit = dropUntil.get();
        OutFrame frame;
        while (dequeued < dropLimit && (frame = queue.poll()) != null)
        {
            dequeued++;
            queuedBytes.addAndGet(-frame.size());
            metrics.viewerSkippedFrames.increment();
            frame.release();
        }

        while (channel.isWritable() && (frame = queue.poll()) != null)
        {
            dequeued++;
            queuedBytes.addAndGet(-frame.size());
            writer.write(frame.data().retainedDuplicate(), channel.voidPromise());
            if (frame.isLive())
            {
                metrics.recordLatency(nowNs - frame.ingestNanos());
            }

            frame.release();
            written++;
        }

        if (written > 0)
        {
            framesSent += written;
            writer.flush();
        }

        if (!queue.isEmpty() && channel.isWritable())
        {
            scheduleDrain();
        }
    }

    private void disconnect(final String reason)
    {
        if (closed)
        {
            return;
        }

        metrics.viewerDisconnects.increment();
        LOG.info("[viewer {}] disconnected: too slow ({})", description, reason);
        close();
    }

    /**
     * Closes the viewer: drops its backlog and closes the channel. Any thread; idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }

        closed = true;
        runOnEventLoop(() ->
        {
            releaseQueued();
            channel.close();
        });
    }

    /**
     * Stops delivery and drops the backlog but leaves the connection to its protocol (RTSP TEARDOWN, RTMP
     * closeStream: the client may still talk on it). Any thread; idempotent.
     */
    public void stop()
    {
        if (closed)
        {
            return;
        }

        closed = true;
        runOnEventLoop(this::releaseQueued);
    }

    /**
     * The fan-out dropped this viewer: nothing more is offered, so a last pass on the event loop frees whatever
     * an offer racing with {@link #close()} left queued. Live worker only.
     */
    void onRemoved()
    {
        closed = true;
        releaseHeaders();
        runOnEventLoop(this::releaseQueued);
    }

    private void runOnEventLoop(final Runnable task)
    {
        try
        {
            channel.eventLoop().execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // The event loop has terminated (server stop: the hub closes after the loops), so nothing else polls
            // the queue any more: free the backlog here instead of leaking it and aborting the other consumers.
            task.run();
        }
    }

    private void releaseQueued()
    {
        OutFrame frame;
        while ((frame = queue.poll()) != null)
        {
            queuedBytes.addAndGet(-frame.size());
            frame.release();
        }
    }
}
