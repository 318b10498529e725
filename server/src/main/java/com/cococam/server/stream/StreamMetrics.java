package com.cococam.server.stream;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Counters of one live stream, read by the metrics endpoint.
 *
 * <p>Thread safety: every field may be updated from the publisher's event loop, the workers and the viewers'
 * event loops; reads are racy snapshots, which is what a scrape wants. Allocation: none per update in steady
 * state (a {@link LongAdder} allocates cells only under contention).
 */
public final class StreamMetrics
{
    /** Highest latency tracked, in nanoseconds; longer values are clamped. */
    public static final long MAX_LATENCY_NS = TimeUnit.SECONDS.toNanos(30);

    /** Smallest latency told apart from zero by the histograms: 1 microsecond. */
    public static final long LOWEST_NS = 1_000;

    /** Significant decimal digits the histograms keep (2: values within 1 %). */
    public static final int DIGITS = 2;

    /** Payload bytes received from publishers. */
    public final LongAdder ingestBytes = new LongAdder();

    /** Access units received from publishers. */
    public final LongAdder ingestFrames = new LongAdder();

    /** Access units the ring could not take (every consumer lagged a full ring); each is a discontinuity. */
    public final LongAdder ringDrops = new LongAdder();

    /** Frames not sent to some viewer because it was behind (skipped to the next keyframe). */
    public final LongAdder viewerSkippedFrames = new LongAdder();

    /** Times a viewer entered skip-to-keyframe mode. */
    public final LongAdder viewerSkips = new LongAdder();

    /** Viewers disconnected for being too far behind. */
    public final LongAdder viewerDisconnects = new LongAdder();

    /** Exceptions thrown by consumers (each counted, the event still goes to the others). */
    public final LongAdder consumerErrors = new LongAdder();

    /** Live viewers connected now (pushed protocols: RTMP, ...). */
    public final AtomicInteger viewers = new AtomicInteger();

    /** Publisher sessions started on this path. */
    public final LongAdder publishes = new LongAdder();

    /** HLS segments completed. */
    public final LongAdder hlsSegments = new LongAdder();

    // 1 us to 30 s at 2 significant digits (1 % resolution): about 19 KB per histogram. The former 1 ns..30 s at 3
    // digits took about 200 KB each, 1.6 MB per stream for the four histograms of each of the two metrics.
    private final Recorder hlsListingRecorder = new Recorder(LOWEST_NS, MAX_LATENCY_NS, DIGITS);
    private final Histogram hlsListingTotal = new Histogram(LOWEST_NS, MAX_LATENCY_NS, DIGITS);
    private Histogram hlsListingInterval;
    private final Histogram latencyTotal = new Histogram(LOWEST_NS, MAX_LATENCY_NS, DIGITS);
    private final CopyOnWriteArrayList<BatchLatencyRecorder> batchRecorders = new CopyOnWriteArrayList<>();

    /**
     * Records how long after the arrival of a segment's last frame the segment was listed in the playlist.
     *
     * @param delayNs nanoseconds.
     */
    public void recordHlsListingDelay(final long delayNs)
    {
        hlsListingRecorder.recordValue(Math.min(Math.max(delayNs, 0), MAX_LATENCY_NS));
    }

    /**
     * Folds the HLS listing delays recorded since the last call into the running total and reads the total.
     * Scraper only (synchronized against concurrent scrapes).
     *
     * @param reader reads the total since start; it must not keep it (it changes at the next call).
     * @param <T>    what the reader makes of it.
     * @return what the reader returned.
     */
    public synchronized <T> T readHlsListingDelays(final Function<Histogram, T> reader)
    {
        hlsListingInterval = hlsListingRecorder.getIntervalHistogram(hlsListingInterval);
        hlsListingTotal.add(hlsListingInterval);
        return reader.apply(hlsListingTotal);
    }

    /**
     * Folds the latencies recorded since the last call into the running total and reads the total, without
     * copying it. Scraper only (synchronized against concurrent scrapes).
     *
     * @param reader reads the total since start; it must not keep it (it changes at the next call).
     * @param <T>    what the reader makes of it.
     * @return what the reader returned.
     */
    public synchronized <T> T readLatencies(final Function<Histogram, T> reader)
    {
        for (final BatchLatencyRecorder recorder : batchRecorders)
        {
            recorder.drainInto(latencyTotal);
        }

        return reader.apply(latencyTotal);
    }

    /**
     * Makes a recorder for the ingest-to-send latencies of one event loop's viewers, added to this stream's
     * latency histogram. Cold path (once per protocol group and event loop).
     *
     * @return the recorder, kept for the stream's life.
     */
    BatchLatencyRecorder newBatchRecorder()
    {
        final BatchLatencyRecorder recorder = new BatchLatencyRecorder();
        batchRecorders.add(recorder);
        return recorder;
    }
}
