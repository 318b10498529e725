package com.cococam.server.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The server's command line, split into the configuration file, a help request and key overrides.
 * <p>
 * Accepted arguments: {@code --config FILE} or {@code --config=FILE} (at most once), {@code --help} or
 * {@code -h}, and any number of {@code --key.path=value} overrides (a repeated key: the last one wins).
 * Keys of overrides are checked later by {@link ConfigLoader}, which can say which key was meant; anything
 * else is rejected here.
 * <p>
 * Thread safety: immutable.
 *
 * @param configFile    the file named by {@code --config}, or {@code null} when none was given.
 * @param helpRequested whether {@code --help} or {@code -h} was given.
 * @param assignments   the overrides, in command-line order; unmodifiable.
 */
public record CommandLine(Path configFile, boolean helpRequested, List<Assignment> assignments)
{
    /**
     * Name of the option that picks the configuration file.
     */
    public static final String CONFIG_OPTION = "--config";

    /**
     * One {@code --key=value} override.
     *
     * @param key   the key path after {@code --}, for example {@code rtmp.port}.
     * @param value the text after the first {@code =}, possibly empty.
     */
    public record Assignment(String key, String value)
    {
        /**
         * Masks publish keys and source URLs.
         *
         * @return {@code --key=value} with secrets hidden.
         */
        @Override
        public String toString()
        {
            final String lower = key.toLowerCase(Locale.ROOT);
            final boolean secret = lower.contains("key") || lower.contains("source");

            return "--" + key + "=" + (secret ? "***" : value);
        }
    }

    /**
     * Takes a copy of the overrides.
     */
    public CommandLine
    {
        assignments = List.copyOf(assignments);
    }

    /**
     * Splits the arguments {@code main} received.
     *
     * @param args the arguments; not modified.
     * @return the parsed command line.
     * @throws ConfigException listing every argument that is not understood, each as
     *                         {@code command line: ARG: reason}.
     */
    public static CommandLine parse(final String[] args) throws ConfigException
    {
        final List<String> problems = new ArrayList<>();
        final List<Assignment> assignments = new ArrayList<>();
        Path configFile = null;
        boolean help = false;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            String file = null;
            if ("--help".equals(arg) || "-h".equals(arg))
            {
                help = true;
                continue;
            }
            else if (CONFIG_OPTION.equals(arg))
            {
                if (i + 1 >= args.length || args[i + 1].startsWith("--"))
                {
                    problems.add("command line: --config: missing FILE");
                    continue;
                }

                file = args[++i];
            }
            else if (arg.startsWith(CONFIG_OPTION + "="))
            {
                file = arg.substring(CONFIG_OPTION.length() + 1);
            }
            else
            {
                parseOverride(arg, assignments, problems);
                continue;
            }

            if (file.isEmpty())
            {
                problems.add("command line: --config: missing FILE");
            }
            else if (configFile != null)
            {
                problems.add("command line: --config " + file + ": given more than once");
            }
            else
            {
                configFile = Path.of(file);
            }
        }

        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }

        return new CommandLine(configFile, help, assignments);
    }

    private static void parseOverride(final String arg, final List<Assignment> assignments, final List<String> problems)
    {
        final int equals = arg.indexOf('=');
        if (!arg.startsWith("--"))
        {
            problems.add("command line: " + arg + ": unexpected argument (see --help)");
        }
        else if (equals < 0)
        {
            final String name = arg.substring(2);
            problems.add("command line: " + arg + (ConfigSchema.FIXED.containsKey(name) ?
                ": give the value as " + arg + "=VALUE" : ": unknown option (see --help)"));
        }
        else if (equals == 2)
        {
            problems.add("command line: " + arg + ": missing key before '='");
        }
        else
        {
            assignments.add(new Assignment(arg.substring(2, equals), arg.substring(equals + 1)));
        }
    }

    /**
     * Help text listing the options, every key with its default, and the environment mapping.
     *
     * @return the text, lines separated by {@code \n}, ending with one.
     */
    public static String usage()
    {
        final StringBuilder text = new StringBuilder(4096);
        text.append("Usage: java -jar server/target/cococam-server.jar [--config FILE] [--KEY=VALUE ...]\n\n")
            .append("  --config FILE   YAML configuration (default ").append(ConfigLoader.DEFAULT_CONFIG_FILE)
            .append(", relative to the working directory;\n")
            .append("                  built-in defaults when that file is absent)\n")
            .append("  --help, -h      print this text\n")
            .append("  --KEY=VALUE     override one key; wins over the environment, which wins over the file\n\n")
            .append("Keys (default):\n");
        for (final ConfigSchema.KeyDef def : ConfigSchema.FIXED.values())
        {
            appendKey(text, def.name(), def);
        }

        for (final Map.Entry<String, ConfigSchema.KeyDef> field : ConfigSchema.CAMERA_FIELDS.entrySet())
        {
            appendKey(text, CameraConfig.CAMERAS_KEY + ".NAME." + field.getKey(), field.getValue());
        }

        text.append("\nCamera NAME: 1..64 of a-z 0-9 _ -; the camera is published and watched at live/NAME.\n")
            .append("Environment: ").append(ConfigLoader.ENV_PREFIX)
            .append("KEY with dots as underscores, any case, e.g. COCOCAM_RTMP_PORT=19350,\n")
            .append("             COCOCAM_CAMERAS_CAM1_PUBLISHKEY=secret (camera names with '-' cannot be set ")
            .append("this way).\n");

        return text.toString();
    }

    private static void appendKey(final StringBuilder text, final String key, final ConfigSchema.KeyDef def)
    {
        final String left = "  --" + key + "=";
        text.append(left);
        for (int pad = left.length(); pad < 42; pad++)
        {
            text.append(' ');
        }

        text.append(def.help()).append(" (").append(def.defaultText()).append(")\n");
    }
}
