package com.cococam.protocols.rtmp;

/**
 * Thrown by {@link RtmpServerListener#onPublish} or {@link RtmpServerListener#onPlay} to refuse: the session
 * answers with an {@code onStatus} error carrying {@link #statusCode()} and the message as description, then
 * closes the connection.
 *
 * <p>Thread safety: immutable. No stack trace is filled in.
 */
public final class RtmpRefusedException extends Exception
{
    private static final long serialVersionUID = 1L;

    /** Publish refused: the stream name is unknown or already published. */
    public static final String PUBLISH_BAD_NAME = "NetStream.Publish.BadName";
    /** Publish refused: the key is wrong. */
    public static final String PUBLISH_BAD_AUTH = "NetStream.Publish.BadAuth";
    /** Play refused: no such stream. */
    public static final String PLAY_STREAM_NOT_FOUND = "NetStream.Play.StreamNotFound";
    /** Play refused: not allowed. */
    public static final String PLAY_FAILED = "NetStream.Play.Failed";

    private final String statusCode;

    /**
     * @param statusCode  the NetStream status code to send, e.g. {@link #PUBLISH_BAD_AUTH}.
     * @param description human-readable description for the client.
     */
    public RtmpRefusedException(final String statusCode, final String description)
    {
        super(description, null, false, false);
        this.statusCode = statusCode;
    }

    /**
     * @return the status code sent to the client.
     */
    public String statusCode()
    {
        return statusCode;
    }
}
