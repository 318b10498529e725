package com.cococam.server.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * VLC ({@code cvlc}) as a real peer of end-to-end tests: a player that records what it plays (RTMP, HLS) into an
 * MPEG-TS file, and an RTSP server (RTP over UDP only) that stands in for an IP camera.
 *
 * <p>VLC refuses to run as root, so when the tests run as root every VLC is started as {@code nobody}
 * ({@code setpriv --reuid=65534 --regid=65534 --clear-groups}) with {@code HOME} in a work folder this object
 * makes world-writable under {@code java.io.tmpdir} (which must be traversable by {@code nobody}, as
 * {@code /tmp} is). Files VLC reads are copied there ({@link #stage(Path)}); files it writes land there.
 *
 * <p>Where VLC is looked for: {@code $COCOCAM_CVLC}, else {@code cvlc} on the PATH. When it is missing,
 * {@link #require()} skips the test, unless {@code $COCOCAM_REQUIRE_VLC} is {@code true} (CI), in which case it
 * fails it.
 *
 * <p>Every run is bounded: a recording is killed (with its whole process tree) past its timeout, and
 * {@link #close()} kills every VLC this object started and deletes the work folder.
 *
 * <p>Thread safety: not thread-safe; one test uses one instance.
 */
public final class Vlc implements AutoCloseable
{
    /** Environment variable that turns a missing VLC into a failure. */
    public static final String REQUIRE_ENV = "COCOCAM_REQUIRE_VLC";
    /** Environment variable naming the {@code cvlc} program to use. */
    public static final String PROGRAM_ENV = "COCOCAM_CVLC";

    private static final int NOBODY = 65534;
    private static final int DESCRIBE_READ_LIMIT_BYTES = 64 * 1024;

    private final Path program;
    private final Path dir;
    private final boolean dropRoot;
    private final List<Process> started = new ArrayList<>();

    private Vlc(final Path program, final Path dir, final boolean dropRoot)
    {
        this.program = program;
        this.dir = dir;
        this.dropRoot = dropRoot;
    }

    /**
     * Locates VLC and makes a work folder, skipping or failing the calling test when VLC is missing (see the
     * class comment).
     *
     * @return a VLC runner; the caller closes it.
     * @throws IOException if the work folder cannot be made.
     */
    public static Vlc require() throws IOException
    {
        final Path program = requireInstalled();
        final Path dir = Files.createTempDirectory("cococam-vlc");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        return new Vlc(program, dir, runningAsRoot());
    }

    /**
     * Checks that VLC (and, as root, {@code setpriv}) is installed, skipping or failing the caller when not (see
     * the class comment). Cheap: call it from {@code @BeforeAll} to skip a class before it prepares anything.
     *
     * @return the {@code cvlc} program.
     */
    public static Path requireInstalled()
    {
        final Path program = findProgram();
        String missing = null;
        if (program == null)
        {
            missing = "cvlc not found ($" + PROGRAM_ENV + " unset or not executable, and no cvlc on the PATH;"
                + " install: apt-get install -y --no-install-recommends vlc-bin vlc-plugin-base)";
        }
        else if (runningAsRoot() && findOnPath("setpriv") == null)
        {
            missing = "setpriv (util-linux) not found, and VLC will not run as root";
        }

        if (missing != null)
        {
            final String message = "VLC test needs: " + missing;
            if ("true".equalsIgnoreCase(System.getenv(REQUIRE_ENV)))
            {
                Assertions.fail(message + " ($" + REQUIRE_ENV + "=true)");
            }

            Assumptions.abort(message);
        }

        return program;
    }

    /**
     * @return the {@code cvlc} program, or null when none is found.
     */
    public static Path findProgram()
    {
        final String configured = System.getenv(PROGRAM_ENV);
        if (configured != null && !configured.isBlank())
        {
            final Path path = Paths.get(configured);
            return Files.isExecutable(path) ? path : null;
        }

        return findOnPath("cvlc");
    }

    /**
     * @return the work folder (world-writable), where staged inputs and recordings live.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * Copies a file into the work folder, readable by everybody, so that VLC can read it as {@code nobody}.
     *
     * @param file the file.
     * @return the copy.
     * @throws IOException if it cannot be copied.
     */
    public Path stage(final Path file) throws IOException
    {
        final Path copy = dir.resolve(file.getFileName().toString());
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        return copy;
    }

    /**
     * Plays a URL for {@code runTime} and records what VLC receives, without transcoding, into an MPEG-TS file
     * ({@code --sout '#std{access=file,mux=ts,...}'}), then quits. Blocks until VLC exits or {@code timeout}
     * passes; past it VLC and its children are killed.
     *
     * <p>Limit: VLC's TS muxer leaves the last audio PES of a recording cut by {@code --run-time} truncated, so a
     * decoder reports one error on the final AAC frame; check video and audio separately.
     *
     * @param url     what to play (rtmp://, http://...m3u8).
     * @param name    output file name in the work folder (e.g. {@code rtmp.ts}).
     * @param runTime how long VLC plays (whole seconds, at least 1).
     * @param timeout longest wait for VLC to exit.
     * @return the recording, its exit code and VLC's log.
     * @throws IOException if VLC cannot be started or its log read.
     */
    public Recording record(final String url, final String name, final Duration runTime, final Duration timeout)
        throws IOException
    {
        final Path out = dir.resolve(name);
        final Path log = dir.resolve(name + ".log");
        final long seconds = Math.max(1, runTime.toSeconds());
        final List<String> args = List.of("--run-time=" + seconds, url,
            "--sout", "#std{access=file,mux=ts,dst=" + out + "}", "vlc://quit");
        final Process process = start(args, log);
        boolean finished;
        try
        {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            finished = false;
        }

        if (!finished)
        {
            killTree(process);
        }

        return new Recording(out, finished ? process.exitValue() : -1, !finished,
            Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * Starts VLC serving a media file over RTSP ({@code #rtp{sdp=rtsp://127.0.0.1:PORT/s.sdp}}) and waits until
     * a DESCRIBE answers with an SDP that has both a video and an audio section (VLC opens its RTSP listener
     * before it knows the file's tracks; a client that comes too early gets an SDP without media).
     *
     * <p>VLC's RTSP server in this build offers RTP over UDP only (a TCP SETUP gets 461). It streams as a live
     * broadcast from the moment it starts, whether or not anyone plays. With {@code loop}, VLC re-creates its
     * tracks at every pass through the file: the SDP gets new {@code trackID}s (and may list the tracks in another
     * order), and sessions set up on the old tracks receive nothing more.
     *
     * @param clip    file in the work folder (see {@link #stage(Path)}).
     * @param port    TCP port for RTSP on 127.0.0.1.
     * @param loop    whether to loop the file.
     * @param timeout longest wait for the SDP.
     * @return the running server; close it (or this object) to stop it.
     * @throws IOException if VLC cannot be started; fails the caller if the SDP never comes.
     */
    public RtspServer serveRtsp(final Path clip, final int port, final boolean loop, final Duration timeout)
        throws IOException
    {
        final String url = "rtsp://127.0.0.1:" + port + "/s.sdp";
        final Path log = dir.resolve("rtsp-" + port + ".log");
        final List<String> args = new ArrayList<>(List.of("--sout", "#rtp{sdp=" + url + "}", "--sout-keep"));
        if (loop)
        {
            args.add("--loop");
        }

        args.add(clip.toString());
        final Process process = start(args, log);
        final RtspServer server = new RtspServer(process, url, port, log);
        final long deadline = System.nanoTime() + timeout.toNanos();
        String sdp = "";
        while (System.nanoTime() < deadline && process.isAlive())
        {
            sdp = describe(port);
            if (sdp.contains("m=video") && sdp.contains("m=audio"))
            {
                return server;
            }

            try
            {
                process.waitFor(100, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }

        server.close();
        throw new AssertionError("VLC RTSP server on port " + port + " never described both tracks; last SDP: "
            + sdp + "\nlog: " + Files.readString(log, StandardCharsets.UTF_8));
    }

    /**
     * Sends one RTSP DESCRIBE to 127.0.0.1 and returns the whole answer.
     *
     * @param port RTSP port.
     * @return the response (headers and SDP), or an empty string when nothing answers.
     */
    public static String describe(final int port)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            socket.setSoTimeout(1000);
            final OutputStream out = socket.getOutputStream();
            out.write(("DESCRIBE rtsp://127.0.0.1:" + port + "/s.sdp RTSP/1.0\r\nCSeq: 1\r\n"
                + "Accept: application/sdp\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final byte[] buffer = new byte[DESCRIBE_READ_LIMIT_BYTES];
            int length = 0;
            while (length < buffer.length)
            {
                final int read;
                try
                {
                    read = in.read(buffer, length, buffer.length - length);
                }
                catch (final java.net.SocketTimeoutException ex)
                {
                    break;
                }

                if (read < 0)
                {
                    break;
                }

                length += read;
                final String text = new String(buffer, 0, length, StandardCharsets.US_ASCII);
                final int headerEnd = text.indexOf("\r\n\r\n");
                if (headerEnd >= 0 && text.length() >= headerEnd + 4 + contentLength(text))
                {
                    break;
                }
            }

            return new String(buffer, 0, length, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    private static int contentLength(final String response)
    {
        for (final String line : response.split("\r\n"))
        {
            if (line.isEmpty())
            {
                break;
            }

            if (line.regionMatches(true, 0, "Content-Length:", 0, 15))
            {
                try
                {
                    return Integer.parseInt(line.substring(15).trim());
                }
                catch (final NumberFormatException ex)
                {
                    return 0;
                }
            }
        }

        return 0;
    }

    private Process start(final List<String> args, final Path log) throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (dropRoot)
        {
            command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }

        command.add(program.toString());
        // cvlc already selects the dummy interface; no D-Bus, so it neither waits for nor complains about a bus.
        command.addAll(List.of("--no-dbus", "--no-interact"));
        command.addAll(args);
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HOME", dir.toString());
        builder.environment().remove("DISPLAY");
        builder.environment().remove("WAYLAND_DISPLAY");
        builder.environment().remove("DBUS_SESSION_BUS_ADDRESS");
        final Process process = builder.start();
        started.add(process);
        return process;
    }

    private static void killTree(final Process process)
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean runningAsRoot()
    {
        try
        {
            final Object uid = Files.getAttribute(Paths.get("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            return uid instanceof Integer && (Integer)uid == 0;
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static Path findOnPath(final String name)
    {
        final String path = System.getenv("PATH");
        if (path == null)
        {
            return null;
        }

        for (final String entry : path.split(File.pathSeparator))
        {
            if (entry.isEmpty())
            {
                continue;
            }

            final Path candidate = Paths.get(entry, name);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /**
     * Kills every VLC this object started (with their children) and deletes the work folder.
     */
    @Override
    public void close()
    {
        for (final Process process : started)
        {
            if (process.isAlive())
            {
                killTree(process);
            }
        }

        started.clear();
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            // Best effort: a leftover temp folder is harmless.
        }
    }

    /**
     * What a {@link #record} run left.
     *
     * @param file     the MPEG-TS recording (may be missing or empty when VLC got nothing).
     * @param exitCode VLC's exit status, -1 when it was killed for running too long.
     * @param timedOut whether it was killed for running too long.
     * @param log      VLC's output (its D-Bus/PulseAudio/hotkey complaints are noise).
     */
    public record Recording(Path file, int exitCode, boolean timedOut, String log)
    {
        /**
         * @return the recording's size in bytes, 0 when it is missing.
         */
        public long sizeBytes()
        {
            try
            {
                return Files.exists(file) ? Files.size(file) : 0;
            }
            catch (final IOException ex)
            {
                return 0;
            }
        }

        @Override
        public String toString()
        {
            return "VLC exit " + exitCode + (timedOut ? " (killed: timeout)" : "") + ", " + sizeBytes()
                + " bytes in " + file + "\nlog: " + log.strip();
        }
    }

    /**
     * A running VLC RTSP server; {@link #close()} kills it.
     */
    public static final class RtspServer implements AutoCloseable
    {
        private final Process process;
        private final String url;
        private final int port;
        private final Path log;

        private RtspServer(final Process process, final String url, final int port, final Path log)
        {
            this.process = process;
            this.url = url;
            this.port = port;
            this.log = log;
        }

        /**
         * @return the presentation URL ({@code rtsp://127.0.0.1:PORT/s.sdp}).
         */
        public String url()
        {
            return url;
        }

        /**
         * @return the RTSP port.
         */
        public int port()
        {
            return port;
        }

        /**
         * @return VLC's output so far.
         */
        public String log()
        {
            try
            {
                return Files.readString(log, StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                return "(log unreadable: " + ex.getMessage() + ")";
            }
        }

        /**
         * @return whether VLC still runs.
         */
        public boolean alive()
        {
            return process.isAlive();
        }

        /**
         * Kills VLC and its children.
         */
        @Override
        public void close()
        {
            if (process.isAlive())
            {
                killTree(process);
            }
        }
    }
}
