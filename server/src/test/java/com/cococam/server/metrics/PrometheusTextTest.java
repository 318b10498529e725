package com.cococam.server.metrics;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scrape's own number formatting and bucket counting give what the general-purpose ones did.
 */
class PrometheusTextTest
{
    @Test
    void shouldFormatNanosecondsAsSecondsWithNineDecimals()
    {
        assertEquals("0.000000000", PrometheusText.seconds(0));
        assertEquals("0.000100000", PrometheusText.seconds(100_000));
        assertEquals("1.000000000", PrometheusText.seconds(1_000_000_000));
        assertEquals("12.345678901", PrometheusText.seconds(12_345_678_901L));
        assertEquals("-0.000000005", PrometheusText.seconds(-5));
        final Random random = new Random(7);
        for (int i = 0; i < 10_000; i++)
        {
            final long nanos = (long)(random.nextDouble() * 40_000_000_000L);
            assertEquals(String.format(Locale.ROOT, "%.9f", nanos / 1e9), PrometheusText.seconds(nanos),
                "nanos " + nanos);
        }
    }

    @Test
    void shouldCountBucketsAsHdrHistogramDoesBetweenZeroAndEachBound()
    {
        final long[] bounds = {100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000,
            50_000_000, 100_000_000, 250_000_000, 1_000_000_000};
        final Histogram histogram = new Histogram(1_000, 30_000_000_000L, 2);
        final Random random = new Random(11);
        for (int i = 0; i < 50_000; i++)
        {
            // Log-spread values from 1 us to 3 s, and some exactly on the bounds.
            histogram.recordValue(i % 97 == 0 ? bounds[i % bounds.length] :
                (long)Math.pow(10, 3 + random.nextDouble() * 6.5));
        }

        final long[] counts = PrometheusText.cumulativeCounts(histogram, bounds);
        for (int b = 0; b < bounds.length; b++)
        {
            assertEquals(histogram.getCountBetweenValues(0, bounds[b]), counts[b], "bucket le " + bounds[b]);
        }

        assertEquals(0, PrometheusText.cumulativeCounts(new Histogram(1_000, 30_000_000_000L, 2), bounds)[11]);
    }
}
