package com.cococam.bench;

import com.cococam.codec.fmp4.Fmp4FragmentWriter;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * HLS packaging: one 2 s fMP4 segment with {@link Fmp4FragmentWriter}: begin, 50 video samples of 30 KB (one
 * keyframe) and 94 AAC frames of 400 bytes, finish, release. One operation = one segment (144 samples); divide
 * B/op by 144 for the cost per sample. {@code finish}: {@code composite} ({@link Fmp4FragmentWriter#finish}: the
 * header and the sample slices as components) or {@code contiguous} ({@link Fmp4FragmentWriter#finishContiguous}:
 * copied into one buffer of the segment's size, what the HLS packager keeps and serves).
 *
 * <p>Runs on a plain thread (each {@code retainedSlice()} kept per sample is then a new object, see
 * {@link NettyThreadExecutor}); the HLS packager runs on a live worker, a {@code FastThreadLocalThread}, as
 * {@link Fmp4SegmentOnNettyThreadBenchmark} does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX})
public class Fmp4SegmentBenchmark
{
    /** How the segment is finished. */
    @Param({"composite", "contiguous"})
    public String finish;

    /** Video frames per segment: 2 s at 25 fps. */
    public static final int VIDEO_SAMPLES = 50;

    /** AAC frames per segment: 2 s at 48 kHz, 1024 samples each. */
    public static final int AUDIO_SAMPLES = 94;

    /** Typical AAC-LC frame at 128 kbit/s. */
    public static final int AUDIO_FRAME_BYTES = 400;

    private final Fmp4FragmentWriter writer = new Fmp4FragmentWriter(true);
    private TrackFormat video;
    private TrackFormat audio;
    private ByteBuf key;
    private ByteBuf delta;
    private ByteBuf aac;
    private long sequence;
    private long startDts;

    /**
     * Builds the samples.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        video = BenchMedia.videoFormat();
        audio = BenchMedia.audioFormat();
        key = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, true, 6);
        delta = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 7);
        aac = BenchMedia.audioUnit(AUDIO_FRAME_BYTES, 8);
    }

    /**
     * Frees the samples.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        writer.release();
        key.release();
        delta.release();
        aac.release();
    }

    /**
     * Builds one segment and releases it.
     *
     * @return the segment size.
     */
    @Benchmark
    public int segment()
    {
        writer.begin(sequence++);
        final long base = startDts;
        int audioIndex = 0;
        for (int i = 0; i < VIDEO_SAMPLES; i++)
        {
            final long dts = base + i * BenchMedia.VIDEO_STEP_90K;
            writer.addSample(video, dts, dts, i == 0, i == 0 ? key : delta);
            while (audioIndex < AUDIO_SAMPLES && base + audioIndex * BenchMedia.AUDIO_STEP_90K <= dts)
            {
                final long audioDts = base + audioIndex * BenchMedia.AUDIO_STEP_90K;
                writer.addSample(audio, audioDts, audioDts, true, aac);
                audioIndex++;
            }
        }

        while (audioIndex < AUDIO_SAMPLES)
        {
            final long audioDts = base + audioIndex * BenchMedia.AUDIO_STEP_90K;
            writer.addSample(audio, audioDts, audioDts, true, aac);
            audioIndex++;
        }

        startDts = base + VIDEO_SAMPLES * BenchMedia.VIDEO_STEP_90K;
        final ByteBuf segment = "contiguous".equals(finish) ? writer.finishContiguous(BenchMedia.ALLOC, startDts) :
            writer.finish(BenchMedia.ALLOC, startDts);
        final int size = segment.readableBytes();
        segment.release();
        return size;
    }
}
