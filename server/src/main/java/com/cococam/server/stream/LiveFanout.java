package com.cococam.server.stream;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.channel.EventLoop;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Live fan-out of one stream to pushed viewers, grouped by output protocol, with the GOP cache that lets a new
 * viewer start at the last keyframe at once.
 *
 * <p>Each group owns a {@link FrameEncoder}: a unit is encoded once per protocol (only while the group has
 * viewers) and the same {@link OutFrame} is queued once to each event loop that has viewers of that protocol
 * ({@link LoopViewers}), where every viewer gets it. Each group whose frames can be replayed as they are (RTMP; see
 * {@link FrameEncoder#framesReplayable}) also keeps its own encoded frames since the last random access point: a
 * joining viewer gets headers from a fresh encoder (a few hundred bytes) and then those frames by reference, in its
 * join command, ahead of the live frames; such a join copies and encodes no media. When a group's first viewer
 * joins, the group's encoder encodes the unit GOP cache once to start its frame cache. Other groups (RTSP, whose
 * packets carry running sequence numbers) encode the unit GOP afresh for each joiner.
 *
 * <p>The GOP cache keeps retained references to the units since the last video keyframe (every unit for an
 * audio-only stream resets it), bounded by {@link #MAX_GOP_BYTES} and {@link #MAX_GOP_UNITS}; past either bound
 * caching stops until the next keyframe and late joiners wait for that keyframe instead.
 *
 * <p>Thread safety: {@link #subscribe} and {@link #unsubscribe} from any thread (queued, then taken at once by the
 * calling thread or by the one running the fan-out); everything else by the one thread that owns the stream's
 * {@link FanoutDrain} at the time: the publisher's event loop as a rule, the live worker for housekeeping.
 */
public final class LiveFanout implements StreamConsumer
{
    /** Bytes of media the GOP cache may hold. */
    public static final long MAX_GOP_BYTES = 6L * 1024 * 1024;

    /** Units the GOP cache may hold. */
    public static final int MAX_GOP_UNITS = 2048;

    private final List<Group> groups = new ArrayList<>();
    private final ManyToOneConcurrentArrayQueue<Request> requests = new ManyToOneConcurrentArrayQueue<>(1024);
    private final ArrayDeque<AccessUnitEvent> gop = new ArrayDeque<>();
    private final ArrayDeque<AccessUnitEvent> spare = new ArrayDeque<>();
    private long gopBytes;
    private boolean gopValid;
    private LiveStream stream;

    /**
     * Adds a viewer. Any thread.
     *
     * @param encoderKey      identifies the protocol group (e.g. "rtmp"); viewers with the same key share frames.
     * @param encoderSupplier makes the group's encoder if the group does not exist yet (called by the thread that
     *                        runs the fan-out).
     * @param subscriber      the viewer.
     * @return false if the request queue is full (the caller should refuse the viewer).
     */
    public boolean subscribe(
        final String encoderKey,
        final Supplier<FrameEncoder> encoderSupplier,
        final LiveSubscriber subscriber)
    {
        if (!requests.offer(new Request(encoderKey, encoderSupplier, subscriber, true)))
        {
            return false;
        }

        runNow();
        return true;
    }

    /**
     * Removes a viewer; its connection stays open (the protocol decides about it). Any thread.
     *
     * @param subscriber the viewer.
     */
    public void unsubscribe(final LiveSubscriber subscriber)
    {
        subscriber.stop();
        requests.offer(new Request(null, null, subscriber, false));
        runNow();
    }

    /**
     * Takes the request now on this thread, unless another thread runs the fan-out at the moment (it takes it).
     */
    private void runNow()
    {
        final LiveStream s = stream;
        if (s != null)
        {
            s.runFanout();
        }
    }

    void bindStream(final LiveStream stream)
    {
        this.stream = stream;
    }

    /**
     * @return viewers across all groups (the fan-out owner's view; a racy read from other threads).
     */
    public int viewerCount()
    {
        int count = 0;
        for (final Group group : groups)
        {
            count += group.subscribers.size();
        }

        return count;
    }

    @Override
    public void onEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
    {
        processRequests(stream);
        if (FrameFlags.isEndOfStream(event.flags))
        {
            clearGop();
            for (final Group group : groups)
            {
                group.endStream();
            }

            return;
        }

        final boolean randomAccess = isRandomAccess(stream, event);
        cache(event, randomAccess);

        for (int i = 0, n = groups.size(); i < n; i++)
        {
            final Group group = groups.get(i);
            if (!group.subscribers.isEmpty())
            {
                group.encoder.encode(stream, event, group);
            }
        }
    }

    /**
     * Joins and leaves are taken on every event; viewers that closed by themselves (socket gone, too slow) are
     * swept here, on the idle tick (every 100 ms), so a frame costs no extra pass over all viewers. Until then an
     * offer to a closed viewer returns at once.
     */
    @Override
    public int onIdle(final LiveStream stream, final long nowNs)
    {
        final int work = processRequests(stream);
        final int removed = removeClosed();
        if (removed > 0)
        {
            stream.metrics().viewers.set(viewerCount());
        }

        return work + removed;
    }

    @Override
    public void onStreamClosed(final LiveStream stream)
    {
        processRequests(stream);
        for (final Group group : groups)
        {
            group.close();
        }

        groups.clear();

        stream.metrics().viewers.set(0);
        clearGop();
    }

    private static boolean isRandomAccess(final LiveStream stream, final AccessUnitEvent event)
    {
        if (event.format().isVideo())
        {
            return FrameFlags.isKeyframe(event.flags);
        }

        return stream.format(TrackFormat.VIDEO_TRACK) == null;
    }

    private void cache(final AccessUnitEvent event, final boolean randomAccess)
    {
        if (randomAccess)
        {
            clearGop();
            gopValid = true;
        }

        if (!gopValid)
        {
            return;
        }

        if (gop.size() >= MAX_GOP_UNITS || gopBytes + event.size() > MAX_GOP_BYTES)
        {
            clearGop();
            return;
        }

        final AccessUnitEvent copy = spare.isEmpty() ? new AccessUnitEvent() : spare.poll();
        copy.trackId = event.trackId;
        copy.flags = event.flags;
        copy.dts = event.dts;
        copy.pts = event.pts;
        copy.wallClockMs = event.wallClockMs;
        copy.ingestNanos = event.ingestNanos;
        copy.format(event.format());
        copy.payload(event.payload().retain());
        gop.add(copy);
        gopBytes += copy.size();
    }

    private void clearGop()
    {
        AccessUnitEvent unit;
        while ((unit = gop.poll()) != null)
        {
            unit.payload().release();
            unit.payload(null);
            unit.format(null);
            spare.add(unit);
        }

        gopBytes = 0;
        gopValid = false;
    }

    private int processRequests(final LiveStream stream)
    {
        int work = 0;
        Request request;
        while ((request = requests.poll()) != null)
        {
            work++;
            if (request.add)
            {
                join(stream, request);
            }
            else
            {
                for (final Group group : groups)
                {
                    group.remove(request.subscriber);
                }
            }
        }

        if (work > 0)
        {
            stream.metrics().viewers.set(viewerCount());
        }

        return work;
    }

    private int removeClosed()
    {
        int removed = 0;
        for (final Group group : groups)
        {
            removed += group.removeClosed();
        }

        return removed;
    }

    private void join(final LiveStream stream, final Request request)
    {
        Group group = null;
        for (final Group candidate : groups)
        {
            if (candidate.key.equals(request.encoderKey))
            {
                group = candidate;
                break;
            }
        }

        if (group == null)
        {
            group = new Group(request.encoderKey, request.encoderSupplier.get());
            groups.add(group);
        }

        final LiveSubscriber subscriber = request.subscriber;
        final boolean shared = group.encoder.framesReplayable();
        if (shared && group.subscribers.isEmpty())
        {
            // The group's encoder starts (again): it encodes the cached GOP once, and its frames are kept for joiners.
            group.seed(stream, gopValid ? gop : null);
        }

        // Headers from a fresh encoder (small), then the GOP: the group's own frames by reference where they can be
        // replayed (a joiner costs no encoding and no copy of the GOP), else encoded by that fresh encoder. They
        // reach the viewer's event loop in its join command, ahead of the live frames.
        final FrameEncoder replay = request.encoderSupplier.get();
        final List<OutFrame> frames = new ArrayList<>((shared ? group.gopFrames.size() : gop.size()) + 4);
        final Consumer<OutFrame> target = frame -> frames.add(frame.markReplayed());
        replay.writeHeaders(stream, target);
        final boolean haveGop = shared ? group.gopFramesValid : gopValid;
        if (shared && haveGop)
        {
            for (final OutFrame frame : group.gopFrames)
            {
                frames.add(frame.retain());
            }
        }
        else if (haveGop)
        {
            for (final AccessUnitEvent unit : gop)
            {
                replay.encode(stream, unit, target);
            }
        }

        replay.close();
        group.add(stream, subscriber, new LoopViewers.Join(subscriber, frames, !haveGop));
    }

    /**
     * One output protocol's viewers: the encoder whose frames they share, and the viewers by event loop.
     */
    private static final class Group implements Consumer<OutFrame>
    {
        private final String key;
        private final FrameEncoder encoder;
        private final ArrayList<LiveSubscriber> subscribers = new ArrayList<>();
        private final ArrayList<LoopViewers> loops = new ArrayList<>(4);
        /** The group's frames since the last random access point, for joiners (bounded like the unit cache). */
        private final ArrayDeque<OutFrame> gopFrames = new ArrayDeque<>();
        private long gopFrameBytes;
        private boolean gopFramesValid;

        private final boolean replayable;

        Group(final String key, final FrameEncoder encoder)
        {
            this.key = key;
            this.encoder = encoder;
            this.replayable = encoder.framesReplayable();
        }

        /**
         * Starts the frame cache afresh from the unit GOP cache: the group's encoder encodes it (the frames go to
         * nobody yet), so its state runs on from there.
         *
         * @param stream the stream.
         * @param units  the cached units since the last keyframe, or null when there is no valid GOP.
         */
        void seed(final LiveStream stream, final ArrayDeque<AccessUnitEvent> units)
        {
            clearFrames();
            if (units == null)
            {
                return;
            }

            for (final AccessUnitEvent unit : units)
            {
                encoder.encode(stream, unit, frame ->
                {
                    cacheFrame(frame);
                    frame.release();
                });
            }
        }

        private void cacheFrame(final OutFrame frame)
        {
            if (!replayable)
            {
                return;
            }

            if (frame.isRandomAccess() && !frame.isHeader())
            {
                clearFrames();
                gopFramesValid = true;
            }

            if (!gopFramesValid)
            {
                return;
            }

            if (gopFrames.size() >= MAX_GOP_UNITS || gopFrameBytes + frame.size() > MAX_GOP_BYTES)
            {
                clearFrames();
                return;
            }

            gopFrames.add(frame.retain());
            gopFrameBytes += frame.size();
        }

        void clearFrames()
        {
            OutFrame frame;
            while ((frame = gopFrames.poll()) != null)
            {
                frame.release();
            }

            gopFrameBytes = 0;
            gopFramesValid = false;
        }

        /**
         * Keeps the frame for joiners, queues it once for each event loop that has viewers of this group, then drops
         * the encoder's reference.
         */
        @Override
        public void accept(final OutFrame frame)
        {
            cacheFrame(frame);
            final ArrayList<LoopViewers> list = loops;
            for (int i = 0, n = list.size(); i < n; i++)
            {
                final LoopViewers loop = list.get(i);
                if (loop.fanoutCount > 0)
                {
                    loop.offer(frame);
                }
            }

            frame.release();
        }

        void add(final LiveStream stream, final LiveSubscriber subscriber, final LoopViewers.Join join)
        {
            final LoopViewers loop = loopOf(subscriber, stream.metrics());
            if (!loop.offerCommand(join))
            {
                join.discard();
                subscriber.close();
                return;
            }

            loop.fanoutCount++;
            subscribers.add(subscriber);
        }

        void remove(final LiveSubscriber subscriber)
        {
            if (subscribers.remove(subscriber))
            {
                forget(subscriber);
            }
        }

        int removeClosed()
        {
            int removed = 0;
            for (int i = subscribers.size() - 1; i >= 0; i--)
            {
                final LiveSubscriber subscriber = subscribers.get(i);
                if (subscriber.isClosed() || !subscriber.channel().isActive())
                {
                    subscribers.remove(i);
                    forget(subscriber);
                    removed++;
                }
            }

            return removed;
        }

        private void forget(final LiveSubscriber subscriber)
        {
            if (subscribers.isEmpty())
            {
                // The encoder stops with the last viewer: its cached frames would only go stale.
                clearFrames();
            }

            subscriber.onRemoved();
            for (final LoopViewers loop : loops)
            {
                if (loop.eventLoop() == subscriber.channel().eventLoop())
                {
                    loop.fanoutCount--;
                }
            }
        }

        void endStream()
        {
            clearFrames();
            for (final LoopViewers loop : loops)
            {
                if (loop.fanoutCount > 0)
                {
                    loop.offerCommand(LoopViewers.End.INSTANCE);
                }
            }
        }

        void close()
        {
            for (final LiveSubscriber subscriber : subscribers)
            {
                subscriber.close();
                subscriber.onRemoved();
            }

            subscribers.clear();
            for (final LoopViewers loop : loops)
            {
                loop.fanoutCount = 0;
                loop.discardOnLoop();
            }

            loops.clear();
            clearFrames();
            encoder.close();
        }

        private LoopViewers loopOf(final LiveSubscriber subscriber, final StreamMetrics metrics)
        {
            final EventLoop eventLoop = subscriber.channel().eventLoop();
            for (final LoopViewers loop : loops)
            {
                if (loop.eventLoop() == eventLoop)
                {
                    return loop;
                }
            }

            final LoopViewers created = new LoopViewers(eventLoop, metrics);
            loops.add(created);
            return created;
        }
    }

    private record Request(
        String encoderKey,
        Supplier<FrameEncoder> encoderSupplier,
        LiveSubscriber subscriber,
        boolean add)
    {
    }
}
