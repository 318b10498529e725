package com.cococam.server.e2e;

import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The puller's session with a camera that enforces a short session timeout ({@code Session: 77AB;timeout=3}) and
 * closes a session that went that long without a request, as cameras do: keep-alives (GET_PARAMETER when the
 * camera's Public lists it, OPTIONS when it does not or when it refuses GET_PARAMETER) must arrive at least every
 * half timeout or so, and the session must outlive its timeout several times over on one connection. Stopping
 * the puller sends TEARDOWN with the session's id, and without one when the camera gave none.
 */
@Timeout(90)
class RtspPullSessionTest
{
    private static final int TIMEOUT_SEC = 3;
    private static final long MAX_KEEPALIVE_GAP_MS = TIMEOUT_SEC * 1_000L * 3 / 4;
    private static final int KEEPALIVES = 4;
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\na=control:*\r\n" +
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";

    @TempDir
    Path temp;

    @Test
    void shouldKeepTheSessionAliveWithGetParameterWhenThePublicHeaderListsIt() throws Exception
    {
        keepAlive(null, null, "GET_PARAMETER");
    }

    @Test
    void shouldKeepTheSessionAliveWithOptionsWhenThePublicHeaderLacksGetParameter() throws Exception
    {
        keepAlive("OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN", null, "OPTIONS");
    }

    @Test
    void shouldSwitchToOptionsWhenTheCameraRefusesGetParameter() throws Exception
    {
        keepAlive(null, "RTSP/1.0 501 Not Implemented\r\n", "GET_PARAMETER", "OPTIONS");
    }

    @Test
    void shouldTearDownWithoutSessionWhenTheCameraGaveNone() throws Exception
    {
        try (FakeRtspCamera camera = camera(null).session(null).start();
             TestServer server = TestServer.start(temp.resolve("rec"), source(camera), "--cameras.cam1.transport=tcp"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(15), () -> puller.packets() >= 50, () -> puller.json());
            assertNull(camera.requests("PLAY").get(0).header("Session"));

            puller.stop();

            assertTrue(puller.awaitStopped(5_000), puller.json());
            final List<FakeRtspCamera.Request> teardowns = camera.requests("TEARDOWN");
            assertEquals(1, teardowns.size(), camera.requests.toString());
            assertNull(teardowns.get(0).header("Session"), teardowns.get(0).text());
            assertEquals("rtsp://127.0.0.1:" + camera.port() + "/stream/", teardowns.get(0).uri());
        }
    }

    /**
     * @param publicMethods the OPTIONS answer's Public, or null for the default (with GET_PARAMETER).
     * @param getParameter  the GET_PARAMETER answer, or null for 200.
     * @param methods       the keep-alive methods expected: the first for the first keep-alive, the last for the
     *                      others.
     */
    private void keepAlive(final String publicMethods, final String getParameter, final String... methods)
        throws Exception
    {
        final FakeRtspCamera camera = camera(publicMethods).session("77AB;timeout=" + TIMEOUT_SEC)
            .enforceSessionTimeout(TIMEOUT_SEC);
        if (getParameter != null)
        {
            camera.head("GET_PARAMETER", getParameter);
        }

        try (camera; TestServer server = TestServer.start(temp.resolve("rec"), source(camera.start()),
            "--cameras.cam1.transport=tcp"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(30), () -> keepAlives(camera).size() >= KEEPALIVES,
                () -> "keep-alives: " + camera.requests + "\n" + puller.json());
            final long packets = puller.packets();
            Await.until(Duration.ofSeconds(5), () -> puller.packets() > packets + 10, "media keeps flowing");

            final List<FakeRtspCamera.Request> keepAlives = keepAlives(camera);
            final long playNs = camera.requests("PLAY").get(0).atNs();
            long previousNs = playNs;
            long maxGapMs = 0;
            for (int i = 0; i < keepAlives.size(); i++)
            {
                final FakeRtspCamera.Request request = keepAlives.get(i);
                assertEquals(methods[Math.min(i, methods.length - 1)], request.method(), "keep-alive " + i);
                assertEquals("77AB", request.header("Session"), request.text());
                maxGapMs = Math.max(maxGapMs, TimeUnit.NANOSECONDS.toMillis(request.atNs() - previousNs));
                previousNs = request.atNs();
            }

            final long aliveMs = TimeUnit.NANOSECONDS.toMillis(previousNs - playNs);
            System.out.printf("keep-alive (%s): %d requests, longest gap %d ms, session alive %d ms past PLAY " +
                "with a %d s timeout%n", String.join("/", methods), keepAlives.size(), maxGapMs, aliveMs, TIMEOUT_SEC);
            assertTrue(maxGapMs <= MAX_KEEPALIVE_GAP_MS, "longest gap " + maxGapMs + " ms: " + camera.requests);
            assertTrue(aliveMs > TIMEOUT_SEC * 1_000L * 3 / 2, "observed for " + aliveMs + " ms");
            assertEquals(0, camera.expiredSessions.get(), "the camera never timed the session out");
            assertEquals(1, camera.connections.get(), "one connection");
            assertEquals(PullState.ONLINE, puller.state(), puller.json());
            assertEquals(0, puller.reconnects(), puller.json());

            puller.stop();

            assertTrue(puller.awaitStopped(5_000), puller.json());
            final List<FakeRtspCamera.Request> teardowns = camera.requests("TEARDOWN");
            assertEquals(1, teardowns.size(), camera.requests.toString());
            assertEquals("77AB", teardowns.get(0).header("Session"));
        }
    }

    /**
     * @return requests after PLAY other than TEARDOWN: the keep-alives.
     */
    private static List<FakeRtspCamera.Request> keepAlives(final FakeRtspCamera camera)
    {
        final List<FakeRtspCamera.Request> plays = camera.requests("PLAY");
        if (plays.isEmpty())
        {
            return List.of();
        }

        final long playNs = plays.get(0).atNs();
        return camera.requests.stream().filter((r) -> r.atNs() > playNs && !"TEARDOWN".equals(r.method())).toList();
    }

    private static FakeRtspCamera camera(final String publicMethods) throws Exception
    {
        final FakeRtspCamera camera = new FakeRtspCamera().sdp(SDP)
            .media("video", new FakeRtspCamera.Media(FakeRtspCamera.wowzaVideo(), 90_000, 0x77AB_0001L, true));
        return publicMethods == null ? camera : camera.publicMethods(publicMethods);
    }

    private static String source(final FakeRtspCamera camera)
    {
        return "--cameras.cam1.source=rtsp://127.0.0.1:" + camera.port() + "/stream";
    }
}
