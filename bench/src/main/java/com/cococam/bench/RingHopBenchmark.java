package com.cococam.bench;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.config.StreamConfig;
import com.cococam.server.stream.AccessUnitEvent;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.PublishRefusedException;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.stream.StreamConsumer;
import com.cococam.server.stream.StreamHub;
import com.cococam.server.stream.StreamPipeline;
import io.netty.buffer.ByteBuf;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ring hop: an access unit written into a {@link PublishSession} (what the RTMP ingest does on its event loop)
 * until a consumer on the stream's live worker thread has it.
 *
 * <p>Everything is the real thing: a {@link StreamHub} with one live worker (an Agrona agent thread with the
 * production {@code WakeableIdleStrategy}), the Disruptor ring of the stream, the stream's {@code LiveFanout}
 * (no viewers, but it still maintains the GOP cache; run by the publishing thread itself, so its cost is in the
 * publish) and, on the live worker, an {@link ArrivalProbe} consumer that publishes the count of units it saw and
 * asks to be woken per publish. The benchmark thread plays the publisher.
 *
 * <ul>
 *     <li>{@link #hop}: publish one unit, spin until the probe saw it. Sample time, so the score is the round
 *     trip (publish, wake the worker, poll, consumers, back to the publisher through a volatile) with
 *     percentiles. The one-way publish-to-consumer time is recorded by the probe too (ingest nanos to arrival)
 *     and printed at the end of each trial.</li>
 *     <li>{@link #burst}: publish {@value #BURST} units back to back, then wait for the last: the amortized cost
 *     per unit when the worker is already awake, closer to the throughput limit of one stream.</li>
 * </ul>
 *
 * <p>Allocation: {@code -prof gc} on Java 17 reads the JVM-wide allocation counter, so gc.alloc.rate.norm
 * includes what the worker thread allocates per unit, not only the publisher.
 *
 * <p>Payloads: pooled direct buffers made once; the session stores a retained slice per unit (as in
 * production), the worker releases it after its consumers ran.
 *
 * <p>Thread kind: the publisher runs on a Netty event loop in production, so the benchmark thread is a
 * {@code FastThreadLocalThread} ({@link NettyThreadExecutor}). On a plain thread Netty 4.2 does not recycle the
 * retained slice and each publish allocates a {@code PooledSlicedByteBuf} and its {@code RefCnt} (about 80 B).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.EXPORT_MISC, BenchJvm.OPEN_MISC, BenchJvm.NETTY_EXECUTOR,
    BenchJvm.NETTY_EXECUTOR_CLASS})
public class RingHopBenchmark
{
    /** Units per {@link #burst} invocation; well below the ring size so nothing is dropped. */
    public static final int BURST = 64;

    private static final long WAIT_LIMIT_NS = TimeUnit.SECONDS.toNanos(2);

    static
    {
        BenchJvm.disableAnalytics();
    }

    /** Kind of unit: an audio-only stream of 1.5 KB units, or a video stream of 30 KB units (GOP 50). */
    @Param({"audio1500", "video30000"})
    public String unit;

    private StreamHub hub;
    private PublishSession session;
    private ArrivalProbe probe;
    private boolean video;
    private ByteBuf keyPayload;
    private ByteBuf deltaPayload;
    private long dts;
    private long frame;
    private long published;
    private boolean measuring;

