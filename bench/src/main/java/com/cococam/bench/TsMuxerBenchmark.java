package com.cococam.bench;

import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.mpegts.TsMuxer;
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

import java.util.concurrent.TimeUnit;

/**
 * HLS (TS variant) packaging: {@link TsMuxer#writeVideo} of a 30 KB access unit (keyframe every 50th, with the
 * parameter sets inserted) into a reused pooled output buffer. One operation = one access unit as TS packets.
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
public class TsMuxerBenchmark
{
    private TsMuxer muxer;
    private ByteBuf key;
    private ByteBuf delta;
    private ByteBuf out;
    private long frame;

    /**
     * Builds the muxer and the units.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final TrackFormat video = BenchMedia.videoFormat();
        muxer = new TsMuxer(video, BenchMedia.audioFormat());
        key = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, true, 9);
        delta = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 10);
        out = BenchMedia.ALLOC.directBuffer(64 * 1024);
    }

    /**
     * Frees the buffers.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        key.release();
        delta.release();
        out.release();
    }

    /**
     * Muxes one access unit.
     *
     * @return bytes of TS written.
     */
    @Benchmark
    public int writeVideo()
    {
        final long n = frame++;
        final boolean keyframe = n % BenchMedia.GOP_FRAMES == 0;
        final long dts = n * BenchMedia.VIDEO_STEP_90K;
        out.clear();
        if (!muxer.writeVideo(out, dts, dts + BenchMedia.VIDEO_STEP_90K, keyframe, keyframe ? key : delta))
        {
            throw new IllegalStateException("unit refused");
        }

        return out.readableBytes();
    }
}
