package com.cococam.server.testing;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the headless browser and the Node.js tools (playwright-core, hls.js) that browser tests drive, and runs
 * Node scripts with the tools folder as working directory so that {@code require} finds the packages.
 *
 * <p>Where things are looked for: the Node tools folder is {@code $COCOCAM_NODE_TOOLS}, else the first
 * {@code .tools/node} found walking up from the working directory; Chromium is {@code $CHROMIUM}, else
 * {@code /usr/bin/chromium}; Node is {@code node} on the PATH. When something is missing, {@link #requireAll()}
 * skips the test, unless {@code $COCOCAM_REQUIRE_BROWSER} is {@code true} (CI), in which case it fails it.
 *
 * <p>Thread safety: immutable.
 *
 * @param nodeTools folder whose {@code node_modules} holds the packages.
 * @param chromium  the Chromium program.
 * @param node      the Node program.
 */
public record BrowserTools(Path nodeTools, Path chromium, String node)
{
    /** Environment variable naming the Node tools folder. */
    public static final String NODE_TOOLS_ENV = "COCOCAM_NODE_TOOLS";
    /** Environment variable that turns a missing browser into a failure. */
    public static final String REQUIRE_ENV = "COCOCAM_REQUIRE_BROWSER";

    private static final Pattern NUMBER_FIELD = Pattern.compile("\"([A-Za-z]+)\":(-?[0-9]+(?:\\.[0-9]+)?)");
    private static final Pattern BOOLEAN_FIELD = Pattern.compile("\"([A-Za-z]+)\":(true|false)");

    /**
     * Locates the tools, skipping or failing the calling test when any is missing (see the class comment).
     *
     * @return the tools.
     */
    public static BrowserTools requireAll()
    {
        final Path tools = nodeToolsDir();
        final String chromiumEnv = System.getenv("CHROMIUM");
        final Path chromium = Paths.get(chromiumEnv == null || chromiumEnv.isBlank() ? "/usr/bin/chromium" : chromiumEnv);
        final List<String> missing = new ArrayList<>();
        if (!Files.isExecutable(chromium))
        {
            missing.add("Chromium not found at " + chromium);
        }

        if (tools == null)
        {
            final String configured = System.getenv(NODE_TOOLS_ENV);
            missing.add(configured != null && !configured.isBlank()
                ? "$" + NODE_TOOLS_ENV + "=" + configured + " is not a folder"
                : "Node tools folder not found ($" + NODE_TOOLS_ENV + " unset and no .tools/node above "
                    + Paths.get("").toAbsolutePath() + ")");
        }
        else
        {
            for (final String module : List.of("playwright-core", "hls.js"))
            {
                if (!Files.isRegularFile(tools.resolve("node_modules").resolve(module).resolve("package.json")))
                {
                    missing.add("npm package " + module + " missing in " + tools
                        + " (run: cd " + tools + " && npm install --no-audit --no-fund)");
                }
            }
        }

        if (!nodeRuns())
        {
            missing.add("node is not on the PATH");
        }

        if (!missing.isEmpty())
        {
            final String message = "browser test needs: " + String.join("; ", missing);
            if ("true".equalsIgnoreCase(System.getenv(REQUIRE_ENV)))
            {
                Assertions.fail(message + " ($" + REQUIRE_ENV + "=true)");
            }

            Assumptions.abort(message);
        }

        return new BrowserTools(tools, chromium, "node");
    }

    /**
     * @return the Node tools folder, or null when none is found.
     */
    public static Path nodeToolsDir()
    {
        final String configured = System.getenv(NODE_TOOLS_ENV);
        if (configured != null && !configured.isBlank())
        {
            final Path dir = Paths.get(configured).toAbsolutePath().normalize();
            return Files.isDirectory(dir) ? dir : null;
        }

        Path dir = Paths.get("").toAbsolutePath();
        for (int depth = 0; dir != null && depth < 6; depth++)
        {
            final Path candidate = dir.resolve(".tools").resolve("node");
            if (Files.isDirectory(candidate.resolve("node_modules")))
            {
                return candidate;
            }

            dir = dir.getParent();
        }

        return null;
    }

    private static boolean nodeRuns()
    {
        try
        {
            final Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                return false;
            }

            return process.exitValue() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Copies a test resource (for example {@code browser/page_check.cjs}) to a file.
     *
     * @param resource class path resource name, without a leading slash.
     * @param dir      folder to copy into.
     * @return the copy.
     * @throws IOException if it cannot be written; fails if the resource is missing.
     */
    public static Path copyResource(final String resource, final Path dir) throws IOException
    {
        try (InputStream in = BrowserTools.class.getClassLoader().getResourceAsStream(resource))
        {
            Assertions.assertNotNull(in, "test resource " + resource);
            final Path out = dir.resolve(Paths.get(resource).getFileName().toString());
            Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        }
    }

    /**
     * Runs a Node script with the tools folder as working directory and waits for it.
     *
     * @param timeout longest run; the script is killed past it (exit code -1 in the result).
     * @param script  the script.
     * @param args    its arguments.
     * @return exit code, stdout and stderr.
     */
    public Run runNode(final Duration timeout, final Path script, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(node);
        command.add(script.toAbsolutePath().toString());
        command.addAll(List.of(args));
        try
        {
            final Path out = Files.createTempFile("node-out", ".txt");
            final Path err = Files.createTempFile("node-err", ".txt");
            final ProcessBuilder builder = new ProcessBuilder(command)
                .directory(nodeTools.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().put("CHROMIUM", chromium.toString());
            final Process process = builder.start();
            final boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished)
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }

            final Run run = new Run(finished ? process.exitValue() : -1,
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return run;
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
     * Outcome of a Node script that prints one JSON line.
     *
     * @param exitCode exit status, -1 when it was killed for running too long.
     * @param stdout   standard output.
     * @param stderr   standard error.
     */
    public record Run(int exitCode, String stdout, String stderr)
    {
        /**
         * @return the last non-blank line of stdout (the JSON report), or an empty string.
         */
        public String json()
        {
            final String[] lines = stdout.strip().split("\n");
            return lines.length == 0 ? "" : lines[lines.length - 1].strip();
        }

        /**
         * @param name a top-level numeric field of the JSON report.
         * @return its value, or NaN when absent.
         */
        public double number(final String name)
        {
            final Matcher matcher = NUMBER_FIELD.matcher(json());
            while (matcher.find())
            {
                if (matcher.group(1).equals(name))
                {
                    return Double.parseDouble(matcher.group(2));
                }
            }

            return Double.NaN;
        }

        /**
         * @param name a top-level boolean field of the JSON report.
         * @return its value; false when absent.
         */
        public boolean flag(final String name)
        {
            final Matcher matcher = BOOLEAN_FIELD.matcher(json());
            while (matcher.find())
            {
                if (matcher.group(1).equals(name))
                {
                    return Boolean.parseBoolean(matcher.group(2));
                }
            }

            return false;
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + ": " + json() + (stderr.isBlank() ? "" : "\nstderr: " + stderr.strip());
        }
    }
}
