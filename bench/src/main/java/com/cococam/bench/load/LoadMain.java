package com.cococam.bench.load;

import com.cococam.protocols.rtmp.chunk.RtmpChunkDecoder;
import com.cococam.protocols.rtmp.chunk.RtmpChunkEncoder;
import com.cococam.protocols.rtsp.RtspDecoder;
import com.cococam.protocols.rtsp.RtspEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Live load generator on loopback: N publishers looping a pre-encoded FLV clip at real time (RTMP, or RTSP with
 * {@code --publish=rtsp}, see {@link RtspPublisher}), M RTMP players, R RTSP players (RTP interleaved over TCP,
 * see {@link RtspPlayer}) and K HLS segment fetchers, all in this one JVM on a few Netty event loops (epoll where
 * available; no thread per connection). It prints a readable summary and one JSON line (also appended to
 * {@code --json FILE}).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar com.cococam.bench.load.LoadMain \
 *   --input=clip.flv --rtmp=rtmp://127.0.0.1:19361/live --publishers=1 --players=100 \
 *   [--rtsp=rtsp://127.0.0.1:18554/live --rtsp-players=100] [--publish=rtmp|rtsp] \
 *   [--hls=http://127.0.0.1:18081/live/{name}/stream.m3u8 --hls-fetchers=10] [--key-prefix=k-] \
 *   [--stream-prefix=cam] [--warmup-s=5] [--duration-s=20] [--grace-s=2] [--threads=2] [--hls-poll-ms=250] \
 *   [--server-pids=PID,PID] [--label=L --server=ours --scenario=fanout-100] [--json=results.jsonl]
 * </pre>
 *
 * <p>Timeline: publishers connect and start their schedules; HLS fetchers start with them; players connect in
 * batches ({@code --connect-batch} every 20 ms); once every player plays (or 20 s passed) the warm-up runs; then
 * the measurement window of {@code --duration-s}; then {@code --grace-s} more so that frames due in the window
 * but late can still arrive; then everything closes.
 *
 * <p>Limits: publishers 1..500, players 0..5000, RTSP players 0..5000, fetchers 0..1000, duration 1..600 s,
 * warm-up 0..120 s; only loopback targets. Exit status 0 after a run (errors are in the report), 2 on bad arguments.
 */
public final class LoadMain
{
    private static final long PLAYERS_READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final long PUBLISHERS_READY_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final double FULL_RATE_SHARE = 0.95;
    private static final String USAGE = """
        usage: LoadMain --input=clip.flv [--rtmp=rtmp://127.0.0.1:1935/live] [--key-prefix=K] [--publishers=1]
                        [--publish=rtmp|rtsp]
                        [--players=0] [--rtsp=rtsp://127.0.0.1:8554/live --rtsp-players=0]
                        [--hls=http://127.0.0.1:8080/live/{name}/index.m3u8 --hls-fetchers=0] [--hls-poll-ms=250]
                        [--stream-prefix=cam] [--warmup-s=5] [--duration-s=20] [--grace-s=2] [--threads=2]
                        [--connect-batch=50] [--server-pids=PID,...] [--label=L] [--server=S] [--scenario=S]
                        [--json=FILE]
          loopback targets only; publishers 1..500, players and RTSP players 0..5000 each, fetchers 0..1000
        """;

    private LoadMain()
    {
    }

    /**
     * Runs one load scenario.
     *
     * @param args see the class comment.
     * @throws Exception when the run cannot be set up (clip unreadable, interrupted).
     */
    public static void main(final String[] args) throws Exception
    {
        final LoadOptions options;
        try
        {
            options = LoadOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("load: " + ex.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }

        final FlvClip clip = FlvClip.load(options.input);
        final LoadReport report = run(options, clip);
        System.out.print(report.table());
        final String json = report.json();
        System.out.println(json);
        if (options.json != null)
        {
            Files.writeString(options.json, json + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        System.exit(0);
    }

    private static LoadReport run(final LoadOptions options, final FlvClip clip) throws Exception
    {
        final boolean epoll = Epoll.isAvailable();
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(options.threads,
            new DefaultThreadFactory("load", true),
            epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        final LoadWindow window = new LoadWindow(options.publishers);
        final List<LoopContext> contexts = new ArrayList<>();
        for (final EventExecutor executor : group)
        {
            final LoopContext context = new LoopContext((EventLoop)executor, window);
            contexts.add(context);
            context.loop.execute(context::startTick);
        }

        final Class<? extends SocketChannel> channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
        final List<Channel> channels = new ArrayList<>();
        try
        {
            return measure(options, clip, window, contexts, channelClass, channels, epoll);
        }
        finally
        {
            window.stopping();
            for (final Channel channel : channels)
            {
                channel.close();
            }

            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
    }

    private static LoadReport measure(
        final LoadOptions options,
        final FlvClip clip,
        final LoadWindow window,
        final List<LoopContext> contexts,
        final Class<? extends SocketChannel> channelClass,
        final List<Channel> channels,
        final boolean epoll) throws Exception
    {
        final String app = options.app();
        final String tcUrl = "rtmp://" + options.rtmp.getHost() + ":" + options.rtmpPort() + "/" + app;
        for (int i = 0; i < options.publishers; i++)
        {
            final LoopContext context = contexts.get(i % contexts.size());
            final String name = options.streamName(i);
            final String publishName = options.keyPrefix.isEmpty() ? name : name + "?key=" + options.keyPrefix + name;
            if (options.rtspPublish)
            {
                final String url = options.rtspUrl(i) + (options.keyPrefix.isEmpty() ? ""
                    : "?key=" + options.keyPrefix + name);
                final RtspPublisher publisher = new RtspPublisher(i, url, clip, context);
                channels.add(connect(context, channelClass, options.rtsp.getHost(), options.rtspPort(),
                    new ChannelInitializer<>()
                    {
                        @Override
                        protected void initChannel(final Channel ch)
                        {
                            ch.pipeline().addLast(new RtspEncoder(), new RtspDecoder(), publisher);
                        }
                    }, window));
                continue;
            }

            final Publisher publisher = new Publisher(i, app, tcUrl, publishName, clip, context);
            channels.add(connectRtmp(context, channelClass, options.rtmp.getHost(), options.rtmpPort(), publisher,
                null, window));
        }

        for (int i = 0; i < options.fetchers; i++)
        {
            final LoopContext context = contexts.get(i % contexts.size());
            final int publisher = i % options.publishers;
            final URI playlist = URI.create(options.hlsTemplate.replace("{name}", options.streamName(publisher)));
            final int port = playlist.getPort() < 0 ? 80 : playlist.getPort();
            final HlsFetcher fetcher = new HlsFetcher(publisher, playlist.getHost() + ":" + port,
                playlist.getRawPath(), options.hlsPollMs, clip.videoIntervalMs(), context);
            channels.add(connect(context, channelClass, playlist.getHost(), port, new ChannelInitializer<>()
            {
                @Override
                protected void initChannel(final Channel ch)
                {
                    ch.pipeline().addLast(new WireCounter(context, WireCounter.Kind.HLS), new HttpClientCodec(),
                        fetcher);
                }
            }, window));
        }

        awaitPublishers(options, window);
        connectPlayers(options, window, contexts, channelClass, channels, app, tcUrl);
        connectRtspPlayers(options, clip, window, contexts, channelClass, channels);
        awaitPlayers(options, contexts);
        TimeUnit.SECONDS.sleep(options.warmupS);

        final long startNs = System.nanoTime();
        final long endNs = startNs + TimeUnit.SECONDS.toNanos(options.durationS);
        window.set(startNs, endNs);
        final long[] serverTicks0 = ProcStats.cpuTicksSplit(options.serverPids);
        final long toolCpu0 = ProcStats.selfCpuNs();
        final long toolAlloc0 = ProcStats.selfAllocatedBytes();
        final long toolGc0 = ProcStats.selfGcCount();
        TimeUnit.NANOSECONDS.sleep(endNs - System.nanoTime());
        final long[] serverTicks1 = ProcStats.cpuTicksSplit(options.serverPids);
        final long toolCpu1 = ProcStats.selfCpuNs();
        final long toolAlloc1 = ProcStats.selfAllocatedBytes();
        final long toolGc1 = ProcStats.selfGcCount();
        final long measuredNs = System.nanoTime() - startNs;
        TimeUnit.SECONDS.sleep(options.graceS);

        final LoadReport report = collect(options, clip, window, contexts, measuredNs);
        report.epoll = epoll;
        final double tickSeconds = ProcStats.CLOCK_TICKS * (measuredNs / 1e9);
        report.serverCpuCores = options.serverPids.length == 0 ? Double.NaN
            : (serverTicks1[0] + serverTicks1[1] - serverTicks0[0] - serverTicks0[1]) / tickSeconds;
        report.serverSystemCores = options.serverPids.length == 0 ? Double.NaN
            : (serverTicks1[1] - serverTicks0[1]) / tickSeconds;
        report.serverPeakRssKb = ProcStats.statusKb(options.serverPids, "VmHWM");
        report.toolCpuCores = (toolCpu1 - toolCpu0) / (double)measuredNs;
        report.toolAllocBytesPerS = (toolAlloc1 - toolAlloc0) / (measuredNs / 1e9);
        report.toolGcCount = toolGc1 - toolGc0;
        report.toolRssKb = ProcStats.statusKb(new long[] {ProcessHandle.current().pid()}, "VmHWM");
        return report;
    }

    private static void connectPlayers(
        final LoadOptions options,
        final LoadWindow window,
        final List<LoopContext> contexts,
        final Class<? extends SocketChannel> channelClass,
        final List<Channel> channels,
        final String app,
        final String tcUrl) throws InterruptedException
    {
        for (int i = 0; i < options.players; i++)
        {
            final LoopContext context = contexts.get(i % contexts.size());
            final int publisher = i % options.publishers;
            final Player player = new Player(publisher, app, tcUrl, options.streamName(publisher), context);
            channels.add(connectRtmp(context, channelClass, options.rtmp.getHost(), options.rtmpPort(), player,
                new WireCounter(context, WireCounter.Kind.PLAYER), window));
            if ((i + 1) % options.connectBatch == 0)
            {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    private static void connectRtspPlayers(
        final LoadOptions options,
        final FlvClip clip,
        final LoadWindow window,
        final List<LoopContext> contexts,
        final Class<? extends SocketChannel> channelClass,
        final List<Channel> channels) throws InterruptedException
    {
        final ClipTimeline timeline = new ClipTimeline(clip);
        for (int i = 0; i < options.rtspPlayers; i++)
        {
            final LoopContext context = contexts.get(i % contexts.size());
            final int publisher = i % options.publishers;
            final RtspPlayer player = new RtspPlayer(publisher, options.rtspUrl(publisher), timeline, context);
            channels.add(connect(context, channelClass, options.rtsp.getHost(), options.rtspPort(),
                new ChannelInitializer<>()
                {
                    @Override
                    protected void initChannel(final Channel ch)
                    {
                        ch.pipeline().addLast(new WireCounter(context, WireCounter.Kind.RTSP_PLAYER),
                            new RtspEncoder(), new RtspDecoder(), player);
                    }
                }, window));
            if ((i + 1) % options.connectBatch == 0)
            {
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    private static void awaitPublishers(final LoadOptions options, final LoadWindow window)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + PUBLISHERS_READY_TIMEOUT_NS;
        while (System.nanoTime() < deadline)
        {
            int started = 0;
            for (int i = 0; i < options.publishers; i++)
            {
                started += window.publisherStartNs(i) != Long.MIN_VALUE ? 1 : 0;
            }

            if (started == options.publishers)
            {
                break;
            }

            TimeUnit.MILLISECONDS.sleep(20);
        }

        // Give the first GOP time to reach the server, so joining players get a keyframe at once.
        TimeUnit.MILLISECONDS.sleep(1000);
    }

    private static void awaitPlayers(final LoadOptions options, final List<LoopContext> contexts)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        final long deadline = System.nanoTime() + PLAYERS_READY_TIMEOUT_NS;
        while (System.nanoTime() < deadline)
        {
            int playing = 0;
            for (final LoopContext context : contexts)
            {
                playing += context.loop.submit(() ->
                {
                    int n = 0;
                    for (final Player player : context.players)
                    {
                        n += player.playing() ? 1 : 0;
                    }

                    for (final RtspPlayer player : context.rtspPlayers)
                    {
                        n += player.playing() ? 1 : 0;
                    }

                    return n;
                }).get(5, TimeUnit.SECONDS);
            }

            if (playing >= options.players + options.rtspPlayers)
            {
                return;
            }

            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    private static Channel connectRtmp(
        final LoopContext context,
        final Class<? extends SocketChannel> channelClass,
        final String host,
        final int port,
        final ChannelHandler session,
        final WireCounter counter,
        final LoadWindow window)
    {
        return connect(context, channelClass, host, port, new ChannelInitializer<>()
        {
            @Override
            protected void initChannel(final Channel ch)
            {
                if (counter != null)
                {
                    ch.pipeline().addLast(counter);
                }

                ch.pipeline().addLast(new RtmpClientHandshake(),
                    new RtmpChunkEncoder(RtmpClientCommands.AUDIO_CSID, RtmpClientCommands.VIDEO_CSID),
                    new RtmpChunkDecoder(), session);
            }
        }, window);
    }

    private static Channel connect(
        final LoopContext context,
        final Class<? extends SocketChannel> channelClass,
        final String host,
        final int port,
        final ChannelInitializer<Channel> initializer,
        final LoadWindow window)
    {
        final ChannelFuture future = new Bootstrap()
            .group(context.loop)
            .channel(channelClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
            .handler(initializer)
            .connect(host, port);
        future.addListener(f ->
        {
            if (!f.isSuccess())
            {
                window.connectFailures.incrementAndGet();
            }
        });
        return future.channel();
    }

    private static LoadReport collect(
        final LoadOptions options,
        final FlvClip clip,
        final LoadWindow window,
        final List<LoopContext> contexts,
        final long measuredNs) throws Exception
    {
        final LoadReport report = new LoadReport(options, clip, measuredNs);
        final long[][] expected = new long[options.publishers][];
        for (int i = 0; i < options.publishers; i++)
        {
            final long pubStartNs = window.publisherStartNs(i);
            expected[i] = pubStartNs == Long.MIN_VALUE ? new long[] {0, 0}
                : clip.scheduledIn(ceilMs(window.startNs() - pubStartNs), ceilMs(window.endNs() - pubStartNs));
        }

        for (final LoopContext context : contexts)
        {
            context.loop.submit(() -> collectLoop(report, context, expected)).get(10, TimeUnit.SECONDS);
        }

        report.connectFailures = window.connectFailures.get();
        report.refused = window.refused.get();
        report.closedEarly = window.closedEarly.get();
        report.protocolErrors = window.protocolErrors.get();
        report.hlsHttpErrors = window.hlsHttpErrors.get();
        report.hlsUnanchored = window.hlsUnanchored.get();
        report.publishersBehind = window.publishersBehind.get();
        for (final long[] e : expected)
        {
            report.expectedFramesPerStream = Math.max(report.expectedFramesPerStream, e[0]);
        }

        return report;
    }

    private static void collectLoop(final LoadReport report, final LoopContext context, final long[][] expected)
    {
        report.deliveryLagUs.add(context.deliveryLagUs);
        report.rtspLagUs.add(context.rtspLagUs);
        report.rtspWireBytes += context.rtspWireBytes;
        report.rtspUnanchoredFrames += context.rtspUnanchoredFrames;
        report.rtspUnmatchedFrames += context.rtspUnmatchedFrames;
        report.rtspBadPackets += context.rtspBadPackets;
        report.hlsLagUs.add(context.hlsLagUs);
        report.publishSendLagUs.add(context.publishSendLagUs);
        report.playerWireBytes += context.playerWireBytes;
        report.publisherWireBytes += context.publisherWireBytes;
        report.hlsWireBytes += context.hlsWireBytes;
        report.earlyFrames += context.earlyFrames;
        report.unmatchedFrames += context.unmatchedFrames;
        for (final Player player : context.players)
        {
            final long[] e = expected[player.publisher()];
            report.playersPlaying += player.playing() ? 1 : 0;
            report.framesReceived += player.framesInWindow();
            report.framesExpected += e[0];
            if (e[0] > 0 && player.framesInWindow() >= FULL_RATE_SHARE * e[0]
                && player.mediaBytesInWindow() >= FULL_RATE_SHARE * e[1])
            {
                report.playersFullRate++;
            }
        }

        for (final RtspPlayer player : context.rtspPlayers)
        {
            final long[] e = expected[player.publisher()];
            report.rtspPlayersPlaying += player.playing() ? 1 : 0;
            report.rtspFramesReceived += player.framesInWindow();
            report.rtspFramesExpected += e[0];
            if (e[0] > 0 && player.framesInWindow() >= FULL_RATE_SHARE * e[0]
                && player.mediaBytesInWindow() >= FULL_RATE_SHARE * e[1])
            {
                report.rtspPlayersFullRate++;
            }
        }

        for (final HlsFetcher fetcher : context.fetchers)
        {
            report.hlsSegments += fetcher.segmentsFetched();
        }
    }

    private static long ceilMs(final long ns)
    {
        return ns <= 0 ? -((-ns) / 1_000_000L) : (ns + 999_999L) / 1_000_000L;
    }

    static String quantiles(final Histogram histogram)
    {
        if (histogram.getTotalCount() == 0)
        {
            return "n/a";
        }

        return String.format(Locale.ROOT, "%.1f / %.1f / %.1f / %.1f ms (%d samples)",
            histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
            histogram.getValueAtPercentile(99.9) / 1000.0, histogram.getMaxValue() / 1000.0,
            histogram.getTotalCount());
    }
}
