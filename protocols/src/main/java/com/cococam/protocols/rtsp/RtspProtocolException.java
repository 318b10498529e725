package com.cococam.protocols.rtsp;

/**
 * Typed RTSP wire error: a peer sent bytes that break RTSP or one of our bounds, or a header value that does not
 * parse.
 *
 * <p>Unchecked so it can travel through Netty decoders, which wrap it in a {@code DecoderException}: use
 * {@link #find(Throwable)} on the cause chain. Messages never contain credentials or header values of
 * Authorization headers.
 *
 * <p>Thread safety: immutable. No stack trace is filled in; the code and message say what happened.
 */
public class RtspProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final RtspErrorCode code;

    /**
     * @param code    what kind of violation; not null.
     * @param message terse detail, e.g. {@code "body over limit: length=70000 max=65536"}.
     */
    public RtspProtocolException(final RtspErrorCode code, final String message)
    {
        super(message, null, false, false);
        this.code = code;
    }

    /**
     * @return the kind of violation; never null.
     */
    public RtspErrorCode code()
    {
        return code;
    }

    /**
     * Finds the RTSP protocol error in a cause chain (Netty wraps decoder exceptions).
     *
     * @param error any throwable, may be null.
     * @return the first {@link RtspProtocolException} in the chain, or null when there is none.
     */
    public static RtspProtocolException find(final Throwable error)
    {
        Throwable current = error;
        int guard = 0;
        while (current != null && guard++ < 16)
        {
            if (current instanceof RtspProtocolException)
            {
                return (RtspProtocolException)current;
            }

            current = current.getCause();
        }

        return null;
    }
}
