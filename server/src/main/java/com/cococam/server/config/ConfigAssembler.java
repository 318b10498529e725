package com.cococam.server.config;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Gathers settings from one YAML document, the environment and the command line (later calls win), then
 * validates the effective values into a {@link ServerConfig}. Single use, single thread.
 * <p>
 * Problems are collected, never thrown one by one: structural ones (unknown keys, wrong shapes, duplicates,
 * malformed YAML) as the origins are added, value problems in {@link #build()}. Only the effective value of a
 * key is validated, so an override can repair a bad value in the file.
 */
final class ConfigAssembler
{
    /**
     * Cap on the YAML text, in code points; a configuration file is a few kilobytes.
     */
    static final int MAX_YAML_CODE_POINTS = 1 << 20;

    private static final String CAMERAS_PREFIX = CameraConfig.CAMERAS_KEY + ".";

    private final List<String> problems = new ArrayList<>();
    private final Map<String, Setting> fixed = new HashMap<>();
    private final Map<String, Map<String, Setting>> cameras = new LinkedHashMap<>();
    private final Map<String, String> envToKey = new HashMap<>();

    /**
     * A raw value and where it came from; {@code value} is null for a YAML null.
     */
    record Setting(String value, Origin origin)
    {
    }

    ConfigAssembler()
    {
        for (final String key : ConfigSchema.FIXED.keySet())
        {
            envToKey.put(key.toLowerCase(Locale.ROOT).replace('.', '_'), key);
        }
    }

    void addProblem(final String problem)
    {
        problems.add(problem);
    }

    List<String> problems()
    {
        return problems;
    }

    void addYaml(final String text, final String sourceName)
    {
        final LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_YAML_CODE_POINTS);
        options.setMaxAliasesForCollections(16);
        options.setNestingDepthLimit(16);
        options.setAllowRecursiveKeys(false);
        final Node root;
        try
        {
            root = new Yaml(options).compose(new StringReader(text));
        }
        catch (final MarkedYAMLException ex)
        {
            addMalformed(sourceName, ex);
            return;
        }
        catch (final YAMLException ex)
        {
            problems.add(sourceName + ": malformed YAML: " + ex.getMessage());
            return;
        }

        if (root == null || isNull(root))
        {
            return;
        }

        if (!(root instanceof MappingNode))
        {
            problems.add(at(sourceName, root) + ": expected a mapping of sections " + ConfigSchema.SECTIONS +
                " at the top level, got " + describe(root));
            return;
        }

        for (final Entry entry : entries((MappingNode)root, "", sourceName))
        {
            if (CameraConfig.CAMERAS_KEY.equals(entry.name))
            {
                addCameras(entry.value, sourceName);
            }
            else if (ConfigSchema.SECTIONS.contains(entry.name))
            {
                addSection(entry.name, entry.value, sourceName);
            }
            else
            {
                problems.add(at(sourceName, entry.key) + ": unknown key '" + entry.name + "'" +
                    ConfigSchema.hint(entry.name, ConfigSchema.SECTIONS));
            }
        }
    }

    void addEnvironment(final Map<String, String> env)
    {
        final String prefix = ConfigLoader.ENV_PREFIX;
        for (final Map.Entry<String, String> variable : new TreeMap<>(env).entrySet())
        {
            final String name = variable.getKey();
            if (!name.startsWith(prefix))
            {
                continue;
            }

            final String rest = name.substring(prefix.length()).toLowerCase(Locale.ROOT);
            final Origin origin = Origin.environment(name, variable.getValue());
            final String key = envToKey.get(rest);
            if (key != null)
            {
                fixed.put(key, new Setting(variable.getValue(), origin));
            }
            else if (rest.startsWith(CameraConfig.CAMERAS_KEY + "_") && addEnvCamera(rest, variable.getValue(), origin))
            {
                continue;
            }
            else if (!startsWithKnownSection(rest))
            {
                // COCOCAM_SOMETHING outside every config section belongs to other tools (scripts, CI); only a
                // name inside a section (COCOCAM_RTMP_PROT) is a typo worth stopping for.
                continue;
            }
            else
            {
                final List<String> names = new ArrayList<>();
                for (final String known : ConfigSchema.allKeys("NAME"))
                {
                    names.add(prefix + known.toUpperCase(Locale.ROOT).replace('.', '_'));
                }

                problems.add(origin.problem("unknown key" + ConfigSchema.hint(name, names)));
            }
        }
    }

    private static boolean startsWithKnownSection(final String lowerCaseRest)
    {
        for (final String known : ConfigSchema.allKeys("NAME"))
        {
            final int dot = known.indexOf('.');
            final String section = (dot < 0 ? known : known.substring(0, dot)).toLowerCase(Locale.ROOT);
            if (lowerCaseRest.startsWith(section + "_") || lowerCaseRest.equals(section))
            {
                return true;
            }
        }

        return false;
    }

    void addArguments(final List<CommandLine.Assignment> assignments)
    {
        for (final CommandLine.Assignment assignment : assignments)
        {
            final String key = assignment.key();
            final Origin origin = Origin.commandLine(key, assignment.value());
            if (ConfigSchema.FIXED.containsKey(key))
            {
                fixed.put(key, new Setting(assignment.value(), origin));
                continue;
            }

            final int lastDot = key.lastIndexOf('.');
            if (key.startsWith(CAMERAS_PREFIX) && lastDot > CAMERAS_PREFIX.length())
            {
                final String camera = key.substring(CAMERAS_PREFIX.length(), lastDot);
                final String field = key.substring(lastDot + 1);
                if (ConfigSchema.CAMERA_FIELDS.containsKey(field))
                {
                    if (checkCameraName(camera, origin))
                    {
                        camera(camera).put(field, new Setting(assignment.value(), origin));
                    }

                    continue;
                }

                problems.add(origin.problem("unknown key '" + key + "'" +
                    ConfigSchema.hint(key, ConfigSchema.allKeys(camera))));
                continue;
            }

            problems.add(origin.problem("unknown key '" + key + "'" +
                ConfigSchema.hint(key, ConfigSchema.allKeys("NAME"))));
        }
    }

    /**
     * Validates the effective values.
     *
     * @return the configuration.
     * @throws ConfigException with every problem found so far and in this step.
     */
    ServerConfig build() throws ConfigException
    {
        final Map<String, Object> values = new HashMap<>();
        for (final ConfigSchema.KeyDef def : ConfigSchema.FIXED.values())
        {
            values.put(def.name(), resolve(def, def.name(), fixed.get(def.name())));
        }

        checkSkipBelowMax(values);
        checkUdpPortRange(values);
        final Map<String, CameraConfig> built = new LinkedHashMap<>();
        for (final Map.Entry<String, Map<String, Setting>> camera : cameras.entrySet())
        {
            final CameraConfig config = buildCamera(camera.getKey(), camera.getValue());
            if (config != null)
            {
                built.put(camera.getKey(), config);
            }
        }

        if (!problems.isEmpty())
        {
            throw new ConfigException(problems);
        }

        return new ServerConfig(
            new RtmpConfig(
                (String)values.get(RtmpConfig.HOST_KEY),
                (Integer)values.get(RtmpConfig.PORT_KEY),
                (Integer)values.get(RtmpConfig.CHUNK_SIZE_KEY),
                (Integer)values.get(RtmpConfig.MAX_MESSAGE_BYTES_KEY),
                (Integer)values.get(RtmpConfig.HANDSHAKE_TIMEOUT_MS_KEY)),
            new RtspConfig(
                (String)values.get(RtspConfig.HOST_KEY),
                (Integer)values.get(RtspConfig.PORT_KEY),
                (Integer)values.get(RtspConfig.SESSION_TIMEOUT_SECONDS_KEY),
                (Integer)values.get(RtspConfig.UDP_PORT_MIN_KEY),
                (Integer)values.get(RtspConfig.UDP_PORT_MAX_KEY)),
            new HttpConfig(
                (String)values.get(HttpConfig.HOST_KEY),
                (Integer)values.get(HttpConfig.PORT_KEY),
                (String)values.get(HttpConfig.CORS_ORIGIN_KEY)),
            new StorageConfig((Path)values.get(StorageConfig.DIR_KEY)),
            new HlsConfig(
                (Integer)values.get(HlsConfig.SEGMENT_DURATION_MS_KEY),
                (Integer)values.get(HlsConfig.WINDOW_SEGMENTS_KEY),
                (HlsFormat)values.get(HlsConfig.FORMAT_KEY)),
            new StreamConfig(
                (Integer)values.get(StreamConfig.RING_SIZE_KEY),
                (Integer)values.get(StreamConfig.TAKEOVER_IDLE_MS_KEY),
                (Long)values.get(StreamConfig.SUBSCRIBER_SKIP_BYTES_KEY),
                (Long)values.get(StreamConfig.SUBSCRIBER_MAX_BYTES_KEY),
                (Integer)values.get(StreamConfig.WORKERS_KEY)),
            new RecordingConfig(
                (Integer)values.get(RecordingConfig.GAP_MS_KEY),
                (Integer)values.get(RecordingConfig.RETENTION_CHECK_MS_KEY),
                (Integer)values.get(RecordingConfig.BLOCK_SIZE_MB_KEY)),
            built);
    }

    private CameraConfig buildCamera(final String name, final Map<String, Setting> settings)
    {
        final int before = problems.size();
        final Map<String, Object> values = new HashMap<>();
        for (final ConfigSchema.KeyDef def : ConfigSchema.CAMERA_FIELDS.values())
        {
            final String fullKey = CAMERAS_PREFIX + name + "." + def.name();
            values.put(def.name(), resolve(def, fullKey, settings.get(def.name())));
        }

        if (problems.size() != before)
        {
            return null;
        }

        @SuppressWarnings("unchecked")
        final Optional<String> source = (Optional<String>)values.get(CameraConfig.SOURCE_FIELD);

        return new CameraConfig(
            name,
            (String)values.get(CameraConfig.PUBLISH_KEY_FIELD),
            (Boolean)values.get(CameraConfig.RECORD_FIELD),
            (Integer)values.get(CameraConfig.RETENTION_DAYS_FIELD),
            source,
            (RtspTransport)values.get(CameraConfig.TRANSPORT_FIELD));
    }

    private Object resolve(final ConfigSchema.KeyDef def, final String fullKey, final Setting setting)
    {
        if (setting == null)
        {
            return def.defaultValue();
        }

        if (setting.value == null)
        {
            if (def.nullable())
            {
                return def.defaultValue();
            }

            problems.add(setting.origin.valueProblem(fullKey, def.secret(), "missing value"));
            return def.defaultValue();
        }

        try
        {
            return def.parser().parse(setting.value);
        }
        catch (final ConfigSchema.BadValue ex)
        {
            problems.add(setting.origin.valueProblem(fullKey, def.secret(), ex.getMessage()));
            return def.defaultValue();
        }
    }

    private void checkSkipBelowMax(final Map<String, Object> values)
    {
        final long skip = (Long)values.get(StreamConfig.SUBSCRIBER_SKIP_BYTES_KEY);
        final long max = (Long)values.get(StreamConfig.SUBSCRIBER_MAX_BYTES_KEY);
        if (skip < max)
        {
            return;
        }

        final Setting skipSetting = fixed.get(StreamConfig.SUBSCRIBER_SKIP_BYTES_KEY);
        final boolean blameSkip = skipSetting != null;
        final Setting blamed = blameSkip ? skipSetting : fixed.get(StreamConfig.SUBSCRIBER_MAX_BYTES_KEY);
        final String message = blameSkip ?
            "must be less than " + StreamConfig.SUBSCRIBER_MAX_BYTES_KEY + " (" + max + "), got " + skip :
            "must be more than " + StreamConfig.SUBSCRIBER_SKIP_BYTES_KEY + " (" + skip + "), got " + max;
        final String key = blameSkip ? StreamConfig.SUBSCRIBER_SKIP_BYTES_KEY : StreamConfig.SUBSCRIBER_MAX_BYTES_KEY;
        problems.add(blamed.origin.valueProblem(key, false, message));
    }

    private void checkUdpPortRange(final Map<String, Object> values)
    {
        final String problem = RtspConfig.udpRangeProblem((Integer)values.get(RtspConfig.UDP_PORT_MIN_KEY),
            (Integer)values.get(RtspConfig.UDP_PORT_MAX_KEY));
        if (problem == null)
        {
            return;
        }

        final Setting minSetting = fixed.get(RtspConfig.UDP_PORT_MIN_KEY);
        final boolean blameMin = minSetting != null;
        final Setting blamed = blameMin ? minSetting : fixed.get(RtspConfig.UDP_PORT_MAX_KEY);
        problems.add(blamed.origin.valueProblem(blameMin ? RtspConfig.UDP_PORT_MIN_KEY : RtspConfig.UDP_PORT_MAX_KEY,
            false, problem));
    }

    private void addSection(final String section, final Node value, final String sourceName)
    {
        if (isNull(value))
        {
            return;
        }

        if (!(value instanceof MappingNode))
        {
            problems.add(at(sourceName, value) + ": " + section + ": expected a mapping of " + section +
                ".* keys, got " + describe(value));
            return;
        }

        for (final Entry entry : entries((MappingNode)value, section + ".", sourceName))
        {
            final String key = section + "." + entry.name;
            if (!ConfigSchema.FIXED.containsKey(key))
            {
                problems.add(at(sourceName, entry.key) + ": unknown key '" + key + "'" +
                    ConfigSchema.hint(key, ConfigSchema.keysOf(section)));
                continue;
            }

            final Setting setting = scalar(key, entry.value, sourceName);
            if (setting != null)
            {
                fixed.put(key, setting);
            }
        }
    }

    private void addCameras(final Node value, final String sourceName)
    {
        if (isNull(value))
        {
            return;
        }

        if (!(value instanceof MappingNode))
        {
            problems.add(at(sourceName, value) + ": cameras: expected a mapping of camera name to settings, got " +
                describe(value));
            return;
        }

        for (final Entry camera : entries((MappingNode)value, CAMERAS_PREFIX, sourceName))
        {
            if (!checkCameraName(camera.name, Origin.file(sourceName, line(camera.key))))
            {
                continue;
            }

            final Map<String, Setting> fields = camera(camera.name);
            if (isNull(camera.value))
            {
                continue;
            }

            if (!(camera.value instanceof MappingNode))
            {
                problems.add(at(sourceName, camera.value) + ": " + CAMERAS_PREFIX + camera.name +
                    ": expected a mapping of camera settings " + ConfigSchema.CAMERA_FIELDS.keySet() + ", got " +
                    describe(camera.value));
                continue;
            }

            addCameraFields(camera.name, (MappingNode)camera.value, fields, sourceName);
        }
    }

    private void addCameraFields(
        final String camera,
        final MappingNode node,
        final Map<String, Setting> fields,
        final String sourceName)
    {
        final String prefix = CAMERAS_PREFIX + camera + ".";
        for (final Entry field : entries(node, prefix, sourceName))
        {
            if (!ConfigSchema.CAMERA_FIELDS.containsKey(field.name))
            {
                final String key = prefix + field.name;
                problems.add(at(sourceName, field.key) + ": unknown key '" + key + "'" +
                    ConfigSchema.hint(key, ConfigSchema.cameraKeys(camera)));
                continue;
            }

            final Setting setting = scalar(prefix + field.name, field.value, sourceName);
            if (setting != null)
            {
                fields.put(field.name, setting);
            }
        }
    }

    private boolean addEnvCamera(final String rest, final String value, final Origin origin)
    {
        final String afterSection = rest.substring(CameraConfig.CAMERAS_KEY.length() + 1);
        for (final String field : ConfigSchema.CAMERA_FIELDS.keySet())
        {
            final String suffix = "_" + field.toLowerCase(Locale.ROOT);
            if (afterSection.endsWith(suffix) && afterSection.length() > suffix.length())
            {
                final String camera = afterSection.substring(0, afterSection.length() - suffix.length());
                if (checkCameraName(camera, origin))
                {
                    camera(camera).put(field, new Setting(value, origin));
                }

                return true;
            }
        }

        return false;
    }

    private boolean checkCameraName(final String name, final Origin origin)
    {
        if (CameraConfig.NAME_PATTERN.matcher(name).matches())
        {
            return true;
        }

        final String message = "invalid camera name '" + name + "': use 1..64 of a-z 0-9 _ -, starting with a " +
            "letter or digit";
        problems.add(origin.kind() == Origin.Kind.FILE ?
            origin.where(false) + ": " + CAMERAS_PREFIX + name + ": " + message : origin.problem(message));

        return false;
    }

    private Map<String, Setting> camera(final String name)
    {
        return cameras.computeIfAbsent(name, (n) -> new HashMap<>());
    }

    private Setting scalar(final String key, final Node value, final String sourceName)
    {
        if (!(value instanceof ScalarNode))
        {
            problems.add(at(sourceName, value) + ": " + key + ": expected a single value, got " + describe(value));
            return null;
        }

        return new Setting(isNull(value) ? null : ((ScalarNode)value).getValue(),
            Origin.file(sourceName, line(value)));
    }

    /**
     * A mapping's entries with scalar keys, reporting non-scalar and duplicate keys; later duplicates are
     * dropped.
     */
    private List<Entry> entries(final MappingNode node, final String prefix, final String sourceName)
    {
        final List<Entry> result = new ArrayList<>();
        final Map<String, Integer> firstLine = new HashMap<>();
        for (final NodeTuple tuple : node.getValue())
        {
            final Node key = tuple.getKeyNode();
            if (!(key instanceof ScalarNode) || isNull(key))
            {
                problems.add(at(sourceName, key) + ": keys must be plain names, got " + describe(key));
                continue;
            }

            final String name = ((ScalarNode)key).getValue();
            final Integer previous = firstLine.putIfAbsent(name, line(key));
            if (previous != null)
            {
                problems.add(at(sourceName, key) + ": duplicate key '" + prefix + name + "' (first at line " +
                    previous + ")");
                continue;
            }

            result.add(new Entry(name, key, tuple.getValueNode()));
        }

        return result;
    }

    private void addMalformed(final String sourceName, final MarkedYAMLException ex)
    {
        final Mark mark = ex.getProblemMark() != null ? ex.getProblemMark() : ex.getContextMark();
        final StringBuilder what = new StringBuilder();
        if (ex.getContext() != null)
        {
            what.append(ex.getContext()).append(", ");
        }

        what.append(ex.getProblem() != null ? ex.getProblem() : "cannot parse");
        final Mark context = ex.getContextMark();
        if (context != null && mark != null && context.getLine() != mark.getLine())
        {
            what.append(" (it began at line ").append(context.getLine() + 1).append(')');
        }

        if (ex.getContext() != null && ex.getContext().contains("alias"))
        {
            what.append(" (a value starting with * or & must be quoted, e.g. \"*\")");
        }

        final String where = mark != null ? sourceName + ":" + (mark.getLine() + 1) : sourceName;
        problems.add(where + ": malformed YAML: " + what.toString().replace('\n', ' ').trim());
    }

    private static boolean isNull(final Node node)
    {
        return node instanceof ScalarNode && Tag.NULL.equals(node.getTag());
    }

    private static int line(final Node node)
    {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private static String at(final String sourceName, final Node node)
    {
        return sourceName + ":" + line(node);
    }

    private static String describe(final Node node)
    {
        if (node instanceof MappingNode)
        {
            return "a mapping";
        }

        if (node instanceof SequenceNode)
        {
            return "a list";
        }

        // A scalar is not echoed: it may be a key written in the wrong place.
        return isNull(node) ? "nothing" : "a single value";
    }

    private record Entry(String name, Node key, Node value)
    {
    }
}
