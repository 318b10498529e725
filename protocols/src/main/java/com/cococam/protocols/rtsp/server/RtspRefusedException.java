package com.cococam.protocols.rtsp.server;

/**
 * Thrown by an {@link RtspServerListener} or a handle to refuse a request: the handler answers with
 * {@link #statusCode()} and {@link #reason()}, and closes the connection when {@link #closeConnection()}.
 *
 * <p>The message is the reason phrase sent to the client, so it must not hold secrets (keys).
 *
 * <p>Thread safety: immutable.
 */
public final class RtspRefusedException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final boolean closeConnection;

    /**
     * @param statusCode      RTSP status code, e.g. 401, 403, 404, 461.
     * @param reason          reason phrase for the response; one line, no secrets.
     * @param closeConnection whether to close the connection after the response.
     */
    public RtspRefusedException(final int statusCode, final String reason, final boolean closeConnection)
    {
        super(reason, null, false, false);
        this.statusCode = statusCode;
        this.closeConnection = closeConnection;
    }

    /**
     * @return the status code to answer with.
     */
    public int statusCode()
    {
        return statusCode;
    }

    /**
     * @return the reason phrase.
     */
    public String reason()
    {
        return getMessage();
    }

    /**
     * @return whether the connection is closed after the answer.
     */
    public boolean closeConnection()
    {
        return closeConnection;
    }
}
