package com.cococam.server.metrics;

import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The scrape's own number formatting gives what the general-purpose formatter did (its histogram figures: see
 * {@link HistogramDigestTest}).
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
}
