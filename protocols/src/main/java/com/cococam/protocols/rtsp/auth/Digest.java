package com.cococam.protocols.rtsp.auth;

/**
 * The Digest response computation of RFC 7616 section 3.4.1 (and RFC 2617 section 3.2.2), for {@code qop=auth}
 * and for the legacy RFC 2069 form without qop that many cameras still use.
 *
 * <pre>
 * HA1      = H(username ":" realm ":" password)                    (-sess: H(HA1 ":" nonce ":" cnonce))
 * HA2      = H(method ":" uri)
 * response = H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2)    with qop
 * response = H(HA1 ":" nonce ":" HA2)                              without qop (RFC 2069)
 * </pre>
 *
 * <p>Thread safety: stateless.
 */
public final class Digest
{
    private Digest()
    {
    }

    /**
     * @param algorithm hash algorithm.
     * @param username  user name (or its userhash when the challenge asked for one: the hash goes in the header,
     *                  but HA1 always uses the plain name).
     * @param realm     realm from the challenge.
     * @param password  password.
     * @param method    request method, e.g. {@code DESCRIBE}.
     * @param uri       the digest-uri, exactly as sent in the {@code uri} parameter.
     * @param nonce     nonce from the challenge.
     * @param nc        nonce count as 8 hex digits, e.g. {@code 00000001}; ignored without qop.
     * @param cnonce    client nonce; ignored without qop unless the algorithm is a -sess one.
     * @param qop       {@code auth}, or null for the RFC 2069 form.
     * @return the lower case hex response.
     */
    public static String response(
        final DigestAlgorithm algorithm,
        final String username,
        final String realm,
        final String password,
        final String method,
        final String uri,
        final String nonce,
        final String nc,
        final String cnonce,
        final String qop)
    {
        String ha1 = algorithm.hex(username + ':' + realm + ':' + password);
        if (algorithm.session())
        {
            ha1 = algorithm.hex(ha1 + ':' + nonce + ':' + cnonce);
        }

        final String ha2 = algorithm.hex(method + ':' + uri);
        if (qop == null)
        {
            return algorithm.hex(ha1 + ':' + nonce + ':' + ha2);
        }

        return algorithm.hex(ha1 + ':' + nonce + ':' + nc + ':' + cnonce + ':' + qop + ':' + ha2);
    }
}