    /**
     * Starts the hub, publishes the format and waits until the worker has bound the stream.
     *
     * @throws PublishRefusedException never (fresh hub).
     */
    @Setup(Level.Trial)
    public void setUp() throws PublishRefusedException
    {
        video = unit.startsWith("video");
        probe = new ArrivalProbe();
        hub = new StreamHub(1, StreamConfig.RING_SIZE_DEFAULT, StreamConfig.TAKEOVER_IDLE_MS_DEFAULT,
            new StreamPipeline()
            {
                @Override
                public StreamConsumer[] liveConsumers(final String path)
                {
                    return new StreamConsumer[] {probe};
                }

                @Override
                public StreamConsumer recordConsumer(final String path)
                {
                    return null;
                }
            });
        session = hub.startPublish("live/bench", "jmh publisher", () -> { });
        if (video)
        {
            session.onFormat(BenchMedia.videoFormat());
            keyPayload = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, true, 1);
            deltaPayload = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 2);
        }
        else
        {
            session.onFormat(BenchMedia.audioFormat());
            keyPayload = BenchMedia.audioUnit(BenchMedia.AUDIO_UNIT_BYTES, 1);
            deltaPayload = keyPayload.retain();
        }

        publishOne();
        awaitArrival(published);
        probe.resetHistogram();
    }

    /**
     * Restarts the probe's one-way histogram at each warmup iteration and at the first measurement iteration, so
     * that at the end it holds the measurement iterations only.
     *
     * @param iteration JMH's iteration parameters.
     */
    @Setup(Level.Iteration)
    public void startIteration(final IterationParams iteration)
    {
        if (iteration.getType() == IterationType.WARMUP || !measuring)
        {
            measuring = iteration.getType() == IterationType.MEASUREMENT;
            probe.resetHistogram();
        }
    }

    /**
     * Stops the worker, prints the one-way latency seen by the probe and frees the payloads.
     *
     * @param benchmark JMH's benchmark parameters (for the label).
     */
    @TearDown(Level.Trial)
    public void tearDown(final BenchmarkParams benchmark)
    {
        final Histogram oneWay = probe.snapshot();
        final String name = benchmark.getBenchmark().substring(benchmark.getBenchmark().lastIndexOf('.') + 1);
        System.out.printf("%n[ring hop %s %s] one-way publish->consumer ns: count=%d p50=%d p90=%d p99=%d"
                + " p99.9=%d max=%d drops=%d%n", name, unit, oneWay.getTotalCount(), oneWay.getValueAtPercentile(50),
            oneWay.getValueAtPercentile(90), oneWay.getValueAtPercentile(99), oneWay.getValueAtPercentile(99.9),
            oneWay.getMaxValue(), session.stream().metrics().ringDrops.sum());
        session.onClose();
        hub.close();
        keyPayload.release();
        deltaPayload.release();
    }

    /**
     * One unit, publish to consumer and back.
     *
     * @return the count the probe saw (consumed by JMH).
     */
    @Benchmark
    public long hop()
    {
        publishOne();
        return awaitArrival(published);
    }

    /**
     * {@value #BURST} units back to back, then wait for the last.
     *
     * @return the count the probe saw.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    @BenchmarkMode(Mode.AverageTime)
    public long burst()
    {
        for (int i = 0; i < BURST; i++)
        {
            publishOne();
        }

        return awaitArrival(published);
    }

    private void publishOne()
    {
        final long n = frame++;
        final boolean key = !video || n % BenchMedia.GOP_FRAMES == 0;
        final int trackId = video ? TrackFormat.VIDEO_TRACK : TrackFormat.AUDIO_TRACK;
        session.onAccessUnit(trackId, dts, dts, key ? FrameFlags.KEYFRAME : 0, key ? keyPayload : deltaPayload);
        dts += video ? BenchMedia.VIDEO_STEP_90K : BenchMedia.AUDIO_STEP_90K;
        published++;
    }

    private long awaitArrival(final long target)
    {
        long seen = probe.seen.get();
        if (seen >= target)
        {
            return seen;
        }

        final long deadline = System.nanoTime() + WAIT_LIMIT_NS;
        int spins = 0;
        while ((seen = probe.seen.get()) < target)
        {
            Thread.onSpinWait();
            if ((++spins & 0x3FF) == 0 && System.nanoTime() - deadline > 0)
            {
                throw new IllegalStateException("consumer did not see unit " + target + " within 2 s (saw " + seen +
                    ", ring drops " + session.stream().metrics().ringDrops.sum() + ")");
            }
        }

        return seen;
    }

    /**
     * A live consumer of the stream: counts units and records the one-way latency from the unit's ingest time.
     * Runs on the live worker, which it asks to be woken per publish (the HLS packager is not); allocation-free per
     * event.
     */
    static final class ArrivalProbe implements StreamConsumer
    {
        final AtomicLong seen = new AtomicLong();
        private final Histogram oneWayNs = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        private volatile boolean resetRequested;

        @Override
        public boolean wakeOnPublish(final int trackId, final int flags)
        {
            return true;
        }

        @Override
        public void onEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
        {
            if (FrameFlags.isEndOfStream(event.flags))
            {
                return;
            }

            if (resetRequested)
            {
                resetRequested = false;
                oneWayNs.reset();
            }

            oneWayNs.recordValue(Math.min(Math.max(0, System.nanoTime() - event.ingestNanos),
                oneWayNs.getHighestTrackableValue()));
            seen.lazySet(seen.get() + 1);
        }

        void resetHistogram()
        {
            resetRequested = true;
        }

        /**
         * Call only while nothing is published and after {@link #seen} showed the last unit (that read orders the
         * histogram writes before it).
         */
        Histogram snapshot()
        {
            return oneWayNs.copy();
        }
    }
}
