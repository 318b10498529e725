package com.cococam.bench.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Command line of {@link LoadMain}: {@code --key=value} (or {@code --key value}) pairs, checked against bounds.
 * Every target must be a loopback address; anything else is refused.
 *
 * <p>Thread safety: immutable after parsing.
 */
final class LoadOptions
{
    static final int MAX_PUBLISHERS = 500;
    static final int MAX_PLAYERS = 5000;
    static final int MAX_FETCHERS = 1000;
    static final int MAX_DURATION_S = 600;
    static final int MAX_WARMUP_S = 120;
    static final int MAX_THREADS = 16;

    final String label;
    final String server;
    final String scenario;
    final URI rtmp;
    final URI rtsp;
    final boolean rtspPublish;
    final String hlsTemplate;
    final Path input;
    final int publishers;
    final int players;
    final int rtspPlayers;
    final int fetchers;
    final String streamPrefix;
    final String keyPrefix;
    final int warmupS;
    final int durationS;
    final int graceS;
    final int threads;
    final int hlsPollMs;
    final int connectBatch;
    final long[] serverPids;
    final Path json;

    private LoadOptions(final Map<String, String> values)
    {
        label = values.getOrDefault("label", "load");
        server = values.getOrDefault("server", "");
        scenario = values.getOrDefault("scenario", "");
        rtmp = URI.create(values.getOrDefault("rtmp", "rtmp://127.0.0.1:1935/live"));
        rtsp = URI.create(values.getOrDefault("rtsp", "rtsp://127.0.0.1:8554/live"));
        final String publish = values.getOrDefault("publish", "rtmp");
        if (!"rtmp".equals(publish) && !"rtsp".equals(publish))
        {
            throw new IllegalArgumentException("--publish must be rtmp or rtsp: " + publish);
        }

        rtspPublish = "rtsp".equals(publish);
        hlsTemplate = values.getOrDefault("hls", "");
        input = Path.of(require(values, "input"));
        publishers = bounded(values, "publishers", 1, 1, MAX_PUBLISHERS);
        players = bounded(values, "players", 0, 0, MAX_PLAYERS);
        rtspPlayers = bounded(values, "rtsp-players", 0, 0, MAX_PLAYERS);
        fetchers = bounded(values, "hls-fetchers", 0, 0, MAX_FETCHERS);
        streamPrefix = values.getOrDefault("stream-prefix", "cam");
        keyPrefix = values.getOrDefault("key-prefix", "");
        warmupS = bounded(values, "warmup-s", 5, 0, MAX_WARMUP_S);
        durationS = bounded(values, "duration-s", 20, 1, MAX_DURATION_S);
        graceS = bounded(values, "grace-s", 2, 0, 30);
        threads = bounded(values, "threads", 2, 1, MAX_THREADS);
        hlsPollMs = bounded(values, "hls-poll-ms", 250, 20, 10_000);
        connectBatch = bounded(values, "connect-batch", 50, 1, 1000);
        serverPids = parsePids(values.getOrDefault("server-pids", ""));
        json = values.containsKey("json") ? Path.of(values.get("json")) : null;
        if (players + rtspPlayers + fetchers + publishers > MAX_PLAYERS + MAX_PUBLISHERS)
        {
            throw new IllegalArgumentException("too many connections");
        }

        if (!"rtmp".equals(rtmp.getScheme()) || rtmp.getHost() == null)
        {
            throw new IllegalArgumentException("--rtmp must look like rtmp://127.0.0.1:PORT/APP");
        }

        requireLoopback(rtmp.getHost());
        if (rtspPlayers > 0 || rtspPublish)
        {
            if (!"rtsp".equals(rtsp.getScheme()) || rtsp.getHost() == null)
            {
                throw new IllegalArgumentException("--rtsp must look like rtsp://127.0.0.1:PORT/APP");
            }

            requireLoopback(rtsp.getHost());
        }
        if (fetchers > 0)
        {
            final URI hls = URI.create(hlsTemplate.replace("{name}", "x"));
            if (!"http".equals(hls.getScheme()) || hls.getHost() == null)
            {
                throw new IllegalArgumentException("--hls must look like http://127.0.0.1:PORT/path/{name}/x.m3u8");
            }

            requireLoopback(hls.getHost());
        }
    }

    /**
     * @param args command line.
     * @return the options.
     * @throws IllegalArgumentException on a malformed, unknown-bound or non-loopback value.
     */
    static LoadOptions parse(final String[] args)
    {
        final Map<String, String> values = new HashMap<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if (!arg.startsWith("--"))
            {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }

            final int eq = arg.indexOf('=');
            if (eq > 0)
            {
                values.put(arg.substring(2, eq), arg.substring(eq + 1));
            }
            else if (i + 1 < args.length)
            {
                values.put(arg.substring(2), args[++i]);
            }
            else
            {
                throw new IllegalArgumentException("missing value for " + arg);
            }
        }

        return new LoadOptions(values);
    }

    String app()
    {
        final String path = rtmp.getPath() == null ? "" : rtmp.getPath();
        return path.startsWith("/") ? path.substring(1) : path;
    }

    int rtmpPort()
    {
        return rtmp.getPort() < 0 ? 1935 : rtmp.getPort();
    }

    int rtspPort()
    {
        return rtsp.getPort() < 0 ? 554 : rtsp.getPort();
    }

    /**
     * @param publisher publisher index.
     * @return the RTSP URL of its stream: the {@code --rtsp} base plus {@code /name}.
     */
    String rtspUrl(final int publisher)
    {
        final String base = rtsp.toString();
        return (base.endsWith("/") ? base : base + "/") + streamName(publisher);
    }

    String streamName(final int publisher)
    {
        return streamPrefix + (publisher + 1);
    }

    private static void requireLoopback(final String host)
    {
        try
        {
            for (final InetAddress address : InetAddress.getAllByName(host))
            {
                if (!address.isLoopbackAddress())
                {
                    throw new IllegalArgumentException("refusing a non-loopback target: " + host);
                }
            }
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("unknown host: " + host, ex);
        }
    }

    private static String require(final Map<String, String> values, final String key)
    {
        final String value = values.get(key);
        if (value == null || value.isEmpty())
        {
            throw new IllegalArgumentException("--" + key + " is required");
        }

        return value;
    }

    private static int bounded(
        final Map<String, String> values,
        final String key,
        final int fallback,
        final int min,
        final int max)
    {
        final int value = values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("--" + key + " must be in " + min + ".." + max + ": " + value);
        }

        return value;
    }

    private static long[] parsePids(final String text)
    {
        if (text.isBlank())
        {
            return new long[0];
        }

        final String[] parts = text.split("[,\\s]+");
        final long[] pids = new long[parts.length];
        for (int i = 0; i < parts.length; i++)
        {
            pids[i] = Long.parseLong(parts[i]);
        }

        return pids;
    }
}
