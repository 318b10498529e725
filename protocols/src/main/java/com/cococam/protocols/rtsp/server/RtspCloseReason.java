package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.RtspErrorCode;

import java.util.Locale;
import java.util.Objects;

/**
 * Why {@link RtspServerHandler} closed a connection for a protocol reason, as reported to
 * {@link RtspServerListener#onProtocolError}.
 *
 * <p>{@link #label()} is a short, bounded name for counters: the kind in lower case, or for a message the decoder
 * rejected the {@link RtspErrorCode} in lower case ({@code headers_too_large}, {@code truncated_message}, ...).
 * {@link #detail()} is text for a log line; it holds no secrets.
 *
 * <p>Thread safety: immutable.
 *
 * @param kind   the kind of reason.
 * @param code   the decoder's error for {@link Kind#BAD_MESSAGE}, else null.
 * @param detail log text, e.g. {@code "bad message: HEADERS_TOO_LARGE (header block over 8192 bytes)"}.
 */
public record RtspCloseReason(Kind kind, RtspErrorCode code, String detail)
{
    /**
     * The kinds of reason.
     */
    public enum Kind
    {
        /** More garbage between messages than {@link RtspServerHandler#MAX_SKIPPED_BYTES}. */
        GARBAGE,
        /** A message the decoder rejected; {@link #code()} says why. */
        BAD_MESSAGE,
        /** A request refused with a status that ends the connection (unknown camera, bad key, ...). */
        REFUSED,
        /** No request, RTCP or media of a set-up channel for the session timeout. */
        SESSION_TIMEOUT,
        /** Any other failure on the channel, e.g. the peer reset the connection. */
        CONNECTION_ERROR
    }

    /**
     * @param kind   the kind.
     * @param code   the decoder's error, required for {@link Kind#BAD_MESSAGE} and null otherwise.
     * @param detail log text.
     * @throws IllegalArgumentException if the code does not go with the kind.
     */
    public RtspCloseReason
    {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
        if ((kind == Kind.BAD_MESSAGE) != (code != null))
        {
            throw new IllegalArgumentException("rtsp close reason: kind=" + kind + " code=" + code);
        }
    }

    /**
     * @return the counter label: the error code for a bad message, else the kind, in lower case.
     */
    public String label()
    {
        return (code != null ? code.name() : kind.name()).toLowerCase(Locale.ROOT);
    }
}
