package com.cococam.protocols.rtsp.auth;

import com.cococam.protocols.rtsp.RtspProtocolException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Server side of RTSP authentication: issues Digest challenges (SHA-256 and MD5, {@code qop="auth"}, optionally
 * Basic) and verifies Authorization headers, e.g. for publish keys.
 *
 * <p>Nonces are stateless: {@code base64url(issuedMs(8 bytes) || HMAC-SHA256(secret, issuedMs || realm)[0..16))}.
 * A nonce whose MAC does not match (another server, a restart with a new secret) or that is older than the
 * lifetime yields {@link Verdict#STALE} when the digest itself is right, so the client retries with a new nonce
 * without asking the user again.
 *
 * <p>Accepted: Digest with {@code qop=auth} (nc and cnonce required) and the RFC 2069 form without qop, with
 * MD5, SHA-256 or SHA-512-256 (and their -sess variants); Basic only when enabled. Comparisons are constant
 * time. The {@code uri} parameter is used as sent (clients disagree on absolute vs. relative forms).
 *
 * <p>Note: nonce counts are not tracked, so a captured Authorization can be replayed until its nonce expires;
 * keep the lifetime short (the default is 60 s). Lifting this needs per-nonce state (a bounded nc map).
 *
 * <p>Thread safety: immutable configuration; {@link #challenges} and {@link #verify} may be called from any
 * thread ({@link Mac} instances are created per call).
 */
public final class AuthServer
{
    /** Default nonce lifetime. */
    public static final long DEFAULT_NONCE_LIFETIME_MS = 60_000;

    private static final int TIMESTAMP_BYTES = 8;
    private static final int MAC_BYTES = 16;

    /**
     * Result of a verification.
     */
    public enum Verdict
    {
        /** Credentials are right and the nonce is current. */
        OK,
        /** No Authorization header: answer 401 with {@link #challenges(boolean)}. */
        MISSING,
        /** The digest is right but the nonce expired or is not ours: answer 401 with {@code challenges(true)}. */
        STALE,
        /** Wrong user, password or realm: answer 401 (and count it). */
        WRONG_CREDENTIALS,
        /** The header does not parse or lacks parameters: answer 400 or 401. */
        MALFORMED,
        /** The scheme or algorithm is not accepted (Basic while disabled, an unknown algorithm): answer 401. */
        UNSUPPORTED
    }

    /**
     * Looks up a user's password.
     */
    @FunctionalInterface
    public interface PasswordLookup
    {
        /**
         * @param username user name from the header.
         * @return the password, or null for an unknown user.
         */
        String passwordFor(String username);
    }

    /**
     * @param verdict  the verdict.
     * @param username the user name from the header when it parsed, else null.
     */
    public record Result(Verdict verdict, String username)
    {
    }

    private final String realm;
    private final byte[] secret;
    private final LongSupplier clockMs;
    private final long nonceLifetimeMs;
    private final boolean allowBasic;

    /**
     * @param realm           realm to announce; no quotes, CR or LF.
     * @param secret          HMAC key for nonces, at least 16 bytes; copied.
     * @param clockMs         wall or monotonic clock in milliseconds (tests inject one).
     * @param nonceLifetimeMs how long a nonce stays current, at least 1.
     * @param allowBasic      whether Basic is offered and accepted (only over trusted links).
     * @throws IllegalArgumentException on a bad realm, short secret or lifetime.
     */
    public AuthServer(
        final String realm,
        final byte[] secret,
        final LongSupplier clockMs,
        final long nonceLifetimeMs,
        final boolean allowBasic)
    {
        if (realm == null || realm.indexOf('"') >= 0 || realm.indexOf('\r') >= 0 || realm.indexOf('\n') >= 0)
        {
            throw new IllegalArgumentException("auth realm: invalid");
        }

        if (secret == null || secret.length < 16)
        {
            throw new IllegalArgumentException("auth secret: too short");
        }

        if (nonceLifetimeMs < 1)
        {
            throw new IllegalArgumentException("auth nonceLifetimeMs=" + nonceLifetimeMs);
        }

        this.realm = realm;
        this.secret = secret.clone();
        this.clockMs = clockMs;
        this.nonceLifetimeMs = nonceLifetimeMs;
        this.allowBasic = allowBasic;
    }

    /**
     * @param stale whether to mark the Digest challenges {@code stale=true}.
     * @return WWW-Authenticate values to send, strongest first: Digest SHA-256, Digest MD5, then Basic when
     *         enabled. Each carries a fresh nonce.
     */
    public List<String> challenges(final boolean stale)
    {
        final String nonce = newNonce();
        final List<String> values = new ArrayList<>(3);
        for (final DigestAlgorithm algorithm : new DigestAlgorithm[] {DigestAlgorithm.SHA_256, DigestAlgorithm.MD5})
        {
            values.add("Digest realm=" + AuthHeader.quote(realm) + ", nonce=" + AuthHeader.quote(nonce) +
                ", algorithm=" + algorithm.token() + ", qop=\"auth\"" + (stale ? ", stale=true" : ""));
        }

        if (allowBasic)
        {
            values.add("Basic realm=" + AuthHeader.quote(realm));
        }

        return values;
    }

    /**
     * @param method        request method, e.g. {@code ANNOUNCE}.
     * @param authorization the Authorization value, or null when the request had none.
     * @param passwords     password lookup.
     * @return the verdict and the user name.
     */
    public Result verify(final String method, final String authorization, final PasswordLookup passwords)
    {
        if (authorization == null || authorization.isBlank())
        {
            return new Result(Verdict.MISSING, null);
        }

        final AuthHeader header;
        try
        {
            header = AuthHeader.parseCredentials(authorization);
        }
        catch (final RtspProtocolException ex)
        {
            return new Result(Verdict.MALFORMED, null);
        }

        if (header.is("Basic"))
        {
            return allowBasic ? verifyBasic(header, passwords) : new Result(Verdict.UNSUPPORTED, null);
        }

        if (!header.is("Digest"))
        {
            return new Result(Verdict.UNSUPPORTED, null);
        }

        return verifyDigest(method, header, passwords);
    }

    @Override
    public String toString()
    {
        return "AuthServer[realm=" + realm + ", nonceLifetimeMs=" + nonceLifetimeMs + ", basic=" + allowBasic + ']';
    }

    private Result verifyDigest(final String method, final AuthHeader header, final PasswordLookup passwords)
    {
        final String username = header.param("username");
        final String nonce = header.param("nonce");
        final String uri = header.param("uri");
        final String response = header.param("response");
        final String qop = header.param("qop");
        if (username == null || nonce == null || uri == null || response == null)
        {
            return new Result(Verdict.MALFORMED, username);
        }

        final DigestAlgorithm algorithm = DigestAlgorithm.fromToken(header.param("algorithm"));
        if (algorithm == null || (qop != null && !"auth".equalsIgnoreCase(qop)))
        {
            return new Result(Verdict.UNSUPPORTED, username);
        }

        final String nc = header.param("nc");
        final String cnonce = header.param("cnonce");
        if ((qop != null || algorithm.session()) && (cnonce == null || (qop != null && nc == null)))
        {
            return new Result(Verdict.MALFORMED, username);
        }

        final String password = passwords.passwordFor(username);
        if (password == null || !realm.equals(header.param("realm")))
        {
            return new Result(Verdict.WRONG_CREDENTIALS, username);
        }

        final String expected = Digest.response(algorithm, username, realm, password, method, uri, nonce, nc,
            cnonce, qop == null ? null : "auth");
        if (!constantTimeEquals(expected, response.toLowerCase(java.util.Locale.ROOT)))
        {
            return new Result(Verdict.WRONG_CREDENTIALS, username);
        }

        return new Result(nonceIsCurrent(nonce) ? Verdict.OK : Verdict.STALE, username);
    }

    private Result verifyBasic(final AuthHeader header, final PasswordLookup passwords)
    {
        if (header.token68() == null)
        {
            return new Result(Verdict.MALFORMED, null);
        }

        final String pair;
        try
        {
            pair = new String(Base64.getDecoder().decode(header.token68()), StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            return new Result(Verdict.MALFORMED, null);
        }

        final int colon = pair.indexOf(':');
        if (colon < 0)
        {
            return new Result(Verdict.MALFORMED, null);
        }

        final String username = pair.substring(0, colon);
        final String password = passwords.passwordFor(username);
        if (password == null || !constantTimeEquals(password, pair.substring(colon + 1)))
        {
            return new Result(Verdict.WRONG_CREDENTIALS, username);
        }

        return new Result(Verdict.OK, username);
    }

    private String newNonce()
    {
        final byte[] nonce = new byte[TIMESTAMP_BYTES + MAC_BYTES];
        ByteBuffer.wrap(nonce).putLong(clockMs.getAsLong());
        System.arraycopy(mac(nonce), 0, nonce, TIMESTAMP_BYTES, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    }

    private boolean nonceIsCurrent(final String nonce)
    {
        final byte[] bytes;
        try
        {
            bytes = Base64.getUrlDecoder().decode(nonce);
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }

        if (bytes.length != TIMESTAMP_BYTES + MAC_BYTES)
        {
            return false;
        }

        final byte[] expected = Arrays.copyOf(mac(bytes), MAC_BYTES);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(bytes, TIMESTAMP_BYTES, bytes.length)))
        {
            return false;
        }

        final long ageMs = clockMs.getAsLong() - ByteBuffer.wrap(bytes).getLong();
        return ageMs >= 0 && ageMs <= nonceLifetimeMs;
    }

    private byte[] mac(final byte[] nonce)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(nonce, 0, TIMESTAMP_BYTES);
            mac.update(realm.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", ex);
        }
    }

    private static boolean constantTimeEquals(final String a, final String b)
    {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
