package com.cococam.bench;

import com.cococam.codec.flv.FlvTagWriter;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.protocols.rtmp.chunk.RtmpChunkWriter;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import com.cococam.server.config.StreamConfig;
import com.cococam.server.rtmp.RtmpFrameEncoder;
import com.cococam.server.stream.AccessUnitEvent;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.OutFrame;
import com.cococam.server.stream.PublishRefusedException;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.stream.StreamHub;
import com.cococam.server.stream.StreamPipeline;
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
import java.util.function.Consumer;

/**
 * RTMP play output, the per-frame work of the live worker before any viewer is involved:
 * <ul>
 *     <li>{@link #preEncode}: {@link RtmpChunkWriter#preEncode} of a 30 KB FLV video body at chunk size 4096
 *     into a pooled buffer, released.</li>
 *     <li>{@link #frameEncoder}: {@link RtmpFrameEncoder#encode} of a 30 KB access unit (FLV body into the scratch
 *     buffer, chunked into a pooled buffer, wrapped in an {@link OutFrame}), the frame released.</li>
 * </ul>
 *
 * <p>Runs on a plain thread, as StreamHub's workers are today: the B/op here is what every forwarded frame costs
 * the worker, whatever the number of viewers. {@link RtmpEncodeOnNettyThreadBenchmark} shows the same on a
 * FastThreadLocalThread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.EXPORT_MISC, BenchJvm.OPEN_MISC})
public class RtmpEncodeBenchmark
{
    /** Outgoing chunk size. */
    public static final int CHUNK_SIZE = 4096;

    static
    {
        BenchJvm.disableAnalytics();
    }

    private ByteBuf flvBody;
    private ByteBuf au;
    private StreamHub hub;
    private LiveStream stream;
    private RtmpFrameEncoder encoder;
    private final AccessUnitEvent event = new AccessUnitEvent();
    private final FrameSink sink = new FrameSink();
    private long dts;

    /**
     * Builds the body, and a stream (from a hub closed at once) for the frame encoder's format lookups.
     *
     * @throws PublishRefusedException never.
     */
    @Setup(Level.Trial)
    public void setUp() throws PublishRefusedException
    {
        au = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 4);
        flvBody = BenchMedia.ALLOC.directBuffer(BenchMedia.VIDEO_UNIT_BYTES + 16);
        FlvTagWriter.writeVideo(CodecId.H264, 0, 0, false, au, flvBody);

        hub = new StreamHub(1, StreamConfig.RING_SIZE_DEFAULT, StreamConfig.TAKEOVER_IDLE_MS_DEFAULT,
            StreamPipeline.FANOUT_ONLY);
        final PublishSession session = hub.startPublish("live/encode", "jmh", () -> { });
        final TrackFormat video = BenchMedia.videoFormat();
        session.onFormat(video);
        stream = session.stream();
        hub.close();

        encoder = new RtmpFrameEncoder(BenchMedia.ALLOC, CHUNK_SIZE);
        event.trackId = TrackFormat.VIDEO_TRACK;
        event.format(video);
        event.payload(au);
        event.flags = 0;
        frameEncoder();
    }

    /**
     * Frees the buffers.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        encoder.close();
        flvBody.release();
        au.release();
    }

    /**
     * Chunks one 30 KB message.
     *
     * @return the encoded length.
     */
    @Benchmark
    public int preEncode()
    {
        final ByteBuf out = RtmpChunkWriter.preEncode(BenchMedia.ALLOC, CHUNK_SIZE, 6, 1, RtmpMessageTypes.VIDEO,
            dts++, flvBody);
        final int length = out.readableBytes();
        out.release();
        return length;
    }

    /**
     * Encodes one access unit as a shared RTMP frame.
     *
     * @return encoded bytes of the frames produced.
     */
    @Benchmark
    public long frameEncoder()
    {
        event.dts = dts;
        event.pts = dts;
        event.ingestNanos = 1;
        event.flags = dts % (BenchMedia.GOP_FRAMES * BenchMedia.VIDEO_STEP_90K) == 0 ? FrameFlags.KEYFRAME : 0;
        dts += BenchMedia.VIDEO_STEP_90K;
        sink.bytes = 0;
        encoder.encode(stream, event, sink);
        return sink.bytes;
    }

    /**
     * Takes the frames and releases them at once (what the fan-out does once every viewer queued its reference).
     */
    static final class FrameSink implements Consumer<OutFrame>
    {
        long bytes;

        @Override
        public void accept(final OutFrame frame)
        {
            bytes += frame.size();
            frame.release();
        }
    }
}
