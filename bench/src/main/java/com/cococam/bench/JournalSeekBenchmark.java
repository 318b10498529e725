package com.cococam.bench;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.record.JournalOptions;
import com.cococam.server.record.JournalReader;
import com.cococam.server.record.JournalRecordHandler;
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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Playback and export: {@link JournalReader#seek} to a wall-clock time in a journal holding one hour of 25 fps
 * video with a keyframe every 2 s (90,000 access units, 1,800 keyframe index entries, one daily cycle), and the
 * same seek followed by reading the keyframe record it landed on. The targets are 4,096 pseudo-random times
 * spread over the hour, taken in turn.
 *
 * <p>Disk bound: the units are small (1,000-byte keyframes, 100-byte deltas, about 11 MB in all) because only
 * the index and the record headers matter for a seek; the folder is deleted at the end.
 *
 * <p>Runs on a plain thread (playback readers run on worker threads), with Chronicle's JVM flags.
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
public class JournalSeekBenchmark
{
    /** Length of the recording. */
    public static final long RECORDING_MS = TimeUnit.HOURS.toMillis(1);

    private static final long FRAME_MS = 40;
    private static final int KEYFRAME_BYTES = 1_000;
    private static final int DELTA_BYTES = 100;
    private static final int TARGETS = 4096;

    static
    {
        BenchJvm.disableAnalytics();
    }

    private final long[] targetsMs = new long[TARGETS];
    private final KeyframeHandler handler = new KeyframeHandler();
    private Path directory;
    private CameraJournal journal;
    private JournalReader reader;
    private long startMs;
    private int next;

    /**
     * Records the hour into a new temporary folder and opens a reader.
     *
     * @throws IOException when the folder cannot be made.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        directory = Files.createTempDirectory("cococam-bench-seek");
        final long dayMs = TimeUnit.DAYS.toMillis(1);
        startMs = 1_764_000_000_000L / dayMs * dayMs + TimeUnit.HOURS.toMillis(6);
        final long[] nowMs = {startMs};
        journal = CameraJournal.open(directory, "cam1", () -> nowMs[0], JournalOptions.defaults());
        final TrackFormat video = BenchMedia.videoFormat();
        journal.appendFormat(video, startMs);
        final ByteBuf key = BenchMedia.videoUnit(KEYFRAME_BYTES, true, 31);
        final ByteBuf delta = BenchMedia.videoUnit(DELTA_BYTES, false, 32);
        final long units = RECORDING_MS / FRAME_MS;
        for (long n = 0; n < units; n++)
        {
            final boolean keyframe = n % BenchMedia.GOP_FRAMES == 0;
            final long dts = n * BenchMedia.VIDEO_STEP_90K;
            nowMs[0] = startMs + n * FRAME_MS;
            journal.appendAccessUnit(TrackFormat.VIDEO_TRACK, keyframe ? FrameFlags.KEYFRAME : 0, dts, dts, nowMs[0],
                keyframe ? key : delta);
        }

        key.release();
        delta.release();
        final SplittableRandom random = new SplittableRandom(33);
        for (int i = 0; i < TARGETS; i++)
        {
            targetsMs[i] = startMs + random.nextLong(RECORDING_MS);
        }

        reader = journal.createReader();
        final long landedMs = reader.seek(startMs + RECORDING_MS / 2 + 1_000);
        if (landedMs != startMs + RECORDING_MS / 2 || reader.read(handler, 1) != 1 || handler.keyframes != 1)
        {
            throw new IllegalStateException("seek landed at " + (landedMs - startMs) + " ms, keyframes="
                + handler.keyframes);
        }
    }

    /**
     * Closes the reader and the journal and deletes the folder.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.printf("%n[journal seek] keyframes read=%d%n", handler.keyframes);
        reader.close();
        journal.close();
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
     * Seeks to the next target time.
     *
     * @return the index time landed on.
     */
    @Benchmark
    public long seek()
    {
        final long targetMs = targetsMs[next++ & (TARGETS - 1)];
        return reader.seek(targetMs);
    }

    /**
     * Seeks to the next target time and reads the keyframe record found there (format delivery included).
     *
     * @return records read (1).
     */
    @Benchmark
    public int seekAndReadKeyframe()
    {
        final long targetMs = targetsMs[next++ & (TARGETS - 1)];
        reader.seek(targetMs);
        return reader.read(handler, 1);
    }

    /**
     * Counts keyframes; keeps nothing.
     */
    static final class KeyframeHandler implements JournalRecordHandler
    {
        long keyframes;
        int formats;

        @Override
        public void onFormat(final TrackFormat format, final long wallClockMs)
        {
            formats++;
        }

        @Override
        public void onAccessUnit(
            final int trackId,
            final int flags,
            final long dts90k,
            final long pts90k,
            final long wallClockMs,
            final ByteBuf payload)
        {
            if ((flags & FrameFlags.KEYFRAME) != 0)
            {
                keyframes++;
            }
        }
    }
}
