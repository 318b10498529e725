package com.cococam.server.stream;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.testing.Await;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Viewers on epoll sockets whose frames go straight to the socket while Netty holds nothing for it: a viewer whose
 * reader stalls (the socket's buffer fills, writes are cut short and the rest goes through Netty's queue, with later
 * frames behind it) must still receive every frame whole, in order, byte for byte, once it reads again; a reader
 * that keeps up gets them too. Frames are published in bursts, so drains take several at once (gathering writes).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DirectWriteTest
{
    private static final TrackFormat AUDIO = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711A, 0, 0, 8000, 1,
        new byte[0], "");
    private static final int FRAMES = 600;

    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new ArrayList<>();
    private EventLoopGroup loops;
    private StreamHub hub;

    @AfterEach
    void tearDown() throws Exception
    {
        if (hub != null)
        {
            hub.close();
        }

        for (final Socket socket : sockets)
        {
            socket.close();
        }

        for (final Channel channel : channels)
        {
            channel.close().await(5, TimeUnit.SECONDS);
        }

        if (loops != null)
        {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldDeliverEveryFrameInOrderAcrossFullSocketBuffers() throws Exception
    {
        assumeTrue(Epoll.isAvailable(), "epoll transport");
        loops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        hub = new StreamHub(1, 4096, 5_000, StreamPipeline.FANOUT_ONLY);
        final PublishSession session = hub.startPublish("live/direct", "test", () -> { });
        session.onFormat(AUDIO);
        final LiveFanout fanout = session.stream().fanout();
        final List<LiveSubscriber> subscribers = new CopyOnWriteArrayList<>();
        final Channel server = new ServerBootstrap()
            .group(loops)
            .channel(EpollServerSocketChannel.class)
            .childOption(ChannelOption.SO_SNDBUF, 16 * 1024)
            .childHandler(new ChannelInitializer<EpollSocketChannel>()
            {
                @Override
                protected void initChannel(final EpollSocketChannel channel)
                {
                    channels.add(channel);
                    final LiveSubscriber subscriber = new LiveSubscriber(channel, channel, true, "viewer", 64L << 20,
                        128L << 20, 3, () -> { });
                    subscribers.add(subscriber);
                    // As the protocols wire it: a channel that drains resumes the viewer's held frames.
                    channel.pipeline().addLast(new ChannelInboundHandlerAdapter()
                    {
                        @Override
                        public void channelWritabilityChanged(final ChannelHandlerContext ctx)
                        {
                            subscriber.onWritabilityChanged();
                            ctx.fireChannelWritabilityChanged();
                        }
                    });
                    fanout.subscribe("raw", PassThroughEncoder::new, subscriber);
                }
            })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        channels.add(server);
        final int port = ((InetSocketAddress)server.localAddress()).getPort();
        final Socket stalled = connect(port);
        final Socket reading = connect(port);
        Await.until(Duration.ofSeconds(10), () -> fanout.viewerCount() == 2, "viewers joined");

        final FrameReader keepsUp = new FrameReader(reading);
        keepsUp.start();
        for (int n = 0; n < FRAMES; n++)
        {
            // Sizes from 200 B to 24 KB, so some frames straddle a cut-short write.
            final int size = 200 + (n * 7919) % 24_000;
            final byte[] bytes = new byte[size];
            for (int i = 8; i < size; i++)
            {
                bytes[i] = (byte)(n + i);
            }

            final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(size);
            payload.writeBytes(bytes).setInt(0, n).setInt(4, size);

            session.onAccessUnit(TrackFormat.AUDIO_TRACK, n, n, FrameFlags.KEYFRAME, payload);
            payload.release();
            if (n % 8 == 7)
            {
                Thread.sleep(2);
            }
        }

        Await.until(Duration.ofSeconds(20), () -> keepsUp.frames == FRAMES,
            () -> "frames read by the reader that keeps up: " + keepsUp.frames + ", " + keepsUp.error);
        System.out.println("reader that keeps up: all frames; held by the stalled one: " +
            subscribers.stream().mapToLong(LiveSubscriber::framesSent).min().orElse(0));
        final long lateStartNs = System.nanoTime();
        final FrameReader late = new FrameReader(stalled);
        late.start();
        Await.until(Duration.ofSeconds(20), () -> late.frames == FRAMES,
            () -> "frames read by the stalled reader: " + late.frames + ", " + late.error);
        System.out.println("stalled reader: all frames " + (System.nanoTime() - lateStartNs) / 1_000_000 +
            " ms after it began");
        assertEquals(null, late.error);
        assertEquals(null, keepsUp.error);
        assertEquals(0, session.stream().metrics().viewerSkippedFrames.sum(), "no frame skipped");
        for (final LiveSubscriber subscriber : subscribers)
        {
            assertEquals(FRAMES, subscriber.framesSent(), subscriber.description());
        }

        assertTrue(late.blockedBeforeReading, "the stalled reader's socket buffer was full at some point");
        final long direct = subscribers.stream().mapToLong(LiveSubscriber::directFrames).sum();
        final long cut = subscribers.stream().mapToLong(LiveSubscriber::cutFrames).sum();
        System.out.println("frames written straight to the sockets: " + direct + ", cut short: " + cut);
        assertTrue(direct >= FRAMES / 6, "the direct path was taken: " + direct);
        assertTrue(cut >= 1, "a direct write was cut short and finished through Netty: " + cut);
        session.onClose();
    }

    private Socket connect(final int port) throws IOException
    {
        final Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        sockets.add(socket);
        return socket;
    }

    /** Forwards each unit's payload as it is: one frame per unit. */
    private static final class PassThroughEncoder implements FrameEncoder
    {
        @Override
        public void encode(final LiveStream stream, final AccessUnitEvent event, final Consumer<OutFrame> out)
        {
            if (!FrameFlags.isEndOfStream(event.flags))
            {
                out.accept(OutFrame.newInstance(event.payload().retainedSlice(), false, true, event.ingestNanos));
            }
        }

        @Override
        public void writeHeaders(final LiveStream stream, final Consumer<OutFrame> out)
        {
        }
    }

    /** Reads frames (sequence number, size, pattern) and checks each byte. */
    private static final class FrameReader extends Thread
    {
        private final DataInputStream in;
        private final Socket socket;
        volatile int frames;
        volatile String error;
        volatile boolean blockedBeforeReading;

        FrameReader(final Socket socket) throws IOException
        {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 64 * 1024));
            setDaemon(true);
        }

        @Override
        public void run()
        {
            try
            {
                blockedBeforeReading = socket.getInputStream().available() >= 8 * 1024;
                for (int n = 0; n < FRAMES; n++)
                {
                    final int seq = in.readInt();
                    final int size = in.readInt();
                    if (seq != n || size != 200 + (n * 7919) % 24_000)
                    {
                        error = "frame " + n + ": got sequence " + seq + ", size " + size;
                        return;
                    }

                    for (int i = 8; i < size; i++)
                    {
                        if (in.readUnsignedByte() != ((n + i) & 0xFF))
                        {
                            error = "frame " + n + ": byte " + i + " differs";
                            return;
                        }
                    }

                    frames = n + 1;
                }
            }
            catch (final EOFException ex)
            {
                error = "end of stream after " + frames + " frames";
            }
            catch (final IOException ex)
            {
                error = ex.toString() + " on " + socket;
            }
        }
    }
}
