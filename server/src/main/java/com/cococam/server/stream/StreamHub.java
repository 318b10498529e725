package com.cococam.server.stream;

import io.netty.util.concurrent.FastThreadLocalThread;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Registry of live paths and owner of the worker threads that run every stream's consumers.
 *
 * <p>Threads: {@code liveWorkers} workers for packaging and the fan-outs' housekeeping, one recorder worker; streams
 * are spread over the live workers by creation order. Each stream's fan-out to pushed viewers runs on the thread
 * that publishes to it ({@link FanoutDrain}). No thread per stream or per viewer.
 *
 * <p>Thread safety: all public methods may be called from any thread.
 */
public final class StreamHub implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(StreamHub.class);
    /**
     * A live worker's longest park while it has rings to poll: HLS units other than video keyframes (which wake it,
     * see {@link StreamConsumer#wakeOnPublish}) wait up to this long, and only add to the open segment.
     */
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(20);

    /**
     * The recorder is not woken per publish: it writes whatever accumulated every 10 ms (a 25 fps camera's ring
     * holds well over that). Journal writes are not latency-sensitive, and the wake-ups were the recorder's main
     * cost with many cameras (context switches, bench/results/2026-12-04-side-by-side-profile.txt).
     */
    private static final long RECORD_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final ConcurrentMap<String, LiveStream> streams = new ConcurrentHashMap<>();
    private final StreamWorker[] liveWorkers;
    private final StreamWorker recordWorker;
    private final AgentRunner[] runners;
    private final StreamPipeline pipeline;
    private final int ringSize;
    private final long takeoverIdleNs;
    private final AtomicInteger nextWorker = new AtomicInteger();

    /**
     * Starts the workers.
     *
     * @param liveWorkerCount number of live workers, at least 1.
     * @param ringSize        ring slots per stream, a power of two.
     * @param takeoverIdleMs  a second publisher takes a path over only if the first sent nothing for this long.
     * @param pipeline        makes each stream's consumers.
     */
    public StreamHub(
        final int liveWorkerCount,
        final int ringSize,
        final long takeoverIdleMs,
        final StreamPipeline pipeline)
    {
        if (Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("ring size must be a power of two: ringSize=" + ringSize);
        }

        this.ringSize = ringSize;
        this.takeoverIdleNs = TimeUnit.MILLISECONDS.toNanos(takeoverIdleMs);
        this.pipeline = pipeline;
        this.liveWorkers = new StreamWorker[Math.max(1, liveWorkerCount)];
        this.runners = new AgentRunner[liveWorkers.length + 1];
        final ErrorHandler errorHandler = ex -> LOG.error("worker error", ex);
        for (int i = 0; i < liveWorkers.length; i++)
        {
            liveWorkers[i] = new StreamWorker("cococam-live-" + i, new WakeableIdleStrategy(MAX_PARK_NS));
            runners[i] = start(liveWorkers[i], errorHandler);
        }

        recordWorker = new StreamWorker("cococam-recorder", new WakeableIdleStrategy(RECORD_PERIOD_NS, false));
        runners[liveWorkers.length] = start(recordWorker, errorHandler);
    }

    private static AgentRunner start(final StreamWorker worker, final ErrorHandler errorHandler)
    {
        final AgentRunner runner = new AgentRunner(worker.idleStrategy(), errorHandler, null, worker);
        AgentRunner.startOnThread(runner, r ->
        {
            // Netty's thread type: recycled slices, duplicates and OutFrames, and a per-thread allocator cache,
            // only work there; on a plain thread each forwarded frame would allocate about 120 bytes.
            final Thread thread = new FastThreadLocalThread(r, worker.roleName());
            thread.setDaemon(true);
            return thread;
        });
        return runner;
    }

    /**
     * @param path a path such as {@code live/cam1}.
     * @return the stream, or null if none exists.
     */
    public LiveStream find(final String path)
    {
        return streams.get(path);
    }

    /**
     * @param path a path.
     * @return the stream, created with its consumers if needed.
     */
    public LiveStream getOrCreate(final String path)
    {
        return streams.computeIfAbsent(path, this::create);
    }

    /**
     * @return a snapshot view of all streams.
     */
    public Collection<LiveStream> streams()
    {
        return Collections.unmodifiableCollection(streams.values());
    }

    private LiveStream create(final String path)
    {
        final StreamWorker liveWorker = liveWorkers[Math.floorMod(nextWorker.getAndIncrement(), liveWorkers.length)];
        final LiveFanout fanout = new LiveFanout();
        final StreamConsumer[] live = pipeline.liveConsumers(path);
        final StreamConsumer recorder = pipeline.recordConsumer(path);

        final LiveStream stream = new LiveStream(
            path, this, ringSize, liveWorker, live, recordWorker, recorder, fanout);
        fanout.bindStream(stream);
        LOG.info("[path {}] created (worker {}, recording {})", path, liveWorker.roleName(),
            recorder == null ? "off" : "on");
        return stream;
    }

    /**
     * Starts publishing on a path. Cold path.
     *
     * @param path        the path.
     * @param description who publishes, for logs.
     * @param onEvicted   called (from any thread) when a later publisher takes the path over; must close the
     *                    connection.
     * @return the session to write media into.
     * @throws PublishRefusedException if another publisher is live on the path.
     */
    public PublishSession startPublish(final String path, final String description, final Runnable onEvicted)
        throws PublishRefusedException
    {
        final LiveStream stream = getOrCreate(path);
        final PublishSession session = stream.startPublish(description, onEvicted, takeoverIdleNs);
        LOG.info("[path {}] publishing: {}", path, description);
        return session;
    }

    void endPublish(final PublishSession session)
    {
        if (session.stream().endPublish(session))
        {
            LOG.info("[path {}] publisher left: {}", session.stream().path(), session.description());
        }
        else
        {
            LOG.info("[path {}] taken-over publisher disconnected: {}", session.stream().path(),
                session.description());
        }
    }

    @Override
    public void close()
    {
        for (final AgentRunner runner : runners)
        {
            runner.close();
        }

        streams.clear();
    }
}
