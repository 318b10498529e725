package com.cococam.protocols.rtmp;

/**
 * Base of every typed RTMP protocol error: a peer sent bytes that break the protocol or one of our limits.
 *
 * <p>Each error carries a {@link RtmpErrorCode}; the session closes the connection and passes the exception to
 * {@link RtmpServerListener#onProtocolError} so the server can write one log line. Unchecked, so that it can
 * travel through Netty decoders (which wrap it in a {@code DecoderException}: look at the cause chain).
 *
 * <p>Thread safety: immutable. No stack trace is filled in; the code and message say what happened.
 */
public class RtmpProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final RtmpErrorCode code;

    /**
     * @param code    what kind of violation.
     * @param message terse detail, e.g. {@code "chunk size over limit: size=70000 max=65536"}.
     */
    public RtmpProtocolException(final RtmpErrorCode code, final String message)
    {
        super(message, null, false, false);
        this.code = code;
    }

    /**
     * @return the kind of violation; never null.
     */
    public RtmpErrorCode code()
    {
        return code;
    }

    /**
     * Finds the RTMP protocol error in a cause chain (Netty wraps decoder exceptions).
     *
     * @param error any throwable, may be null.
     * @return the first {@link RtmpProtocolException} in the chain, or null when there is none.
     */
    public static RtmpProtocolException find(final Throwable error)
    {
        Throwable current = error;
        int guard = 0;
        while (current != null && guard++ < 16)
        {
            if (current instanceof RtmpProtocolException)
            {
                return (RtmpProtocolException)current;
            }

            current = current.getCause();
        }

        return null;
    }
}
