package com.cococam.server.metrics;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The one-pass digest gives what HdrHistogram's own queries give, on the scrape's quantiles and bounds.
 */
class HistogramDigestTest
{
    private static final double[] QUANTILES = {0.5, 0.99, 0.999};
    private static final long[] BOUNDS = {100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000,
        25_000_000, 50_000_000, 100_000_000, 250_000_000, 1_000_000_000};

    @Test
    void shouldMatchHdrHistogramsQueriesOnSpreadValuesAndValuesOnTheBounds()
    {
        final Random random = new Random(11);
        for (final int size : new int[] {1, 2, 3, 999, 1000, 1001, 50_000})
        {
            final Histogram histogram = new Histogram(1_000, 30_000_000_000L, 2);
            for (int i = 0; i < size; i++)
            {
                // Log-spread values from 1 us to 3 s, and some exactly on the bounds.
                histogram.recordValue(i % 97 == 0 ? BOUNDS[i % BOUNDS.length] :
                    (long)Math.pow(10, 3 + random.nextDouble() * 6.5));
            }

            assertMatches(histogram, "size " + size);
        }
    }

    @Test
    void shouldMatchOnSkewedCountsWhereAQuantileFallsOnABucketEdge()
    {
        // 999 values in one bucket and 1 far above: p99.9 is exactly at the edge of the running count.
        final Histogram histogram = new Histogram(1_000, 30_000_000_000L, 2);
        histogram.recordValueWithCount(150_000, 999);
        histogram.recordValue(20_000_000);
        assertMatches(histogram, "edge");
        assertEquals(histogram.highestEquivalentValue(150_000), HistogramDigest.of(histogram, QUANTILES, BOUNDS)
            .quantile(2));

        histogram.recordValue(20_000_000);
        assertMatches(histogram, "past the edge");
    }

    @Test
    void shouldGiveZeroesForAnEmptyHistogram()
    {
        final HistogramDigest digest = HistogramDigest.of(new Histogram(1_000, 30_000_000_000L, 2), QUANTILES, BOUNDS);
        assertEquals(0, digest.count());
        assertEquals(0, digest.sum());
        assertEquals(0, digest.max());
        assertEquals(0, digest.quantile(0));
        assertEquals(0, digest.cumulative(BOUNDS.length - 1));
    }

    private static void assertMatches(final Histogram histogram, final String what)
    {
        final HistogramDigest digest = HistogramDigest.of(histogram, QUANTILES, BOUNDS);
        assertEquals(histogram.getTotalCount(), digest.count(), what);
        assertEquals(histogram.getMaxValue(), digest.max(), what);
        assertEquals((long)(histogram.getMean() * histogram.getTotalCount()), digest.sum(), what);
        for (int q = 0; q < QUANTILES.length; q++)
        {
            assertEquals(histogram.getValueAtPercentile(QUANTILES[q] * 100), digest.quantile(q),
                what + " quantile " + QUANTILES[q]);
        }

        for (int b = 0; b < BOUNDS.length; b++)
        {
            assertEquals(histogram.getCountBetweenValues(0, BOUNDS[b]), digest.cumulative(b), what + " le " + BOUNDS[b]);
        }
    }
}
