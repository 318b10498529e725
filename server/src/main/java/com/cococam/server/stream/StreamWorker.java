package com.cococam.server.stream;

import com.lmax.disruptor.EventPoller;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * A worker thread's duty cycle: polls the rings of the streams bound to it and hands each access unit to that
 * binding's consumers. A fixed set of workers serves every stream: no thread per stream or per viewer.
 *
 * <p>Only bindings with work are polled: a producer {@linkplain Binding#signalPublished signals} its binding after
 * each publish, which puts the binding once on the worker's ready queue (a flag keeps it from being queued twice). A
 * worker with a hundred cameras therefore touches one ring per wake-up, not a hundred. Every binding also gets its
 * housekeeping call ({@link StreamConsumer#onIdle}) every {@code 100 ms}, ready or not, and so do the fan-outs the
 * worker {@linkplain #adopt adopted} (their units are fanned out by the publishing threads, see {@link FanoutDrain}).
 *
 * <p>Each drain is bounded ({@link #MAX_EVENTS_PER_POLL} events per stream per cycle) so one busy stream cannot
 * starve the others on the same worker; a binding cut short re-queues itself behind the others.
 *
 * <p>Thread safety: {@link #bind}, {@link #adopt}, {@link #unbind} and {@link #execute} may be called from any
 * thread; they post to the worker. Everything else runs on the worker thread.
 */
public final class StreamWorker implements Agent
{
    /** Most events taken from one stream's ring in one duty cycle. */
    public static final int MAX_EVENTS_PER_POLL = 256;

    private static final long IDLE_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Park of a worker with nothing at all bound to it: it only waits for commands, which wake it. */
    private static final long UNBOUND_PARK_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int READY_QUEUE_CAPACITY = 16_384;

    private final String name;
    private final WakeableIdleStrategy idleStrategy;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(4096);
    private final ManyToOneConcurrentArrayQueue<Binding> ready = new ManyToOneConcurrentArrayQueue<>(READY_QUEUE_CAPACITY);
    private final List<Binding> bindings = new ArrayList<>();
    /** Fan-outs run by their publishers' threads, whose housekeeping and close this worker does. */
    private final List<FanoutDrain> fanouts = new ArrayList<>();
    /** Set when a signal found the ready queue full: the next cycle polls every binding. */
    private volatile boolean readyOverflow;
    private long nextIdleNs;

    /**
     * @param name         agent role name, e.g. {@code live-0}.
     * @param idleStrategy the idle strategy the runner of this agent uses (so producers can wake it).
     */
    public StreamWorker(final String name, final WakeableIdleStrategy idleStrategy)
    {
        this.name = name;
        this.idleStrategy = idleStrategy;
        idleStrategy.parkLimit(UNBOUND_PARK_NS);
    }

    /**
     * @return the idle strategy to hand to the agent runner.
     */
    public WakeableIdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * Wakes the worker after a publish.
     */
    public void wake()
    {
        idleStrategy.wake();
    }

    /**
     * Runs a task on the worker thread at the start of its next cycle. Cold path (allocation allowed).
     *
     * @param task the task.
     * @return false if the command queue is full.
     */
    public boolean execute(final Runnable task)
    {
        final boolean offered = commands.offer(task);
        idleStrategy.wake();
        return offered;
    }

    /**
     * Binds a poller of a stream's ring to this worker with its consumers.
     *
     * @param stream    the stream.
     * @param poller    the poller (its sequence already gates the ring).
     * @param consumers consumers called in order for each event.
     * @return the binding, which the stream's producers {@linkplain Binding#signalPublished signal} after each
     *         publish.
     */
    public Binding bind(final LiveStream stream, final EventPoller<AccessUnitEvent> poller,
        final StreamConsumer... consumers)
    {
        final Binding binding = new Binding(this, stream, poller, consumers);
        execute(() ->
        {
            bindings.add(binding);
            updatePark();
            binding.signal();
        });
        return binding;
    }

    /**
     * Takes on the housekeeping of a stream's fan-out (joins and leaves not yet taken, viewers closed by themselves,
     * every 100 ms) and its close; its units are fanned out by the threads that publish them.
     *
     * @param fanout the stream's fan-out drain.
     */
    void adopt(final FanoutDrain fanout)
    {
        execute(() ->
        {
            fanouts.add(fanout);
            updatePark();
        });
    }

    /**
     * Removes a stream's bindings from this worker; its consumers get {@link StreamConsumer#onStreamClosed}.
     *
     * @param stream the stream.
     */
    public void unbind(final LiveStream stream)
    {
        execute(() ->
        {
            bindings.removeIf(binding ->
            {
                if (binding.stream == stream)
                {
                    binding.removed = true;
                    binding.close();
                    return true;
                }

                return false;
            });

            fanouts.removeIf(fanout ->
            {
                if (fanout.stream() == stream)
                {
                    fanout.close();
                    return true;
                }

                return false;
            });

            updatePark();
        });
    }

    /**
     * Rings to poll: park at most the strategy's period. Only fan-outs to look after: park until their next
     * housekeeping tick. Nothing: park long (commands wake the worker). Worker thread.
     */
    private void updatePark()
    {
        idleStrategy.parkLimit(!bindings.isEmpty() ? idleStrategy.maxParkNs() :
            !fanouts.isEmpty() ? IDLE_PERIOD_NS : UNBOUND_PARK_NS);
    }

    @Override
    public int doWork() throws Exception
    {
        int work = commands.drain(Runnable::run, 64);
        final long nowNs = System.nanoTime();
        if (readyOverflow)
        {
            readyOverflow = false;
            for (int i = 0, n = bindings.size(); i < n; i++)
            {
                work += bindings.get(i).pollReady(nowNs);
            }
        }

        // Only the bindings queued now: one that re-queues itself (cut short at MAX_EVENTS_PER_POLL) waits for the
        // next cycle, behind the others.
        Binding binding;
        for (int n = ready.size(); n > 0 && (binding = ready.poll()) != null; n--)
        {
            work += binding.pollReady(nowNs);
        }

        if (nowNs - nextIdleNs >= 0)
        {
            for (int i = 0, n = bindings.size(); i < n; i++)
            {
                work += bindings.get(i).idle(nowNs);
            }

            for (int i = 0, n = fanouts.size(); i < n; i++)
            {
                work += fanouts.get(i).housekeep(nowNs);
            }

            nextIdleNs = nowNs + IDLE_PERIOD_NS;
        }

        return work;
    }

    private void enqueueReady(final Binding binding, final boolean wake)
    {
        if (!ready.offer(binding))
        {
            readyOverflow = true;
        }

        if (wake)
        {
            idleStrategy.wakeForData();
        }
    }

    @Override
    public void onClose()
    {
        final long nowNs = System.nanoTime();
        for (final Binding binding : bindings)
        {
            // Units published since the last cycle (up to 10 ms of them for the recorder, which is not woken per
            // unit) still reach the consumers, so the journal keeps them and their buffers are released.
            binding.drainOnClose(nowNs);
            binding.close();
        }

        bindings.clear();
        for (final FanoutDrain fanout : fanouts)
        {
            fanout.close();
        }

        fanouts.clear();
    }

    @Override
    public String roleName()
    {
        return name;
    }

    /**
     * One stream's poller and consumers on a worker. Producers call {@link #signal()} after publishing; everything
     * else runs on the worker thread.
     */
    static final class Binding implements EventPoller.Handler<AccessUnitEvent>
    {
        private static final AtomicIntegerFieldUpdater<Binding> QUEUED =
            AtomicIntegerFieldUpdater.newUpdater(Binding.class, "queued");

        private final StreamWorker worker;
        private final LiveStream stream;
        private final EventPoller<AccessUnitEvent> poller;
        private final StreamConsumer[] consumers;
        private volatile int queued;
        private boolean removed;
        private long nowNs;
        private int count;

        Binding(final StreamWorker worker, final LiveStream stream, final EventPoller<AccessUnitEvent> poller,
            final StreamConsumer[] consumers)
        {
            this.worker = worker;
            this.stream = stream;
            this.poller = poller;
            this.consumers = consumers;
        }

        /**
         * After a publish: queues the binding, waking the worker only if a consumer {@linkplain
         * StreamConsumer#wakeOnPublish asks for it} for this unit. Publisher's thread.
         *
         * @param trackId the unit's track.
         * @param flags   the unit's flags.
         */
        void signalPublished(final int trackId, final int flags)
        {
            boolean wake = false;
            for (final StreamConsumer consumer : consumers)
            {
                wake |= consumer.wakeOnPublish(trackId, flags);
            }

            signal(wake);
        }

        /**
         * Tells the worker this binding's ring has events: queues it once (until the worker takes it) and wakes the
         * worker. Any thread; no allocation. The worker clears the flag before it polls, so a publish that races
         * with a poll either is seen by that poll or queues the binding again.
         */
        void signal()
        {
            signal(true);
        }

        /**
         * As {@link #signal()}, but {@code wake} false leaves a parked worker to find the binding when its park
         * period ends (at most 5 ms for a live worker): for units nobody waits for at once (a stream without pushed
         * viewers feeds only its HLS packager and GOP cache), which saves a context switch per unit.
         *
         * @param wake whether to wake the worker now.
         */
        void signal(final boolean wake)
        {
            // Already queued: the producer that queued it has woken the worker (or chose not to).
            if (queued == 0 && QUEUED.compareAndSet(this, 0, 1))
            {
                worker.enqueueReady(this, wake);
            }
        }

        int pollReady(final long nowNs) throws Exception
        {
            queued = 0;
            if (removed)
            {
                return 0;
            }

            this.nowNs = nowNs;
            count = 0;
            poller.poll(this);
            if (count >= MAX_EVENTS_PER_POLL)
            {
                signal(false);
            }

            return count;
        }

        /**
         * Delivers whatever is left in the ring (bounded: a few ring lengths). Worker thread, at close.
         */
        void drainOnClose(final long nowNs)
        {
            for (int rounds = 0; rounds < 64; rounds++)
            {
                this.nowNs = nowNs;
                count = 0;
                try
                {
                    poller.poll(this);
                }
                catch (final Exception ex)
                {
                    stream.metrics().consumerErrors.increment();
                    return;
                }

                if (count < MAX_EVENTS_PER_POLL)
                {
                    return;
                }
            }
        }

        /**
         * Every consumer gets its close call even if an earlier one throws, so none keeps buffers.
         */
        void close()
        {
            for (final StreamConsumer consumer : consumers)
            {
                try
                {
                    consumer.onStreamClosed(stream);
                }
                catch (final RuntimeException ex)
                {
                    stream.metrics().consumerErrors.increment();
                    stream.onConsumerError(consumer, ex);
                }
            }
        }

        int idle(final long nowNs)
        {
            int work = 0;
            for (final StreamConsumer consumer : consumers)
            {
                work += consumer.onIdle(stream, nowNs);
            }

            return work;
        }

        @Override
        public boolean onEvent(final AccessUnitEvent event, final long sequence, final boolean endOfBatch)
        {
            for (final StreamConsumer consumer : consumers)
            {
                try
                {
                    consumer.onEvent(stream, event, nowNs);
                }
                catch (final RuntimeException ex)
                {
                    stream.metrics().consumerErrors.increment();
                    stream.onConsumerError(consumer, ex);
                }
            }

            LiveStream.releaseGroupReference(event);
            return ++count < MAX_EVENTS_PER_POLL;
        }
    }
}
