package com.cococam.protocols.rtsp.client;

/**
 * Why an RTSP client session ended, as handed to {@link RtspClientListener#onClosed(RtspClientError, String)}.
 */
public enum RtspClientError
{
    /** {@link RtspClient#stop()} was called. */
    STOPPED,
    /** The TCP connection could not be made (refused, unreachable, timed out). */
    CONNECT_FAILED,
    /** The camera closed the connection. */
    CLOSED,
    /** A request got no answer in time. */
    TIMEOUT,
    /** No media packet arrived for the configured time. */
    NO_MEDIA,
    /** Authentication was refused or no offered scheme is supported. */
    AUTH_FAILED,
    /**
     * SETUP was answered 461 Unsupported Transport, or no local UDP port pair was free (the caller may retry over
     * TCP).
     */
    UNSUPPORTED_TRANSPORT,
    /** A request was answered with another error status. */
    REFUSED,
    /** The DESCRIBE answer has no track we can use. */
    NO_TRACKS,
    /** The byte stream could not be parsed, or another I/O error. */
    PROTOCOL
}
