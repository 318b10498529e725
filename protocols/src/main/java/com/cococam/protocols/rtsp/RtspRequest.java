package com.cococam.protocols.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * An RTSP request: {@code METHOD URI RTSP/1.0}, headers, optional body.
 *
 * <p>Buffer ownership and thread safety: see {@link RtspMessage}. {@link #toString()} never prints credentials.
 */
public final class RtspRequest extends RtspMessage
{
    private final String method;
    private final String uri;

    /**
     * Creates a request without a body and with empty headers.
     *
     * @param method method token, e.g. {@link RtspMethods#DESCRIBE}.
     * @param uri    request URI, e.g. {@code rtsp://127.0.0.1:8554/cam1} or {@code *}.
     */
    public RtspRequest(final String method, final String uri)
    {
        this(method, uri, RTSP_1_0, new RtspHeaders(), Unpooled.EMPTY_BUFFER);
    }

    /**
     * @param method  method token.
     * @param uri     request URI.
     * @param version protocol version.
     * @param headers headers; kept.
     * @param body    body; ownership moves to this request.
     */
    public RtspRequest(
        final String method,
        final String uri,
        final String version,
        final RtspHeaders headers,
        final ByteBuf body)
    {
        super(version, headers, body);
        this.method = method;
        this.uri = uri;
    }

    /**
     * @return method token as received (case-sensitive).
     */
    public String method()
    {
        return method;
    }

    /**
     * @return request URI as received.
     */
    public String uri()
    {
        return uri;
    }

    @Override
    public RtspRequest replace(final ByteBuf content)
    {
        return new RtspRequest(method, uri, version(), RtspHeaders.copyOf(headers()), content);
    }

    @Override
    public String toString()
    {
        return "RtspRequest[" + method + ' ' + uri + ' ' + version() + ", headers=" + headers() +
            ", bodyBytes=" + content().readableBytes() + ']';
    }
}
