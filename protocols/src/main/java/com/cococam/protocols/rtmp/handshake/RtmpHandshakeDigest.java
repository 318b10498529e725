package com.cococam.protocols.rtmp.handshake;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The digest ("complex") handshake that Flash Player introduced and OBS, ffmpeg and librtmp speak: HMAC-SHA256
 * digests hidden at a data-dependent offset in C1/S1.
 *
 * <pre>
 *  C1/S1, 1536 bytes:  time(4) | version(4, non-zero) | 1528 bytes holding a 32-byte digest somewhere
 *
 *  scheme 0: offset = (b[8] + b[9] + b[10] + b[11]) % 728 + 12
 *  scheme 1: offset = (b[772] + b[773] + b[774] + b[775]) % 728 + 776
 *
 *  C1 digest = HMAC-SHA256(key = first 30 bytes of the Flash Player key, C1 without the 32 digest bytes)
 *  S1 digest = HMAC-SHA256(key = first 36 bytes of the Flash Media Server key, S1 without the digest bytes)
 *  S2 = 1504 random bytes | HMAC-SHA256(key = HMAC-SHA256(full 68-byte FMS key, C1 digest), those 1504 bytes)
 * </pre>
 *
 * The keys are the well-known constants every implementation of this scheme shares: an ASCII prefix
 * ("Genuine Adobe Flash Player 001" / "Genuine Adobe Flash Media Server 001") followed by the same 32 bytes.
 *
 * <p>Thread safety: stateless, any thread. Allocation: a {@link Mac} per call (handshakes are rare).
 */
public final class RtmpHandshakeDigest
{
    /** Size of C1, S1, C2, S2. */
    public static final int PACKET_SIZE = 1536;
    /** Size of a digest. */
    public static final int DIGEST_SIZE = 32;
    /** Length of the part of the player key used for C1 digests. */
    public static final int PLAYER_KEY_OPEN_LENGTH = 30;
    /** Length of the part of the server key used for S1 digests. */
    public static final int SERVER_KEY_OPEN_LENGTH = 36;

    private static final byte[] KEY_SUFFIX = {
        (byte)0xF0, (byte)0xEE, (byte)0xC2, (byte)0x4A, (byte)0x80, (byte)0x68, (byte)0xBE, (byte)0xE8,
        (byte)0x2E, (byte)0x00, (byte)0xD0, (byte)0xD1, (byte)0x02, (byte)0x9E, (byte)0x7E, (byte)0x57,
        (byte)0x6E, (byte)0xEC, (byte)0x5D, (byte)0x2D, (byte)0x29, (byte)0x80, (byte)0x6F, (byte)0xAB,
        (byte)0x93, (byte)0xB8, (byte)0xE6, (byte)0x36, (byte)0xCF, (byte)0xEB, (byte)0x31, (byte)0xAE,
    };
    private static final byte[] PLAYER_KEY = key("Genuine Adobe Flash Player 001");
    private static final byte[] SERVER_KEY = key("Genuine Adobe Flash Media Server 001");

    private RtmpHandshakeDigest()
    {
    }

    /**
     * @return a copy of the 62-byte Flash Player key.
     */
    public static byte[] playerKey()
    {
        return PLAYER_KEY.clone();
    }

    /**
     * @return a copy of the 68-byte Flash Media Server key.
     */
    public static byte[] serverKey()
    {
        return SERVER_KEY.clone();
    }

    /**
     * @param packet a 1536-byte C1 or S1.
     * @param scheme 0 or 1.
     * @return where that scheme puts the digest in {@code packet}.
     */
    public static int digestOffset(final byte[] packet, final int scheme)
    {
        final int base = scheme == 0 ? 8 : 772;
        final int sum = (packet[base] & 0xFF) + (packet[base + 1] & 0xFF) + (packet[base + 2] & 0xFF)
            + (packet[base + 3] & 0xFF);
        return sum % 728 + base + 4;
    }

