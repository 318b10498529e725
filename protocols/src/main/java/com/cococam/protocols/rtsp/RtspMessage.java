package com.cococam.protocols.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One RTSP request or response: version, headers and body ({@link #content()}).
 *
 * <p>Buffer ownership: the message owns its body (reference counted through {@link DefaultByteBufHolder}; a
 * message without a body holds an empty buffer). Whoever takes a message from the pipeline releases it; writing
 * it to the pipeline passes ownership to the encoder. Headers are not reference counted.
 *
 * <p>Thread safety: not thread safe; hand it between threads only with a happens-before edge.
 */
public abstract sealed class RtspMessage extends DefaultByteBufHolder permits RtspRequest, RtspResponse
{
    /** The only protocol version we write. */
    public static final String RTSP_1_0 = "RTSP/1.0";

    private final String version;
    private final RtspHeaders headers;

    /**
     * @param version protocol version, e.g. {@link #RTSP_1_0}.
     * @param headers headers; kept, not copied.
     * @param body    body; ownership moves to this message.
     */
    protected RtspMessage(final String version, final RtspHeaders headers, final ByteBuf body)
    {
        super(body);
        this.version = version;
        this.headers = headers;
    }

    /**
     * @return protocol version as on the wire, e.g. {@code RTSP/1.0}.
     */
    public String version()
    {
        return version;
    }

    /**
     * @return the headers; mutable, shared with this message.
     */
    public RtspHeaders headers()
    {
        return headers;
    }

    /**
     * @return the {@code CSeq} header as a number, or -1 when absent or not a number.
     */
    public long cseq()
    {
        final String value = headers.get(RtspHeaderNames.CSEQ);
        if (value == null)
        {
            return -1;
        }

        try
        {
            final long cseq = Long.parseLong(value.trim());
            return cseq < 0 ? -1 : cseq;
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    @Override
    public abstract RtspMessage replace(ByteBuf content);

    @Override
    public RtspMessage copy()
    {
        return replace(content().copy());
    }

    @Override
    public RtspMessage duplicate()
    {
        return replace(content().duplicate());
    }

    @Override
    public RtspMessage retainedDuplicate()
    {
        return replace(content().retainedDuplicate());
    }

    @Override
    public RtspMessage retain()
    {
        super.retain();
        return this;
    }

    @Override
    public RtspMessage retain(final int increment)
    {
        super.retain(increment);
        return this;
    }

    @Override
    public RtspMessage touch()
    {
        super.touch();
        return this;
    }

    @Override
    public RtspMessage touch(final Object hint)
    {
        super.touch(hint);
        return this;
    }
}
