package com.cococam.server.metrics;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What a scrape shows of one histogram (count, sum, max, quantiles and cumulative bucket counts), taken in one pass
 * over its recorded values.
 *
 * <p>Each of HdrHistogram's own queries walks the whole counts array: a summary and a bucket family per stream made
 * about fifteen passes per histogram (one per quantile, one per mean, one per copy), and at a hundred streams a
 * scrape spent ~50 ms of CPU there, in bursts that compete with the event loops on a small box. The values here
 * are the same as those queries give (the tests compare them): a quantile is the highest value equivalent to the
 * bucket where the running count first reaches {@code ceil(q * count)}, the sum is that of each bucket's median
 * value times its count, and a value counts for every bound at or above the start of its bucket.
 *
 * <p>Thread safety: immutable once made; {@link #of} reads the histogram, which must not change meanwhile.
 */
final class HistogramDigest
{
    private final long count;
    private final long sum;
    private final long max;
    private final long[] quantileValues;
    private final long[] cumulative;

    private HistogramDigest(
        final long count, final long sum, final long max, final long[] quantileValues, final long[] cumulative)
    {
        this.count = count;
        this.sum = sum;
        this.max = max;
        this.quantileValues = quantileValues;
        this.cumulative = cumulative;
    }

    /**
     * @param histogram the values.
     * @param quantiles ascending, each in (0, 1].
     * @param bounds    ascending bucket upper bounds.
     * @return the digest.
     */
    static HistogramDigest of(final Histogram histogram, final double[] quantiles, final long[] bounds)
    {
        final long total = histogram.getTotalCount();
        final long[] values = new long[quantiles.length];
        final long[] cumulative = new long[bounds.length];
        if (total == 0)
        {
            return new HistogramDigest(0, 0, histogram.getMaxValue(), values, cumulative);
        }

        // The running count each quantile needs, rounded up and at least one value; a hair under q so that rounding
        // in q * total does not push it into the next bucket (as HdrHistogram does).
        final long[] needed = new long[quantiles.length];
        for (int q = 0; q < quantiles.length; q++)
        {
            final double percentile = Math.max(Math.nextDown(quantiles[q] * 100), 0);
            needed[q] = Math.max(1, (long)Math.ceil(percentile * total / 100));
        }

        double weighted = 0;
        long running = 0;
        int nextQuantile = 0;
        for (final HistogramIterationValue value : histogram.recordedValues())
        {
            final long highest = value.getValueIteratedTo();
            final long countHere = value.getCountAtValueIteratedTo();
            running += countHere;
            weighted += histogram.medianEquivalentValue(highest) * (double)countHere;
            while (nextQuantile < needed.length && running >= needed[nextQuantile])
            {
                values[nextQuantile++] = highest;
            }

            final long start = histogram.lowestEquivalentValue(highest);
            for (int b = bounds.length - 1; b >= 0 && start <= bounds[b]; b--)
            {
                cumulative[b] += countHere;
            }
        }

        // As mean * count, the way the sum was always shown.
        final long sum = (long)(weighted / total * total);
        return new HistogramDigest(total, sum, histogram.getMaxValue(), values, cumulative);
    }

    /**
     * @return values recorded.
     */
    long count()
    {
        return count;
    }

    /**
     * @return sum of the values (bucket medians), 0 when none.
     */
    long sum()
    {
        return sum;
    }

    /**
     * @return the largest value recorded (its bucket's highest equivalent), 0 when none.
     */
    long max()
    {
        return max;
    }

    /**
     * @param index position in the quantiles given to {@link #of}.
     * @return the value at that quantile, 0 when none were recorded.
     */
    long quantile(final int index)
    {
        return quantileValues[index];
    }

    /**
     * @param index position in the bounds given to {@link #of}.
     * @return values at or below that bound.
     */
    long cumulative(final int index)
    {
        return cumulative[index];
    }
}
