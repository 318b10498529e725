package com.cococam.protocols.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One interleaved binary frame of an RTSP connection (RFC 2326 section 10.12), usually an RTP or RTCP packet:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  '$' (0x24)   |    channel    |        length (bytes)         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  payload (length bytes) ...                   |
 * </pre>
 *
 * <p>Buffer ownership: the frame owns its payload; whoever takes it from the pipeline releases it. Decoded
 * payloads are retained slices of the decoder's cumulation buffer (no copy).
 *
 * <p>Thread safety: not thread safe.
 */
public final class InterleavedFrame extends DefaultByteBufHolder
{
    /** Largest payload the 16-bit length field can describe. */
    public static final int MAX_PAYLOAD_BYTES = 0xFFFF;

    private final int channel;

    /**
     * @param channel interleaved channel id, 0 to 255.
     * @param payload payload; ownership moves to this frame.
     * @throws IllegalArgumentException if the channel is outside 0 to 255.
     */
    public InterleavedFrame(final int channel, final ByteBuf payload)
    {
        super(payload);
        if (channel < 0 || channel > 255)
        {
            throw new IllegalArgumentException("interleaved channel: channel=" + channel);
        }

        this.channel = channel;
    }

    /**
     * @return channel id, 0 to 255 (by convention even = RTP, odd = RTCP of the SETUP's pair).
     */
    public int channel()
    {
        return channel;
    }

    @Override
    public InterleavedFrame replace(final ByteBuf content)
    {
        return new InterleavedFrame(channel, content);
    }

    @Override
    public InterleavedFrame copy()
    {
        return replace(content().copy());
    }

    @Override
    public InterleavedFrame duplicate()
    {
        return replace(content().duplicate());
    }

    @Override
    public InterleavedFrame retainedDuplicate()
    {
        return replace(content().retainedDuplicate());
    }

    @Override
    public InterleavedFrame retain()
    {
        super.retain();
        return this;
    }

    @Override
    public InterleavedFrame retain(final int increment)
    {
        super.retain(increment);
        return this;
    }

    @Override
    public InterleavedFrame touch()
    {
        super.touch();
        return this;
    }

    @Override
    public InterleavedFrame touch(final Object hint)
    {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString()
    {
        return "InterleavedFrame[channel=" + channel + ", bytes=" + content().readableBytes() + ']';
    }
}
