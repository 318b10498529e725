package com.cococam.protocols.rtmp;

import com.cococam.protocols.rtmp.amf.AmfLimits;
import com.cococam.protocols.rtmp.chunk.RtmpChunkDecoder;
import com.cococam.protocols.rtmp.handshake.RtmpServerHandshakeHandler;

/**
 * Bounds and settings of one RTMP server pipeline.
 *
 * @param handshakeTimeoutMs   longest time from accept to a complete handshake; then the connection closes.
 * @param maxIncomingChunkSize largest chunk size a peer may set.
 * @param maxMessageLength     largest incoming message.
 * @param maxChunkStreams      most distinct incoming chunk stream ids per connection.
 * @param eagerAllocationBytes incoming messages up to this length get an exact-length buffer up front.
 * @param outgoingChunkSize    chunk size we announce after connect and use for everything we send, including
 *                             pre-encoded media.
 * @param windowAckSize        Window Acknowledgement Size we announce.
 * @param peerBandwidth        Set Peer Bandwidth we announce (limit type dynamic).
 * @param amfLimits            AMF decoding bounds.
 */
public record RtmpLimits(
    long handshakeTimeoutMs,
    int maxIncomingChunkSize,
    int maxMessageLength,
    int maxChunkStreams,
    int eagerAllocationBytes,
    int outgoingChunkSize,
    int windowAckSize,
    int peerBandwidth,
    AmfLimits amfLimits)
{
    /** Default outgoing chunk size. */
    public static final int DEFAULT_OUTGOING_CHUNK_SIZE = 4096;
    /** Default window acknowledgement size and peer bandwidth. */
    public static final int DEFAULT_WINDOW_ACK_SIZE = 2_500_000;

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a value is out of range.
     */
    public RtmpLimits
    {
        if (handshakeTimeoutMs <= 0)
        {
            throw new IllegalArgumentException("rtmp handshakeTimeoutMs must be positive: handshakeTimeoutMs="
                + handshakeTimeoutMs);
        }

        if (maxIncomingChunkSize < 128 || maxIncomingChunkSize > 0xFF_FFFF)
        {
            throw new IllegalArgumentException("rtmp maxIncomingChunkSize out of range: maxIncomingChunkSize="
                + maxIncomingChunkSize);
        }

        if (maxMessageLength < 1 || maxMessageLength > 0xFF_FFFF)
        {
            throw new IllegalArgumentException("rtmp maxMessageLength out of range: maxMessageLength="
                + maxMessageLength);
        }

        if (maxChunkStreams < 2 || eagerAllocationBytes < 1)
        {
            throw new IllegalArgumentException("rtmp maxChunkStreams/eagerAllocationBytes out of range: "
                + "maxChunkStreams=" + maxChunkStreams + " eagerAllocationBytes=" + eagerAllocationBytes);
        }

        if (outgoingChunkSize < 128 || outgoingChunkSize > 65_536)
        {
            throw new IllegalArgumentException("rtmp outgoingChunkSize out of range: outgoingChunkSize="
                + outgoingChunkSize);
        }

        if (windowAckSize < 1 || peerBandwidth < 1)
        {
            throw new IllegalArgumentException("rtmp windowAckSize/peerBandwidth must be positive: windowAckSize="
                + windowAckSize + " peerBandwidth=" + peerBandwidth);
        }

        if (amfLimits == null)
        {
            throw new IllegalArgumentException("rtmp amfLimits must be set");
        }
    }

    /**
     * @return the defaults: 10 s handshake, 64 KiB chunks in, 8 MiB messages, 64 chunk streams, 4096-byte chunks
     *         out, 2.5 MB windows, default AMF limits.
     */
    public static RtmpLimits defaults()
    {
        return new RtmpLimits(
            RtmpServerHandshakeHandler.DEFAULT_TIMEOUT_MS,
            RtmpChunkDecoder.DEFAULT_MAX_CHUNK_SIZE,
            RtmpChunkDecoder.DEFAULT_MAX_MESSAGE_LENGTH,
            RtmpChunkDecoder.DEFAULT_MAX_CHUNK_STREAMS,
            RtmpChunkDecoder.DEFAULT_EAGER_ALLOCATION_BYTES,
            DEFAULT_OUTGOING_CHUNK_SIZE,
            DEFAULT_WINDOW_ACK_SIZE,
            DEFAULT_WINDOW_ACK_SIZE,
            AmfLimits.defaults());
    }

    /**
     * @param timeoutMs new handshake timeout.
     * @return a copy with that timeout.
     */
    public RtmpLimits withHandshakeTimeoutMs(final long timeoutMs)
    {
        return new RtmpLimits(timeoutMs, maxIncomingChunkSize, maxMessageLength, maxChunkStreams,
            eagerAllocationBytes, outgoingChunkSize, windowAckSize, peerBandwidth, amfLimits);
    }
}
