package com.cococam.protocols.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * An RTSP response: {@code RTSP/1.0 CODE reason}, headers, optional body.
 *
 * <p>Buffer ownership and thread safety: see {@link RtspMessage}.
 */
public final class RtspResponse extends RtspMessage
{
    private final int statusCode;
    private final String reason;

    /**
     * Creates a response without a body and with empty headers.
     *
     * @param statusCode status code, 100 to 999.
     * @param reason     reason phrase, may be empty.
     */
    public RtspResponse(final int statusCode, final String reason)
    {
        this(statusCode, reason, RTSP_1_0, new RtspHeaders(), Unpooled.EMPTY_BUFFER);
    }

    /**
     * @param statusCode status code, 100 to 999.
     * @param reason     reason phrase, may be empty.
     * @param version    protocol version.
     * @param headers    headers; kept.
     * @param body       body; ownership moves to this response.
     */
    public RtspResponse(
        final int statusCode,
        final String reason,
        final String version,
        final RtspHeaders headers,
        final ByteBuf body)
    {
        super(version, headers, body);
        this.statusCode = statusCode;
        this.reason = reason;
    }

    /**
     * @return the three-digit status code.
     */
    public int statusCode()
    {
        return statusCode;
    }

    /**
     * @return the reason phrase, trimmed; empty when the peer sent none.
     */
    public String reason()
    {
        return reason;
    }

    @Override
    public RtspResponse replace(final ByteBuf content)
    {
        return new RtspResponse(statusCode, reason, version(), RtspHeaders.copyOf(headers()), content);
    }

    @Override
    public String toString()
    {
        return "RtspResponse[" + version() + ' ' + statusCode + ' ' + reason + ", headers=" + headers() +
            ", bodyBytes=" + content().readableBytes() + ']';
    }
}