    /**
     * HMAC-SHA256 over a packet without its 32 digest bytes.
     *
     * @param packet       1536-byte C1 or S1.
     * @param digestOffset where the digest sits.
     * @param key          HMAC key.
     * @param keyLength    how many leading bytes of {@code key} to use.
     * @return the 32-byte digest.
     */
    public static byte[] packetDigest(
        final byte[] packet,
        final int digestOffset,
        final byte[] key,
        final int keyLength)
    {
        final Mac mac = mac(key, keyLength);
        mac.update(packet, 0, digestOffset);
        mac.update(packet, digestOffset + DIGEST_SIZE, packet.length - digestOffset - DIGEST_SIZE);
        return mac.doFinal();
    }

    /**
     * Looks for a valid client digest in C1, trying scheme 1 then scheme 0.
     *
     * @param c1 the 1536-byte C1.
     * @return the scheme (0 or 1) whose digest verifies, or -1 when neither does (plain handshake).
     */
    public static int findClientScheme(final byte[] c1)
    {
        for (int scheme = 1; scheme >= 0; scheme--)
        {
            final int offset = digestOffset(c1, scheme);
            final byte[] expected = packetDigest(c1, offset, PLAYER_KEY, PLAYER_KEY_OPEN_LENGTH);
            if (MessageDigest.isEqual(expected, Arrays.copyOfRange(c1, offset, offset + DIGEST_SIZE)))
            {
                return scheme;
            }
        }

        return -1;
    }

    /**
     * Signs a packet in place: computes the digest over everything but the digest bytes and stores it there.
     *
     * @param packet    1536 bytes, filled except for the digest.
     * @param scheme    0 or 1.
     * @param key       HMAC key.
     * @param keyLength leading key bytes to use.
     * @return the digest offset used.
     */
    public static int sign(final byte[] packet, final int scheme, final byte[] key, final int keyLength)
    {
        final int offset = digestOffset(packet, scheme);
        final byte[] digest = packetDigest(packet, offset, key, keyLength);
        System.arraycopy(digest, 0, packet, offset, DIGEST_SIZE);
        return offset;
    }

    /**
     * Signs an S2 (or C2) in place: the last 32 bytes become
     * HMAC(HMAC(fullKey, peerDigest), first 1504 bytes).
     *
     * @param packet     1536 bytes, random; the tail is overwritten.
     * @param peerDigest the digest found in the peer's C1 (or S1).
     * @param fullKey    the full server (or player) key.
     */
    public static void signResponse(final byte[] packet, final byte[] peerDigest, final byte[] fullKey)
    {
        final byte[] signature = responseSignature(packet, peerDigest, fullKey);
        System.arraycopy(signature, 0, packet, PACKET_SIZE - DIGEST_SIZE, DIGEST_SIZE);
    }

    /**
     * @param packet     a 1536-byte S2 or C2.
     * @param peerDigest the digest the response answers.
     * @param fullKey    the full key of the responder.
     * @return the expected signature of {@code packet}'s first 1504 bytes.
     */
    public static byte[] responseSignature(final byte[] packet, final byte[] peerDigest, final byte[] fullKey)
    {
        final byte[] key = mac(fullKey, fullKey.length).doFinal(peerDigest);
        final Mac mac = mac(key, key.length);
        mac.update(packet, 0, PACKET_SIZE - DIGEST_SIZE);
        return mac.doFinal();
    }

    private static Mac mac(final byte[] key, final int keyLength)
    {
        try
        {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, 0, keyLength, "HmacSHA256"));
            return mac;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 unavailable", ex);
        }
    }

    private static byte[] key(final String prefix)
    {
        final byte[] ascii = prefix.getBytes(StandardCharsets.US_ASCII);
        final byte[] key = new byte[ascii.length + KEY_SUFFIX.length];
        System.arraycopy(ascii, 0, key, 0, ascii.length);
        System.arraycopy(KEY_SUFFIX, 0, key, ascii.length, KEY_SUFFIX.length);
        return key;
    }
}
