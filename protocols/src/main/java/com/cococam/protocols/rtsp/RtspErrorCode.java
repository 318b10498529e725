package com.cococam.protocols.rtsp;

/**
 * Every kind of RTSP wire error, in one place, each mapped to the RTSP status code a server would answer with
 * (RFC 2326 section 7.1.1). Tests assert these codes.
 *
 * <p>Thread safety: immutable.
 */
public enum RtspErrorCode
{
    /** The start line has no line end within the start line bound. */
    START_LINE_TOO_LONG(414),
    /** The start line is neither {@code METHOD URI RTSP/x.y} nor {@code RTSP/x.y CODE [reason]}. */
    MALFORMED_START_LINE(400),
    /** The header block is larger than the header byte bound. */
    HEADERS_TOO_LARGE(400),
    /** More header lines than the header count bound. */
    TOO_MANY_HEADERS(400),
    /** A header line has no colon, an empty or invalid name, or a fold line without a header before it. */
    MALFORMED_HEADER(400),
    /** Content-Length is not a non-negative decimal number, or several Content-Length values disagree. */
    BAD_CONTENT_LENGTH(400),
    /** Content-Length exceeds the body bound. */
    BODY_TOO_LARGE(413),
    /** The connection closed before a message or interleaved frame was complete (e.g. Content-Length lied). */
    TRUNCATED_MESSAGE(400),
    /** An interleaved frame length exceeds the interleaved frame bound. */
    INTERLEAVED_TOO_LARGE(413),
    /** A Transport header does not parse. */
    BAD_TRANSPORT(461),
    /** A Session header does not parse. */
    BAD_SESSION(454),
    /** A Range header does not parse. */
    BAD_RANGE(457),
    /** An RTP-Info header does not parse. */
    BAD_RTP_INFO(400),
    /** An SDP body does not parse. */
    BAD_SDP(400),
    /** A WWW-Authenticate or Authorization header does not parse. */
    BAD_AUTH_HEADER(400),
    /** A message could not be encoded: header injection, Content-Length disagreeing with the body, ... */
    ENCODE(500);

    private final int statusCode;

    RtspErrorCode(final int statusCode)
    {
        this.statusCode = statusCode;
    }

    /**
     * @return the RTSP status code to answer with when this error comes from a client request.
     */
    public int statusCode()
    {
        return statusCode;
    }
}
