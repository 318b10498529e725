package com.cococam.server.e2e;

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
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A G.711 camera in a real browser: headless Chromium plays the server's own page for a camera publishing H.264
 * with A-law audio, and Chromium's media pipeline decodes the transcoded 8 kHz AAC (its decoded audio byte count
 * grows while the video plays). Skipped without Chromium and the Node tools (see {@link BrowserTools}).
 */
@Timeout(150)
class G711BrowserAudioTest
{
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
    void shouldPlayAG711CameraWithAudioInChromium() throws Exception
    {
        final BrowserTools tools = BrowserTools.requireAll();
        server = TestServer.start(temp.resolve("rec"));
        publisher = TestServer.publishTestPattern(server.publishUrl("live/cam1", TestServer.KEY1), 30, "libx264",
            List.of("-c:a", "pcm_alaw", "-ar", "8000", "-ac", "1"), temp.resolve("publisher.log"));
        Await.until(Duration.ofSeconds(30), () ->
        {
            final TestServer.HttpResult result = server.get("/live/cam1/stream.m3u8");
            return result.status() == 200 && !HlsDownload.parse(result.text()).segmentUris().isEmpty();
        }, () -> "first HLS segment; publisher: " + log());

        final Path script = BrowserTools.copyResource("browser/audio_check.cjs", temp);
        final BrowserTools.Run run = tools.runNode(Duration.ofSeconds(50), script, "--url",
            server.httpUrl("/live/cam1/"), "--timeout-seconds", "25", "--min-advance", "3", "--chromium",
            tools.chromium().toString());
        System.out.println("audio check: " + run.json());
        assertEquals(0, run.exitCode(), () -> "audio check: " + run + "\npublisher: " + log());
        assertTrue(run.number("advance") >= 3, run.toString());
        assertTrue(run.number("audioGrowth") > 0, "Chromium decoded audio while playing: " + run);
        assertTrue(run.json().contains("\"audioCodec\":\"mp4a.40.2\""), run.toString());
        assertTrue(run.json().contains("\"hlsErrors\":[]"), "no hls.js errors: " + run);
        assertTrue(publisher.isAlive(), "checked while the camera was live");
    }

    private String log()
    {
        try
        {
            return Files.readString(temp.resolve("publisher.log"));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }
}
