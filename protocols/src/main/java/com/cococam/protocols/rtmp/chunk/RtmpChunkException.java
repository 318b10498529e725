package com.cococam.protocols.rtmp.chunk;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import com.cococam.protocols.rtmp.RtmpProtocolException;

/**
 * A chunk-stream violation: impossible header, chunk size / message length / chunk stream count over bound,
 * or a truncated protocol control message.
 *
 * <p>Thread safety: immutable.
 */
public final class RtmpChunkException extends RtmpProtocolException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param code    one of the chunk-level codes.
     * @param message terse detail.
     */
    public RtmpChunkException(final RtmpErrorCode code, final String message)
    {
        super(code, message);
    }
}
