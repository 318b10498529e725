package com.cococam.server.stream;

/**
 * A publish attempt the hub refuses (path busy with a live publisher, unknown camera, ...).
 */
public final class PublishRefusedException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message terse reason, shown to the client where its protocol allows.
     */
    public PublishRefusedException(final String message)
    {
        super(message, null, false, false);
    }
}
