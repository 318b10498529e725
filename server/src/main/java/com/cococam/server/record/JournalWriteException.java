package com.cococam.server.record;

/**
 * An append to a journal failed: the disk is full or below the configured free-space floor, an IO error
 * occurred, or the journal is closed.
 *
 * <p>The record was not written (Chronicle rolls the partial document back); the journal stays usable and a
 * later append may succeed once the cause is gone. Callers count these and log the first of a run.
 */
public class JournalWriteException extends JournalException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed, terse, with the camera.
     */
    public JournalWriteException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed, terse, with the camera.
     * @param cause   the underlying error.
     */
    public JournalWriteException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
