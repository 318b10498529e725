package com.cococam.codec.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real peers for tests: the ffmpeg and ffprobe programs shipped inside Bytedeco's FFmpeg Maven artifact
 * (GPL build, with libx264 and libx265), and the shared media samples.
 *
 * <p>Shared by every module's tests through the codec test-jar.
 */
public final class Peers
{
    private static volatile String ffmpeg;
    private static volatile String ffprobe;

    private Peers()
    {
    }

    /**
     * @return absolute path of the bundled ffmpeg program, extracted on first use.
     */
    public static synchronized String ffmpeg()
    {
        if (ffmpeg == null)
        {
            ffmpeg = load("org.bytedeco.ffmpeg.ffmpeg");
        }

        return ffmpeg;
    }

    /**
     * @return absolute path of the bundled ffprobe program, extracted on first use.
     */
    public static synchronized String ffprobe()
    {
        if (ffprobe == null)
        {
            ffprobe = load("org.bytedeco.ffmpeg.ffprobe");
        }

        return ffprobe;
    }

    private static String load(final String className)
    {
        // The GPL build's native libraries live in the "-gpl" classified jar; tell JavaCPP before it loads.
        if (System.getProperty("org.bytedeco.javacpp.platform.extension") == null)
        {
            System.setProperty("org.bytedeco.javacpp.platform.extension", "-gpl");
        }

        try
        {
            final Class<?> loader = Class.forName("org.bytedeco.javacpp.Loader");
            final Class<?> program = Class.forName(className);
            return (String)loader.getMethod("load", Class.class).invoke(null, program);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException("cannot load bundled program: " + className, ex);
        }
    }

    /**
     * @return the shared/samples folder (system property {@code cococam.shared.dir}, else ../shared).
     */
    public static Path samplesDir()
    {
        return sharedDir().resolve("samples");
    }

    /**
     * @return the shared/ folder beside the repository.
     */
    public static Path sharedDir()
    {
        final String configured = System.getProperty("cococam.shared.dir");
        if (configured != null && Files.isDirectory(Paths.get(configured)))
        {
            return Paths.get(configured).toAbsolutePath().normalize();
        }

        Path dir = Paths.get("").toAbsolutePath();
        while (dir != null)
        {
            final Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("samples")))
            {
                return candidate;
            }

            dir = dir.getParent();
        }

        throw new IllegalStateException("shared/ folder not found; set -Dcococam.shared.dir");
    }

    /**
     * @param name a file name in shared/samples.
     * @return its path; fails if missing.
     */
    public static Path sample(final String name)
    {
        final Path path = samplesDir().resolve(name);
        if (!Files.isRegularFile(path))
        {
            throw new IllegalStateException("missing sample: " + path);
        }

        return path;
    }

    /**
     * Runs a program to completion.
     *
     * @param timeout longest run; the process is killed past it and the result says so.
     * @param command program and arguments.
     * @return exit code and output.
     */
    public static Result run(final Duration timeout, final String... command)
    {
        return run(timeout, Arrays.asList(command));
    }

    /**
     * Runs a program to completion.
     *
     * @param timeout longest run; the process is killed past it and the result says so.
     * @param command program and arguments.
     * @return exit code and output.
     */
    public static Result run(final Duration timeout, final List<String> command)
    {
        try
        {
            final Path out = Files.createTempFile("peer-out", ".txt");
            final Path err = Files.createTempFile("peer-err", ".txt");
            final Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
            final boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished)
            {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }

            final Result result = new Result(
                finished ? process.exitValue() : -1,
                !finished,
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + command, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command, ex);
        }
    }

    /**
     * Starts a long-running program (a publisher, a player); the caller must destroy it.
     *
     * @param log     file that receives stdout and stderr.
     * @param command program and arguments.
     * @return the process.
     */
    public static Process start(final Path log, final List<String> command)
    {
        try
        {
            return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + command, ex);
        }
    }

    /**
     * Runs ffprobe with {@code -of flat} and returns its key/value output, e.g.
     * {@code streams.stream.0.codec_name -> h264}.
     *
     * @param timeout longest run.
     * @param args    ffprobe arguments between the program name and the output format options.
     * @return the flat map; fails the caller with the error output if ffprobe fails.
     */
    public static Map<String, String> ffprobeFlat(final Duration timeout, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(ffprobe());
        command.add("-v");
        command.add("error");
        command.addAll(Arrays.asList(args));
        command.add("-of");
        command.add("flat");
        final Result result = run(timeout, command);
        if (result.exitCode() != 0)
        {
            throw new AssertionError("ffprobe failed (" + result.exitCode() + "): " + result.stderr());
        }

        return parseFlat(result.stdout());
    }

    /**
     * @param text ffprobe {@code -of flat} output.
     * @return its keys and unquoted values, in order.
     */
    public static Map<String, String> parseFlat(final String text)
    {
        final Map<String, String> map = new LinkedHashMap<>();
        for (final String line : text.split("\n"))
        {
            final int eq = line.indexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            String value = line.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\""))
            {
                value = value.substring(1, value.length() - 1);
            }

            map.put(line.substring(0, eq).trim(), value);
        }

        return map;
    }

    /**
     * Outcome of a finished program.
     *
     * @param exitCode exit status, -1 if it was killed for running too long.
     * @param timedOut whether it was killed for running too long.
     * @param stdout   standard output.
     * @param stderr   standard error.
     */
    public record Result(int exitCode, boolean timedOut, String stdout, String stderr)
    {
    }
}
