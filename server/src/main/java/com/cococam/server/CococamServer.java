package com.cococam.server;

import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.RtspConfig;
import com.cococam.server.config.ServerConfig;
import com.cococam.server.hls.HlsPackager;
import com.cococam.server.hls.HlsRegistry;
import com.cococam.server.http.HttpRoutes;
import com.cococam.server.http.HttpServerHandler;
import com.cococam.server.http.StaticAsset;
import com.cococam.server.metrics.PrometheusText;
import com.cococam.server.rtsp.RtspIngest;
import com.cococam.server.rtsp.RtspUdp;
import com.cococam.server.pull.Backoff;
import com.cococam.server.pull.CameraPullers;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.StreamConsumer;
import com.cococam.server.stream.StreamHub;
import com.cococam.server.stream.StreamPipeline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The running server: event loops, stream hub, RTMP and HTTP listeners, recorder.
 *
 * <p>Threads: one acceptor thread, {@code cores} Netty event loops for every connection, the hub's live workers
 * and recorder worker, one scheduler for housekeeping (retention) and one admin thread that builds metrics and API
 * documents off the event loops. Nothing per stream or per connection.
 *
 * <p>Thread safety: {@link #start} and {@link #close} from one thread; the accessors from any.
 */
public final class CococamServer implements AutoCloseable
{
    static
    {
        if (System.getProperty("chronicle.analytics.disable") == null)
        {
            System.setProperty("chronicle.analytics.disable", "true");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(CococamServer.class);

    /**
     * Kernel send buffer of RTMP connections. Linux would otherwise let a stalled viewer's socket absorb about
     * 4 MiB before the server sees back-pressure; 512 KiB is still 2 s of a 2 Mbit/s camera.
     */
    private static final int RTMP_SEND_BUFFER_BYTES = 512 * 1024;

    /** Metrics and API requests waiting for the admin thread; more are answered 503. */
    private static final int ADMIN_QUEUE = 64;

    private final ServerConfig config;
    private final HlsRegistry hlsRegistry = new HlsRegistry();
    private final List<Channel> listeners = new ArrayList<>();
    /** Every accepted connection (removed on close), so a stop closes each one before the loops go away. */
    private final ChannelGroup connections = new DefaultChannelGroup("cococam-connections",
        GlobalEventExecutor.INSTANCE);
    private final Recording recording;
    private EventLoopGroup acceptor;
    /** Builds metrics and API documents off the event loops (see HttpServerHandler); one thread, bounded queue. */
    private ExecutorService admin;
    private EventLoopGroup eventLoops;
    private StreamHub hub;
    private RtmpIngest rtmpIngest;
    private RtspIngest rtspIngest;
    private RtspUdp rtspUdp;
    private int rtspPort;
    private CameraPullers pullers;
    private int rtmpPort;
    private int httpPort;

    /**
     * @param config the validated configuration (publish keys resolved).
     */
    public CococamServer(final ServerConfig config)
    {
        this.config = config;
        this.recording = new Recording(config);
    }

    /**
     * Binds the listeners and starts the workers.
     *
     * @return this.
     * @throws InterruptedException if interrupted while binding.
     */
    public CococamServer start() throws InterruptedException
    {
        final int cores = Runtime.getRuntime().availableProcessors();
        final int liveWorkers = config.stream().resolvedWorkers(cores);

        hub = new StreamHub(liveWorkers, config.stream().ringSize(), config.stream().takeoverIdleMs(), pipeline());
        recording.start();
        acceptor = NettyTransport.group(1, "cococam-accept");
        eventLoops = NettyTransport.group(cores, "cococam-io");
        rtmpIngest = new RtmpIngest(config, hub);

        final Channel rtmp = bind(config.rtmp().host(), config.rtmp().port(), RTMP_SEND_BUFFER_BYTES,
            new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel channel)
            {
                connections.add(channel);
                rtmpIngest.initChannel(channel);
            }
        });
        rtmpPort = ((InetSocketAddress)rtmp.localAddress()).getPort();

        rtspUdp = bindRtspUdp();
        rtspIngest = new RtspIngest(config, hub, rtspUdp);
        final Channel rtsp = bind(config.rtsp().host(), config.rtsp().port(), RTMP_SEND_BUFFER_BYTES,
            new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel channel)
            {
                connections.add(channel);
                rtspIngest.initChannel(channel);
            }
        });
        rtspPort = ((InetSocketAddress)rtsp.localAddress()).getPort();

        final StaticAsset hlsJs = StaticAsset.hlsJs();
        admin = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(ADMIN_QUEUE), r ->
        {
            final Thread thread = new Thread(r, "cococam-admin");
            thread.setDaemon(true);
            return thread;
        });
        final HttpServerHandler httpHandler = new HttpServerHandler(hlsRegistry, routes(), hlsJs,
            config.http().corsOrigin(), admin);
        final Channel http = bind(config.http().host(), config.http().port(), 0, new ChannelInitializer<SocketChannel>()
        {
            @Override
            protected void initChannel(final SocketChannel channel)
            {
                connections.add(channel);
                channel.pipeline()
                    .addLast("idle", new IdleStateHandler(0, 0, 120, TimeUnit.SECONDS))
                    .addLast("codec", new HttpServerCodec(4096, 16384, 16384))
                    .addLast("aggregate", new HttpObjectAggregator(65536))
                    .addLast("http", httpHandler);
            }
        });
        httpPort = ((InetSocketAddress)http.localAddress()).getPort();
        pullers = new CameraPullers(config, hub, eventLoops, Backoff.DEFAULT).start();

        LOG.info("listening: rtmp {}:{}, rtsp {}:{} (rtp/rtcp udp {}-{}), http {}:{} (transport {}, {} live workers)",
            config.rtmp().host(), rtmpPort, config.rtsp().host(), rtspPort, rtspUdp == null ? "off" : rtspUdp.rtpPort(),
            rtspUdp == null ? "off" : rtspUdp.rtpPort() + 1,
            config.http().host(), httpPort, NettyTransport.nativeEpoll() ? "epoll" : "nio", liveWorkers);
        return this;
    }

    /**
     * The RTSP RTP/RTCP pair, in {@code rtsp.udpPortMin..udpPortMax} when set. When no pair of the range is free the
     * server runs TCP-only for RTSP (UDP SETUPs get 461 and clients fall back to interleaved TCP), said once here.
     */
    private RtspUdp bindRtspUdp() throws InterruptedException
    {
        final RtspUdp udp = new RtspUdp();
        try
        {
            return udp.bind(eventLoops, NettyTransport.datagramChannel(), config.rtsp().host(),
                config.rtsp().udpPortMin(), config.rtsp().udpPortMax());
        }
        catch (final IllegalStateException ex)
        {
            if (!config.rtsp().hasUdpPortRange())
            {
                throw ex;
            }

            udp.close();
            LOG.warn("rtsp: {} ({}..{}): RTP over UDP is off, players and publishers must use TCP", ex.getMessage(),
                RtspConfig.UDP_PORT_MIN_KEY, RtspConfig.UDP_PORT_MAX_KEY);
            return null;
        }
    }

    private Channel bind(
        final String host,
        final int port,
        final int sendBufferBytes,
        final ChannelInitializer<SocketChannel> initializer) throws InterruptedException
    {
        final ServerBootstrap bootstrap = new ServerBootstrap();
        if (sendBufferBytes > 0)
        {
            bootstrap.childOption(ChannelOption.SO_SNDBUF, sendBufferBytes);
        }

        final Channel channel = bootstrap
            .group(acceptor, eventLoops)
            .channel(NettyTransport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
            .childHandler(initializer)
            .bind(host, port)
            .sync()
            .channel();
        listeners.add(channel);
        return channel;
    }

    private StreamPipeline pipeline()
    {
        return new StreamPipeline()
        {
            @Override
            public StreamConsumer[] liveConsumers(final String path)
            {
                final HlsPackager packager = new HlsPackager(config.hls().format(), config.hls().segmentDurationMs(),
                    config.hls().windowSegments(), PooledByteBufAllocator.DEFAULT,
                    (segment, listingDelayNs) -> onSegment(path, listingDelayNs));
                hlsRegistry.register(path, packager);
                return new StreamConsumer[] {packager};
            }

            @Override
            public StreamConsumer recordConsumer(final String path)
            {
                return recording.consumerFor(path);
            }
        };
    }

    private void onSegment(final String path, final long listingDelayNs)
    {
        final LiveStream stream = hub.find(path);
        if (stream != null)
        {
            stream.metrics().hlsSegments.increment();
            stream.metrics().recordHlsListingDelay(listingDelayNs);
        }
    }

    private HttpRoutes routes()
    {
        return new HttpRoutes()
        {
            @Override
            public String metrics()
            {
                return PrometheusText.render(hub.streams(), recording.metricsText() + pullers.metricsText() +
                    rtspIngest.metricsText());
            }

            @Override
            public String recordingsJson(final String camera)
            {
                return recording.spansJson(camera);
            }

            @Override
            public String camerasJson()
            {
                return CameraStatus.json(config, hub);
            }

            @Override
            public String cameraJson(final String camera)
            {
                return CameraStatus.cameraJson(config, hub, pullers, camera);
            }
        };
    }

    /**
     * @return the configuration in use.
     */
    public ServerConfig config()
    {
        return config;
    }

    /**
     * @return the stream hub.
     */
    public StreamHub hub()
    {
        return hub;
    }

    /**
     * @return the RTSP camera pullers (null before {@link #start}).
     */
    public CameraPullers pullers()
    {
        return pullers;
    }

    /**
     * @return the recorder side.
     */
    public Recording recording()
    {
        return recording;
    }

    /**
     * @return the bound RTMP port (useful when configured as 0).
     */
    public int rtmpPort()
    {
        return rtmpPort;
    }

    /**
     * @return the bound RTSP port (useful when configured as 0).
     */
    public int rtspPort()
    {
        return rtspPort;
    }

    /**
     * @return the RTSP side (counters), null before {@link #start}.
     */
    public RtspIngest rtspIngest()
    {
        return rtspIngest;
    }

    /**
     * @return the bound HTTP port.
     */
    public int httpPort()
    {
        return httpPort;
    }

    /**
     * @param name a camera name.
     * @return its configuration or null.
     */
    public CameraConfig camera(final String name)
    {
        return config.cameras().get(name);
    }

    @Override
    public void close()
    {
        if (pullers != null)
        {
            pullers.close();
        }

        for (final Channel channel : listeners)
        {
            channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        connections.close().awaitUninterruptibly(5, TimeUnit.SECONDS);

        if (rtspUdp != null)
        {
            rtspUdp.close();
        }

        if (eventLoops != null)
        {
            eventLoops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        if (acceptor != null)
        {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }

        if (admin != null)
        {
            // Requests still queued run and find their loops gone, which releases them.
            admin.shutdown();
            try
            {
                admin.awaitTermination(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }

        if (hub != null)
        {
            hub.close();
        }

        recording.close();
        LOG.info("stopped");
    }
}
