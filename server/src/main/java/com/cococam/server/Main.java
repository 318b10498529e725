package com.cococam.server;

import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.CommandLine;
import com.cococam.server.config.ConfigException;
import com.cococam.server.config.ConfigLoader;
import com.cococam.server.config.GeneratedKeys;
import com.cococam.server.config.ServerConfig;
import io.netty.util.ResourceLeakDetector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point: {@code java -jar server/target/cococam-server.jar [--config FILE] [--key.path=value ...]}.
 *
 * <p>Exit codes: 0 after a clean stop, 2 for a configuration error (every problem printed with file, line and
 * key), 1 when the server cannot start (a port in use, ...).
 */
public final class Main
{
    private static final String LOGBACK_PROPERTY = "logback.configurationFile";
    private static final Path LOGBACK_FILE = Path.of("conf", "logback.xml");

    private Main()
    {
    }

    /**
     * @param args command line.
     */
    public static void main(final String[] args)
    {
        // Both before any Chronicle or logging class loads.
        setIfAbsent("chronicle.analytics.disable", "true");

        // Netty's object pools (slices, duplicates, pooled-buffer shells, OutFrames) before any Netty class loads. A
        // frame's objects are made on the publisher's event loop and freed on other threads (viewer loops, the HLS
        // worker), and at a hundred cameras tens of thousands are out at once (GOP caches, open segments): past the
        // default pool of 4096 per thread Netty keeps only one new object in 8, so the other 7 became garbage, about
        // 3 MB/s at 100 streams x 10 viewers, a young GC every 8 s. Keeping every one (bounded per thread) halved it
        // (bench/results/2026-12-05-*-latency-100x10.txt). Each can still be set with -D.
        setIfAbsent("io.netty.recycler.ratio", "1");
        setIfAbsent("io.netty.recycler.maxCapacityPerThread", "32768");
        setIfAbsent("io.netty.recycler.chunkSize", "256");

        // Netty's default leak sampling records stack traces for every duplicate of a sampled frame buffer, which
        // costs real CPU at hundreds of viewers; tests run at paranoid. -Dio.netty.leakDetection.level=simple turns
        // it back on.
        if (System.getProperty("io.netty.leakDetection.level") == null)
        {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }

        if (System.getProperty(LOGBACK_PROPERTY) == null && Files.isRegularFile(LOGBACK_FILE))
        {
            System.setProperty(LOGBACK_PROPERTY, LOGBACK_FILE.toAbsolutePath().toString());
        }

        final ServerConfig config;
        try
        {
            final CommandLine commandLine = CommandLine.parse(args);
            if (commandLine.helpRequested())
            {
                System.out.println(CommandLine.usage());
                return;
            }

            final ConfigLoader.Loaded loaded = ConfigLoader.load(commandLine, null, System.getenv());
            config = GeneratedKeys.forStorage(loaded.config().storage()).resolveMissing(loaded.config()).config();
            LoggerFactory.getLogger(Main.class).info("configuration: {}", loaded.source());
        }
        catch (final ConfigException ex)
        {
            System.err.println("cococam: invalid configuration:");
            for (final String problem : ex.problems())
            {
                System.err.println("  " + problem);
            }

            System.exit(2);
            return;
        }
        catch (final IOException ex)
        {
            System.err.println("cococam: cannot create publish keys: " + ex.getMessage());
            System.exit(2);
            return;
        }

        run(config);
    }

    private static void setIfAbsent(final String key, final String value)
    {
        if (System.getProperty(key) == null)
        {
            System.setProperty(key, value);
        }
    }

    private static void run(final ServerConfig config)
    {
        final Logger log = LoggerFactory.getLogger(Main.class);
        final CococamServer server = new CococamServer(config);
        try
        {
            server.start();
        }
        catch (final Exception ex)
        {
            log.error("cannot start: {}", ex.toString());
            server.close();
            System.exit(1);
            return;
        }

        // Start-up time as an operator sees it: from the process start (JVM boot included) to every listener bound.
        ProcessHandle.current().info().startInstant().ifPresent(started -> log.info("accepting connections {} ms " +
            "after the process started", Duration.between(started, Instant.now()).toMillis()));

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            server.close();
            stopped.countDown();
        }, "cococam-shutdown"));

        printWelcome(config, server);
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void printWelcome(final ServerConfig config, final CococamServer server)
    {
        final String rtmpHost = displayHost(config.rtmp().host());
        final String httpHost = displayHost(config.http().host());
        final StringBuilder text = new StringBuilder("\nCOCOCAM Media Server is running.\n");
        if (config.cameras().isEmpty())
        {
            text.append("No cameras are configured, so nobody can publish: add one under 'cameras:' in the config.\n");
        }

        for (final CameraConfig camera : config.cameras().values())
        {
            text.append("\n  camera ").append(camera.name())
                .append(camera.record() ? " (recorded, " + camera.retentionDays() + " days)" : " (not recorded)")
                .append("\n    publish: ffmpeg -re -i input.mp4 -c copy -f flv 'rtmp://").append(rtmpHost).append(':')
                .append(server.rtmpPort()).append('/').append(camera.path()).append("?key=")
                .append(camera.publishKey()).append("'\n")
                .append("    OBS:     server rtmp://").append(rtmpHost).append(':').append(server.rtmpPort())
                .append("/live   stream key ").append(camera.name()).append("?key=").append(camera.publishKey())
                .append("\n    watch:   http://").append(httpHost).append(':').append(server.httpPort()).append('/')
                .append(camera.path()).append("/   (HLS: http://").append(httpHost).append(':')
                .append(server.httpPort()).append('/').append(camera.path()).append("/index.m3u8, RTMP: rtmp://")
                .append(rtmpHost).append(':').append(server.rtmpPort()).append('/').append(camera.path())
                .append(")\n");
        }

        text.append("\n  recordings: ").append(config.storage().dir().toAbsolutePath().normalize())
            .append("   metrics: http://").append(httpHost).append(':').append(server.httpPort()).append("/metrics\n");
        System.out.println(text);
    }

    private static String displayHost(final String bindHost)
    {
        return "0.0.0.0".equals(bindHost) || "::".equals(bindHost) ? "localhost" : bindHost;
    }
}
