package com.cococam.server.record;

/**
 * A journal could not be opened, read or changed because of the file system (missing permission, IO error,
 * corrupt files).
 *
 * <p>Unchecked: callers on the recorder path catch it, count it and log it once; it never means the JVM or other
 * cameras' journals are affected.
 */
public class JournalException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, terse, with the camera and path.
     */
    public JournalException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, terse, with the camera and path.
     * @param cause   the underlying error.
     */
    public JournalException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
