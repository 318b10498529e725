package com.cococam.server.e2e;

import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Publish authorisation with ffmpeg as the publisher: a wrong key, a missing key, an unknown camera and a wrong app
 * are refused (ffmpeg fails, nothing is published: no stream, no HLS, no publish counted); the right key works.
 */
@Timeout(120)
class PublishKeyEndToEndTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    static Path temp;

    private static TestServer server;

    @BeforeAll
    static void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
    }

    @AfterAll
    static void stopServer()
    {
        server.close();
    }

    @Test
    void shouldRefuseAWrongKey() throws Exception
    {
        assertRefused(server.publishUrl("live/cam1", "not-the-key"), "live/cam1");
    }

    @Test
    void shouldRefuseAMissingKey() throws Exception
    {
        assertRefused(server.rtmpUrl("live/cam1"), "live/cam1");
    }

    @Test
    void shouldRefuseAnotherCamerasKey() throws Exception
    {
        assertRefused(server.publishUrl("live/cam1", TestServer.KEY2), "live/cam1");
    }

    @Test
    void shouldRefuseAnUnknownCamera() throws Exception
    {
        assertRefused(server.publishUrl("live/nope", TestServer.KEY1), "live/nope");
    }

    @Test
    void shouldRefuseACameraUnderAnotherApp() throws Exception
    {
        assertRefused(server.publishUrl("other/cam3", TestServer.KEY3), "other/cam3");
        assertNull(server.server().hub().find("live/cam3"));
    }

    @Test
    void shouldPublishWithTheRightKey() throws Exception
    {
        final Process publisher = TestServer.publishTestPattern(server.publishUrl("live/cam2", TestServer.KEY2), 3,
            "libx264", List.of(), temp.resolve("good.log"));
        try
        {
            Await.until(PEER_TIMEOUT, () -> server.get("/live/cam2/stream.m3u8").status() == 200,
                "HLS of the accepted publisher");
            assertEquals(0, TestServer.waitFor(publisher, PEER_TIMEOUT), () -> read("good.log"));
        }
        finally
        {
            publisher.destroyForcibly();
        }

        assertEquals(1, publishesCounted("live/cam2"), server.get("/metrics").text());
    }

    private static void assertRefused(final String url, final String path) throws Exception
    {
        final Path log = Files.createTempFile(temp, "refused", ".log");
        final long startNs = System.nanoTime();
        final Process publisher = TestServer.publishTestPattern(url, 5, "libx264", List.of(), log);
        final int exit;
        try
        {
            exit = TestServer.waitFor(publisher, PEER_TIMEOUT);
        }
        finally
        {
            publisher.destroyForcibly();
        }

        final String output = Files.readString(log);
        assertNotEquals(0, exit, () -> "ffmpeg must fail: " + output);
        assertTrue(System.nanoTime() - startNs < Duration.ofSeconds(4).toNanos(),
            "refused before the 5 s clip could have been sent");
        assertNull(server.server().hub().find(path), "no stream created for " + path);
        assertEquals(404, server.get("/" + path + "/stream.m3u8").status());
        assertEquals(404, server.get("/" + path + "/index.m3u8").status());
        assertEquals(0, publishesCounted(path));
    }

    private static long publishesCounted(final String path)
    {
        final String metrics = server.get("/metrics").text();
        final Matcher matcher = Pattern.compile("^cococam_publishes_total\\{path=\"" + Pattern.quote(path) +
            "\"} (\\d+)$", Pattern.MULTILINE).matcher(metrics);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }

    private static String read(final String name)
    {
        try
        {
            return Files.readString(temp.resolve(name));
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
