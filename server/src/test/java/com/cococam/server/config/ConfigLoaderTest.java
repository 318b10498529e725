package com.cococam.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConfigLoaderTest
{
    private static final String[] NO_ARGS = new String[0];
    private static final Path SHIPPED = Path.of("../conf/cococam.yaml");
    private static final Path EXAMPLE = Path.of("../conf/cococam.example.yaml");

    @TempDir
    Path dir;

    private static ServerConfig shippedDefaults()
    {
        return ServerConfig.defaults().withCameras(Map.of("cam1", CameraConfig.defaults("cam1")));
    }

    private static List<String> problems(final String yaml, final String... args)
    {
        return problems(yaml, Map.of(), args);
    }

    private static List<String> problems(final String yaml, final Map<String, String> env, final String... args)
    {
        return assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(yaml, "t.yaml", args, env))
            .problems();
    }

    private static ServerConfig yaml(final String yaml, final String... args) throws ConfigException
    {
        return ConfigLoader.fromYaml(yaml, "t.yaml", args, Map.of());
    }

    @Test
    void shouldLoadBuiltInDefaultsFromAnEmptyDocument() throws ConfigException
    {
        final ServerConfig config = yaml("# nothing here\n");

        assertEquals(ServerConfig.defaults(), config);
        assertEquals(1935, config.rtmp().port());
        assertEquals(4096, config.rtmp().chunkSize());
        assertEquals(8_388_608, config.rtmp().maxMessageBytes());
        assertEquals(10_000, config.rtmp().handshakeTimeoutMs());
        assertEquals("0.0.0.0", config.http().host());
        assertEquals(8080, config.http().port());
        assertEquals("*", config.http().corsOrigin());
        assertEquals(Path.of("./recordings"), config.storage().dir());
        assertEquals(new HlsConfig(2000, 6, HlsFormat.FMP4), config.hls());
        assertEquals(new StreamConfig(4096, 5000, 4_194_304, 16_777_216, 0), config.stream());
        assertEquals(new RecordingConfig(5000, 3_600_000, 8), config.recording());
        assertTrue(config.cameras().isEmpty());
    }

    @Test
    void shouldLoadTheShippedConfigFileAsDefaultsWithOneCameraAwaitingAGeneratedKey() throws ConfigException
    {
        final ServerConfig config = ConfigLoader.load(SHIPPED, NO_ARGS, Map.of());

        assertEquals(shippedDefaults(), config);
        final CameraConfig cam1 = config.camera("cam1");
        assertTrue(cam1.needsGeneratedKey());
        assertFalse(cam1.acceptsKey(""));
        assertEquals("live/cam1", cam1.path());
    }

    @Test
    void shouldShipTheSameDefaultsOnTheClasspathAsInConf() throws IOException, ConfigException
    {
        final byte[] resource;
        try (InputStream in = ConfigLoader.class.getResourceAsStream(ConfigLoader.DEFAULTS_RESOURCE))
        {
            resource = in.readAllBytes();
        }

        assertEquals(Files.readString(SHIPPED), new String(resource, StandardCharsets.UTF_8));
        assertEquals(Files.readString(SHIPPED), ConfigLoader.readDefaults());
    }

    @Test
    void shouldFallBackToTheClasspathDefaultsWhenTheDefaultFileIsAbsent() throws ConfigException
    {
        final Path absent = dir.resolve("conf/cococam.yaml");

        final ConfigLoader.Loaded loaded = ConfigLoader.load(CommandLine.parse(NO_ARGS), absent, Map.of());

        assertEquals(shippedDefaults(), loaded.config());
        assertEquals("classpath:/cococam-default.yaml (" + absent + " not found)", loaded.source());
    }

    @Test
    void shouldDocumentEveryDefaultInTheExampleFile() throws IOException, ConfigException
    {
        final String example = Files.readString(EXAMPLE);
        for (final String key : ConfigSchema.FIXED.keySet())
        {
            final String field = key.substring(key.indexOf('.') + 1);
            assertTrue(example.contains("  " + field + ": "), key);
        }

        for (final String field : ConfigSchema.CAMERA_FIELDS.keySet())
        {
            assertTrue(example.contains(field + ":"), field);
        }

        assertEquals(shippedDefaults(), ConfigLoader.load(EXAMPLE, NO_ARGS, Map.of()));
    }

    @Test
    void shouldRequireAConfigFileNamedOnTheCommandLineToExist()
    {
        final Path missing = dir.resolve("missing.yaml");

        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(null, new String[] {"--config", missing.toString()}, Map.of()));

        assertEquals(List.of(missing + ": no such file"), ex.problems());
    }

    @Test
    void shouldReadTheFileNamedByConfigAndCiteItsPathInProblems() throws IOException
    {
        final Path file = dir.resolve("my.yaml");
        Files.writeString(file, "rtmp:\n  port: 1935\n\nhttp:\n  host: 127.0.0.1\n\n  port: 70000\n");

        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(null, new String[] {"--config=" + file}, Map.of()));

        assertEquals(List.of(file + ":7: http.port: must be 1..65535, got 70000"), ex.problems());
    }

    @Test
    void shouldRejectAFileThatIsNotUtf8() throws IOException
    {
        final Path file = dir.resolve("latin1.yaml");
        Files.write(file, new byte[] {'a', ':', ' ', (byte)0xE9, '\n'});

        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ConfigLoader.load(file, NO_ARGS, Map.of()));

        assertEquals(List.of(file + ": not valid UTF-8"), ex.problems());
    }

    @Test
    void shouldNameFileLineAndKeyOfAnUnknownTopLevelKey()
    {
        assertEquals(List.of("t.yaml:3: unknown key 'rtpm' (did you mean 'rtmp'?)"),
            problems("rtmp:\n  port: 1935\nrtpm:\n  port: 1\n"));
        assertEquals(List.of("t.yaml:1: unknown key 'verbose'"), problems("verbose: true\n"));
    }

    @Test
    void shouldNameFileLineAndKeyOfAnUnknownNestedKey()
    {
        assertEquals(List.of("t.yaml:3: unknown key 'rtmp.prot' (did you mean 'rtmp.port'?)"),
            problems("rtmp:\n  host: 0.0.0.0\n  prot: 19350\n"));
        assertEquals(List.of("t.yaml:4: unknown key 'cameras.cam1.publishkey' (did you mean " +
            "'cameras.cam1.publishKey'?)"), problems("cameras:\n  cam1:\n    record: true\n    publishkey: abc\n"));
    }

    @Test
    void shouldNameFileLineAndKeyOfAValueOfTheWrongType()
    {
        assertEquals(List.of("t.yaml:2: http.port: not an integer"), problems("http:\n  port: abc\n"));
        assertEquals(List.of("t.yaml:1: rtmp: expected a mapping of rtmp.* keys, got a single value"),
            problems("rtmp: 1935\n"));
        assertEquals(List.of("t.yaml:2: http.port: expected a single value, got a list"),
            problems("http:\n  port: [8080, 8081]\n"));
        assertEquals(List.of("t.yaml:3: cameras.cam1.record: not a boolean (use true or false), got 'maybe'"),
            problems("cameras:\n  cam1:\n    record: maybe\n"));
        assertEquals(List.of("t.yaml:2: hls.format: must be fmp4 or mpegts, got 'webm'"),
            problems("hls:\n  format: webm\n"));
        assertEquals(List.of("t.yaml:2: storage.dir: missing value"), problems("storage:\n  dir:\n"));
        assertEquals(List.of("t.yaml:1: cameras: expected a mapping of camera name to settings, got a list"),
            problems("cameras: [cam1, cam2]\n"));
    }

    @Test
    void shouldNameFileLineAndKeyOfAnOutOfRangeValue()
    {
        assertEquals(List.of("t.yaml:7: http.port: must be 1..65535, got 70000"),
            problems("rtmp:\n  port: 1935\n\n# web\nhttp:\n  host: 0.0.0.0\n  port: 70000\n"));
        assertEquals(List.of("t.yaml:2: rtmp.port: must be 1..65535, got 0"), problems("rtmp:\n  port: 0\n"));
        assertEquals(List.of("t.yaml:2: stream.ringSize: must be a power of two in 16..1048576, got 1000"),
            problems("stream:\n  ringSize: 1000\n"));
        assertEquals(List.of("t.yaml:2: rtmp.maxMessageBytes: must be 65536..16777215, got 99999999999999999999"),
            problems("rtmp:\n  maxMessageBytes: 99999999999999999999\n"));
        assertEquals(List.of("t.yaml:2: stream.subscriberSkipBytes: must be less than stream.subscriberMaxBytes " +
            "(16777216), got 33554432"), problems("stream:\n  subscriberSkipBytes: 33554432\n"));
        assertEquals(List.of("t.yaml:2: http.corsOrigin: must be *, an origin such as https://example.com, or " +
            "empty, got 'evil\r\nSet-Cookie: x'"), problems("http:\n  corsOrigin: \"evil\\r\\nSet-Cookie: x\"\n"));
    }

    @Test
    void shouldRejectRetentionDaysThatAreNotAPlanOnSale()
    {
        assertEquals(List.of("t.yaml:4: cameras.cam1.retentionDays: must be one of 7, 14 or 30 (the retention " +
            "plans on sale), got 10"), problems("cameras:\n  cam1:\n    publishKey: k\n    retentionDays: 10\n"));
    }

    @Test
    void shouldAcceptEveryRetentionPlanOnSale() throws ConfigException
    {
        for (final int days : List.of(7, 14, 30))
        {
            final ServerConfig config = yaml("cameras:\n  cam1:\n    retentionDays: " + days + "\n");

            assertEquals(days, config.camera("cam1").retentionDays());
        }
    }

    @Test
    void shouldRejectBadCameraNamesAtTheirLine()
    {
        assertEquals(List.of("t.yaml:3: cameras.Cam_1: invalid camera name 'Cam_1': use 1..64 of a-z 0-9 _ -, " +
            "starting with a letter or digit"), problems("cameras:\n  cam1:\n  Cam_1:\n    record: false\n"));
        assertEquals(1, problems("cameras:\n  -cam:\n").size());
        assertEquals(1, problems("cameras:\n  " + "a".repeat(65) + ":\n").size());
        assertEquals(1, problems("", "--cameras.a/b.record=true").size());
    }

    @Test
    void shouldMarkAnAbsentNullOrEmptyPublishKeyForGeneration() throws ConfigException
    {
        final ServerConfig config = yaml(
            "cameras:\n  absent:\n    record: false\n  nulled:\n    publishKey:\n  empty:\n    publishKey: ''\n" +
            "  bare:\n  given:\n    publishKey: Abc-123_x.y~z\n");

        assertEquals(List.of("absent", "nulled", "empty", "bare", "given"), List.copyOf(config.cameras().keySet()));
        assertTrue(config.camera("absent").needsGeneratedKey());
        assertTrue(config.camera("nulled").needsGeneratedKey());
        assertTrue(config.camera("empty").needsGeneratedKey());
        assertTrue(config.camera("bare").needsGeneratedKey());
        assertFalse(config.camera("given").needsGeneratedKey());
        assertTrue(config.camera("given").acceptsKey("Abc-123_x.y~z"));
        assertFalse(config.camera("given").acceptsKey("Abc-123_x.y~"));
        assertFalse(config.camera("absent").acceptsKey(""));
        assertFalse(config.camera("absent").record());
    }

    @Test
    void shouldRejectAPublishKeyThatCannotTravelInAUrlWithoutEchoingIt()
    {
        final List<String> problems = problems("cameras:\n  cam1:\n    publishKey: 'top secret&x'\n");

        assertEquals(List.of("t.yaml:3: cameras.cam1.publishKey: must be at most 128 characters from " +
            "A-Z a-z 0-9 - . _ ~ (it is sent in the publish URL)"), problems);
        final List<String> overridden = problems("", "--cameras.cam1.publishKey=top secret");
        assertEquals(List.of("command line: --cameras.cam1.publishKey=***: must be at most 128 characters from " +
            "A-Z a-z 0-9 - . _ ~ (it is sent in the publish URL)"), overridden);
    }

    @Test
    void shouldKeepSourceAndTransportForPullCameras() throws ConfigException
    {
        final ServerConfig config = yaml(
            "cameras:\n  door:\n    source: rtsp://u:p@127.0.0.1:8554/s\n    transport: tcp\n  yard:\n");

        assertEquals(Optional.of("rtsp://u:p@127.0.0.1:8554/s"), config.camera("door").source());
        assertEquals(RtspTransport.TCP, config.camera("door").transport());
        assertEquals(Optional.empty(), config.camera("yard").source());
        assertEquals(RtspTransport.AUTO, config.camera("yard").transport());
        assertEquals(List.of("t.yaml:3: cameras.door.source: must be an rtsp:// or rtsps:// URL with a host",
            "t.yaml:4: cameras.door.transport: must be auto, udp or tcp, got 'quic'"),
            problems("cameras:\n  door:\n    source: http://u:p@127.0.0.1/\n    transport: quic\n"));
    }

    @Test
    void shouldReportDuplicateKeysWithBothLines()
    {
        assertEquals(List.of("t.yaml:3: duplicate key 'http.port' (first at line 2)"),
            problems("http:\n  port: 8080\n  port: 8081\n"));
        assertEquals(List.of("t.yaml:3: duplicate key 'rtmp' (first at line 1)"),
            problems("rtmp:\n  port: 1\nrtmp:\n  port: 2\n"));
        assertEquals(List.of("t.yaml:4: duplicate key 'cameras.cam1' (first at line 2)"),
            problems("cameras:\n  cam1:\n    record: true\n  cam1:\n    record: false\n"));
    }

    @Test
    void shouldReportMalformedYamlWithItsLine()
    {
        assertEquals(List.of("t.yaml:3: malformed YAML: while parsing a block mapping, expected <block end>, but " +
            "found '<block mapping start>' (it began at line 1)"), problems("rtmp:\n  port: 1935\n host: x\n"));
        assertEquals(List.of("t.yaml:3: malformed YAML: while scanning a quoted scalar, found unexpected end of " +
            "stream (it began at line 2)"), problems("rtmp:\n  port: \"1935\n"));
        assertTrue(problems("http:\n\tport: 1\n").get(0).startsWith("t.yaml:2: malformed YAML: "));
        assertTrue(problems("rtmp: {}\n---\nhttp: {}\n").get(0).startsWith("t.yaml:2: malformed YAML: expected a " +
            "single document"));
        assertTrue(problems("http:\n  corsOrigin: *\n").get(0).endsWith("must be quoted, e.g. \"*\")"));
        assertEquals(List.of("t.yaml:1: expected a mapping of sections [rtmp, rtsp, http, storage, hls, stream, " +
            "recording, cameras] at the top level, got a list"), problems("- rtmp\n- http\n"));
    }

    @Test
    void shouldCollectEveryProblemInOnePass()
    {
        final List<String> problems = problems(
            "rtpm:\n  port: 1\nrtmp:\n  prot: 2\n  port: 70000\ncameras:\n  Cam1: {}\n  cam2:\n" +
            "    retentionDays: 10\n",
            Map.of("COCOCAM_HTTP_PORT", "x"),
            "--hls.windowSegments=2", "--stream.bogus=1");

        assertEquals(List.of(
            "t.yaml:1: unknown key 'rtpm' (did you mean 'rtmp'?)",
            "t.yaml:4: unknown key 'rtmp.prot' (did you mean 'rtmp.port'?)",
            "t.yaml:7: cameras.Cam1: invalid camera name 'Cam1': use 1..64 of a-z 0-9 _ -, starting with a letter " +
                "or digit",
            "command line: --stream.bogus=1: unknown key 'stream.bogus'",
            "t.yaml:5: rtmp.port: must be 1..65535, got 70000",
            "environment: COCOCAM_HTTP_PORT=x: not an integer",
            "command line: --hls.windowSegments=2: must be 3..1000, got 2",
            "t.yaml:9: cameras.cam2.retentionDays: must be one of 7, 14 or 30 (the retention plans on sale), got 10"),
            problems);
    }

    @Test
    void shouldLetTheCommandLineBeatTheEnvironmentAndTheEnvironmentBeatTheFile() throws ConfigException
    {
        final String file = "rtmp:\n  port: 1000\nhttp:\n  port: 1001\nstorage:\n  dir: /srv/a\n";
        final Map<String, String> env = Map.of("COCOCAM_RTMP_PORT", "2000", "COCOCAM_HTTP_PORT", "2001");

        final ServerConfig fileOnly = ConfigLoader.fromYaml(file, "t.yaml", NO_ARGS, Map.of());
        final ServerConfig withEnv = ConfigLoader.fromYaml(file, "t.yaml", NO_ARGS, env);
        final ServerConfig withArgs = ConfigLoader.fromYaml(file, "t.yaml",
            new String[] {"--rtmp.port=19350", "--storage.dir=/tmp/rec"}, env);

        assertEquals(1000, fileOnly.rtmp().port());
        assertEquals(2000, withEnv.rtmp().port());
        assertEquals(2001, withEnv.http().port());
        assertEquals(19350, withArgs.rtmp().port());
        assertEquals(2001, withArgs.http().port());
        assertEquals(Path.of("/tmp/rec"), withArgs.storage().dir());
        assertEquals(Path.of("/srv/a"), withEnv.storage().dir());
    }

    @Test
    void shouldMatchEnvironmentNamesCaseInsensitivelyIncludingCameraKeys() throws ConfigException
    {
        final Map<String, String> env = Map.of(
            "COCOCAM_HLS_SEGMENTDURATIONMS", "4000",
            "COCOCAM_Stream_RingSize", "1024",
            "COCOCAM_CAMERAS_CAM1_PUBLISHKEY", "fromenv",
            "COCOCAM_CAMERAS_FRONT_DOOR_RETENTIONDAYS", "30",
            "PATH", "/usr/bin",
            "COCOCAMX", "ignored");

        final ServerConfig config = ConfigLoader.fromYaml("cameras:\n  cam1:\n    publishKey: fromfile\n", "t.yaml",
            new String[] {"--cameras.cam1.record=false"}, env);

        assertEquals(4000, config.hls().segmentDurationMs());
        assertEquals(1024, config.stream().ringSize());
        assertTrue(config.camera("cam1").acceptsKey("fromenv"));
        assertFalse(config.camera("cam1").record());
        assertEquals(30, config.camera("front_door").retentionDays());
        assertTrue(config.camera("front_door").needsGeneratedKey());
    }

    @Test
    void shouldNameTheOriginOfABadOverride()
    {
        assertEquals(List.of("command line: --http.port=abc: not an integer"), problems("", "--http.port=abc"));
        assertEquals(List.of("environment: COCOCAM_HTTP_PORT=abc: not an integer"),
            problems("", Map.of("COCOCAM_HTTP_PORT", "abc")));
        assertEquals(List.of("environment: COCOCAM_RTMP_PROT=1: unknown key (did you mean 'COCOCAM_RTMP_PORT'?)"),
            problems("", Map.of("COCOCAM_RTMP_PROT", "1")));
        assertEquals(List.of("command line: --rtmp.prot=1: unknown key 'rtmp.prot' (did you mean 'rtmp.port'?)"),
            problems("", "--rtmp.prot=1"));
        assertEquals(List.of("command line: --cameras.cam1.retention=7: unknown key 'cameras.cam1.retention' " +
            "(did you mean 'cameras.cam1.retentionDays'?)"), problems("", "--cameras.cam1.retention=7"));
        assertEquals(List.of("environment: COCOCAM_CAMERAS_CAM1_PUBLISHKEY=***: must be at most 128 characters " +
            "from A-Z a-z 0-9 - . _ ~ (it is sent in the publish URL)"),
            problems("", Map.of("COCOCAM_CAMERAS_CAM1_PUBLISHKEY", "a b")));
    }

    @Test
    void shouldIgnoreEnvironmentVariablesOutsideEveryConfigSection() throws ConfigException
    {
        final ServerConfig config = ConfigLoader.fromYaml("", "test.yaml", new String[0],
            Map.of("COCOCAM_NODE_TOOLS", "/opt/tools", "COCOCAM_REQUIRE_BROWSER", "true", "COCOCAM_HTTP_PORT", "8181"));

        assertEquals(8181, config.http().port());
        assertEquals(List.of("environment: COCOCAM_HTTP_PROT=1: unknown key (did you mean 'COCOCAM_HTTP_PORT'?)"),
            problems("", Map.of("COCOCAM_HTTP_PROT", "1", "COCOCAM_SHARED_DIR", "/x")));
    }

    @Test
    void shouldLetAnOverrideReplaceABadValueInTheFile() throws ConfigException
    {
        final ServerConfig config = yaml("http:\n  port: 70000\n", "--http.port=18080");

        assertEquals(18080, config.http().port());
    }

    @Test
    void shouldLetTheLastOfRepeatedOverridesWin() throws ConfigException
    {
        assertEquals(3, yaml("", "--hls.windowSegments=9", "--hls.windowSegments=3").hls().windowSegments());
    }

    @Test
    void shouldAcceptYamlBooleansAndQuotedNumbers() throws ConfigException
    {
        final ServerConfig config = yaml("http:\n  port: '8081'\ncameras:\n  a:\n    record: no\n  b:\n" +
            "    record: On\n", "--cameras.c.record=FALSE");

        assertEquals(8081, config.http().port());
        assertFalse(config.camera("a").record());
        assertTrue(config.camera("b").record());
        assertFalse(config.camera("c").record());
    }

    @Test
    void shouldCompareCamerasByValueSoAReloadCanKeepUnchangedStreams() throws ConfigException
    {
        final ServerConfig before = yaml("cameras:\n  a:\n    publishKey: k1\n  b:\n    publishKey: k2\n");
        final ServerConfig after = yaml("cameras:\n  a:\n    publishKey: k1\n  b:\n    publishKey: k3\n");
        final ServerConfig again = yaml("cameras:\n  a:\n    publishKey: k1\n  b:\n    publishKey: k2\n");

        assertEquals(before.camera("a"), after.camera("a"));
        assertFalse(before.camera("b").equals(after.camera("b")));
        assertEquals(before, again);
        assertEquals(before.hashCode(), again.hashCode());
    }

    @Test
    void shouldNeverPrintAPublishKeyInToString() throws ConfigException
    {
        final ServerConfig config = yaml("cameras:\n  a:\n    publishKey: supersecret\n    source: " +
            "rtsp://user:hunter2@127.0.0.1/x\n");

        assertFalse(config.toString().contains("supersecret"));
        assertFalse(config.toString().contains("hunter2"));
        assertTrue(config.toString().contains("rtsp://***@127.0.0.1/x"));
    }
}
