package com.cococam.codec.fmp4;

import com.cococam.codec.flv.CollectingSink;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: muxes collected access units into an init segment and media segments cut at video keyframes.
 */
final class Fmp4Muxing
{
    private Fmp4Muxing()
    {
    }

    /**
     * Result of a mux run.
     *
     * @param init     init segment bytes.
     * @param segments media segment bytes, in order.
     */
    record Output(byte[] init, List<byte[]> segments)
    {
        byte[] concatenated()
        {
            final ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(init);
            for (final byte[] segment : segments)
            {
                all.writeBytes(segment);
            }

            return all.toByteArray();
        }
    }

    /**
     * @param tracks    the tracks (formats).
     * @param units     access units in arrival order.
     * @param writeStyp whether segments get a styp.
     * @return init and segments; every pooled input buffer is checked to be freed once its segment is released.
     */
    static Output mux(final List<TrackFormat> tracks, final List<CollectingSink.Unit> units, final boolean writeStyp)
    {
        final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        final ByteBuf init = Fmp4InitSegment.write(alloc, tracks);
        final byte[] initBytes = ByteBufUtil.getBytes(init);
        init.release();

        final boolean hasVideo = tracks.stream().anyMatch(TrackFormat::isVideo);
        final Fmp4FragmentWriter writer = new Fmp4FragmentWriter(writeStyp);
        final List<byte[]> segments = new ArrayList<>();
        final List<ByteBuf> inputs = new ArrayList<>();
        long sequence = 1;
        writer.begin(sequence);
        int audioInSegment = 0;
        int videoInSegment = 0;
        for (final CollectingSink.Unit unit : units)
        {
            final TrackFormat track = track(tracks, unit.trackId());
            final boolean cut = hasVideo ? track.isVideo() && unit.keyframe() && videoInSegment > 0 :
                audioInSegment == 100;
            if (cut)
            {
                segments.add(finish(writer, alloc, unit.dts(), inputs));
                writer.begin(++sequence);
                audioInSegment = 0;
                videoInSegment = 0;
            }

            final ByteBuf data = alloc.buffer(unit.payload().length).writeBytes(unit.payload());
            writer.addSample(track, unit.dts(), unit.pts(), unit.keyframe(), data);
            if (data.refCnt() != 2)
            {
                throw new AssertionError("slice not retained: refCnt=" + data.refCnt());
            }

            data.release();
            inputs.add(data);
            audioInSegment += track.isVideo() ? 0 : 1;
            videoInSegment += track.isVideo() ? 1 : 0;
        }

        segments.add(finish(writer, alloc, Fmp4FragmentWriter.NO_END_DTS, inputs));
        return new Output(initBytes, segments);
    }

    private static byte[] finish(
        final Fmp4FragmentWriter writer,
        final ByteBufAllocator alloc,
        final long endDts90k,
        final List<ByteBuf> inputs)
    {
        final ByteBuf segment = writer.finish(alloc, endDts90k);
        final byte[] bytes = ByteBufUtil.getBytes(segment);
        segment.release();
        for (final ByteBuf input : inputs)
        {
            if (input.refCnt() != 0)
            {
                throw new AssertionError("input still referenced: refCnt=" + input.refCnt());
            }
        }

        inputs.clear();
        return bytes;
    }

    private static TrackFormat track(final List<TrackFormat> tracks, final int trackId)
    {
        for (final TrackFormat track : tracks)
        {
            if (track.trackId() == trackId)
            {
                return track;
            }
        }

        throw new AssertionError("unknown track " + trackId);
    }
}
