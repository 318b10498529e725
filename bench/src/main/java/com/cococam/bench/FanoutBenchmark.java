package com.cococam.bench;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.config.StreamConfig;
import com.cococam.server.rtmp.RtmpFrameEncoder;
import com.cococam.server.stream.AccessUnitEvent;
import com.cococam.server.stream.LiveFanout;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.LiveSubscriber;
import com.cococam.server.stream.PublishRefusedException;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.stream.StreamHub;
import com.cococam.server.stream.StreamPipeline;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
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
 * Live fan-out of one access unit to N RTMP viewers: {@link LiveFanout#onEvent} (GOP cache, encode once with the
 * real {@link RtmpFrameEncoder}, offer the shared {@code OutFrame} to each {@link LiveSubscriber}), then each
 * viewer's drain on its channel (a {@code retainedDuplicate()} written and flushed), then the "socket" taking the
 * bytes. One operation = one forwarded unit to all N viewers; B/op divided by N is the cost per (frame x viewer).
 *
 * <p>Channels: Netty {@link EmbeddedChannel}s. Their event loop runs tasks on the calling thread, their outbound
 * path is the real pipeline and {@code ChannelOutboundBuffer} and ends in a queue we drain and release. A real
 * loopback socket would add the kernel copy, selector wake-ups and the reading peer's allocations (on a 2-core
 * box those dominate time and blur what our code costs), and its event loops would be other threads racing the
 * measurement. The embedded channel keeps every byte of allocation in the measurement attributable to the
 * fan-out path.
 *
 * <p>Threads: in production {@code onEvent} runs on the stream's live worker and the drain on each viewer's event
 * loop. Here the benchmark thread plays both. The stream comes from a real {@link StreamHub}, which is closed
 * right after setup so that its worker thread no longer touches the fan-out (the fan-out is single-threaded
 * by contract); the benchmark thread then is the live worker. This class runs on a plain thread, as StreamHub's
 * workers are today; {@link FanoutOnNettyThreadBenchmark} runs the same on a FastThreadLocalThread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.EXPORT_MISC, BenchJvm.OPEN_MISC})
public class FanoutBenchmark
{
    /** Outgoing RTMP chunk size (what the server announces). */
    public static final int CHUNK_SIZE = 4096;

    private static final String ENCODER_KEY = "rtmp";

    static
    {
        BenchJvm.disableAnalytics();
    }

    /** Viewers of the stream. */
    @Param({"1", "10", "100"})
    public int viewers;

    /** An audio-only stream of 1.5 KB units, or a video stream of 30 KB units (GOP 50). */
    @Param({"audio1500", "video30000"})
    public String unit;

    private StreamHub hub;
    private LiveStream stream;
    private LiveFanout fanout;
    private EmbeddedChannel[] channels;
    private LiveSubscriber[] subscribers;
    private final AccessUnitEvent event = new AccessUnitEvent();
    private TrackFormat format;
    private ByteBuf keyPayload;
    private ByteBuf deltaPayload;
    private boolean video;
    private long frame;
    private long dts;

    /**
     * Builds the stream, stops the hub's workers, joins the viewers and sends the first keyframe.
     *
     * @throws PublishRefusedException never (fresh hub).
     */
    @Setup(Level.Trial)
    public void setUp() throws PublishRefusedException
    {
        video = unit.startsWith("video");
        hub = new StreamHub(1, StreamConfig.RING_SIZE_DEFAULT, StreamConfig.TAKEOVER_IDLE_MS_DEFAULT,
            StreamPipeline.FANOUT_ONLY);
        final PublishSession session = hub.startPublish("live/fanout", "jmh publisher", () -> { });
        format = video ? BenchMedia.videoFormat() : BenchMedia.audioFormat();
        session.onFormat(format);
        stream = session.stream();
        fanout = stream.fanout();
        hub.close();

        if (video)
        {
            keyPayload = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, true, 1);
            deltaPayload = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 2);
        }
        else
        {
            keyPayload = BenchMedia.audioUnit(BenchMedia.AUDIO_UNIT_BYTES, 1);
            deltaPayload = keyPayload.retain();
        }

        channels = new EmbeddedChannel[viewers];
        subscribers = new LiveSubscriber[viewers];
        for (int i = 0; i < viewers; i++)
        {
            channels[i] = new EmbeddedChannel();
            channels[i].config().setAllocator(BenchMedia.ALLOC);
            subscribers[i] = new LiveSubscriber(channels[i], "bench viewer " + i,
                StreamConfig.SUBSCRIBER_SKIP_BYTES_DEFAULT, StreamConfig.SUBSCRIBER_MAX_BYTES_DEFAULT, 3, () -> { });
            if (!fanout.subscribe(ENCODER_KEY, () -> new RtmpFrameEncoder(BenchMedia.ALLOC, CHUNK_SIZE),
                subscribers[i]))
            {
                throw new IllegalStateException("subscribe refused for viewer " + i);
            }
        }

        forward();
        if (fanout.viewerCount() != viewers)
        {
            throw new IllegalStateException("viewers joined: " + fanout.viewerCount() + " of " + viewers);
        }
    }

    /**
     * Checks every viewer got every frame, then removes the viewers and frees everything.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        long minSent = Long.MAX_VALUE;
        for (final LiveSubscriber subscriber : subscribers)
        {
            minSent = Math.min(minSent, subscriber.framesSent());
        }

        System.out.printf("%n[fanout %s x%d] units=%d, fewest frames written to one viewer=%d, skipped=%d,"
                + " disconnects=%d%n", unit, viewers, frame, minSent, stream.metrics().viewerSkippedFrames.sum(),
            stream.metrics().viewerDisconnects.sum());
        for (final LiveSubscriber subscriber : subscribers)
        {
            fanout.unsubscribe(subscriber);
        }

        fanout.onStreamClosed(stream);
        for (final EmbeddedChannel channel : channels)
        {
            channel.runPendingTasks();
            channel.finishAndReleaseAll();
        }

        keyPayload.release();
        deltaPayload.release();
    }

    /**
     * One unit forwarded to every viewer and written to every viewer's channel.
     *
     * @return frames written to the first viewer so far (consumed by JMH).
     */
    @Benchmark
    public long forward()
    {
        final long n = frame++;
        final boolean key = !video || n % BenchMedia.GOP_FRAMES == 0;
        event.trackId = format.trackId();
        event.flags = key ? FrameFlags.KEYFRAME : 0;
        event.dts = dts;
        event.pts = dts;
        event.wallClockMs = System.currentTimeMillis();
        event.ingestNanos = System.nanoTime();
        event.format(format);
        event.payload((key ? keyPayload : deltaPayload).retainedSlice());
        dts += video ? BenchMedia.VIDEO_STEP_90K : BenchMedia.AUDIO_STEP_90K;

        fanout.onEvent(stream, event, event.ingestNanos);
        event.payload().release();

        final EmbeddedChannel[] all = channels;
        for (int i = 0; i < all.length; i++)
        {
            final EmbeddedChannel channel = all[i];
            channel.runPendingTasks();
            Object written;
            while ((written = channel.readOutbound()) != null)
            {
                ReferenceCountUtil.release(written);
            }
        }

        return subscribers[0].framesSent();
    }
}
