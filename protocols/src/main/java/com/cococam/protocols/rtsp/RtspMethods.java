package com.cococam.protocols.rtsp;

/**
 * RTSP 1.0 method names (RFC 2326 section 10). Methods are case-sensitive tokens; extension methods are any
 * other token, so requests carry the method as a plain string.
 *
 * <p>Thread safety: constants only.
 */
public final class RtspMethods
{
    /** {@code OPTIONS}. */
    public static final String OPTIONS = "OPTIONS";
    /** {@code DESCRIBE}. */
    public static final String DESCRIBE = "DESCRIBE";
    /** {@code ANNOUNCE}. */
    public static final String ANNOUNCE = "ANNOUNCE";
    /** {@code SETUP}. */
    public static final String SETUP = "SETUP";
    /** {@code PLAY}. */
    public static final String PLAY = "PLAY";
    /** {@code PAUSE}. */
    public static final String PAUSE = "PAUSE";
    /** {@code RECORD}. */
    public static final String RECORD = "RECORD";
    /** {@code TEARDOWN}. */
    public static final String TEARDOWN = "TEARDOWN";
    /** {@code GET_PARAMETER}. */
    public static final String GET_PARAMETER = "GET_PARAMETER";
    /** {@code SET_PARAMETER}. */
    public static final String SET_PARAMETER = "SET_PARAMETER";
    /** {@code REDIRECT}. */
    public static final String REDIRECT = "REDIRECT";

    private RtspMethods()
    {
    }
}
