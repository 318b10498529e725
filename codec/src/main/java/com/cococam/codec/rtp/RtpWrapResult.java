package com.cococam.codec.rtp;

/**
 * Outcome of {@link RtpPacket#wrap}: {@link #OK}, or why the bytes are not an RTP packet (RFC 3550 5.1).
 */
public enum RtpWrapResult
{
    /**
     * The header parsed; the flyweight's accessors are valid.
     */
    OK,

    /**
     * Fewer than the 12 bytes of the fixed header.
     */
    TRUNCATED_HEADER,

    /**
     * The version field is not 2.
     */
    BAD_VERSION,

    /**
     * The CSRC list announced by the CC field runs past the end.
     */
    BAD_CSRC_COUNT,

    /**
     * The X bit is set but the header extension (its 4-byte head or its announced length) runs past the end.
     */
    BAD_EXTENSION_LENGTH,

    /**
     * The P bit is set but the padding count is 0 or larger than what follows the header.
     */
    BAD_PADDING
}
