package com.cococam.protocols.rtmp;

/**
 * Every kind of RTMP protocol error, in one place. Tests assert these codes.
 *
 * <p>Thread safety: immutable.
 */
public enum RtmpErrorCode
{
    /** C0 carried a version other than 3 (e.g. 6, encrypted RTMPE, which we do not speak). */
    HANDSHAKE_VERSION,
    /** The handshake did not finish within the configured timeout. */
    HANDSHAKE_TIMEOUT,
    /** A chunk header is impossible: compressed header on a new chunk stream, header change mid-message. */
    CHUNK_HEADER,
    /** The peer asked for a chunk size below 1 or above our bound. */
    CHUNK_SIZE,
    /** A message header announced a length above our bound. */
    MESSAGE_LENGTH,
    /** The peer used more chunk streams than our bound. */
    CHUNK_STREAMS,
    /** A protocol control message (set chunk size, abort, window size, user control) is too short. */
    CONTROL_MESSAGE,
    /** AMF bytes do not parse: unknown marker, truncated value, bad reference. */
    AMF_MALFORMED,
    /** AMF value exceeds a limit: nesting depth, string length, element count. */
    AMF_LIMIT,
    /** A command is malformed or out of order (no name, publish before connect, ...). */
    COMMAND
}
