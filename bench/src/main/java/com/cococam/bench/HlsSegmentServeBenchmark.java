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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * HLS serving: what one segment fetch costs the event loop before the kernel copy. One operation = take the
 * response body ({@code retainedDuplicate()}), ask it for its NIO buffers as the epoll/NIO transports do for a
 * gathering write, and release it. The segment is the one of {@link Fmp4SegmentBenchmark} (2 s, 50 video samples
 * of 30 KB, 94 AAC frames): as {@link Fmp4FragmentWriter} gives it (a composite of a header and 144 payload
 * slices), and as the packager now keeps it (one contiguous pooled direct copy); {@code flattenOnce} is the copy
 * that makes the second form, paid once per segment.
 *
 * <p>Runs on a Netty {@code FastThreadLocalThread}, like the HTTP event loops.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.NETTY_EXECUTOR, BenchJvm.NETTY_EXECUTOR_CLASS})
public class HlsSegmentServeBenchmark
{
    private ByteBuf composite;
    private ByteBuf contiguous;

    /**
     * Builds the segment both ways.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final TrackFormat video = BenchMedia.videoFormat();
        final TrackFormat audio = BenchMedia.audioFormat();
        final ByteBuf key = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, true, 6);
        final ByteBuf delta = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 7);
        final ByteBuf aac = BenchMedia.audioUnit(Fmp4SegmentBenchmark.AUDIO_FRAME_BYTES, 8);
        final Fmp4FragmentWriter writer = new Fmp4FragmentWriter(true);
        writer.begin(1);
        int audioIndex = 0;
        for (int i = 0; i < Fmp4SegmentBenchmark.VIDEO_SAMPLES; i++)
        {
            final long dts = i * BenchMedia.VIDEO_STEP_90K;
            writer.addSample(video, dts, dts, i == 0, i == 0 ? key : delta);
            while (audioIndex < Fmp4SegmentBenchmark.AUDIO_SAMPLES && audioIndex * BenchMedia.AUDIO_STEP_90K <= dts)
            {
                writer.addSample(audio, audioIndex * BenchMedia.AUDIO_STEP_90K,
                    audioIndex * BenchMedia.AUDIO_STEP_90K, true, aac);
                audioIndex++;
            }
        }

        composite = writer.finish(BenchMedia.ALLOC, Fmp4SegmentBenchmark.VIDEO_SAMPLES * BenchMedia.VIDEO_STEP_90K);
        final int size = composite.readableBytes();
        contiguous = BenchMedia.ALLOC.directBuffer(size, size);
        contiguous.writeBytes(composite, composite.readerIndex(), size);
        key.release();
        delta.release();
        aac.release();
    }

    /**
     * Frees both segments.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        composite.release();
        contiguous.release();
    }

    /**
     * One fetch of the composite segment.
     *
     * @return NIO buffers written.
     */
    @Benchmark
    public int compositeFetch()
    {
        return fetch(composite);
    }

    /**
     * One fetch of the contiguous segment.
     *
     * @return NIO buffers written.
     */
    @Benchmark
    public int contiguousFetch()
    {
        return fetch(contiguous);
    }

    /**
     * The price of the contiguous form, paid once per segment on the live worker: copy the composite into one
     * pooled direct buffer (and free it again here).
     *
     * @return bytes copied.
     */
    @Benchmark
    public int flattenOnce()
    {
        final int size = composite.readableBytes();
        final ByteBuf flat = BenchMedia.ALLOC.directBuffer(size, size);
        try
        {
            flat.writeBytes(composite, composite.readerIndex(), size);
            return flat.readableBytes();
        }
        finally
        {
            flat.release();
        }
    }

    private static int fetch(final ByteBuf segment)
    {
        final ByteBuf body = segment.retainedDuplicate();
        try
        {
            final int count = body.nioBufferCount();
            if (count == 1)
            {
                return body.internalNioBuffer(body.readerIndex(), body.readableBytes()).remaining() > 0 ? 1 : 0;
            }

            final ByteBuffer[] buffers = body.nioBuffers(body.readerIndex(), body.readableBytes());
            return buffers.length;
        }
        finally
        {
            body.release();
        }
    }
}
