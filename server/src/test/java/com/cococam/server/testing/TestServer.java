package com.cococam.server.testing;

import com.cococam.codec.testing.Peers;
import com.cococam.server.CococamServer;
import com.cococam.server.config.ConfigLoader;
import com.cococam.server.config.ServerConfig;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A real server on 127.0.0.1 with free ports, for end-to-end tests, and the client calls tests make against it.
 *
 * <p>Cameras: {@code cam1} (key {@code key1}), {@code cam2} (key {@code key2}) and {@code cam3} (key
 * {@code key3}), all recorded for 7 days.
 */
public final class TestServer implements AutoCloseable
{
    /** Publish key of cam1. */
    public static final String KEY1 = "key1";
    /** Publish key of cam2. */
    public static final String KEY2 = "key2";
    /** Publish key of cam3. */
    public static final String KEY3 = "key3";

    private static final String YAML = """
        cameras:
          cam1:
            publishKey: key1
            record: true
            retentionDays: 7
          cam2:
            publishKey: key2
            record: true
            retentionDays: 7
          cam3:
            publishKey: key3
            record: true
            retentionDays: 14
        """;

    private final CococamServer server;

    private TestServer(final CococamServer server)
    {
        this.server = server;
    }

    /**
     * Starts a server.
     *
     * @param storage   recordings folder (a test's temp dir).
     * @param overrides extra {@code --key=value} overrides.
     * @return the running server.
     * @throws Exception if it cannot start.
     */
    public static TestServer start(final Path storage, final String... overrides) throws Exception
    {
        final List<String> args = new ArrayList<>();
        args.add("--rtmp.host=127.0.0.1");
        args.add("--http.host=127.0.0.1");
        args.add("--rtsp.host=127.0.0.1");
        args.add("--rtsp.port=" + freePort());
        args.add("--rtmp.port=" + freePort());
        args.add("--http.port=" + freePort());
        args.add("--storage.dir=" + storage);
        args.addAll(Arrays.asList(overrides));
        final ServerConfig config = ConfigLoader.fromYaml(YAML, "test.yaml", args.toArray(new String[0]), Map.of());
        return new TestServer(new CococamServer(config).start());
    }

    /**
     * @return a TCP port that was free a moment ago.
     * @throws IOException if none can be had.
     */
    public static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /**
     * @return the server.
     */
    public CococamServer server()
    {
        return server;
    }

    /**
     * @param path e.g. {@code live/cam1}.
     * @return the RTMP URL of the path, without a key.
     */
    public String rtmpUrl(final String path)
    {
        return "rtmp://127.0.0.1:" + server.rtmpPort() + "/" + path;
    }

    /**
     * @param path e.g. {@code live/cam1}.
     * @return the RTSP URL of the path, without a key.
     */
    public String rtspUrl(final String path)
    {
        return "rtsp://127.0.0.1:" + server.rtspPort() + "/" + path;
    }

    /**
     * @param path e.g. {@code live/cam1}.
     * @param key  publish key.
     * @return the publish URL.
     */
    public String publishUrl(final String path, final String key)
    {
        return rtmpUrl(path) + "?key=" + key;
    }

    /**
     * @param path absolute path such as {@code /live/cam1/index.m3u8}.
     * @return the HTTP URL.
     */
    public String httpUrl(final String path)
    {
        return "http://127.0.0.1:" + server.httpPort() + path;
    }

    /**
     * GETs a path.
     *
     * @param path absolute path.
     * @return status and body.
     */
    public HttpResult get(final String path)
    {
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)URI.create(httpUrl(path)).toURL().openConnection();
            connection.setConnectTimeout(5000);
            connection.setReadTimeout(10000);
            final int status = connection.getResponseCode();
            final InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            final byte[] body = in == null ? new byte[0] : in.readAllBytes();
            final HttpResult result = new HttpResult(status, body, connection.getHeaderFields());
            connection.disconnect();
            return result;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("GET " + path + " failed", ex);
        }
    }

    /**
     * Starts the bundled ffmpeg publishing a generated test pattern with a tone, in real time.
     *
     * @param url          publish URL.
     * @param seconds      duration.
     * @param videoCodec   e.g. {@code libx264} or {@code libx265}.
     * @param extraOptions more output options placed before {@code -f flv} (e.g. {@code -bf 2}).
     * @param log          file for ffmpeg's output.
     * @return the process.
     */
    public static Process publishTestPattern(
        final String url,
        final int seconds,
        final String videoCodec,
        final List<String> extraOptions,
        final Path log)
    {
        final List<String> command = new ArrayList<>(List.of(Peers.ffmpeg(), "-hide_banner", "-nostats",
            "-loglevel", "warning", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", Integer.toString(seconds),
            "-c:v", videoCodec, "-g", "50", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "96k"));
        if (videoCodec.equals("libx264"))
        {
            command.addAll(List.of("-preset", "veryfast", "-b:v", "1500k"));
        }
        else if (videoCodec.equals("libx265"))
        {
            command.addAll(List.of("-preset", "ultrafast", "-x265-params", "log-level=error:keyint=50:min-keyint=50"));
        }

        command.addAll(extraOptions);
        command.addAll(List.of("-f", "flv", url));
        return Peers.start(log, command);
    }

    /**
     * @param process a process.
     * @param timeout longest wait.
     * @return its exit code.
     * @throws InterruptedException if interrupted.
     */
    public static int waitFor(final Process process, final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly().waitFor();
            throw new AssertionError("process did not finish within " + timeout);
        }

        return process.exitValue();
    }

    @Override
    public void close()
    {
        server.close();
    }

    /**
     * An HTTP response.
     *
     * @param status  status code.
     * @param body    body bytes.
     * @param headers response headers.
     */
    public record HttpResult(int status, byte[] body, Map<String, List<String>> headers)
    {
        /**
         * @return the body as UTF-8 text.
         */
        public String text()
        {
            return new String(body, StandardCharsets.UTF_8);
        }

        /**
         * @param name header name.
         * @return its first value or null.
         */
        public String header(final String name)
        {
            for (final Map.Entry<String, List<String>> entry : headers.entrySet())
            {
                if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name))
                {
                    return entry.getValue().get(0);
                }
            }

            return null;
        }
    }
}
