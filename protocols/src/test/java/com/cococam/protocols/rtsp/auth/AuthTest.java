package com.cococam.protocols.rtsp.auth;

import com.cococam.protocols.rtsp.RtspDecoder;
import com.cococam.protocols.rtsp.RtspErrorCode;
import com.cococam.protocols.rtsp.RtspHeaderNames;
import com.cococam.protocols.rtsp.RtspResponse;
import com.cococam.protocols.rtsp.RtspTestSupport;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Basic and Digest: RFC golden values, the Longse camera challenge, challenge choice, stale nonces, and the
 * server side issuing and verifying.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AuthTest
{
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    @AfterEach
    void shouldHaveReleasedEveryBuffer()
    {
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    @Test
    void shouldComputeTheRfc2617Section35ExampleResponse()
    {
        final AuthClient client = new AuthClient(new Credentials("Mufasa", "Circle Of Life"), () -> "0a4f113b");
        assertEquals(AuthClient.Outcome.RETRY, client.onUnauthorized(List.of("Digest\n".trim() +
            " realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"," +
            " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"")));

        final AuthHeader sent = AuthHeader.parseCredentials(client.authorization("GET", "/dir/index.html"));

        assertEquals("6629fae49393a05397450978507c4ef1", sent.param("response"));
        assertEquals("00000001", sent.param("nc"));
        assertEquals("0a4f113b", sent.param("cnonce"));
        assertEquals("auth", sent.param("qop"));
        assertEquals("5ccc069c403ebaf9f0171e9517f40e41", sent.param("opaque"));
        assertNull(sent.param("algorithm"), "not sent when the challenge named none");
        assertEquals("00000002",
            AuthHeader.parseCredentials(client.authorization("GET", "/dir/index.html")).param("nc"));
    }

    @Test
    void shouldComputeTheRfc7616Section391ExamplesAndPreferSha256()
    {
        final String md5 = "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, " +
            "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", " +
            "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
        final String sha256 = md5.replace("algorithm=MD5", "algorithm=SHA-256");
        final String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        final Credentials mufasa = new Credentials("Mufasa", "Circle of Life");

        final AuthClient both = new AuthClient(mufasa, () -> cnonce);
        assertEquals(AuthClient.Outcome.RETRY, both.onUnauthorized(List.of(md5, sha256)));
        assertEquals(DigestAlgorithm.SHA_256, both.algorithm());
        final AuthHeader sentSha = AuthHeader.parseCredentials(both.authorization("GET", "/dir/index.html"));
        assertEquals("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", sentSha.param("response"));
        assertEquals("SHA-256", sentSha.param("algorithm"));

        final AuthClient md5Only = new AuthClient(mufasa, () -> cnonce);
        assertEquals(AuthClient.Outcome.RETRY, md5Only.onUnauthorized(List.of(md5)));
        final AuthHeader sentMd5 = AuthHeader.parseCredentials(md5Only.authorization("GET", "/dir/index.html"));
        assertEquals("8ca523f5e9506fed4657c9700eebdbec", sentMd5.param("response"));
    }

    @Test
    void shouldAnswerTheLongseCameraChallengeInTheRfc2069FormWithoutQop()
    {
        final List<Object> decoded = RtspTestSupport.decode(new RtspDecoder(), alloc,
            RtspTestSupport.sampleBytes("rtsp_longse_401_unauthorized.txt"));
        final List<String> challenges =
            ((RtspResponse)decoded.get(0)).headers().getAll(RtspHeaderNames.WWW_AUTHENTICATE);
        RtspTestSupport.releaseAll(decoded);
        final AuthClient client = new AuthClient(new Credentials("admin", "123456"), () -> "unused");

        assertEquals(AuthClient.Outcome.RETRY, client.onUnauthorized(challenges));
        final String authorization = client.authorization("DESCRIBE", "rtsp://192.168.1.10:554/stream1");

        // Expected value computed independently: MD5(MD5(user:realm:pass):nonce:MD5(method:uri)).
        assertEquals("Digest username=\"admin\", realm=\"Surveillance Server\", nonce=\"98481030\", " +
            "uri=\"rtsp://192.168.1.10:554/stream1\", response=\"ea82bf92b171720ddee1f10ba9fc86ff\"", authorization);
        assertEquals(AuthClient.Outcome.REJECTED, client.onUnauthorized(challenges), "same challenge again");
    }

    @Test
    void shouldRecomputeWithTheNewNonceOnStaleWithoutFailing()
    {
        final AuthClient client = new AuthClient(new Credentials("u", "p"), () -> "c");
        client.onUnauthorized(List.of("Digest realm=\"r\", nonce=\"n1\", qop=\"auth\""));
        client.authorization("PLAY", "rtsp://h/s");
        client.authorization("PLAY", "rtsp://h/s");

        assertEquals(AuthClient.Outcome.RETRY,
            client.onUnauthorized(List.of("Digest realm=\"r\", nonce=\"n2\", qop=\"auth\", stale=TRUE")));
        final AuthHeader sent = AuthHeader.parseCredentials(client.authorization("PLAY", "rtsp://h/s"));
        assertEquals("n2", sent.param("nonce"));
        assertEquals("00000001", sent.param("nc"), "nonce count restarts");
        assertEquals(Digest.response(DigestAlgorithm.MD5, "u", "r", "p", "PLAY", "rtsp://h/s", "n2", "00000001",
            "c", "auth"), sent.param("response"));
        assertEquals(AuthClient.Outcome.REJECTED,
            client.onUnauthorized(List.of("Digest realm=\"r\", nonce=\"n3\", qop=\"auth\"")), "not stale: rejected");
        client.reset();
        assertEquals(AuthClient.Outcome.RETRY,
            client.onUnauthorized(List.of("Digest realm=\"r\", nonce=\"n3\", qop=\"auth\"")));
    }

    @Test
    void shouldPickBasicOnlyWhenNoDigestIsUsable()
    {
        final Credentials credentials = new Credentials("Aladdin", "open sesame");
        final AuthClient basicOnly = new AuthClient(credentials);
        assertEquals(AuthClient.Outcome.RETRY, basicOnly.onUnauthorized(List.of("Basic realm=\"cam\"")));
        assertEquals("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", basicOnly.authorization("OPTIONS", "*"));

        final AuthClient mixed = new AuthClient(credentials, () -> "c");
        assertEquals(AuthClient.Outcome.RETRY, mixed.onUnauthorized(List.of(
            "Basic realm=\"cam\", Digest realm=\"cam\", nonce=\"x\", algorithm=SHA-512-256",
            "Digest realm=\"cam\", nonce=\"y\", algorithm=MD5")));
        assertEquals(DigestAlgorithm.SHA_512_256, mixed.algorithm(), "strongest wins, two challenges in one value");

        final AuthClient authIntOnly = new AuthClient(credentials);
        assertEquals(AuthClient.Outcome.RETRY, authIntOnly.onUnauthorized(List.of(
            "Digest realm=\"cam\", nonce=\"x\", qop=\"auth-int\"", "Basic realm=\"cam\"")));
        assertEquals("Basic", authIntOnly.scheme());

        final AuthClient none = new AuthClient(credentials);
        assertEquals(AuthClient.Outcome.UNSUPPORTED, none.onUnauthorized(List.of(
            "Negotiate", "Digest realm=\"cam\", nonce=\"x\", algorithm=SHA-1", "Digest realm=\"unterminated")));
        assertNull(none.authorization("OPTIONS", "*"));
    }

    @Test
    void shouldNeverPrintCredentials()
    {
        final Credentials credentials = new Credentials("admin", "hunter2-secret");
        final AuthClient client = new AuthClient(credentials);
        client.onUnauthorized(List.of("Basic realm=\"x\""));
        final String authorization = client.authorization("OPTIONS", "*");

        assertFalse(credentials.toString().contains("hunter2"));
        assertFalse(client.toString().contains("hunter2"));
        final AuthHeader parsed = AuthHeader.parseCredentials(authorization);
        assertFalse(parsed.toString().contains(parsed.token68()));
        final RuntimeException error = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
            () -> AuthHeader.parseCredentials("Digest response=\"hunter2-secret"));
        assertFalse(error.getMessage().contains("hunter2"));
        assertEquals(RtspErrorCode.BAD_AUTH_HEADER,
            RtspTestSupport.errorCode(() -> AuthHeader.parseCredentials("Digest response=\"hunter2-secret")));
    }

    @Test
    void shouldParseQuotedEscapesAndTolerateSpacing()
    {
        final List<AuthHeader> challenges = AuthHeader.parseChallenges(
            "Digest  realm = \"a \\\"quoted\\\" realm\" ,nonce=abc,stale=true , Basic realm=\"b\"");
        assertEquals(2, challenges.size());
        assertEquals(Map.of("realm", "a \"quoted\" realm", "nonce", "abc", "stale", "true"),
            challenges.get(0).params());
        assertTrue(challenges.get(1).is("basic"));
    }

    @Test
    void shouldIssueChallengesAndVerifyDigestClientsIncludingStaleNonces()
    {
        final AtomicLong nowMs = new AtomicLong(1_000_000);
        final AuthServer server = new AuthServer("cococam", SECRET, nowMs::get, 30_000, false);
        final AuthServer.PasswordLookup passwords = user -> "pub".equals(user) ? "key-123" : null;
        final List<String> challenges = server.challenges(false);
        assertEquals(2, challenges.size());
        assertTrue(challenges.get(0).contains("algorithm=SHA-256"));

        final AuthClient client = new AuthClient(new Credentials("pub", "key-123"));
        assertEquals(AuthClient.Outcome.RETRY, client.onUnauthorized(challenges));
        assertEquals(DigestAlgorithm.SHA_256, client.algorithm());
        final String uri = "rtsp://127.0.0.1:8554/cam1";
        assertEquals(new AuthServer.Result(AuthServer.Verdict.OK, "pub"),
            server.verify("ANNOUNCE", client.authorization("ANNOUNCE", uri), passwords));
        assertEquals(AuthServer.Verdict.WRONG_CREDENTIALS,
            server.verify("RECORD", client.authorization("ANNOUNCE", uri), passwords).verdict(), "method bound");

        final AuthClient wrong = new AuthClient(new Credentials("pub", "guess"));
        wrong.onUnauthorized(challenges);
        assertEquals(AuthServer.Verdict.WRONG_CREDENTIALS,
            server.verify("ANNOUNCE", wrong.authorization("ANNOUNCE", uri), passwords).verdict());
        final AuthClient stranger = new AuthClient(new Credentials("nobody", "key-123"));
        stranger.onUnauthorized(challenges);
        assertEquals(AuthServer.Verdict.WRONG_CREDENTIALS,
            server.verify("ANNOUNCE", stranger.authorization("ANNOUNCE", uri), passwords).verdict());

        nowMs.addAndGet(30_001);
        final String late = client.authorization("ANNOUNCE", uri);
        assertEquals(AuthServer.Verdict.STALE, server.verify("ANNOUNCE", late, passwords).verdict());
        assertEquals(AuthClient.Outcome.RETRY, client.onUnauthorized(server.challenges(true)));
        assertEquals(AuthServer.Verdict.OK,
            server.verify("ANNOUNCE", client.authorization("ANNOUNCE", uri), passwords).verdict());

        final AuthServer restarted = new AuthServer("cococam", "another secret, 16+ bytes".getBytes(
            StandardCharsets.US_ASCII), nowMs::get, 30_000, false);
        assertEquals(AuthServer.Verdict.STALE,
            restarted.verify("ANNOUNCE", client.authorization("ANNOUNCE", uri), passwords).verdict());
    }

    @Test
    void shouldVerifyLegacyDigestBasicAndRejectMalformedOrMissingHeaders()
    {
        final AtomicLong nowMs = new AtomicLong(5);
        final AuthServer server = new AuthServer("r", SECRET, nowMs::get, 60_000, true);
        final AuthServer.PasswordLookup passwords = user -> "u".equals(user) ? "p" : null;
        final String nonce = AuthHeader.parseChallenges(server.challenges(false).get(1)).get(0).param("nonce");
        final String legacy = "Digest username=\"u\", realm=\"r\", nonce=\"" + nonce + "\", uri=\"rtsp://h/s\", " +
            "response=\"" + Digest.response(DigestAlgorithm.MD5, "u", "r", "p", "SETUP", "rtsp://h/s", nonce, null,
            null, null) + "\"";

        assertEquals(AuthServer.Verdict.OK, server.verify("SETUP", legacy, passwords).verdict());
        assertEquals(AuthServer.Verdict.OK, server.verify("SETUP", "Basic dTpw", passwords).verdict());
        assertEquals(AuthServer.Verdict.WRONG_CREDENTIALS,
            server.verify("SETUP", "Basic dTpx", passwords).verdict());
        assertEquals(AuthServer.Verdict.MISSING, server.verify("SETUP", null, passwords).verdict());
        assertEquals(AuthServer.Verdict.MALFORMED, server.verify("SETUP", "Digest username=\"u\"", passwords).verdict());
        assertEquals(AuthServer.Verdict.MALFORMED, server.verify("SETUP", "Basic !!!", passwords).verdict());
        assertEquals(AuthServer.Verdict.UNSUPPORTED, server.verify("SETUP", "Bearer abc", passwords).verdict());
        assertEquals(AuthServer.Verdict.UNSUPPORTED,
            new AuthServer("r", SECRET, nowMs::get, 60_000, false).verify("SETUP", "Basic dTpw", passwords).verdict());
    }
}
