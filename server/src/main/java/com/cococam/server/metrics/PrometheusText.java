package com.cococam.server.metrics;

import com.cococam.server.stream.LiveStream;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Renders stream metrics in the Prometheus text exposition format (version 0.0.4).
 *
 * <p>Per path: ingest bytes and frames, viewers, drops and skips, and the ingest-to-send latency histogram as a
 * summary (p50, p99, p99.9, max) in seconds, cumulative since start. Cold path (a scrape allocates strings).
 */
public final class PrometheusText
{
    private static final double[] QUANTILES = {0.5, 0.99, 0.999};

    /** Upper bounds of the latency histogram buckets, nanoseconds (labels in seconds). */
    private static final long[] BUCKET_BOUNDS_NS = {
        100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000,
        100_000_000, 250_000_000, 1_000_000_000};

    private PrometheusText()
    {
    }

    /**
     * @param streams the live streams.
     * @param extra   more exposition text appended as is (may be empty).
     * @return the exposition text.
     */
    public static String render(final Collection<LiveStream> streams, final String extra)
    {
        final List<LiveStream> sorted = new ArrayList<>(streams);
        sorted.sort(Comparator.comparing(LiveStream::path));
        final StringBuilder out = new StringBuilder(1024 + 2048 * sorted.size());

        counter(out, sorted, "cococam_ingest_bytes_total", "Payload bytes received from publishers.",
            s -> s.metrics().ingestBytes.sum());
        counter(out, sorted, "cococam_ingest_frames_total", "Access units received from publishers.",
            s -> s.metrics().ingestFrames.sum());
        gauge(out, sorted, "cococam_viewers", "Viewers connected now (RTMP and other pushed protocols).",
            s -> s.metrics().viewers.get());
        counter(out, sorted, "cococam_ring_drops_total", "Access units dropped because the ring was full.",
            s -> s.metrics().ringDrops.sum());
        counter(out, sorted, "cococam_viewer_skips_total", "Times a slow viewer skipped to the next keyframe.",
            s -> s.metrics().viewerSkips.sum());
        counter(out, sorted, "cococam_viewer_skipped_frames_total", "Frames not sent to slow viewers.",
            s -> s.metrics().viewerSkippedFrames.sum());
        counter(out, sorted, "cococam_viewer_disconnects_total", "Viewers disconnected for being too slow.",
            s -> s.metrics().viewerDisconnects.sum());
        counter(out, sorted, "cococam_consumer_errors_total", "Failures inside stream consumers.",
            s -> s.metrics().consumerErrors.sum());
        counter(out, sorted, "cococam_publishes_total", "Publisher sessions started.", s -> s.metrics().publishes.sum());
        counter(out, sorted, "cococam_hls_segments_total", "HLS segments completed.", s -> s.metrics().hlsSegments.sum());
        gauge(out, sorted, "cococam_publisher_connected", "1 while a publisher is connected.",
            s -> s.publisher() != null && s.publisher().isActive() ? 1 : 0);
        // One digest per stream for both families: each folds the viewer loops' recorders into the total and reads
        // it once.
        final Map<LiveStream, HistogramDigest> latency = new IdentityHashMap<>(sorted.size() * 2);
        for (final LiveStream stream : sorted)
        {
            latency.put(stream, stream.metrics().readLatencies(PrometheusText::digest));
        }

        summary(out, sorted, "cococam_ingest_to_send_latency_seconds",
            "Time from arrival of a frame to its hand-off to a viewer socket (HdrHistogram, since start).",
            latency::get);
        histogram(out, sorted, "cococam_ingest_to_send_seconds",
            "Time from arrival of a frame to its hand-off to a viewer socket, as cumulative buckets (since start), "
                + "so that any window can be taken from two scrapes.",
            latency::get);
        summary(out, sorted, "cococam_hls_listing_delay_seconds",
            "Time from arrival of a segment's last frame to the segment's listing in the playlist.",
            s -> s.metrics().readHlsListingDelays(PrometheusText::digest));
        out.append(extra);
        return out.toString();
    }

