package com.cococam.server.stream;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One live path (e.g. {@code live/cam1}): its ring of access units, the publisher that owns it, and the
 * consumers bound to workers.
 *
 * <p>The ring is an LMAX Disruptor ring of pre-allocated {@link AccessUnitEvent}s. Each consumer group has an
 * {@link EventPoller} whose sequence gates the producer: the live fan-out, run by the publishing thread itself right
 * after each publish ({@link FanoutDrain}); the HLS packager on a live worker; the recorder on the recorder worker
 * when the camera records. The publisher never waits: when the ring is full it
 * drops the unit, counts it and marks the next unit as a discontinuity.
 *
 * <p>When a publisher leaves, an end-of-stream marker goes through the ring so consumers close their
 * segments and tell their viewers.
 *
 * <p>Payload ownership: the producer stores a retained slice with one reference per consumer group; each group
 * releases its reference once all of its consumers have seen the event. A stream therefore holds no media once
 * its consumers are caught up; consumers keep what they need (GOP cache, segments) by retaining.
 *
 * <p>Thread safety: {@link #publish} from the publisher's thread (several threads only across a takeover, which
 * the multi-producer ring tolerates); the fan-out's state moves with its {@link FanoutDrain} ownership, other
 * consumers' state lives on their workers.
 */
public final class LiveStream
{
    private static final Logger LOG = LoggerFactory.getLogger(LiveStream.class);

    private final String path;
    private final StreamHub hub;
    private final RingBuffer<AccessUnitEvent> ring;
    private final StreamMetrics metrics = new StreamMetrics();
    private final AtomicReference<PublishSession> publisher = new AtomicReference<>();
    private final AtomicReferenceArray<TrackFormat> formats = new AtomicReferenceArray<>(2);
    private final StreamWorker[] workers;
    private final StreamWorker.Binding[] bindings;
    private final int referencesPerEvent;
    private final LiveFanout fanout;
    private final FanoutDrain fanoutDrain;
    private volatile long lastDts = Long.MIN_VALUE;
    private boolean pendingDiscontinuity;
    private volatile long lastPublishEndNs = System.nanoTime();

    LiveStream(
        final String path,
        final StreamHub hub,
        final int ringSize,
        final StreamWorker liveWorker,
        final StreamConsumer[] liveConsumers,
        final StreamWorker recordWorker,
        final StreamConsumer recordConsumer,
        final LiveFanout fanout)
    {
        this.path = path;
        this.hub = hub;
        this.fanout = fanout;
        this.ring = AccessUnitEvent.newRing(ringSize);

        final EventPoller<AccessUnitEvent> fanoutPoller = ring.newPoller();
        ring.addGatingSequences(fanoutPoller.getSequence());
        fanoutDrain = new FanoutDrain(this, fanoutPoller, fanout);
        liveWorker.adopt(fanoutDrain);

        final List<StreamWorker> boundWorkers = new ArrayList<>(2);
        final List<StreamWorker.Binding> boundGroups = new ArrayList<>(2);
        if (liveConsumers.length > 0)
        {
            final EventPoller<AccessUnitEvent> livePoller = ring.newPoller();
            ring.addGatingSequences(livePoller.getSequence());
            boundGroups.add(liveWorker.bind(this, livePoller, liveConsumers));
        }

        boundWorkers.add(liveWorker);
        if (recordConsumer != null)
        {
            final EventPoller<AccessUnitEvent> recordPoller = ring.newPoller();
            ring.addGatingSequences(recordPoller.getSequence());
            boundGroups.add(recordWorker.bind(this, recordPoller, recordConsumer));
            boundWorkers.add(recordWorker);
        }

        workers = boundWorkers.toArray(new StreamWorker[0]);
        bindings = boundGroups.toArray(new StreamWorker.Binding[0]);
        referencesPerEvent = 1 + bindings.length;
    }

    /**
     * @return the path, e.g. {@code live/cam1}.
     */
    public String path()
    {
        return path;
    }

    /**
     * @return the hub this stream belongs to.
     */
    public StreamHub hub()
    {
        return hub;
    }

    /**
     * @return counters of this stream.
     */
    public StreamMetrics metrics()
    {
        return metrics;
    }

    /**
     * @return the live fan-out to pushed viewers.
     */
    public LiveFanout fanout()
    {
        return fanout;
    }

    /**
     * @return the current publisher session, or null.
     */
    public PublishSession publisher()
    {
        return publisher.get();
    }

    /**
     * @param trackId a track id.
     * @return the last announced format of that track, or null.
     */
    public TrackFormat format(final int trackId)
    {
        return trackId >= 0 && trackId < formats.length() ? formats.get(trackId) : null;
    }

    /**
     * @return the last DTS published on this path (90 kHz), or {@link Long#MIN_VALUE} if none yet.
     */
    public long lastDts()
    {
        return lastDts;
    }

    /**
     * @return number of ring slots.
     */
    public int ringSize()
    {
        return ring.getBufferSize();
    }

