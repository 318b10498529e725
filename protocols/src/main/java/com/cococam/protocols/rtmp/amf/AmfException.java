package com.cococam.protocols.rtmp.amf;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import com.cococam.protocols.rtmp.RtmpProtocolException;

/**
 * AMF bytes that do not parse ({@link RtmpErrorCode#AMF_MALFORMED}) or break a limit
 * ({@link RtmpErrorCode#AMF_LIMIT}).
 *
 * <p>Thread safety: immutable.
 */
public final class AmfException extends RtmpProtocolException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param code    {@link RtmpErrorCode#AMF_MALFORMED} or {@link RtmpErrorCode#AMF_LIMIT}.
     * @param message terse detail.
     */
    public AmfException(final RtmpErrorCode code, final String message)
    {
        super(code, message);
    }

    static AmfException malformed(final String message)
    {
        return new AmfException(RtmpErrorCode.AMF_MALFORMED, message);
    }

    static AmfException limit(final String message)
    {
        return new AmfException(RtmpErrorCode.AMF_LIMIT, message);
    }
}
