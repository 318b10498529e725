package com.cococam.protocols.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.Recycler;

/**
 * One whole RTMP message: header fields plus the payload.
 *
 * <p>Buffer ownership: the message owns its payload; its reference count is the payload's ({@link #retain()},
 * {@link #release()} and {@link #refCnt()} act on the payload). Whoever receives a message from the pipeline must
 * release it; writing it to the pipeline passes ownership to the encoder.
 *
 * <p>Allocation: messages made with the constructor are ordinary objects. Messages the {@link RtmpChunkDecoder}
 * emits come from a Netty {@link Recycler} (see {@link #pooled}): when a {@link #release()} of the holder drops
 * the payload's count to zero, the holder goes back to the pool, so the decoder allocates no holder per message on
 * a Netty event loop thread (elsewhere the recycler hands out new objects).
 *
 * <p>Note: after the release that frees it, a message must not be used at all (not even its header fields): a
 * pooled holder may already describe the next message decoded on that thread. A payload taken out and released
 * on its own ({@code payload().release()}) leaves the holder to the garbage collector, which is safe; the holder's
 * last user returns it to the pool whatever the payload's count with {@link #releaseHolder()}.
 *
 * <p>Thread safety: not thread safe; hand it between threads only with a happens-before edge. A pooled message
 * may be released on any thread.
 */
public final class RtmpMessage implements ByteBufHolder
{
    private static final Recycler<RtmpMessage> RECYCLER = new Recycler<>()
    {
        @Override
        protected RtmpMessage newObject(final Handle<RtmpMessage> handle)
        {
            return new RtmpMessage(handle);
        }
    };

    private final Recycler.Handle<RtmpMessage> handle;
    private ByteBuf data;
    private int chunkStreamId;
    private int typeId;
    private int messageStreamId;
    private long timestamp32Ms;

    /**
     * @param chunkStreamId   chunk stream id (2..65599); incoming: the one it arrived on; outgoing: the one to use.
     * @param typeId          message type id, see {@link RtmpMessageTypes}.
     * @param messageStreamId message stream id (0 for NetConnection and control messages).
     * @param timestamp32Ms   absolute timestamp, milliseconds, 32 bits (wraps; unwrap downstream).
     * @param payload         the body; ownership moves to this message.
     * @throws NullPointerException if the payload is null.
     */
    public RtmpMessage(
        final int chunkStreamId,
        final int typeId,
        final int messageStreamId,
        final long timestamp32Ms,
        final ByteBuf payload)
    {
        this.handle = null;
        set(chunkStreamId, typeId, messageStreamId, timestamp32Ms, payload);
    }

    private RtmpMessage(final Recycler.Handle<RtmpMessage> handle)
    {
        this.handle = handle;
    }

    /**
     * A message from the thread's pool, for the decoder's per-message path; same contract as the constructor.
     *
     * @param chunkStreamId   chunk stream id.
     * @param typeId          message type id.
     * @param messageStreamId message stream id.
     * @param timestamp32Ms   absolute timestamp, milliseconds, 32 bits.
     * @param payload         the body; ownership moves to the message.
     * @return a message that returns to the pool when a release of it frees the payload.
     */
    static RtmpMessage pooled(
        final int chunkStreamId,
        final int typeId,
        final int messageStreamId,
        final long timestamp32Ms,
        final ByteBuf payload)
    {
        final RtmpMessage message = RECYCLER.get();
        message.set(chunkStreamId, typeId, messageStreamId, timestamp32Ms, payload);
        return message;
    }

    private void set(
        final int chunkStreamId,
        final int typeId,
        final int messageStreamId,
        final long timestamp32Ms,
        final ByteBuf payload)
    {
        if (payload == null)
        {
            throw new NullPointerException("payload");
        }

        this.data = payload;
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
     * @throws IllegalReferenceCountException if the message was released.
     */
    public ByteBuf payload()
    {
        return content();
    }

    /**
     * @return the payload.
     * @throws IllegalReferenceCountException if the message was released.
     */
    @Override
    public ByteBuf content()
    {
        final ByteBuf payload = data;
        if (payload == null || payload.refCnt() <= 0)
        {
            throw new IllegalReferenceCountException(payload == null ? 0 : payload.refCnt());
        }

        return payload;
    }

    @Override
    public RtmpMessage copy()
    {
        return replace(content().copy());
    }

    @Override
    public RtmpMessage duplicate()
    {
        return replace(content().duplicate());
    }

    @Override
    public RtmpMessage retainedDuplicate()
    {
        return replace(content().retainedDuplicate());
    }

    @Override
    public RtmpMessage replace(final ByteBuf content)
    {
        return new RtmpMessage(chunkStreamId, typeId, messageStreamId, timestamp32Ms, content);
    }

    @Override
    public int refCnt()
    {
        final ByteBuf payload = data;
        return payload == null ? 0 : payload.refCnt();
    }

    @Override
    public RtmpMessage retain()
    {
        content().retain();
        return this;
    }

    @Override
    public RtmpMessage retain(final int increment)
    {
        content().retain(increment);
        return this;
    }

    @Override
    public RtmpMessage touch()
    {
        content().touch();
        return this;
    }

    @Override
    public RtmpMessage touch(final Object hint)
    {
        content().touch(hint);
        return this;
    }

    @Override
    public boolean release()
    {
        return freed(content().release());
    }

    @Override
    public boolean release(final int decrement)
    {
        return freed(content().release(decrement));
    }

    /**
     * The holder's last user is done with it: releases one reference of the payload and returns a pooled holder to
     * its pool even when the payload lives on (slices or retains of {@link #payload()} taken by its consumers, as an
     * ingested frame's are). {@link #release()} alone would leave such a holder to the garbage collector: one object
     * per media message. After this call neither the holder nor its fields may be used; nobody may hold the holder
     * itself ({@link #retain()} of the holder, rather than of its payload, would be a misuse).
     */
    public void releaseHolder()
    {
        final ByteBuf payload = content();
        data = null;
        payload.release();
        if (handle != null)
        {
            handle.recycle(this);
        }
    }

    private boolean freed(final boolean deallocated)
    {
        if (deallocated && handle != null)
        {
            data = null;
            handle.recycle(this);
        }

        return deallocated;
    }

    @Override
    public String toString()
    {
        final ByteBuf payload = data;
        return "RtmpMessage{csid=" + chunkStreamId + ", type=" + typeId + ", msid=" + messageStreamId
            + ", ts=" + timestamp32Ms + ", length=" + (payload == null || payload.refCnt() <= 0 ? "released"
            : String.valueOf(payload.readableBytes())) + '}';
    }
}
