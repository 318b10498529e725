package com.cococam.bench.load;

import io.netty.buffer.ByteBuf;

import java.util.Arrays;

/**
 * The video frames of a {@link FlvClip} indexed by presentation time, for players that only see presentation
 * times (RTP timestamps are PTS-based): maps a looped PTS back to the frame's looped decode time, which is what
 * the publisher's schedule is keyed on, and finds the keyframe nearest to a rough PTS.
 *
 * <p>PTS of a frame = its tag timestamp + its composition time offset (SI24 in the legacy AVC/HEVC header, or in
 * an Enhanced RTMP CodedFrames header; 0 for CodedFramesX). Loop {@code k} adds {@code k * loopMs} to both.
 *
 * <p>Thread safety: immutable after construction, shared by every loop. Allocation: the arrays, at construction.
 */
final class ClipTimeline
{
    /** Returned when a PTS is not the PTS of any frame. */
    static final long NO_FRAME = Long.MIN_VALUE;

    private final long loopMs;
    private final long[] ptsMs;
    private final long[] dtsMs;
    private final long[] keyPtsMs;

    ClipTimeline(final FlvClip clip)
    {
        loopMs = clip.loopMs();
        final int size = clip.size();
        final long[][] frames = new long[size][];
        int count = 0;
        int keys = 0;
        for (int i = clip.firstMediaIndex(); i < size; i++)
        {
            if (clip.isVideoFrame(i))
            {
                final ByteBuf body = clip.body(i);
                final long dts = clip.timestampMs(i);
                final boolean key = frameType(body) == 1;
                frames[count++] = new long[] {dts + compositionTimeMs(body), dts, key ? 1 : 0};
                keys += key ? 1 : 0;
            }
        }

        final long[][] sorted = Arrays.copyOf(frames, count);
        Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
        ptsMs = new long[count];
        dtsMs = new long[count];
        keyPtsMs = new long[keys];
        int k = 0;
        for (int i = 0; i < count; i++)
        {
            ptsMs[i] = sorted[i][0];
            dtsMs[i] = sorted[i][1];
            if (sorted[i][2] == 1)
            {
                keyPtsMs[k++] = sorted[i][0];
            }
        }
    }

    /**
     * @return video frames per loop.
     */
    int frames()
    {
        return ptsMs.length;
    }

    /**
     * @param loopedPtsMs a frame's PTS in the publisher's looped timeline.
     * @return the frame's looped decode time (its schedule key), or {@link #NO_FRAME} when no frame has that PTS.
     */
    long dtsOf(final long loopedPtsMs)
    {
        if (ptsMs.length == 0)
        {
            return NO_FRAME;
        }

        final long loop = Math.floorDiv(loopedPtsMs - ptsMs[0], loopMs);
        for (long l = loop; l >= loop - 1 && l >= 0; l--)
        {
            final int i = Arrays.binarySearch(ptsMs, loopedPtsMs - l * loopMs);
            if (i >= 0)
            {
                return dtsMs[i] + l * loopMs;
            }
        }

        return NO_FRAME;
    }

    /**
     * @param roughPtsMs a PTS known to within half a GOP.
     * @return the looped PTS of the keyframe nearest to it, or {@link #NO_FRAME} if the clip has no keyframe.
     */
    long nearestKeyframePts(final long roughPtsMs)
    {
        if (keyPtsMs.length == 0)
        {
            return NO_FRAME;
        }

        final long loop = Math.max(0, Math.floorDiv(roughPtsMs - keyPtsMs[0], loopMs));
        long best = NO_FRAME;
        for (long l = Math.max(0, loop - 1); l <= loop + 1; l++)
        {
            for (final long key : keyPtsMs)
            {
                final long candidate = key + l * loopMs;
                if (best == NO_FRAME || Math.abs(candidate - roughPtsMs) < Math.abs(best - roughPtsMs))
                {
                    best = candidate;
                }
            }
        }

        return best;
    }

    private static int frameType(final ByteBuf body)
    {
        final int first = body.getUnsignedByte(body.readerIndex());
        return (first & 0x80) != 0 ? (first >> 4) & 0x07 : first >> 4;
    }

    private static long compositionTimeMs(final ByteBuf body)
    {
        final int index = body.readerIndex();
        final int first = body.getUnsignedByte(index);
        if ((first & 0x80) == 0)
        {
            return body.readableBytes() >= 5 ? signed24(body.getUnsignedMedium(index + 2)) : 0;
        }

        return (first & 0x0F) == 1 && body.readableBytes() >= 8 ? signed24(body.getUnsignedMedium(index + 5)) : 0;
    }

    private static int signed24(final int value)
    {
        return (value << 8) >> 8;
    }
}
