package com.cococam.server.hls;

import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.mpegts.TsMuxer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Arrays;

/**
 * Gathers the samples of one MPEG-TS segment and muxes them when the segment is finished, into one pooled direct
 * buffer sized for them.
 *
 * <p>Muxing at the end, rather than frame by frame, lets the packager still change the tracks of a segment that no
 * playlist names yet (a G.711 camera's AAC starts a few hundred milliseconds after the first keyframe): the muxer
 * that writes the segment, and so its PMT, is chosen when the segment is finished.
 *
 * <p>Buffer ownership: {@link #add} keeps a retained slice of the payload (no copy; the caller keeps its own
 * reference); {@link #finish} writes every sample into a new buffer owned by the caller and releases the slices;
 * {@link #reset} releases them without writing.
 *
 * <p>Allocation: the per-sample arrays grow to the largest segment and are reused; a sample costs one retained
 * slice; a segment costs its output buffer (one copy of each payload byte, done by {@link TsMuxer}).
 *
 * <p>Thread safety: single thread (the stream's live worker).
 */
final class TsSegmentBuilder
{
    /** PES header, AUD and ADTS header of one sample, rounded up. */
    private static final int SAMPLE_OVERHEAD_BYTES = 48;

    private TrackFormat[] formats = new TrackFormat[256];
    private long[] dts = new long[256];
    private long[] pts = new long[256];
    private boolean[] keyframes = new boolean[256];
    private ByteBuf[] payloads = new ByteBuf[256];
    private int count;

    /**
     * Keeps one sample for the segment.
     *
     * @param format   its track.
     * @param dts90k   decode time.
     * @param pts90k   presentation time.
     * @param keyframe whether it is a video random access point.
     * @param payload  length-prefixed access unit or raw AAC frame; indexes unchanged; a retained slice is kept.
     */
    void add(
        final TrackFormat format,
        final long dts90k,
        final long pts90k,
        final boolean keyframe,
        final ByteBuf payload)
    {
        if (count == payloads.length)
        {
            final int capacity = count * 2;
            formats = Arrays.copyOf(formats, capacity);
            dts = Arrays.copyOf(dts, capacity);
            pts = Arrays.copyOf(pts, capacity);
            keyframes = Arrays.copyOf(keyframes, capacity);
            payloads = Arrays.copyOf(payloads, capacity);
        }

        formats[count] = format;
        dts[count] = dts90k;
        pts[count] = pts90k;
        keyframes[count] = keyframe;
        payloads[count] = payload.retainedSlice();
        count++;
    }

    /**
     * @return samples kept so far.
     */
    int count()
    {
        return count;
    }

    /**
     * Muxes the kept samples, in the order they were added, after a PAT and a PMT, and releases them. Samples of a
     * track the muxer does not carry, and ones it refuses (malformed), are left out.
     *
     * @param muxer    the muxer of the segment's tracks (its continuity counters carry on from the previous
     *                 segment).
     * @param hasVideo whether the muxer carries a video track.
     * @param hasAudio whether the muxer carries an audio track.
     * @param alloc    allocator of the output.
     * @return a pooled direct buffer holding whole TS packets, owned by the caller; null when nothing was kept.
     */
    ByteBuf finish(
        final TsMuxer muxer,
        final boolean hasVideo,
        final boolean hasAudio,
        final ByteBufAllocator alloc)
    {
        if (count == 0)
        {
            return null;
        }

        final ByteBuf out = alloc.directBuffer(estimateBytes());
        try
        {
            muxer.writeTables(out);
            for (int i = 0; i < count; i++)
            {
                final TrackFormat format = formats[i];
                if (format.isVideo() && hasVideo)
                {
                    muxer.writeVideo(out, dts[i], pts[i], keyframes[i], payloads[i]);
                }
                else if (!format.isVideo() && hasAudio)
                {
                    muxer.writeAudio(out, pts[i], payloads[i]);
                }
            }

            return out;
        }
        catch (final RuntimeException ex)
        {
            out.release();
            throw ex;
        }
        finally
        {
            reset();
        }
    }

    /**
     * Releases the kept samples without writing them.
     */
    void reset()
    {
        for (int i = 0; i < count; i++)
        {
            payloads[i].release();
            payloads[i] = null;
            formats[i] = null;
        }

        count = 0;
    }

    /**
     * An upper bound of the segment size in the usual case, so the output buffer seldom grows: every payload byte
     * plus headers and parameter sets, in 184-byte packet payloads of 188-byte packets.
     */
    private int estimateBytes()
    {
        long bytes = 2L * TsMuxer.PACKET_SIZE;
        for (int i = 0; i < count; i++)
        {
            long es = payloads[i].readableBytes() + SAMPLE_OVERHEAD_BYTES;
            if (keyframes[i] && formats[i].isVideo() && formats[i].decoderConfig() != null)
            {
                es += 2L * formats[i].decoderConfig().length;
            }

            // One more packet for the adaptation field (PCR, stuffing) at the start and the partial one at the end.
            bytes += (es / (TsMuxer.PACKET_SIZE - 4) + 2) * TsMuxer.PACKET_SIZE;
        }

        return (int)Math.min(Integer.MAX_VALUE - 8, bytes);
    }
}
