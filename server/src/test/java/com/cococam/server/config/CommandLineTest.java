package com.cococam.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CommandLineTest
{
    @Test
    void shouldSeparateTheConfigFileFromOverridesInBothSpellings() throws ConfigException
    {
        final CommandLine spaced = CommandLine.parse(
            new String[] {"--rtmp.port=19350", "--config", "conf/x.yaml", "--http.corsOrigin="});
        final CommandLine joined = CommandLine.parse(new String[] {"--config=conf/x.yaml", "--a.b=c=d"});

        assertEquals(Path.of("conf/x.yaml"), spaced.configFile());
        assertEquals(List.of(new CommandLine.Assignment("rtmp.port", "19350"),
            new CommandLine.Assignment("http.corsOrigin", "")), spaced.assignments());
        assertFalse(spaced.helpRequested());
        assertEquals(Path.of("conf/x.yaml"), joined.configFile());
        assertEquals(List.of(new CommandLine.Assignment("a.b", "c=d")), joined.assignments());
    }

    @Test
    void shouldHaveNoConfigFileWhenNoneIsGiven() throws ConfigException
    {
        final CommandLine commandLine = CommandLine.parse(new String[0]);

        assertNull(commandLine.configFile());
        assertTrue(commandLine.assignments().isEmpty());
    }

    @Test
    void shouldRecogniseHelpInBothSpellings() throws ConfigException
    {
        assertTrue(CommandLine.parse(new String[] {"--help"}).helpRequested());
        assertTrue(CommandLine.parse(new String[] {"--rtmp.port=1", "-h"}).helpRequested());
    }

    @Test
    void shouldRejectEveryArgumentItDoesNotUnderstandAtOnce()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> CommandLine.parse(new String[] {
            "--verbose", "serve", "--rtmp.port", "1935", "--=x", "--config=a.yaml", "--config", "b.yaml",
            "--config"}));

        assertEquals(List.of(
            "command line: --verbose: unknown option (see --help)",
            "command line: serve: unexpected argument (see --help)",
            "command line: --rtmp.port: give the value as --rtmp.port=VALUE",
            "command line: 1935: unexpected argument (see --help)",
            "command line: --=x: missing key before '='",
            "command line: --config b.yaml: given more than once",
            "command line: --config: missing FILE"), ex.problems());
    }

    @Test
    void shouldNotTakeAnotherOptionAsTheConfigFile()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> CommandLine.parse(new String[] {"--config", "--rtmp.port=1"}));

        assertEquals("command line: --config: missing FILE", ex.problems().get(0));
    }

    @Test
    void shouldListEveryKeyWithItsDefaultInTheUsage()
    {
        final String usage = CommandLine.usage();

        for (final ConfigSchema.KeyDef def : ConfigSchema.FIXED.values())
        {
            assertTrue(usage.contains("--" + def.name() + "="), def.name());
        }

        assertTrue(usage.contains("--rtmp.port="));
        assertTrue(usage.contains("(1935)"));
        assertTrue(usage.contains("--cameras.NAME.publishKey="));
        assertTrue(usage.contains("--cameras.NAME.retentionDays="));
        assertTrue(usage.contains("COCOCAM_RTMP_PORT=19350"));
        assertTrue(usage.startsWith("Usage: java -jar server/target/cococam-server.jar [--config FILE]"));
    }

    @Test
    void shouldMaskSecretsWhenAnAssignmentIsPrinted()
    {
        assertEquals("--cameras.cam1.publishKey=***", new CommandLine.Assignment("cameras.cam1.publishKey", "s")
            .toString());
        assertEquals("--rtmp.port=1", new CommandLine.Assignment("rtmp.port", "1").toString());
    }
}
