package com.cococam.bench;

import com.cococam.codec.flv.FlvParseResult;
import com.cococam.codec.flv.FlvTagParser;
import com.cococam.codec.flv.FlvTagWriter;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.MediaSink;
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

import java.util.concurrent.TimeUnit;

/**
 * RTMP ingest: {@link FlvTagParser#parseVideo} of a 30 KB H.264 P-frame body (legacy AVC header, 4-byte NAL
 * lengths) into a sink that only keeps the last values. The parser was fed the sequence header in setup.
 *
 * <p>Runs on a FastThreadLocalThread (the connection's event loop in production).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.NETTY_EXECUTOR, BenchJvm.NETTY_EXECUTOR_CLASS})
public class FlvTagParserBenchmark
{
    private final LastUnitSink sink = new LastUnitSink();
    private final FlvTagParser parser = new FlvTagParser(sink);
    private ByteBuf body;
    private long timestampMs;

    /**
     * Announces the format and builds the frame body.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final ByteBuf header = BenchMedia.ALLOC.heapBuffer(128);
        final TrackFormat video = BenchMedia.videoFormat();
        FlvTagWriter.writeVideoSequenceHeader(video, header);
        if (parser.parseVideo(0, 0, header) != FlvParseResult.SEQUENCE_HEADER)
        {
            throw new IllegalStateException("sequence header not accepted");
        }

        header.release();
        final ByteBuf au = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 5);
        body = BenchMedia.ALLOC.directBuffer(BenchMedia.VIDEO_UNIT_BYTES + 16);
        FlvTagWriter.writeVideo(CodecId.H264, 0, 0, false, au, body);
        au.release();
        if (parser.parseVideo(0, 0, body) != FlvParseResult.ACCESS_UNIT)
        {
            throw new IllegalStateException("frame not accepted");
        }
    }

    /**
     * Frees the body.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        body.release();
    }

    /**
     * Parses one frame body.
     *
     * @return the parse result.
     */
    @Benchmark
    public FlvParseResult parseVideo()
    {
        timestampMs += 40;
        return parser.parseVideo(timestampMs, 0, body);
    }

    /**
     * Keeps the last unit's fields and a reference to its payload slice (never used after the call), so the slice
     * escapes as it does in production (where the session takes a retained slice of it) and the JIT cannot remove
     * its allocation.
     */
    static final class LastUnitSink implements MediaSink
    {
        long dts;
        int size;
        ByteBuf last;

        @Override
        public void onFormat(final TrackFormat format)
        {
        }

        @Override
        public void onAccessUnit(final int trackId, final long dts, final long pts, final int flags,
            final ByteBuf payload)
        {
            this.dts = dts;
            this.size = payload.readableBytes();
            this.last = payload;
        }

        @Override
        public void onClose()
        {
        }
    }
}