    /**
     * @return slots the slowest consumer group is behind the producer.
     */
    public long ringLag()
    {
        return ring.getCursor() - ring.getMinimumGatingSequence();
    }

    void onFormat(final TrackFormat format)
    {
        formats.set(format.trackId(), format);
    }

    /**
     * Places one access unit in the ring. Never blocks; allocation: none in steady state (the retained slice of
     * a pooled buffer is recycled by Netty).
     *
     * @return false if the ring was full and the unit was dropped.
     */
    boolean publish(
        final PublishSession session,
        final TrackFormat format,
        final int trackId,
        final long dts,
        final long pts,
        final int flags,
        final ByteBuf payload)
    {
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            metrics.ringDrops.increment();
            pendingDiscontinuity = true;
            return false;
        }

        final AccessUnitEvent event = ring.get(sequence);
        event.trackId = trackId;
        event.flags = pendingDiscontinuity ? flags | FrameFlags.DISCONTINUITY : flags;
        event.dts = dts;
        event.pts = pts;
        event.wallClockMs = System.currentTimeMillis();
        event.ingestNanos = System.nanoTime();
        event.format(format);
        final ByteBuf slice = payload.retainedSlice();
        if (referencesPerEvent > 1)
        {
            slice.retain(referencesPerEvent - 1);
        }

        event.payload(slice);

        pendingDiscontinuity = false;
        ring.publish(sequence);
        if (dts > lastDts)
        {
            lastDts = dts;
        }

        metrics.ingestFrames.increment();
        metrics.ingestBytes.add(payload.readableBytes());
        // Workers are woken by data only where a consumer asks (see StreamConsumer#wakeOnPublish: the HLS packager
        // at video keyframes); else they take the unit when their park ends (see StreamHub). The pushed viewers get
        // it now, from this thread.
        for (final StreamWorker.Binding binding : bindings)
        {
            binding.signalPublished(trackId, flags);
        }

        fanoutDrain.run();
        return true;
    }

    /**
     * Installs a publisher, or refuses. Cold path.
     */
    PublishSession startPublish(final String description, final Runnable onEvicted, final long takeoverIdleNs)
        throws PublishRefusedException
    {
        final PublishSession session = new PublishSession(this, description, onEvicted);
        while (true)
        {
            final PublishSession current = publisher.get();
            if (current != null && current.isActive())
            {
                final long idleNs = System.nanoTime() - current.lastActivityNs();
                if (idleNs < takeoverIdleNs)
                {
                    throw new PublishRefusedException("path busy: " + path + " is published by " +
                        current.description());
                }
            }

            if (publisher.compareAndSet(current, session))
            {
                if (current != null && current.isActive())
                {
                    LOG.info("[path {}] takeover: {} replaces idle {}", path, description, current.description());
                    current.evict();
                }

                metrics.publishes.increment();
                return session;
            }
        }
    }

    /**
     * @return true if the session still owned the path (false after it was taken over).
     */
    boolean endPublish(final PublishSession session)
    {
        session.deactivate();
        if (publisher.compareAndSet(session, null))
        {
            lastPublishEndNs = System.nanoTime();
            publishEndOfStream();
            return true;
        }

        return false;
    }

    /**
     * Places an end-of-stream marker ({@link FrameFlags#END_OF_STREAM}, no format, empty payload) in the ring.
     */
    private void publishEndOfStream()
    {
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            metrics.ringDrops.increment();
            pendingDiscontinuity = true;
            return;
        }

        final AccessUnitEvent event = ring.get(sequence);
        event.trackId = -1;
        event.flags = FrameFlags.END_OF_STREAM;
        event.dts = lastDts;
        event.pts = lastDts;
        event.wallClockMs = System.currentTimeMillis();
        event.ingestNanos = System.nanoTime();
        event.format(null);
        event.payload(Unpooled.EMPTY_BUFFER);
        ring.publish(sequence);
        for (final StreamWorker.Binding binding : bindings)
        {
            binding.signal();
        }

        fanoutDrain.run();
    }

    /**
     * Runs the live fan-out now on this thread (joins and leaves, units not yet fanned out), or leaves it to the
     * thread running it already. Any thread; never waits.
     */
    void runFanout()
    {
        fanoutDrain.run();
    }

    /**
     * @return {@link System#nanoTime()} when the last publisher left (or the stream was created).
     */
    long lastPublishEndNs()
    {
        return lastPublishEndNs;
    }

    /**
     * Releases one group reference of an event's payload; called by a binding after its consumers ran.
     */
    static void releaseGroupReference(final AccessUnitEvent event)
    {
        final ByteBuf payload = event.payload();
        if (payload != null)
        {
            payload.release();
        }
    }

    void onConsumerError(final StreamConsumer consumer, final RuntimeException ex)
    {
        if (metrics.consumerErrors.sum() <= 1)
        {
            LOG.warn("[path {}] consumer {} failed (further failures only counted)", path,
                consumer.getClass().getSimpleName(), ex);
        }
    }

    void unbind()
    {
        for (final StreamWorker worker : workers)
        {
            worker.unbind(this);
        }
    }
}
