package com.cococam.bench;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.record.JournalOptions;
import io.netty.buffer.ByteBuf;
import net.openhft.chronicle.queue.RollCycles;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Recording: {@link CameraJournal#appendAccessUnit} of 30 KB video units (a keyframe every 50th, indexed) into a
 * Chronicle Queue journal in a temporary folder, with the formats appended first.
 *
 * <p>Disk bound: the journal's clock is the benchmark's own. Once a cycle holds {@value #CYCLE_CAP_BYTES} bytes
 * the clock jumps to the next hour (FAST_HOURLY cycles) and the cycle before is deleted, as retention would do,
 * so the folder never holds much more than two cycles' worth. The roll and the delete happen inside the measured
 * operation about once per 4,400 units; their cost (and allocation) is part of the average, as it is in
 * production once per cycle. The folder is deleted at the end.
 *
 * <p>Runs on a plain thread (the recorder worker in production), with Chronicle's JVM flags.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.OPEN_LANG, BenchJvm.OPEN_REFLECT, BenchJvm.OPEN_IO, BenchJvm.OPEN_NIO,
    BenchJvm.OPEN_NIO_CH, BenchJvm.OPEN_MISC, BenchJvm.OPEN_UTIL, BenchJvm.OPEN_CONCURRENT, BenchJvm.EXPORT_REF,
    BenchJvm.EXPORT_NIO_CH, BenchJvm.EXPORT_SUN_MISC, BenchJvm.EXPORT_MISC, BenchJvm.EXPORT_JAVAC_FILE,
    BenchJvm.OPEN_JAVAC})
public class CameraJournalBenchmark
{
    /** Bytes per cycle before the benchmark rolls to the next one. */
    public static final long CYCLE_CAP_BYTES = 128L * 1024 * 1024;

    private static final long HOUR_MS = TimeUnit.HOURS.toMillis(1);

    static
    {
        BenchJvm.disableAnalytics();
    }

    private Path directory;
    private CameraJournal journal;
    private ByteBuf key;
    private ByteBuf delta;
    private volatile long nowMs;
    private long frame;
    private long bytesInCycle;
    private boolean deletePending;
    private long rolls;

    /**
     * Opens a journal in a new temporary folder and appends the formats.
     *
     * @throws IOException when the folder cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("cococam-bench-journal");
        nowMs = 1_764_000_000_000L / HOUR_MS * HOUR_MS + 1_000;
        journal = CameraJournal.open(directory, "cam1", () -> nowMs,
            JournalOptions.defaults().withRollCycle(RollCycles.FAST_HOURLY));
        final TrackFormat video = BenchMedia.videoFormat();
        journal.appendFormat(video, nowMs);
        journal.appendFormat(BenchMedia.audioFormat(), nowMs);
        key = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, true, 11);
        delta = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 12);
    }

    /**
     * Closes the journal and deletes its folder.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.printf("%n[journal] units=%d rolls=%d%n", frame, rolls);
        journal.close();
        key.release();
        delta.release();
        try (Stream<Path> files = Files.walk(directory))
        {
            files.sorted(Comparator.reverseOrder()).forEach(path ->
            {
                try
                {
                    Files.deleteIfExists(path);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Appends one access unit.
     *
     * @return units appended.
     */
    @Benchmark
    public long append()
    {
        final long n = frame++;
        final boolean keyframe = n % BenchMedia.GOP_FRAMES == 0;
        final long dts = n * BenchMedia.VIDEO_STEP_90K;
        final long wallClockMs = nowMs;
        journal.appendAccessUnit(TrackFormat.VIDEO_TRACK, keyframe ? FrameFlags.KEYFRAME : 0, dts, dts, wallClockMs,
            keyframe ? key : delta);
        nowMs = wallClockMs + 40;
        if (deletePending)
        {
            deletePending = false;
            journal.deleteCyclesEndingBefore(wallClockMs);
        }

        bytesInCycle += BenchMedia.VIDEO_UNIT_BYTES;
        if (bytesInCycle >= CYCLE_CAP_BYTES)
        {
            bytesInCycle = 0;
            nowMs = (wallClockMs / HOUR_MS + 1) * HOUR_MS + 1_000;
            deletePending = true;
            rolls++;
        }

        return n;
    }
}
