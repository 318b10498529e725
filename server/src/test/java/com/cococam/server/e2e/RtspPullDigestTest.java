package com.cococam.server.e2e;

import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Digest authentication through the RTSP client against a fake camera that checks every response itself (its own
 * MD5/SHA-256 digest code, RFC 2069 and RFC 7616 forms). The camera's first answer is the Longse camera's real 401
 * ({@code rtsp_longse_401_unauthorized.txt}: MD5, no qop, no algorithm); in the second case that answer also
 * carries a SHA-256 challenge with {@code qop="auth"} and a Basic one, the client must pick SHA-256, and at PLAY
 * the camera declares the nonce stale: the client must answer the new nonce (nonce count from 1) and reach PLAY.
 */
@Timeout(60)
class RtspPullDigestTest
{
    private static final String USER = "admin";
    private static final String PASSWORD = "s3cret-pw";
    private static final String REALM = "Surveillance Server";
    private static final String LONGSE_NONCE = "98481030";
    private static final String SHA_NONCE = "b5e1a3c07d2f";
    private static final String SHA_NONCE_AFTER_STALE = "f09c2e6a41d8";
    private static final Pattern PARAM = Pattern.compile("([A-Za-z-]+)\\s*=\\s*(?:\"([^\"]*)\"|([^,\\s]+))");
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=cam\r\nt=0 0\r\na=control:*\r\n" +
        "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n";

    @TempDir
    Path temp;

    /** Requests the camera let through, with the Authorization parameters they carried. */
    private final List<Map<String, String>> accepted = new CopyOnWriteArrayList<>();
    /** Requests the camera answered 401, by method. */
    private final List<String> refused = new CopyOnWriteArrayList<>();

    @Test
    void shouldAnswerTheLongseChallengeWithRfc2069Md5() throws Exception
    {
        final String challenge = FakeRtspCamera.sampleHead("rtsp_longse_401_unauthorized.txt");
        try (FakeRtspCamera camera = camera((request) -> longseGate(request, challenge)).start();
             TestServer server = TestServer.start(temp.resolve("rec"), source(camera), "--cameras.cam1.transport=tcp"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(15), () -> puller.packets() >= 50, () -> puller.json() + "\n" +
                camera.requests + "\nrefused " + refused);

            assertEquals(List.of("OPTIONS"), refused, "only the first request is challenged");
            assertEquals(List.of("OPTIONS", "DESCRIBE", "SETUP", "PLAY"), accepted.stream()
                .map((p) -> p.get("method")).toList());
            for (final Map<String, String> auth : accepted)
            {
                assertEquals(LONGSE_NONCE, auth.get("nonce"), auth.toString());
                assertNull(auth.get("qop"), "RFC 2069 form, as the challenge offers no qop: " + auth);
                assertNull(auth.get("algorithm"), auth.toString());
            }

            assertEquals(PullState.ONLINE, puller.state(), puller.json());
            assertEquals(1, camera.connections.get());
        }
    }

    @Test
    void shouldPickSha256AmongSeveralChallengesAndFollowAStaleNonce() throws Exception
    {
        final String[] nonce = {SHA_NONCE};
        final String first = FakeRtspCamera.sampleHead("rtsp_longse_401_unauthorized.txt") + shaChallenge(SHA_NONCE,
            false) + "WWW-Authenticate: Basic realm=\"" + REALM + "\"\r\n";
        try (FakeRtspCamera camera = camera((request) -> shaGate(request, first, nonce)).start();
             TestServer server = TestServer.start(temp.resolve("rec"), source(camera), "--cameras.cam1.transport=tcp"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(15), () -> puller.packets() >= 50, () -> puller.json() + "\n" +
                camera.requests + "\nrefused " + refused);

            assertEquals(List.of("OPTIONS", "PLAY"), refused, "the first request, then PLAY with a stale nonce");
            assertEquals(List.of("OPTIONS", "DESCRIBE", "SETUP", "PLAY"), accepted.stream()
                .map((p) -> p.get("method")).toList());
            for (int i = 0; i < accepted.size(); i++)
            {
                final Map<String, String> auth = accepted.get(i);
                assertEquals("SHA-256", auth.get("algorithm"), auth.toString());
                assertEquals("auth", auth.get("qop"), auth.toString());
                final boolean afterStale = i == accepted.size() - 1;
                assertEquals(afterStale ? SHA_NONCE_AFTER_STALE : SHA_NONCE, auth.get("nonce"), auth.toString());
                assertEquals(String.format(Locale.ROOT, "%08x", afterStale ? 1 : i + 1), auth.get("nc"),
                    "nonce count restarts with the new nonce: " + auth);
            }

            assertTrue(camera.requests.stream().noneMatch((r) -> String.valueOf(r.header("Authorization"))
                .startsWith("Basic")), "never Basic");
            assertEquals(PullState.ONLINE, puller.state(), puller.json());
            assertEquals(1, camera.connections.get());
        }
    }