    private static void counter(
        final StringBuilder out,
        final List<LiveStream> streams,
        final String name,
        final String help,
        final ToLongFunction<LiveStream> value)
    {
        family(out, streams, name, help, "counter", value);
    }

    private static void gauge(
        final StringBuilder out,
        final List<LiveStream> streams,
        final String name,
        final String help,
        final ToLongFunction<LiveStream> value)
    {
        family(out, streams, name, help, "gauge", value);
    }

    /**
     * Writes the HELP and TYPE lines of a metric family. Any thread.
     *
     * @param out  where to append.
     * @param name the metric name.
     * @param type {@code counter}, {@code gauge}, {@code summary} or {@code histogram}.
     * @param help one line of help text.
     */
    public static void header(final StringBuilder out, final String name, final String type, final String help)
    {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n')
            .append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void family(
        final StringBuilder out,
        final List<LiveStream> streams,
        final String name,
        final String help,
        final String type,
        final ToLongFunction<LiveStream> value)
    {
        header(out, name, type, help);
        for (final LiveStream stream : streams)
        {
            final long v = value.applyAsLong(stream);
            out.append(name).append("{path=\"").append(escape(stream.path())).append("\"} ").append(v).append('\n');
        }
    }

    private static HistogramDigest digest(final Histogram histogram)
    {
        return HistogramDigest.of(histogram, QUANTILES, BUCKET_BOUNDS_NS);
    }

    private static void summary(
        final StringBuilder out,
        final List<LiveStream> streams,
        final String name,
        final String help,
        final Function<LiveStream, HistogramDigest> source)
    {
        header(out, name, "summary", help);
        for (final LiveStream stream : streams)
        {
            final HistogramDigest digest = source.apply(stream);
            final String label = "path=\"" + escape(stream.path()) + "\"";
            for (int q = 0; q < QUANTILES.length; q++)
            {
                out.append(name).append('{').append(label).append(",quantile=\"").append(QUANTILES[q]).append("\"} ")
                    .append(seconds(digest.quantile(q))).append('\n');
            }

            out.append(name).append("_max{").append(label).append("} ").append(seconds(digest.max())).append('\n');
            out.append(name).append("_count{").append(label).append("} ").append(digest.count()).append('\n');
            out.append(name).append("_sum{").append(label).append("} ").append(seconds(digest.sum())).append('\n');
        }
    }

    private static void histogram(
        final StringBuilder out,
        final List<LiveStream> streams,
        final String name,
        final String help,
        final Function<LiveStream, HistogramDigest> source)
    {
        header(out, name, "histogram", help);
        for (final LiveStream stream : streams)
        {
            final HistogramDigest digest = source.apply(stream);
            final String label = "path=\"" + escape(stream.path()) + "\"";
            for (int b = 0; b < BUCKET_BOUNDS_NS.length; b++)
            {
                out.append(name).append("_bucket{").append(label).append(",le=\"").append(seconds(BUCKET_BOUNDS_NS[b]))
                    .append("\"} ").append(digest.cumulative(b)).append('\n');
            }

            out.append(name).append("_bucket{").append(label).append(",le=\"+Inf\"} ").append(digest.count())
                .append('\n');
            out.append(name).append("_count{").append(label).append("} ").append(digest.count()).append('\n');
            out.append(name).append("_sum{").append(label).append("} ").append(seconds(digest.sum())).append('\n');
        }
    }

    /**
     * Nanoseconds as seconds with nine decimals, exactly (what {@code %.9f} of {@code nanos / 1e9} gives, without
     * the formatter's cost: a scrape of a hundred streams formats thousands of values).
     */
    static String seconds(final long nanos)
    {
        final long abs = Math.abs(nanos);
        final String fraction = Long.toString(1_000_000_000L + abs % 1_000_000_000L).substring(1);
        return (nanos < 0 ? "-" : "") + abs / 1_000_000_000L + "." + fraction;
    }

    private static String escape(final String value)
    {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
