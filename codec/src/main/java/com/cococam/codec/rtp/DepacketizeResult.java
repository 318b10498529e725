package com.cococam.codec.rtp;

/**
 * What a depacketizer did with one RTP packet. Every value but {@link #OK} means the packet's data was thrown
 * away (and counted); none of them stops the stream.
 */
public enum DepacketizeResult
{
    /**
     * Taken: its data was added to the access unit being assembled, or emitted (possibly while the access unit
     * it belongs to is being discarded after a loss, which is counted per access unit instead).
     */
    OK,

    /**
     * A duplicate of a packet already taken.
     */
    DUPLICATE,

    /**
     * Reordered behind a gap that was already declared lost.
     */
    LATE,

    /**
     * Its sequence number jumped too far; a second packet in sequence after it restarts the tracking.
     */
    JUMP,

    /**
     * The payload contradicts its format (a size that runs past the end, a reserved type, a fragment out of
     * place); the access unit being assembled is dropped.
     */
    MALFORMED,

    /**
     * A valid but unsupported packetization (H.264 STAP-B, MTAP, FU-B; H.265 PACI; AAC interleaving); the
     * access unit being assembled is dropped.
     */
    UNSUPPORTED,

    /**
     * The access unit being assembled grew past the configured limit and was dropped.
     */
    OVERSIZE
}
