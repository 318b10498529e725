package com.cococam.server.stream;

import com.lmax.disruptor.EventPoller;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker thread's duty cycle: polls the rings of the streams bound to it and hands each access unit to that
 * binding's consumers. A fixed set of workers serves every stream: no thread per stream or per viewer.
 *
 * <p>Each drain is bounded ({@link #MAX_EVENTS_PER_POLL} events per stream per cycle) so one busy stream cannot
 * starve the others on the same worker.
 *
 * <p>Thread safety: {@link #bind}, {@link #unbind} and {@link #execute} may be called from any thread; they post
 * to the worker. Everything else runs on the worker thread.
 */
public final class StreamWorker implements Agent
{
    /** Most events taken from one stream's ring in one duty cycle. */
    public static final int MAX_EVENTS_PER_POLL = 256;

    private static final long IDLE_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String name;
    private final WakeableIdleStrategy idleStrategy;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(4096);
    private final List<Binding> bindings = new ArrayList<>();
    private long nextIdleNs;

    /**
     * @param name         agent role name, e.g. {@code live-0}.
     * @param idleStrategy the idle strategy the runner of this agent uses (so producers can wake it).
     */
    public StreamWorker(final String name, final WakeableIdleStrategy idleStrategy)
    {
        this.name = name;
        this.idleStrategy = idleStrategy;
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
     */
    public void bind(final LiveStream stream, final EventPoller<AccessUnitEvent> poller,
        final StreamConsumer... consumers)
    {
        execute(() -> bindings.add(new Binding(stream, poller, consumers)));
    }

    /**
     * Removes a stream's bindings from this worker; its consumers get {@link StreamConsumer#onStreamClosed}.
     *
     * @param stream the stream.
     */
    public void unbind(final LiveStream stream)
    {
        execute(() -> bindings.removeIf(binding ->
        {
            if (binding.stream == stream)
            {
                binding.close();
                return true;
            }

            return false;
        }));
    }

    @Override
    public int doWork() throws Exception
    {
        int work = commands.drain(Runnable::run, 64);
        final long nowNs = System.nanoTime();
        final boolean idleDue = nowNs - nextIdleNs >= 0;

        for (int i = 0, n = bindings.size(); i < n; i++)
        {
            final Binding binding = bindings.get(i);
            work += binding.poll(nowNs);
            if (idleDue)
            {
                work += binding.idle(nowNs);
            }
        }

        if (idleDue)
        {
            nextIdleNs = nowNs + IDLE_PERIOD_NS;
        }

        return work;
    }

    @Override
    public void onClose()
    {
        for (final Binding binding : bindings)
        {
            binding.close();
        }

        bindings.clear();
    }

    @Override
    public String roleName()
    {
        return name;
    }

    private static final class Binding implements EventPoller.Handler<AccessUnitEvent>
    {
        private final LiveStream stream;
        private final EventPoller<AccessUnitEvent> poller;
        private final StreamConsumer[] consumers;
        private long nowNs;
        private int count;

        Binding(final LiveStream stream, final EventPoller<AccessUnitEvent> poller, final StreamConsumer[] consumers)
        {
            this.stream = stream;
            this.poller = poller;
            this.consumers = consumers;
        }

        int poll(final long nowNs) throws Exception
        {
            this.nowNs = nowNs;
            count = 0;
            poller.poll(this);
            return count;
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
