package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Helpers of the RTSP pull tests: the GStreamer camera emulator ({@code shared/tools/rtsp_camera.py}) as a child
 * process, and HLS waits.
 */
final class RtspPullSupport
{
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);
    static final String USER = "admin";
    static final String PASSWORD = "s3cret-pw";

    private RtspPullSupport()
    {
    }

    /**
     * A running emulator; {@link #close()} stops it (SIGTERM), {@link #kill()} kills it (SIGKILL).
     */
    static final class Camera implements AutoCloseable
    {
        final Process process;
        final int port;
        final Path log;

        private Camera(final Process process, final int port, final Path log)
        {
            this.process = process;
            this.port = port;
            this.log = log;
        }

        static Camera start(final Path dir, final int port, final String... extra) throws Exception
        {
            final List<String> command = new ArrayList<>(List.of("/usr/bin/python3",
                Peers.sharedDir().resolve("tools/rtsp_camera.py").toString(), "--port", Integer.toString(port),
                "--path", "/cam"));
            command.addAll(List.of(extra));
            final Path log = dir.resolve("camera-" + port + "-" + System.nanoTime() + ".log");
            final Process process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            final CompletableFuture<String> ready = CompletableFuture.supplyAsync(() ->
            {
                try
                {
                    final BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8));
                    for (int i = 0; i < 100; i++)
                    {
                        final String line = reader.readLine();
                        if (line == null)
                        {
                            return null;
                        }

                        if (line.startsWith("READY "))
                        {
                            return line;
                        }
                    }
                }
                catch (final IOException ex)
                {
                    return null;
                }

                return null;
            });
            final String line = ready.get(20, TimeUnit.SECONDS);
            if (line == null)
            {
                process.destroyForcibly();
                throw new IllegalStateException("emulator did not start: " + Files.readString(log));
            }

            return new Camera(process, port, log);
        }

        String url(final boolean withCredentials)
        {
            return "rtsp://" + (withCredentials ? USER + ":" + PASSWORD + "@" : "") + "127.0.0.1:" + port + "/cam";
        }

        void kill() throws InterruptedException
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException
        {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    static HlsDownload awaitPlaylist(final TestServer server, final String camera, final double seconds,
        final Duration timeout)
    {
        final String[] last = {""};
        Await.until(timeout, () ->
        {
            final TestServer.HttpResult result = server.get("/live/" + camera + "/stream.m3u8");
            last[0] = result.status() == 200 ? result.text() : "";
            return result.status() == 200 && HlsDownload.parse(last[0]).totalSeconds() >= seconds;
        }, () -> "playlist of " + camera + " never covered " + seconds + " s: " + last[0] + "\nstatus: " +
            server.get("/api/v1/cameras/" + camera).text());
        return HlsDownload.parse(last[0]);
    }
}
