package com.cococam.protocols.rtsp.auth;

import com.cococam.protocols.rtsp.RtspProtocolException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Client side of RTSP authentication (Basic, RFC 7617; Digest, RFC 2617 and RFC 7616) for one connection.
 *
 * <p>Use: on each 401 pass every {@code WWW-Authenticate} value to {@link #onUnauthorized(List)}; when it
 * answers {@link Outcome#RETRY}, resend the request with {@link #authorization(String, String)} as its
 * {@code Authorization} header, and keep adding that header to every later request.
 *
 * <p>Choice: the strongest usable Digest challenge (SHA-512-256, then SHA-256, then MD5; {@code -sess} variants
 * count as their hash); Basic only when no Digest challenge is usable. A Digest challenge is usable when its
 * algorithm is supported and it either offers {@code qop=auth} (then used with nc and cnonce) or offers no qop
 * at all (then the RFC 2069 form is used, as many cameras expect). Only-{@code auth-int} challenges are not used.
 *
 * <p>Stale nonces: a 401 whose chosen challenge says {@code stale=true} is not a failure: the new nonce is taken,
 * the nonce count restarts and the outcome is {@link Outcome#RETRY}. A second 401 after credentials were sent,
 * without {@code stale=true}, means the credentials are wrong: {@link Outcome#REJECTED}. {@link #reset()} allows
 * one more try (e.g. after the server restarted).
 *
 * <p>Secrets: the password never appears in toString or exception messages.
 *
 * <p>Thread safety: not thread safe; one instance per connection, used on its event loop.
 */
public final class AuthClient
{
    /**
     * What to do after a 401.
     */
    public enum Outcome
    {
        /** Credentials are ready: resend the request with {@link #authorization(String, String)}. */
        RETRY,
        /** The server refused credentials already sent: give up (wrong user name or password). */
        REJECTED,
        /** No challenge uses a scheme or algorithm we support, or none parses. */
        UNSUPPORTED
    }

    private final Credentials credentials;
    private final Supplier<String> cnonceSource;

    private AuthHeader challenge;
    private DigestAlgorithm algorithm;
    private boolean useQop;
    private boolean userhash;
    private int nonceCount;
    private boolean sent;

    /**
     * @param credentials user name and password.
     */
    public AuthClient(final Credentials credentials)
    {
        this(credentials, randomCnonces());
    }

    /**
     * @param credentials  user name and password.
     * @param cnonceSource client nonces, one per request with qop (tests pass fixed values).
     */
    public AuthClient(final Credentials credentials, final Supplier<String> cnonceSource)
    {
        this.credentials = credentials;
        this.cnonceSource = cnonceSource;
    }

    /**
     * @param wwwAuthenticateValues every WWW-Authenticate value of the 401, in order; values that do not parse are
     *                              skipped.
     * @return what to do next.
     */
    public Outcome onUnauthorized(final List<String> wwwAuthenticateValues)
    {
        AuthHeader bestDigest = null;
        DigestAlgorithm bestAlgorithm = null;
        AuthHeader basic = null;
        for (final String value : wwwAuthenticateValues)
        {
            final List<AuthHeader> parsed;
            try
            {
                parsed = AuthHeader.parseChallenges(value);
            }
            catch (final RtspProtocolException ex)
            {
                continue;
            }

            for (final AuthHeader candidate : parsed)
            {
                if (candidate.is("Basic") && basic == null)
                {
                    basic = candidate;
                }
                else if (candidate.is("Digest") && usable(candidate))
                {
                    final DigestAlgorithm algo = DigestAlgorithm.fromToken(candidate.param("algorithm"));
                    if (bestAlgorithm == null || algo.strength() > bestAlgorithm.strength())
                    {
                        bestDigest = candidate;
                        bestAlgorithm = algo;
                    }
                }
            }
        }

        final AuthHeader chosen = bestDigest != null ? bestDigest : basic;
        if (chosen == null)
        {
            return Outcome.UNSUPPORTED;
        }

        final boolean stale = bestDigest != null && "true".equalsIgnoreCase(bestDigest.param("stale"));
        if (sent && !stale)
        {
            return Outcome.REJECTED;
        }

        challenge = chosen;
        algorithm = bestAlgorithm;
        useQop = bestDigest != null && offersAuthQop(bestDigest);
        userhash = bestDigest != null && "true".equalsIgnoreCase(bestDigest.param("userhash"));
        nonceCount = 0;
        sent = false;
        return Outcome.RETRY;
    }

    /**
     * Computes the Authorization value for one request; with qop, each call uses the next nonce count and a
     * fresh cnonce.
     *
     * @param method request method.
     * @param uri    request URI exactly as in the request line.
     * @return the Authorization header value, or null before a challenge was accepted.
     */
    public String authorization(final String method, final String uri)
    {
        if (challenge == null)
        {
            return null;
        }

        sent = true;
        if (algorithm == null)
        {
            final String pair = credentials.username() + ':' + credentials.password();
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }

        final String realm = nullToEmpty(challenge.param("realm"));
        final String nonce = nullToEmpty(challenge.param("nonce"));
        final String username = userhash ?
            algorithm.hex(credentials.username() + ':' + realm) : credentials.username();
        final String nc = useQop ? String.format(Locale.ROOT, "%08x", ++nonceCount) : null;
        final String cnonce = useQop || algorithm.session() ? cnonceSource.get() : null;
        final String response = Digest.response(algorithm, credentials.username(), realm, credentials.password(),
            method, uri, nonce, nc, cnonce, useQop ? "auth" : null);

        final StringBuilder text = new StringBuilder(256).append("Digest username=")
            .append(AuthHeader.quote(username))
            .append(", realm=").append(AuthHeader.quote(realm))
            .append(", nonce=").append(AuthHeader.quote(nonce))
            .append(", uri=").append(AuthHeader.quote(uri))
            .append(", response=").append(AuthHeader.quote(response));
        if (challenge.param("algorithm") != null)
        {
            text.append(", algorithm=").append(algorithm.token());
        }

        if (challenge.param("opaque") != null)
        {
            text.append(", opaque=").append(AuthHeader.quote(challenge.param("opaque")));
        }

        if (useQop)
        {
            text.append(", qop=auth, nc=").append(nc).append(", cnonce=").append(AuthHeader.quote(cnonce));
        }
        else if (cnonce != null)
        {
            text.append(", cnonce=").append(AuthHeader.quote(cnonce));
        }

        if (userhash)
        {
            text.append(", userhash=true");
        }

        return text.toString();
    }

    /**
     * @return the chosen scheme ({@code Digest} or {@code Basic}), or null before a challenge was accepted.
     */
    public String scheme()
    {
        return challenge == null ? null : (algorithm == null ? "Basic" : "Digest");
    }

    /**
     * @return the chosen Digest algorithm, or null (no challenge yet, or Basic).
     */
    public DigestAlgorithm algorithm()
    {
        return algorithm;
    }

    /**
     * Forgets that credentials were sent, so the next 401 yields {@link Outcome#RETRY} once more.
     */
    public void reset()
    {
        sent = false;
    }

    @Override
    public String toString()
    {
        return "AuthClient[username=" + credentials.username() + ", scheme=" + scheme() + ']';
    }

    private static boolean usable(final AuthHeader digest)
    {
        final DigestAlgorithm algo = DigestAlgorithm.fromToken(digest.param("algorithm"));
        return algo != null && digest.param("nonce") != null &&
            (digest.param("qop") == null || offersAuthQop(digest));
    }

    private static boolean offersAuthQop(final AuthHeader digest)
    {
        final String qop = digest.param("qop");
        if (qop == null)
        {
            return false;
        }

        for (final String option : qop.split(","))
        {
            if ("auth".equalsIgnoreCase(option.trim()))
            {
                return true;
            }
        }

        return false;
    }

    private static String nullToEmpty(final String value)
    {
        return value == null ? "" : value;
    }

    private static Supplier<String> randomCnonces()
    {
        final SecureRandom random = new SecureRandom();
        return () ->
        {
            final byte[] bytes = new byte[12];
            random.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        };
    }
}
