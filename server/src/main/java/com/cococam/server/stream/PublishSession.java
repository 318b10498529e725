package com.cococam.server.stream;

import com.cococam.codec.media.AccessUnitPayloads;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.MediaSink;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;

/**
 * One publisher's session on a path: the {@link MediaSink} a protocol writes into.
 *
 * <p>Each session starts its own timeline, which the stream rebases so the path's timeline stays continuous
 * across publisher restarts and takeovers: the first unit of a session is placed one nominal frame after the
 * last unit of the previous session, and flagged {@link FrameFlags#DISCONTINUITY}.
 *
 * <p>Thread safety: driven by one thread (the publisher's event loop); {@link #evict()} from any thread.
 */
public final class PublishSession implements MediaSink
{
    private static final long NOMINAL_STEP = AccessUnitPayloads.TIMESCALE / 25;

    private final LiveStream stream;
    private final String description;
    private final Runnable onEvicted;
    private volatile boolean active = true;
    private volatile long lastActivityNs = System.nanoTime();
    private boolean rebased;
    private long offset;
    private final TrackFormat[] formats = new TrackFormat[2];

    PublishSession(final LiveStream stream, final String description, final Runnable onEvicted)
    {
        this.stream = stream;
        this.description = description;
        this.onEvicted = onEvicted;
    }

    /**
     * @return the stream published to.
     */
    public LiveStream stream()
    {
        return stream;
    }

    /**
     * @return who publishes, for logs (e.g. {@code rtmp 127.0.0.1:51234}).
     */
    public String description()
    {
        return description;
    }

    /**
     * @return whether this session still owns the path.
     */
    public boolean isActive()
    {
        return active;
    }

    /**
     * @return {@link System#nanoTime()} of the last access unit received (or of the session start).
     */
    public long lastActivityNs()
    {
        return lastActivityNs;
    }

    @Override
    public void onFormat(final TrackFormat format)
    {
        if (!active || format.trackId() < 0 || format.trackId() >= formats.length)
        {
            return;
        }

        formats[format.trackId()] = format;
        stream.onFormat(format);
    }

    @Override
    public void onAccessUnit(final int trackId, final long dts, final long pts, final int flags, final ByteBuf payload)
    {
        if (!active || trackId < 0 || trackId >= formats.length)
        {
            return;
        }

        final TrackFormat format = formats[trackId];
        if (format == null)
        {
            stream.metrics().ringDrops.increment();
            return;
        }

        int outFlags = flags;
        if (!rebased)
        {
            rebased = true;
            final long last = stream.lastDts();
            if (last != Long.MIN_VALUE)
            {
                offset = last + NOMINAL_STEP - dts;
                outFlags |= FrameFlags.DISCONTINUITY;
            }
        }

        lastActivityNs = System.nanoTime();
        stream.publish(this, format, trackId, dts + offset, pts + offset, outFlags, payload);
    }

    @Override
    public void onClose()
    {
        stream.hub().endPublish(this);
    }

    /**
     * Takes the path away from this session (a takeover) and tells its protocol to close the connection.
     */
    public void evict()
    {
        if (active)
        {
            active = false;
            onEvicted.run();
        }
    }

    void deactivate()
    {
        active = false;
    }
}
