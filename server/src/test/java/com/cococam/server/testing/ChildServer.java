package com.cococam.server.testing;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real server program ({@code com.cococam.server.Main}) in its own JVM on 127.0.0.1, so that a test can kill
 * it the hard way ({@code kill -9}) and start it again on the same storage.
 *
 * <p>The child runs with this JVM's class path, the module flags Chronicle Queue needs on Java 17, and free
 * ports; its output goes to a log file. Thread safety: one test thread.
 */
public final class ChildServer implements AutoCloseable
{
    /** The JVM flags Chronicle Queue needs (the parent pom's {@code chronicle.jvm.args}). */
    public static final List<String> CHRONICLE_JVM_ARGS = List.of(
        "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
        "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED");

    private final Process process;
    private final int rtmpPort;
    private final int httpPort;
    private final Path log;

    private ChildServer(final Process process, final int rtmpPort, final int httpPort, final Path log)
    {
        this.process = process;
        this.rtmpPort = rtmpPort;
        this.httpPort = httpPort;
        this.log = log;
    }

    /**
     * Starts the server program and waits until its HTTP API answers.
     *
     * @param config  the YAML configuration file.
     * @param storage the recordings folder.
     * @param log     file for the child's output (overwritten).
     * @param timeout longest wait for the server to answer.
     * @return the running child.
     * @throws IOException if it cannot be started; fails the test if it does not come up in time.
     */
    public static ChildServer start(final Path config, final Path storage, final Path log, final Duration timeout)
        throws IOException
    {
        final int rtmpPort = TestServer.freePort();
        final int httpPort = TestServer.freePort();
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(CHRONICLE_JVM_ARGS);
        command.add("-Dchronicle.analytics.disable=true");
        command.add("-Xmx512m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add("com.cococam.server.Main");
        command.add("--config");
        command.add(config.toString());
        command.add("--storage.dir=" + storage);
        command.add("--rtmp.host=127.0.0.1");
        command.add("--http.host=127.0.0.1");
        command.add("--rtmp.port=" + rtmpPort);
        command.add("--http.port=" + httpPort);
        final Process process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
        final ChildServer child = new ChildServer(process, rtmpPort, httpPort, log);
        try
        {
            Await.until(timeout, () ->
            {
                if (!process.isAlive())
                {
                    throw new AssertionError("server exited with " + process.exitValue() + ":\n" + child.log()
                        + "\ncommand: " + command);
                }

                return child.get("/api/v1/cameras").status() == 200;
            }, () -> "child server answering on port " + httpPort + ":\n" + child.log());
        }
        catch (final RuntimeException | AssertionError ex)
        {
            child.kill();
            throw ex;
        }

        return child;
    }

    /**
     * @param path e.g. {@code live/cam1}.
     * @param key  publish key.
     * @return the RTMP publish URL.
     */
    public String publishUrl(final String path, final String key)
    {
        return "rtmp://127.0.0.1:" + rtmpPort + "/" + path + "?key=" + key;
    }

    /**
     * GETs a path; a refused connection gives status -1.
     *
     * @param path absolute path such as {@code /api/v1/cameras}.
     * @return status and body.
     */
    public TestServer.HttpResult get(final String path)
    {
        try
        {
            final HttpURLConnection connection = (HttpURLConnection)URI
                .create("http://127.0.0.1:" + httpPort + path).toURL().openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(5000);
            final int status = connection.getResponseCode();
            final InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            final byte[] body = in == null ? new byte[0] : in.readAllBytes();
            final TestServer.HttpResult result = new TestServer.HttpResult(status, body, connection.getHeaderFields());
            connection.disconnect();
            return result;
        }
        catch (final IOException ex)
        {
            return new TestServer.HttpResult(-1, ex.toString().getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    /**
     * Kills the server without warning (SIGKILL: no shutdown hook, nothing flushed) and waits for it to be gone.
     */
    public void kill()
    {
        process.destroyForcibly();
        waitGone(Duration.ofSeconds(20));
    }

    /**
     * Asks the server to stop (SIGTERM: its shutdown hook closes the server) and waits.
     *
     * @param timeout longest wait before it is killed instead.
     * @return true if it stopped by itself in time.
     */
    public boolean stop(final Duration timeout)
    {
        process.destroy();
        if (waitGone(timeout))
        {
            return true;
        }

        kill();
        return false;
    }

    private boolean waitGone(final Duration timeout)
    {
        try
        {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @return whether the process is still running.
     */
    public boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * @return the child's output so far.
     */
    public String log()
    {
        try
        {
            return Files.readString(log);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    /**
     * Kills the child if it still runs.
     */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            kill();
        }
    }
}
