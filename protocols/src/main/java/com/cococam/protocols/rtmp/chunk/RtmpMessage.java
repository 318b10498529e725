package com.cococam.protocols.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One whole RTMP message: header fields plus the payload.
 *
 * <p>Buffer ownership: the message owns its payload (reference counted through {@link DefaultByteBufHolder}).
 * Whoever receives a message from the pipeline must release it; writing it to the pipeline passes ownership to
 * the encoder.
 *
 * <p>Thread safety: not thread safe; hand it between threads only with a happens-before edge.
 */
public final class RtmpMessage extends DefaultByteBufHolder
{
    private final int chunkStreamId;
    private final int typeId;
    private final int messageStreamId;
    private final long timestamp32Ms;

    /**
     * @param chunkStreamId   chunk stream id (2..65599); incoming: the one it arrived on; outgoing: the one to use.
     * @param typeId          message type id, see {@link RtmpMessageTypes}.
     * @param messageStreamId message stream id (0 for NetConnection and control messages).
     * @param timestamp32Ms   absolute timestamp, milliseconds, 32 bits (wraps; unwrap downstream).
     * @param payload         the body; ownership moves to this message.
     */
    public RtmpMessage(
        final int chunkStreamId,
        final int typeId,
        final int messageStreamId,
        final long timestamp32Ms,
        final ByteBuf payload)
    {
        super(payload);
        this.chunkStreamId = chunkStreamId;
        this.typeId = typeId;
        this.messageStreamId = messageStreamId;
        this.timestamp32Ms = timestamp32Ms & 0xFFFF_FFFFL;
    }

    /**
     * @return chunk stream id.
     */
    public int chunkStreamId()
    {
        return chunkStreamId;
    }

    /**
     * @return message type id.
     */
    public int typeId()
    {
        return typeId;
    }

    /**
     * @return message stream id.
     */
    public int messageStreamId()
    {
        return messageStreamId;
    }

    /**
     * @return absolute timestamp in milliseconds, 0..2^32-1.
     */
    public long timestamp32Ms()
    {
        return timestamp32Ms;
    }

    /**
     * @return the payload (same as {@link #content()}).
     */
    public ByteBuf payload()
    {
        return content();
    }

    @Override
    public RtmpMessage replace(final ByteBuf content)
    {
        return new RtmpMessage(chunkStreamId, typeId, messageStreamId, timestamp32Ms, content);
    }

    @Override
    public RtmpMessage retain()
    {
        super.retain();
        return this;
    }

    @Override
    public RtmpMessage touch(final Object hint)
    {
        super.touch(hint);
        return this;
    }

    @Override
    public String toString()
    {
        return "RtmpMessage{csid=" + chunkStreamId + ", type=" + typeId + ", msid=" + messageStreamId
            + ", ts=" + timestamp32Ms + ", length=" + content().readableBytes() + '}';
    }
}
