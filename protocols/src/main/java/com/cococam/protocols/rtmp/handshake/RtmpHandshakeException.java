package com.cococam.protocols.rtmp.handshake;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import com.cococam.protocols.rtmp.RtmpProtocolException;

/**
 * The handshake failed: wrong C0 version ({@link RtmpErrorCode#HANDSHAKE_VERSION}) or no complete handshake
 * within the timeout ({@link RtmpErrorCode#HANDSHAKE_TIMEOUT}).
 *
 * <p>Thread safety: immutable.
 */
public final class RtmpHandshakeException extends RtmpProtocolException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param code    a handshake code.
     * @param message terse detail.
     */
    public RtmpHandshakeException(final RtmpErrorCode code, final String message)
    {
        super(code, message);
    }
}
