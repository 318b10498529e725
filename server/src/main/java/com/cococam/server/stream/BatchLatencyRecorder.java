package com.cococam.server.stream;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * A latency histogram written by one thread in batches and read by the metrics scraper: the writer enters the
 * phaser once per batch ({@link #begin}/{@link #end}) and records each value into a plain {@link Histogram}, so a
 * value costs one array increment instead of the atomic operations of a shared recorder.
 *
 * <p>The reader swaps the active and inactive histograms under the phaser and adds what was recorded to its total,
 * as HdrHistogram's recorders do for each value.
 *
 * <p>Thread safety: one writer thread at a time ({@link #begin}, {@link #record}, {@link #end}); {@link #drainInto}
 * from any thread (it waits for a writer inside a batch to leave it). Allocation: none after construction.
 */
final class BatchLatencyRecorder
{
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Histogram active = newHistogram();
    private Histogram inactive = newHistogram();

    private static Histogram newHistogram()
    {
        return new Histogram(StreamMetrics.LOWEST_NS, StreamMetrics.MAX_LATENCY_NS, StreamMetrics.DIGITS);
    }

    /**
     * Starts a batch. Writer only.
     *
     * @return the token to give to {@link #end}.
     */
    long begin()
    {
        return phaser.writerCriticalSectionEnter();
    }

    /**
     * Records one latency; between {@link #begin} and {@link #end} only. Writer only.
     *
     * @param latencyNs nanoseconds, clamped to the histogram's range.
     */
    void record(final long latencyNs)
    {
        active.recordValue(Math.min(Math.max(latencyNs, 0), StreamMetrics.MAX_LATENCY_NS));
    }

    /**
     * Ends a batch. Writer only.
     *
     * @param token what {@link #begin} returned.
     */
    void end(final long token)
    {
        phaser.writerCriticalSectionExit(token);
    }

    /**
     * Adds everything recorded since the last call to {@code total}. Reader only.
     *
     * @param total the histogram to add to.
     */
    void drainInto(final Histogram total)
    {
        phaser.readerLock();
        try
        {
            inactive.reset();
            final Histogram recorded = active;
            active = inactive;
            inactive = recorded;
            phaser.flipPhase();
            total.add(recorded);
        }
        finally
        {
            phaser.readerUnlock();
        }
    }
}
