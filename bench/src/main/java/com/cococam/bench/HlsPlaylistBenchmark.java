package com.cococam.bench;

import com.cococam.protocols.hls.HlsPlaylistWriter;
import com.cococam.protocols.hls.HlsSegmentInfo;
import io.netty.buffer.ByteBuf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * HLS: {@link HlsPlaylistWriter#mediaPlaylist} of a live window of 6 fMP4 segments of 2 s with program date
 * times. Rendered once per new segment (every 2 s per stream), never per request: {@code mediaPlaylist} builds a
 * String (the compatibility form), {@code mediaPlaylistIntoBuffer} writes into a pooled buffer (what the packager
 * does).
 *
 * <p>Runs on a plain thread (the live worker in production).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX})
public class HlsPlaylistBenchmark
{
    /** Segments in the window. */
    public static final int WINDOW = 6;

    private final List<HlsSegmentInfo> segments = new ArrayList<>();
    private ByteBuf rendered;

    /**
     * Builds the window.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final long startMs = 1_764_000_000_000L;
        for (int i = 0; i < WINDOW; i++)
        {
            final long sequence = 1_000 + i;
            segments.add(new HlsSegmentInfo(sequence, "seg-" + sequence + ".m4s", 180_000 + (i % 2) * 90,
                startMs + i * 2_000L, false, "init-1.mp4", 1_250_000));
        }

        rendered = BenchMedia.ALLOC.directBuffer(HlsPlaylistWriter.estimateMediaPlaylistBytes(WINDOW));
    }

    /**
     * Renders the playlist.
     *
     * @return the text.
     */
    @Benchmark
    public String mediaPlaylist()
    {
        return HlsPlaylistWriter.mediaPlaylist(segments, 2, 0, false);
    }

    /**
     * Renders the playlist into a pooled direct buffer, as the packager does once per segment (the buffer is
     * reused here; the packager takes a new pooled one per snapshot and serves duplicates of it).
     *
     * @return bytes written.
     */
    @Benchmark
    public int mediaPlaylistIntoBuffer()
    {
        rendered.clear();
        return HlsPlaylistWriter.writeMediaPlaylist(rendered, segments, 2, 0, false);
    }

    /**
     * Frees the buffer.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        segments.clear();
        rendered.release();
    }
}
