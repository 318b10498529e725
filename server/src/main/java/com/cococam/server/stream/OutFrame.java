package com.cococam.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.Recycler;

/**
 * One frame encoded for one output protocol (e.g. an RTMP chunked message), built once and shared by every
 * viewer of that protocol.
 *
 * <p>Reference counted: the encoder hands it out with one reference; each viewer queue retains it while queued
 * and releases it once written. At zero the encoded bytes are released and the object goes back to a
 * {@link Recycler} pool, so steady state allocates nothing.
 *
 * <p>Thread safety: immutable after {@link #newInstance}; reference counting is atomic.
 */
public final class OutFrame extends AbstractReferenceCounted
{
    private static final Recycler<OutFrame> RECYCLER = new Recycler<>()
    {
        @Override
        protected OutFrame newObject(final Handle<OutFrame> handle)
        {
            return new OutFrame(handle);
        }
    };

    private final Recycler.Handle<OutFrame> handle;
    private ByteBuf data;
    private boolean video;
    private boolean randomAccess;
    private long ingestNanos;
    private boolean replayed;

    private OutFrame(final Recycler.Handle<OutFrame> handle)
    {
        this.handle = handle;
    }

    /**
     * @param data         encoded bytes; ownership moves to the frame.
     * @param video        whether it carries video.
     * @param randomAccess whether a viewer may start (or resume after a skip) at this frame.
     * @param ingestNanos  {@link System#nanoTime()} at which its source arrived, 0 for headers.
     * @return a frame with one reference.
     */
    public static OutFrame newInstance(
        final ByteBuf data,
        final boolean video,
        final boolean randomAccess,
        final long ingestNanos)
    {
        final OutFrame frame = RECYCLER.get();
        frame.setRefCnt(1);
        frame.data = data;
        frame.video = video;
        frame.randomAccess = randomAccess;
        frame.ingestNanos = ingestNanos;
        frame.replayed = false;
        return frame;
    }

    /**
     * @return the encoded bytes; callers write {@code retainedDuplicate()}s, never the buffer itself.
     */
    public ByteBuf data()
    {
        return data;
    }

    /**
     * @return encoded size in bytes.
     */
    public int size()
    {
        return data.readableBytes();
    }

    /**
     * @return whether it carries video.
     */
    public boolean isVideo()
    {
        return video;
    }

    /**
     * @return whether a viewer may start here.
     */
    public boolean isRandomAccess()
    {
        return randomAccess;
    }

    /**
     * @return arrival time of the source unit, {@link System#nanoTime()}, or 0 for headers.
     */
    public long ingestNanos()
    {
        return ingestNanos;
    }

    /**
     * Marks a frame replayed from the GOP cache to a joining viewer: its age is not a delivery latency. Call
     * before the frame is shared.
     *
     * @return this.
     */
    public OutFrame markReplayed()
    {
        replayed = true;
        return this;
    }

    /**
     * @return whether the frame is live (its ingest-to-send time is a latency worth recording).
     */
    public boolean isLive()
    {
        return !replayed && ingestNanos != 0;
    }

    /**
     * @return whether this frame announces a format (metadata, sequence header): never skipped for a slow viewer.
     */
    public boolean isHeader()
    {
        return ingestNanos == 0;
    }

    @Override
    public OutFrame retain()
    {
        super.retain();
        return this;
    }

    @Override
    public OutFrame touch(final Object hint)
    {
        data.touch(hint);
        return this;
    }

    @Override
    protected void deallocate()
    {
        final ByteBuf toRelease = data;
        data = null;
        toRelease.release();
        handle.recycle(this);
    }
}
