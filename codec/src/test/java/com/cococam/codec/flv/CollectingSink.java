package com.cococam.codec.flv;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.MediaSink;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.List;

/**
 * Test sink: keeps every format and a copy of every access unit.
 */
public final class CollectingSink implements MediaSink
{
    /**
     * One access unit as delivered, with its payload copied.
     *
     * @param trackId track.
     * @param dts     decode time, 90 kHz.
     * @param pts     presentation time, 90 kHz.
     * @param flags   frame flags.
     * @param payload copy of the payload.
     */
    public record Unit(int trackId, long dts, long pts, int flags, byte[] payload)
    {
        /**
         * @return whether the keyframe flag is set.
         */
        public boolean keyframe()
        {
            return FrameFlags.isKeyframe(flags);
        }

        /**
         * @return the payload wrapped (not pooled, nothing to release).
         */
        public ByteBuf buf()
        {
            return Unpooled.wrappedBuffer(payload);
        }
    }

    public final List<TrackFormat> formats = new ArrayList<>();
    public final List<Unit> units = new ArrayList<>();
    public boolean closed;

    @Override
    public void onFormat(final TrackFormat format)
    {
        formats.add(format);
    }

    @Override
    public void onAccessUnit(final int trackId, final long dts, final long pts, final int flags, final ByteBuf payload)
    {
        final int reader = payload.readerIndex();
        final int writer = payload.writerIndex();
        units.add(new Unit(trackId, dts, pts, flags, ByteBufUtil.getBytes(payload)));
        if (payload.readerIndex() != reader || payload.writerIndex() != writer)
        {
            throw new AssertionError("indexes moved");
        }
    }

    @Override
    public void onClose()
    {
        closed = true;
    }

    /**
     * @param trackId a track.
     * @return its units in arrival order.
     */
    public List<Unit> units(final int trackId)
    {
        final List<Unit> list = new ArrayList<>();
        for (final Unit unit : units)
        {
            if (unit.trackId() == trackId)
            {
                list.add(unit);
            }
        }

        return list;
    }

    /**
     * @param trackId a track.
     * @return the last format announced for it, or null.
     */
    public TrackFormat format(final int trackId)
    {
        TrackFormat last = null;
        for (final TrackFormat format : formats)
        {
            if (format.trackId() == trackId)
            {
                last = format;
            }
        }

        return last;
    }
}
