package com.cococam.server.stream;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.testing.Await;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.FixedLengthFrameDecoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Many viewers on few event loops, drained in per-loop batches ({@link EventLoopDrains}): every viewer's socket
 * still receives every frame, whole and in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BatchedDrainTest
{
    private static final TrackFormat AUDIO = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711A, 0, 0, 8000, 1,
        new byte[0], "");
    private static final TrackFormat VIDEO = new TrackFormat(TrackFormat.VIDEO_TRACK, CodecId.H264, 640, 360, 0, 0,
        new byte[0], "avc1.42001e");
    private static final int FRAME_BYTES = 160;

    private final List<Channel> channels = new ArrayList<>();
    private EventLoopGroup serverLoops;
    private EventLoopGroup viewerLoops;
    private StreamHub hub;

    @AfterEach
    void tearDown() throws InterruptedException
    {
        if (hub != null)
        {
            hub.close();
        }

        for (final Channel channel : channels)
        {
            channel.close().await(5, TimeUnit.SECONDS);
        }

        if (viewerLoops != null)
        {
            viewerLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }

        if (serverLoops != null)
        {
            serverLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldDeliverEveryFrameInOrderToEveryViewerOfSharedEventLoops() throws Exception
    {
        final int viewers = 300;
        final int frames = 250;
        final List<FrameCounter> counters = new ArrayList<>();
        final LocalAddress address = startPeers(() -> add(counters, new FrameCounter()));
        hub = new StreamHub(1, 1024, 5_000, StreamPipeline.FANOUT_ONLY);
        final PublishSession session = hub.startPublish("live/batched", "test", () -> { });
        session.onFormat(AUDIO);
        final LiveFanout fanout = session.stream().fanout();
        final Bootstrap client = viewerBootstrap();
        for (int i = 0; i < viewers; i++)
        {
            final Channel channel = client.connect(address).sync().channel();
            channels.add(channel);
            final LiveSubscriber subscriber = new LiveSubscriber(channel, "viewer " + i, 64L << 20, 128L << 20, 3,
                () -> { });
            fanout.subscribe("raw", PassThroughEncoder::new, subscriber);
        }

        Await.until(Duration.ofSeconds(20), () -> fanout.viewerCount() == viewers && counters.size() == viewers,
            "viewers joined");

        for (long dts = 0; dts < frames; dts++)
        {
            final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(FRAME_BYTES);
            payload.writeLong(dts).writeZero(FRAME_BYTES - Long.BYTES);
            session.onAccessUnit(TrackFormat.AUDIO_TRACK, dts, dts, FrameFlags.KEYFRAME, payload);
            payload.release();
        }

        Await.until(Duration.ofSeconds(30), () -> counters.stream().allMatch(c -> c.frames.get() >= frames),
            () -> "frames received, fewest: " + counters.stream().mapToInt(c -> c.frames.get()).min().orElse(0));
        for (final FrameCounter counter : counters)
        {
            assertEquals(frames, counter.frames.get(), "frames received by one viewer");
            assertEquals(0, counter.outOfOrder.get(), "frames out of order");
        }

        assertEquals(0, session.stream().metrics().viewerSkippedFrames.sum(), "no viewer skipped");
        session.onClose();
    }

    @Test
    void shouldReplayTheGroupsOwnGopFramesToJoinersWithoutEncodingAgain() throws Exception
    {
        final int lateViewers = 20;
        final List<SequenceRecorder> peers = new ArrayList<>();
        final LocalAddress address = startPeers(() -> add(peers, new SequenceRecorder()));
        hub = new StreamHub(1, 1024, 5_000, StreamPipeline.FANOUT_ONLY);
        final PublishSession session = hub.startPublish("live/gop", "test", () -> { });
        session.onFormat(VIDEO);
        final LiveFanout fanout = session.stream().fanout();
        final Bootstrap client = viewerBootstrap();
        final AtomicInteger encoded = new AtomicInteger();
        join(client, address, fanout, encoded);
        Await.until(Duration.ofSeconds(10), () -> fanout.viewerCount() == 1 && peers.size() == 1, "first viewer");

        // Keyframes at 0 and 25: at unit 37 the GOP is 25..37.
        publishVideo(session, 0, 38);
        Await.until(Duration.ofSeconds(10), () -> peers.get(0).sequences().size() == 38, "first viewer's frames");
        for (int i = 0; i < lateViewers; i++)
        {
            join(client, address, fanout, encoded);
        }

        Await.until(Duration.ofSeconds(20), () -> fanout.viewerCount() == 1 + lateViewers &&
            peers.size() == 1 + lateViewers && peers.stream().allMatch(p -> p.sequences().size() >= 13), "joiners");
        publishVideo(session, 38, 50);
        Await.until(Duration.ofSeconds(20), () -> peers.stream().allMatch(p -> p.sequences().contains(49L)),
            "every viewer has the last frame");

        assertEquals(50, encoded.get(), "each unit encoded once, for the group; joins encoded nothing");
        assertEquals(range(0, 50), peers.get(0).sequences());
        for (int i = 1; i < peers.size(); i++)
        {
            assertEquals(range(25, 50), peers.get(i).sequences(), "a joiner starts at the GOP's keyframe");
        }

        session.onClose();
    }

    /**
     * The fan-out runs on whichever thread asks for it ({@link FanoutDrain}): the publisher, viewers joining and
     * leaving, anyone calling {@link LiveStream#runFanout()}. With all of them racing, each unit is still encoded once
     * and every steady viewer gets every frame once, in order, and nothing stays in the ring.
     */
    @Test
    void shouldFanOutEachUnitOnceInOrderWhileOtherThreadsRaceForTheFanout() throws Exception
    {
        final int steadyViewers = 20;
        final int units = 3000;
        final List<FrameCounter> counters = new ArrayList<>();
        final LocalAddress address = startPeers(() -> add(counters, new FrameCounter()));
        // A ring larger than the whole run: a racer descheduled while it owns the fan-out must not cost a unit.
        hub = new StreamHub(1, 4096, 5_000, StreamPipeline.FANOUT_ONLY);
        final PublishSession session = hub.startPublish("live/race", "test", () -> { });
        session.onFormat(AUDIO);
        final LiveStream stream = session.stream();
        final LiveFanout fanout = stream.fanout();
        final Bootstrap client = viewerBootstrap();
        final AtomicInteger encoded = new AtomicInteger();
        for (int i = 0; i < steadyViewers; i++)
        {
            join(client, address, fanout, encoded);
        }

        Await.until(Duration.ofSeconds(20), () -> fanout.viewerCount() == steadyViewers &&
            counters.size() == steadyViewers, "steady viewers joined");

        final AtomicBoolean publishing = new AtomicBoolean(true);
        final List<Thread> racers = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            racers.add(new Thread(() ->
            {
                while (publishing.get())
                {
                    stream.runFanout();
                }
            }, "fanout-racer-" + i));
        }

        racers.add(new Thread(() ->
        {
            try
            {
                while (publishing.get())
                {
                    // A viewer that joins and leaves again and again: each join replays the GOP cache under the race.
                    final Channel channel = client.connect(address).sync().channel();
                    final LiveSubscriber churn = new LiveSubscriber(channel, "churn", 64L << 20, 128L << 20, 3,
                        () -> { });
                    fanout.subscribe("raw", () -> new PassThroughEncoder(new AtomicInteger()), churn);
                    Thread.sleep(2);
                    fanout.unsubscribe(churn);
                    channel.close().sync();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, "fanout-churn"));
        racers.forEach(Thread::start);

        final Thread publisher = new Thread(() ->
        {
            for (long dts = 0; dts < units; dts++)
            {
                final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(FRAME_BYTES);
                payload.writeLong(dts).writeZero(FRAME_BYTES - Long.BYTES);
                session.onAccessUnit(TrackFormat.AUDIO_TRACK, dts * 160, dts * 160, FrameFlags.KEYFRAME, payload);
                payload.release();
                if (dts % 100 == 0)
                {
                    Thread.yield();
                }
            }
        }, "fanout-publisher");
        publisher.start();
        publisher.join(30_000);
        publishing.set(false);
        for (final Thread racer : racers)
        {
            racer.join(10_000);
        }

        Await.until(Duration.ofSeconds(10), () -> stream.ringLag() == 0, () -> "ring lag " + stream.ringLag());
        final List<FrameCounter> steady = counters.subList(0, steadyViewers);
        Await.until(Duration.ofSeconds(30), () -> steady.stream().allMatch(c -> c.frames.get() >= units),
            () -> "frames received, fewest: " + steady.stream().mapToInt(c -> c.frames.get()).min().orElse(0));
        for (final FrameCounter counter : steady)
        {
            assertEquals(units, counter.frames.get(), "frames received by one steady viewer");
            assertEquals(0, counter.outOfOrder.get(), "frames out of order");
        }

        assertEquals(units, encoded.get(), "each unit encoded once for the group");
        assertEquals(0, stream.metrics().ringDrops.sum(), "no unit dropped at the ring");
        assertEquals(0, stream.metrics().consumerErrors.sum(), "no fan-out error");
        session.onClose();
    }

    /**
     * Starts the viewers' peers: a local server whose every accepted channel splits fixed-size frames into a handler
     * from {@code peer}, and the viewers' own event loops.
     */
    private LocalAddress startPeers(final Supplier<ChannelHandler> peer) throws InterruptedException
    {
        serverLoops = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        viewerLoops = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
        final LocalAddress address = new LocalAddress("batched-drain-" + System.nanoTime());
        channels.add(new ServerBootstrap()
            .group(serverLoops)
            .channel(LocalServerChannel.class)
            .childHandler(new ChannelInitializer<LocalChannel>()
            {
                @Override
                protected void initChannel(final LocalChannel channel)
                {
                    channel.pipeline().addLast(new FixedLengthFrameDecoder(FRAME_BYTES), peer.get());
                }
            })
            .bind(address).sync().channel());
        return address;
    }

    private Bootstrap viewerBootstrap()
    {
        return new Bootstrap().group(viewerLoops).channel(LocalChannel.class)
            .handler(new ChannelInitializer<LocalChannel>()
            {
                @Override
                protected void initChannel(final LocalChannel channel)
                {
                    // Nothing to read on the viewer side: the server half of each pair sees what arrives.
                }
            });
    }

    private static <T extends ChannelHandler> T add(final List<T> list, final T handler)
    {
        synchronized (list)
        {
            list.add(handler);
        }

        return handler;
    }

    private static void join(
        final Bootstrap client,
        final LocalAddress address,
        final LiveFanout fanout,
        final AtomicInteger encoded) throws InterruptedException
    {
        final Channel channel = client.connect(address).sync().channel();
        final LiveSubscriber subscriber = new LiveSubscriber(channel, "viewer", 64L << 20, 128L << 20, 3, () -> { });
        fanout.subscribe("raw", () -> new PassThroughEncoder(encoded), subscriber);
    }

    private void publishVideo(final PublishSession session, final long from, final long to)
    {
        for (long dts = from; dts < to; dts++)
        {
            final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(FRAME_BYTES);
            payload.writeLong(dts).writeZero(FRAME_BYTES - Long.BYTES);
            session.onAccessUnit(TrackFormat.VIDEO_TRACK, dts * 3600, dts * 3600, dts % 25 == 0 ?
                FrameFlags.KEYFRAME : 0, payload);
            payload.release();
        }
    }

    private static List<Long> range(final long from, final long to)
    {
        final List<Long> list = new ArrayList<>();
        for (long n = from; n < to; n++)
        {
            list.add(n);
        }

        return list;
    }

    /** Records the sequence numbers of the fixed-size frames a viewer's peer reads. */
    private static final class SequenceRecorder extends ChannelInboundHandlerAdapter
    {
        private final List<Long> sequences = new ArrayList<>();

        synchronized List<Long> sequences()
        {
            return new ArrayList<>(sequences);
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                synchronized (this)
                {
                    sequences.add(frame.readLong());
                }
            }
            finally
            {
                frame.release();
            }
        }
    }

    /** Forwards each unit's payload as it is: one frame per unit. */
    private static final class PassThroughEncoder implements FrameEncoder
    {
        private final AtomicInteger encoded;

        PassThroughEncoder()
        {
            this(new AtomicInteger());
        }

        PassThroughEncoder(final AtomicInteger encoded)
        {
            this.encoded = encoded;
        }

        @Override
        public void encode(final LiveStream stream, final AccessUnitEvent event, final Consumer<OutFrame> out)
        {
            if (FrameFlags.isEndOfStream(event.flags))
            {
                return;
            }

            encoded.incrementAndGet();
            out.accept(OutFrame.newInstance(event.payload().retainedSlice(), event.format().isVideo(),
                !event.format().isVideo() || FrameFlags.isKeyframe(event.flags), event.ingestNanos));
        }

        @Override
        public void writeHeaders(final LiveStream stream, final Consumer<OutFrame> out)
        {
        }
    }

    /** Counts the fixed-size frames a viewer's peer reads, checking the sequence numbers. */
    private static final class FrameCounter extends ChannelInboundHandlerAdapter
    {
        final AtomicInteger frames = new AtomicInteger();
        final AtomicInteger outOfOrder = new AtomicInteger();

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final ByteBuf frame = (ByteBuf)msg;
            try
            {
                if (frame.readLong() != frames.get())
                {
                    outOfOrder.incrementAndGet();
                }

                frames.incrementAndGet();
            }
            finally
            {
                frame.release();
            }
        }
    }
}
