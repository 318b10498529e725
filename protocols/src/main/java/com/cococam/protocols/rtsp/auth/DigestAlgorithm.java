package com.cococam.protocols.rtsp.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Digest algorithms of RFC 7616 section 3.3 (and RFC 2617's MD5), with their strength order.
 *
 * <p>Thread safety: immutable; {@link #hex(String)} creates a MessageDigest per call.
 */
public enum DigestAlgorithm
{
    /** {@code MD5} (RFC 2617; the default when a challenge names none). */
    MD5("MD5", "MD5", false, 1),
    /** {@code MD5-sess}. */
    MD5_SESS("MD5-sess", "MD5", true, 1),
    /** {@code SHA-256} (RFC 7616). */
    SHA_256("SHA-256", "SHA-256", false, 2),
    /** {@code SHA-256-sess}. */
    SHA_256_SESS("SHA-256-sess", "SHA-256", true, 2),
    /** {@code SHA-512-256} (RFC 7616). */
    SHA_512_256("SHA-512-256", "SHA-512/256", false, 3),
    /** {@code SHA-512-256-sess}. */
    SHA_512_256_SESS("SHA-512-256-sess", "SHA-512/256", true, 3);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final String token;
    private final String javaName;
    private final boolean session;
    private final int strength;

    DigestAlgorithm(final String token, final String javaName, final boolean session, final int strength)
    {
        this.token = token;
        this.javaName = javaName;
        this.session = session;
        this.strength = strength;
    }

    /**
     * @param token algorithm parameter, any case, or null (meaning MD5).
     * @return the algorithm, or null when unsupported.
     */
    public static DigestAlgorithm fromToken(final String token)
    {
        if (token == null)
        {
            return MD5;
        }

        final String lower = token.trim().toLowerCase(Locale.ROOT);
        for (final DigestAlgorithm algorithm : values())
        {
            if (algorithm.token.toLowerCase(Locale.ROOT).equals(lower))
            {
                return algorithm;
            }
        }

        return null;
    }

    /**
     * @return the token as written in headers, e.g. {@code SHA-256}.
     */
    public String token()
    {
        return token;
    }

    /**
     * @return whether this is a {@code -sess} variant (HA1 includes nonce and cnonce).
     */
    public boolean session()
    {
        return session;
    }

    /**
     * @return larger is stronger: MD5 1, SHA-256 2, SHA-512-256 3.
     */
    public int strength()
    {
        return strength;
    }

    /**
     * @param text input, encoded as UTF-8.
     * @return the lower case hex digest.
     */
    public String hex(final String text)
    {
        final byte[] digest;
        try
        {
            digest = MessageDigest.getInstance(javaName).digest(text.getBytes(StandardCharsets.UTF_8));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("digest algorithm missing from the JDK: " + javaName, ex);
        }

        final char[] out = new char[digest.length * 2];
        for (int i = 0; i < digest.length; i++)
        {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[digest[i] & 0xF];
        }

        return new String(out);
    }
}
