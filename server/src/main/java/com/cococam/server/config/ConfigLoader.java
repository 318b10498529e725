package com.cococam.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads and validates the server configuration from a YAML file, the environment and the command line.
 * <p>
 * Precedence, highest first: command line ({@code --key.path=value}), environment ({@code COCOCAM_KEY_PATH}),
 * the YAML file, the built-in defaults. The file is {@code --config FILE} when given (it must then exist),
 * otherwise the {@code defaultFile} argument, normally {@value #DEFAULT_CONFIG_FILE} relative to the working
 * directory; when that default file is absent the classpath resource {@value #DEFAULTS_RESOURCE} (the same
 * content as the shipped {@code conf/cococam.yaml}) is used instead, so the jar runs from anywhere.
 * <p>
 * Environment names are {@value #ENV_PREFIX} plus the key path with {@code .} replaced by {@code _}, matched
 * case-insensitively: {@code COCOCAM_RTMP_PORT} sets {@code rtmp.port},
 * {@code COCOCAM_CAMERAS_FRONT_DOOR_PUBLISHKEY} sets {@code cameras.front_door.publishKey} (the camera name is
 * whatever lies between {@code CAMERAS_} and the field, lower-cased; names with {@code -} cannot be reached
 * this way). A variable naming a section but no key of it ({@code COCOCAM_RTMP_PROT}) is reported as an unknown
 * key; other {@value #ENV_PREFIX} variables ({@code COCOCAM_NODE_TOOLS}) belong to other tools and are ignored. Overrides
 * may also declare cameras that the file does not have.
 * <p>
 * Every problem is collected and thrown together in one {@link ConfigException}; each names its origin:
 * {@code conf/cococam.yaml:12: unknown key 'rtmp.prot'}, {@code conf/cococam.yaml:7: http.port: must be
 * 1..65535, got 70000}, {@code command line: --http.port=abc: not an integer},
 * {@code environment: COCOCAM_HTTP_PORT=abc: not an integer}.
 * <p>
 * Thread safety: stateless; every method may be called from any thread.
 * <p>
 * Note: only the effective value of a key is validated, so an override can stand in for a bad value in the
 * file; unknown keys and malformed structure are reported wherever they occur. Files over
 * {@value #MAX_FILE_BYTES} bytes are refused. Publish keys and source URLs are never echoed in problems.
 */
public final class ConfigLoader
{
    /**
     * Configuration file used when {@code --config} is not given, relative to the working directory.
     */
    public static final String DEFAULT_CONFIG_FILE = "conf/cococam.yaml";

    /**
     * Classpath resource with the shipped defaults, used when the default file is absent.
     */
    public static final String DEFAULTS_RESOURCE = "/cococam-default.yaml";

    /**
     * Prefix of environment variables that override keys.
     */
    public static final String ENV_PREFIX = "COCOCAM_";

    /**
     * Largest configuration file accepted, in bytes.
     */
    public static final int MAX_FILE_BYTES = 1 << 20;

    /**
     * A loaded configuration and a description of the file it came from.
     *
     * @param config the validated configuration.
     * @param source the file name, or {@code classpath:/cococam-default.yaml (FILE not found)}.
     */
    public record Loaded(ServerConfig config, String source)
    {
    }

    private ConfigLoader()
    {
    }

    /**
     * Parses the arguments and loads the configuration.
     *
     * @param defaultFile the file to use when the arguments have no {@code --config}; {@code null} for
     *                    {@value #DEFAULT_CONFIG_FILE}.
     * @param args        the command-line arguments; {@code --help} is accepted and ignored here (check
     *                    {@link CommandLine#parse(String[])} first to print {@link CommandLine#usage()}).
     * @param env         the environment, normally {@code System.getenv()}.
     * @return the validated configuration.
     * @throws ConfigException with every problem found.
     */
    public static ServerConfig load(final Path defaultFile, final String[] args, final Map<String, String> env)
        throws ConfigException
    {
        return load(CommandLine.parse(args), defaultFile, env).config();
    }

    /**
     * Loads the configuration for an already parsed command line.
     *
     * @param commandLine the parsed arguments.
     * @param defaultFile the file to use when {@code commandLine} names none; {@code null} for
     *                    {@value #DEFAULT_CONFIG_FILE}.
     * @param env         the environment, normally {@code System.getenv()}.
     * @return the configuration and where it was read from.
     * @throws ConfigException with every problem found.
     */
    public static Loaded load(final CommandLine commandLine, final Path defaultFile, final Map<String, String> env)
        throws ConfigException
    {
        final Path file;
        final boolean explicit = commandLine.configFile() != null;
        if (explicit)
        {
            file = commandLine.configFile();
        }
        else
        {
            file = defaultFile != null ? defaultFile : Path.of(DEFAULT_CONFIG_FILE);
        }

        final String name = file.toString();
        final ConfigAssembler assembler = new ConfigAssembler();
        String source = name;
        if (!explicit && !Files.exists(file))
        {
            source = "classpath:" + DEFAULTS_RESOURCE;
            assembler.addYaml(readDefaults(), source);
            source = source + " (" + name + " not found)";
        }
        else
        {
            final String text = readFile(file, assembler);
            if (text != null)
            {
                assembler.addYaml(text, name);
            }
        }

        return new Loaded(assemble(assembler, commandLine, env), source);
    }

    /**
     * Loads a configuration from YAML text, for tests and tools.
     *
     * @param yaml       the document.
     * @param sourceName the name problems cite, for example a file name.
     * @param args       command-line arguments; a {@code --config} among them is ignored.
     * @param env        environment overrides.
     * @return the validated configuration.
     * @throws ConfigException with every problem found.
     */
    public static ServerConfig fromYaml(
        final String yaml,
        final String sourceName,
        final String[] args,
        final Map<String, String> env) throws ConfigException
    {
        final ConfigAssembler assembler = new ConfigAssembler();
        assembler.addYaml(yaml, sourceName);

        return assemble(assembler, CommandLine.parse(args), env);
    }

    /**
     * The shipped default configuration text.
     *
     * @return the content of {@value #DEFAULTS_RESOURCE}.
     * @throws ConfigException when the resource is missing from the classpath.
     */
    public static String readDefaults() throws ConfigException
    {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE))
        {
            if (in == null)
            {
                throw new ConfigException("classpath:" + DEFAULTS_RESOURCE + ": missing from the server jar");
            }

            return new String(in.readNBytes(MAX_FILE_BYTES), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new ConfigException("classpath:" + DEFAULTS_RESOURCE + ": cannot read: " + ex.getMessage());
        }
    }

    private static ServerConfig assemble(
        final ConfigAssembler assembler,
        final CommandLine commandLine,
        final Map<String, String> env) throws ConfigException
    {
        assembler.addEnvironment(env);
        assembler.addArguments(commandLine.assignments());

        return assembler.build();
    }

    private static String readFile(final Path file, final ConfigAssembler assembler)
    {
        final String name = file.toString();
        try
        {
            if (Files.isDirectory(file))
            {
                assembler.addProblem(name + ": is a directory, not a configuration file");
                return null;
            }

            if (Files.size(file) > MAX_FILE_BYTES)
            {
                assembler.addProblem(name + ": larger than " + MAX_FILE_BYTES + " bytes");
                return null;
            }

            return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(Files.readAllBytes(file)))
                .toString();
        }
        catch (final NoSuchFileException ex)
        {
            assembler.addProblem(name + ": no such file");
        }
        catch (final CharacterCodingException ex)
        {
            assembler.addProblem(name + ": not valid UTF-8");
        }
        catch (final IOException ex)
        {
            assembler.addProblem(name + ": cannot read: " + ex);
        }

        return null;
    }
}