    /**
     * The Longse camera: every request needs RFC 2069 MD5 Digest for its one nonce.
     */
    private String longseGate(final FakeRtspCamera.Request request, final String challenge)
    {
        final Map<String, String> auth = digestParams(request);
        if (auth == null || !LONGSE_NONCE.equals(auth.get("nonce")) ||
            !expectedResponse("MD5", auth, request).equals(auth.get("response")))
        {
            refused.add(request.method());
            return challenge;
        }

        accepted.add(auth);
        return null;
    }

    /**
     * A camera offering MD5, SHA-256 and Basic that accepts SHA-256 only, and makes its nonce stale at the first
     * PLAY.
     */
    private String shaGate(final FakeRtspCamera.Request request, final String first, final String[] nonce)
    {
        final Map<String, String> auth = digestParams(request);
        if (auth == null)
        {
            refused.add(request.method());
            return first;
        }

        final boolean valid = "SHA-256".equals(auth.get("algorithm")) && nonce[0].equals(auth.get("nonce")) &&
            expectedResponse("SHA-256", auth, request).equals(auth.get("response"));
        if (valid && "PLAY".equals(request.method()) && SHA_NONCE.equals(nonce[0]))
        {
            nonce[0] = SHA_NONCE_AFTER_STALE;
            refused.add(request.method());
            return "RTSP/1.0 401 Unauthorized\r\nCSeq: 0\r\nWWW-Authenticate: Digest realm=\"" + REALM +
                "\", nonce=\"" + SHA_NONCE_AFTER_STALE + "md5\", stale=true\r\n" + shaChallenge(nonce[0], true);
        }

        if (!valid)
        {
            refused.add(request.method() + " (bad credentials: " + auth + ")");
            return first;
        }

        accepted.add(auth);
        return null;
    }

    private static String shaChallenge(final String nonce, final boolean stale)
    {
        return "WWW-Authenticate: Digest realm=\"" + REALM + "\", nonce=\"" + nonce +
            "\", algorithm=SHA-256, qop=\"auth\"" + (stale ? ", stale=true" : "") + "\r\n";
    }

    /**
     * @return the Digest Authorization parameters (lower-case names, plus {@code method}), or null when the request
     *         carries none.
     */
    private static Map<String, String> digestParams(final FakeRtspCamera.Request request)
    {
        final String header = request.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Digest ", 0, 7))
        {
            return null;
        }

        final Map<String, String> params = new HashMap<>();
        final Matcher matcher = PARAM.matcher(header.substring(7));
        while (matcher.find())
        {
            params.put(matcher.group(1).toLowerCase(Locale.ROOT), matcher.group(2) != null ? matcher.group(2) :
                matcher.group(3));
        }

        params.put("method", request.method());
        return USER.equals(params.get("username")) && REALM.equals(params.get("realm")) &&
            request.uri().equals(params.get("uri")) ? params : Map.of("method", request.method(), "bad", header);
    }

    /**
     * RFC 7616 section 3.4.1 (RFC 2069 when there is no qop).
     */
    private static String expectedResponse(
        final String algorithm,
        final Map<String, String> auth,
        final FakeRtspCamera.Request request)
    {
        final String ha1 = hex(algorithm, USER + ":" + REALM + ":" + PASSWORD);
        final String ha2 = hex(algorithm, request.method() + ":" + request.uri());
        final String nonce = auth.get("nonce");
        return auth.get("qop") == null ? hex(algorithm, ha1 + ":" + nonce + ":" + ha2) :
            hex(algorithm, ha1 + ":" + nonce + ":" + auth.get("nc") + ":" + auth.get("cnonce") + ":" +
                auth.get("qop") + ":" + ha2);
    }

    private static String hex(final String algorithm, final String text)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                .digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static FakeRtspCamera camera(final Function<FakeRtspCamera.Request, String> gate) throws Exception
    {
        return new FakeRtspCamera().sdp(SDP).gate(gate)
            .media("video", new FakeRtspCamera.Media(FakeRtspCamera.wowzaVideo(), 90_000, -1, true));
    }

    private static String source(final FakeRtspCamera camera)
    {
        return "--cameras.cam1.source=rtsp://" + USER + ":" + PASSWORD + "@127.0.0.1:" + camera.port() + "/stream";
    }
}
