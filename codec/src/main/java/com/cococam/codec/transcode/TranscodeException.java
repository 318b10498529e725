package com.cococam.codec.transcode;

/**
 * A transcoder could not be created or could not go on: the native FFmpeg libraries are missing or failed to
 * load, the encoder refused its settings, or a native call failed. The object that threw is unusable afterwards
 * (close it); nothing is retried internally.
 */
public final class TranscodeException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, terse, lower case.
     */
    public TranscodeException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, terse, lower case.
     * @param cause   the underlying error (for example an {@link UnsatisfiedLinkError}).
     */
    public TranscodeException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
