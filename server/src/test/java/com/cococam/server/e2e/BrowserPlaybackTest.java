package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.BrowserTools;
import com.cococam.server.testing.HlsDownload;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real browser watches a live camera on the server's own player page: headless Chromium opens
 * {@code /live/cam1/} (hls.js served from {@code /assets/hls.min.js}) while ffmpeg publishes over RTMP, and the
 * video must play (currentTime advances) and show real pictures. The shared player check script gives a second
 * opinion on {@code index.m3u8}.
 *
 * <p>Needs Chromium and the Node tools (see {@link BrowserTools}); skipped without them unless
 * {@code COCOCAM_REQUIRE_BROWSER=true}. Screenshots are left in {@code target/e2e-screenshots/}.
 */
@Timeout(150)
class BrowserPlaybackTest
{
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(50);
    private static final Path SCREENSHOTS = Paths.get("target", "e2e-screenshots");

    @TempDir
    Path temp;

    private TestServer server;
    private Process publisher;

    @AfterEach
    void cleanUp()
    {
        if (publisher != null)
        {
            publisher.destroyForcibly();
        }

        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldPlayALiveCameraOnTheServersOwnPlayerPageInChromium() throws Exception
    {
        final BrowserTools tools = BrowserTools.requireAll();
        Files.createDirectories(SCREENSHOTS);
        final Path pageScreenshot = SCREENSHOTS.resolve("browser-playback-page.png").toAbsolutePath();
        final Path playerScreenshot = SCREENSHOTS.resolve("browser-playback-player-check.png").toAbsolutePath();
        Files.deleteIfExists(pageScreenshot);
        Files.deleteIfExists(playerScreenshot);

        server = TestServer.start(temp.resolve("rec"));
        publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1), 30, "libx264",
            List.of(), temp.resolve("publisher.log"));
        awaitFirstSegment();

        final TestServer.HttpResult page = server.get("/live/cam1/");
        assertEquals(200, page.status());
        assertTrue(page.text().contains("<script src=\"/assets/hls.min.js\">"), page.text());
        final TestServer.HttpResult hlsJs = server.get("/assets/hls.min.js");
        assertEquals(200, hlsJs.status());
        assertTrue(hlsJs.body().length > 100_000, "hls.js bundle size " + hlsJs.body().length);

        final Path pageCheck = BrowserTools.copyResource("browser/page_check.cjs", temp);
        final BrowserTools.Run own = tools.runNode(SCRIPT_TIMEOUT, pageCheck,
            "--url", server.httpUrl("/live/cam1/"), "--timeout-seconds", "25", "--min-advance", "2",
            "--screenshot", pageScreenshot.toString(), "--chromium", tools.chromium().toString());
        System.out.println("page check: " + own.json());
        assertEquals(0, own.exitCode(), () -> "page check: " + own + "\npublisher: " + log("publisher.log"));
        assertTrue(own.json().contains("\"status\":\"live\""), "the page says it is live: " + own);
        assertTrue(own.flag("hlsJs") && own.flag("hlsJsInstance"), "played through the served hls.js: " + own);
        assertTrue(own.number("advance") >= 2.0, "currentTime advanced: " + own);
        assertEquals(640, (int)own.number("width"), own.toString());
        assertEquals(360, (int)own.number("height"), own.toString());
        assertTrue(own.number("distinctPictures") >= 2, "the picture changes over time: " + own);
        assertTrue(own.json().contains("200 /assets/hls.min.js"), "page loaded the server's hls.js: " + own);
        assertTrue(own.json().contains("200 /live/cam1/stream.m3u8"), "hls.js fetched the media playlist: " + own);
        assertTrue(Files.size(pageScreenshot) > 10_000, "screenshot written: " + pageScreenshot);

        final Path playerCheck = Peers.sharedDir().resolve("tools").resolve("player_check.cjs");
        assertTrue(Files.isRegularFile(playerCheck), "shared player check script: " + playerCheck);
        final BrowserTools.Run second = tools.runNode(SCRIPT_TIMEOUT, playerCheck,
            "--url", server.httpUrl("/live/cam1/index.m3u8"), "--player", "hls", "--seconds", "8",
            "--min-advance", "2", "--screenshot", playerScreenshot.toString());
        System.out.println("player check: " + second.json());
        assertEquals(0, second.exitCode(), () -> "player check: " + second + "\npublisher: " + log("publisher.log"));
        assertTrue(second.number("advance") >= 2.0, second.toString());
        assertEquals(640, (int)second.number("width"), second.toString());

        assertTrue(publisher.isAlive(), "the checks ran while the camera was live");
    }

    private void awaitFirstSegment()
    {
        Await.until(Duration.ofSeconds(30), () ->
        {
            final TestServer.HttpResult result = server.get("/live/cam1/stream.m3u8");
            return result.status() == 200 && !HlsDownload.parse(result.text()).segmentUris().isEmpty();
        }, () -> "first HLS segment of live/cam1; publisher: " + log("publisher.log"));
    }

    private String log(final String name)
    {
        try
        {
            return Files.readString(temp.resolve(name));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
