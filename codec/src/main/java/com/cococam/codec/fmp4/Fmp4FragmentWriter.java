package com.cococam.codec.fmp4;

import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.util.Arrays;

/**
 * Builds fragmented MP4 / CMAF media segments, one {@code moof+mdat} pair each, with one {@code traf} per track
 * that has samples (ISO/IEC 14496-12 section 8.8). Reusable: one instance per output stream, one segment at a
 * time: {@link #begin}, {@link #addSample} any number of times, then {@link #finish} (or {@link #reset}).
 *
 * <pre>
 *  [styp]                         optional (msdh; msdh msix)
 *  moof
 *   +- mfhd                        sequence_number
 *   +- traf (per track, ascending trackId)
 *       +- tfhd                    track_ID, default-base-is-moof (+ default_sample_flags for audio)
 *       +- tfdt  v1                baseMediaDecodeTime, 64-bit, in the track timescale
 *       +- trun  v1                data_offset; per sample: duration, size,
 *                                  and for video flags + signed composition offset
 *  mdat                            the samples of track 0, then track 1, ... (32-bit size, 64-bit if needed)
 * </pre>
 *
 * <p>Timescales are those of {@link Fmp4InitSegment}: 90 kHz for video, the sample rate for audio. Audio
 * timestamps are converted from 90 kHz one by one ({@code round(t * rate / 90000)}), and durations are
 * differences of converted values, so rounding never accumulates into drift.
 *
 * <p>Durations: each sample lasts until the next sample of its track in the segment. The last sample of a track
 * lasts until, in order of preference: the time set by {@link #setTrackEndDts}; for video tracks only, the
 * {@code endDts90k} given to {@link #finish} (the usual cut point: the next keyframe); otherwise the previous
 * sample duration of that track, remembered across segments (AAC frames have a constant duration, and a video
 * cut point would shorten the last audio frame); with no history, {@link #DEFAULT_VIDEO_DURATION_90K} or
 * {@link #DEFAULT_AUDIO_DURATION_SAMPLES}. Negative durations (decode times going backwards) are written as 0.
 *
 * <p>Sample flags: keyframes are sync samples (sample_depends_on = 2); other video samples are non-sync
 * (sample_depends_on = 1, sample_is_non_sync_sample = 1); audio samples are all sync.
 *
 * <p>Memory contract: {@link #addSample} keeps a retained slice of the data (no copy; the caller keeps its own
 * reference and may release it at once). {@link #finish} hands those slices to the returned
 * {@link CompositeByteBuf} (the caller owns it and must release it, which releases the slices); after
 * {@link #finish} the writer holds no buffer. {@link #reset} releases the slices of an abandoned segment;
 * {@link #begin} does the same if the previous segment was left open. The caller must not modify sample bytes
 * until the segment buffer is released. {@link #finishContiguous} instead copies header and samples into one buffer
 * of the segment's exact size and releases the slices at once (no composite, no component object per sample).
 *
 * <p>Allocation: per-track arrays grow to the largest segment seen and are reused; in steady state a sample
 * costs one pooled (recycled) retained slice; a segment costs one header buffer from the allocator and one
 * composite buffer.
 *
 * <p>Thread safety: single thread (not thread safe).
 */
public final class Fmp4FragmentWriter
{
    /**
     * Value of {@code endDts90k} meaning "unknown".
     */
    public static final long NO_END_DTS = Long.MIN_VALUE;

    /**
     * Duration of a lone video sample with no history: 1/30 s at 90 kHz.
     */
    public static final int DEFAULT_VIDEO_DURATION_90K = 3000;

    /**
     * Duration of a lone audio sample with no history: one AAC frame, in samples.
     */
    public static final int DEFAULT_AUDIO_DURATION_SAMPLES = 1024;

    /**
     * Largest trackId accepted.
     */
    public static final int MAX_TRACK_ID = 63;

    private static final int FLAGS_SYNC = 0x0200_0000;
    private static final int FLAGS_NON_SYNC = 0x0101_0000;
    private static final int TRUN_VIDEO_FLAGS = 0x000F01;
    private static final int TRUN_AUDIO_FLAGS = 0x000301;
    private static final int TFHD_BASE_IS_MOOF = 0x02_0000;
    private static final int TFHD_DEFAULT_FLAGS = 0x00_0020;
    private static final int STYP_SIZE = 24;
    private static final long MAX_SMALL_MDAT = 0xFFFF_FFFFL - 8;

    private final boolean writeStyp;
    private TrackRun[] runs = new TrackRun[2];
    private long sequenceNumber;
    private boolean open;
    private int sampleCount;

    /**
     * @param writeStyp whether each segment starts with a {@code styp} box (as in CMAF segments and LL-HLS parts).
     */
    public Fmp4FragmentWriter(final boolean writeStyp)
    {
        this.writeStyp = writeStyp;
    }

    /**
     * Starts a segment. Samples left from an unfinished segment are released.
     *
     * @param sequenceNumber mfhd sequence number (low 32 bits written); should increase by one per segment.
     */
    public void begin(final long sequenceNumber)
    {
        if (sampleCount > 0)
        {
            reset();
        }

        this.sequenceNumber = sequenceNumber;
        this.open = true;
        for (final TrackRun run : runs)
        {
            if (run != null)
            {
                run.endDts90k = NO_END_DTS;
            }
        }
    }

    /**
     * Adds one sample; it keeps a retained slice of {@code data}'s readable bytes (indexes unchanged).
     *
     * @param track    the sample's track (selects the traf by trackId, and the timescale).
     * @param dts90k   decode time, 90 kHz.
     * @param pts90k   presentation time, 90 kHz (for audio, ignored).
     * @param keyframe whether it is a sync sample (ignored for audio: always sync).
     * @param data     the sample: a 4-byte length-prefixed access unit for video, a raw AAC frame for audio.
     * @throws IllegalStateException    if no segment is open.
     * @throws IllegalArgumentException if the trackId is outside 0..{@link #MAX_TRACK_ID}, or an audio track has
     *                                  no positive sample rate.
     */
    public void addSample(
        final TrackFormat track,
        final long dts90k,
        final long pts90k,
        final boolean keyframe,
        final ByteBuf data)
    {
        if (!open)
        {
            throw new IllegalStateException("begin() first");
        }

        final TrackRun run = run(track);
        run.add(dts90k, pts90k, keyframe, data.retainedSlice());
        sampleCount++;
    }

    /**
     * Sets the decode time of the sample that follows this segment on one track, to time its last sample exactly.
     *
     * @param track      the track.
     * @param nextDts90k decode time of the track's next sample, 90 kHz; {@link #NO_END_DTS} to clear.
     */
    public void setTrackEndDts(final TrackFormat track, final long nextDts90k)
    {
        run(track).endDts90k = nextDts90k;
    }

    /**
     * @return samples added to the open segment so far.
     */
    public int sampleCount()
    {
        return sampleCount;
    }

    /**
     * Writes the segment and closes it.
     *
     * @param alloc     allocator of the header buffer and the composite.
     * @param endDts90k decode time at which the segment ends (the next video sample's dts, normally the next
     *                  keyframe), 90 kHz, or {@link #NO_END_DTS}; see the class notes for how it is used.
     * @return a composite of [styp + moof + mdat header] and the sample slices, owned by the caller; or null if
     * no sample was added (the segment is closed all the same).
     * @throws IllegalStateException if no segment is open.
     */
    public ByteBuf finish(final ByteBufAllocator alloc, final long endDts90k)
    {
        return finish(alloc, endDts90k, false);
    }

    /**
     * Writes the segment into one direct buffer of its exact size and closes it: the samples are copied in and
     * their slices released. For a segment kept as one contiguous buffer (served many times), this avoids building
     * a composite (one component object per sample) only to copy it.
     *
     * @param alloc     allocator of the segment buffer.
     * @param endDts90k as for {@link #finish}.
     * @return the segment (styp, moof, mdat), owned by the caller; or null if no sample was added.
     * @throws IllegalStateException if no segment is open.
     */
    public ByteBuf finishContiguous(final ByteBufAllocator alloc, final long endDts90k)
    {
        return finish(alloc, endDts90k, true);
    }

    private ByteBuf finish(final ByteBufAllocator alloc, final long endDts90k, final boolean contiguous)
    {
        if (!open)
        {
            throw new IllegalStateException("begin() first");
        }

        open = false;
        if (sampleCount == 0)
        {
            return null;
        }

        long dataSize = 0;
        int moofSize = 8 + 16;
        for (final TrackRun run : runs)
        {
            if (run != null && run.count > 0)
            {
                run.computeTiming(endDts90k);
                moofSize += run.trafSize();
                dataSize += run.dataSize();
            }
        }

        final int mdatHeaderSize = dataSize > MAX_SMALL_MDAT ? 16 : 8;
        final int headerSize = (writeStyp ? STYP_SIZE : 0) + moofSize + mdatHeaderSize;
        if (contiguous)
        {
            if (headerSize + dataSize > Integer.MAX_VALUE - 8)
            {
                reset();
                throw new IllegalStateException("segment too large for one buffer: " + (headerSize + dataSize));
            }

            final int size = (int)(headerSize + dataSize);
            final ByteBuf out = alloc.directBuffer(size, size);
            try
            {
                writeHeader(out, moofSize, mdatHeaderSize, dataSize);
                for (final TrackRun run : runs)
                {
                    if (run != null)
                    {
                        run.copyDataTo(out);
                    }
                }
            }
            catch (final RuntimeException ex)
            {
                out.release();
                reset();
                throw ex;
            }

            sampleCount = 0;
            return out;
        }

        final ByteBuf header = alloc.buffer(headerSize, headerSize);
        final CompositeByteBuf segment = alloc.compositeBuffer(sampleCount + 1);
        try
        {
            writeHeader(header, moofSize, mdatHeaderSize, dataSize);
            segment.addComponent(true, header);
        }
        catch (final RuntimeException ex)
        {
            header.release();
            segment.release();
            reset();
            throw ex;
        }

        for (final TrackRun run : runs)
        {
            if (run != null)
            {
                run.moveDataTo(segment);
            }
        }

        sampleCount = 0;
        return segment;
    }

    /**
     * Abandons the open segment: releases every slice kept by {@link #addSample} and closes the segment. Safe to
     * call at any time, also with nothing open.
     */
    public void reset()
    {
        for (final TrackRun run : runs)
        {
            if (run != null)
            {
                run.releaseData();
            }
        }

        sampleCount = 0;
        open = false;
    }

    /**
     * Same as {@link #reset()}: drops every retained slice.
     */
    public void release()
    {
        reset();
    }

    private TrackRun run(final TrackFormat track)
    {
        final int trackId = track.trackId();
        if (trackId < 0 || trackId > MAX_TRACK_ID)
        {
            throw new IllegalArgumentException("trackId out of range: trackId=" + trackId);
        }

        if (!track.isVideo() && track.sampleRate() <= 0)
        {
            throw new IllegalArgumentException("audio sample rate not positive: sampleRate=" + track.sampleRate());
        }

        if (trackId >= runs.length)
        {
            runs = Arrays.copyOf(runs, Math.max(trackId + 1, runs.length * 2));
        }

        TrackRun run = runs[trackId];
        if (run == null)
        {
            run = new TrackRun();
            runs[trackId] = run;
        }

        run.format = track;
        return run;
    }

    private void writeHeader(final ByteBuf out, final int moofSize, final int mdatHeaderSize, final long dataSize)
    {
        if (writeStyp)
        {
            final int styp = Boxes.begin(out, Boxes.fourCc("styp"));
            out.writeInt(Boxes.fourCc("msdh"));
            out.writeInt(0);
            out.writeInt(Boxes.fourCc("msdh"));
            out.writeInt(Boxes.fourCc("msix"));
            Boxes.end(out, styp);
        }

        final int moof = Boxes.begin(out, Boxes.fourCc("moof"));
        final int mfhd = Boxes.beginFull(out, Boxes.fourCc("mfhd"), 0, 0);
        out.writeInt((int)sequenceNumber);
        Boxes.end(out, mfhd);

        long dataOffset = moofSize + mdatHeaderSize;
        for (final TrackRun run : runs)
        {
            if (run != null && run.count > 0)
            {
                run.writeTraf(out, (int)dataOffset);
                dataOffset += run.dataSize();
            }
        }

        Boxes.end(out, moof);
        if (mdatHeaderSize == 16)
        {
            out.writeInt(1);
            out.writeInt(Boxes.fourCc("mdat"));
            out.writeLong(dataSize + 16);
        }
        else
        {
            out.writeInt((int)(dataSize + 8));
            out.writeInt(Boxes.fourCc("mdat"));
        }
    }

    /**
     * Samples of one track in the open segment, with arrays reused across segments.
     */
    private static final class TrackRun
    {
        TrackFormat format;
        int count;
        long endDts90k = NO_END_DTS;
        long lastDuration = -1;
        long[] dts = new long[64];
        long[] pts = new long[64];
        int[] size = new int[64];
        boolean[] key = new boolean[64];
        ByteBuf[] data = new ByteBuf[64];
        long[] duration = new long[64];
        long baseDecodeTime;

        void add(final long dts90k, final long pts90k, final boolean keyframe, final ByteBuf slice)
        {
            if (count == dts.length)
            {
                final int capacity = count * 2;
                dts = Arrays.copyOf(dts, capacity);
                pts = Arrays.copyOf(pts, capacity);
                size = Arrays.copyOf(size, capacity);
                key = Arrays.copyOf(key, capacity);
                data = Arrays.copyOf(data, capacity);
                duration = Arrays.copyOf(duration, capacity);
            }

            dts[count] = dts90k;
            pts[count] = pts90k;
            size[count] = slice.readableBytes();
            key[count] = keyframe;
            data[count] = slice;
            count++;
        }

        long toTimescale(final long t90k)
        {
            if (format.isVideo())
            {
                return t90k;
            }

            return Math.floorDiv(t90k * format.sampleRate() + 45_000, 90_000);
        }

        void computeTiming(final long segmentEndDts90k)
        {
            baseDecodeTime = toTimescale(dts[0]);
            long previous = baseDecodeTime;
            for (int i = 1; i < count; i++)
            {
                final long converted = toTimescale(dts[i]);
                duration[i - 1] = Math.max(0, converted - previous);
                previous = converted;
            }

            if (count > 1)
            {
                lastDuration = duration[count - 2];
            }

            final long last = dts[count - 1];
            final long end = endDts90k != NO_END_DTS ? endDts90k : format.isVideo() ? segmentEndDts90k : NO_END_DTS;
            if (end != NO_END_DTS && end > last)
            {
                duration[count - 1] = toTimescale(end) - previous;
            }
            else if (lastDuration >= 0)
            {
                duration[count - 1] = lastDuration;
            }
            else
            {
                duration[count - 1] = format.isVideo() ? DEFAULT_VIDEO_DURATION_90K : DEFAULT_AUDIO_DURATION_SAMPLES;
            }

            lastDuration = duration[count - 1];
        }

        int trafSize()
        {
            final int tfhd = format.isVideo() ? 16 : 20;
            final int trun = 20 + count * (format.isVideo() ? 16 : 8);
            return 8 + tfhd + 20 + trun;
        }

        long dataSize()
        {
            long total = 0;
            for (int i = 0; i < count; i++)
            {
                total += size[i];
            }

            return total;
        }

        void writeTraf(final ByteBuf out, final int dataOffset)
        {
            final boolean video = format.isVideo();
            final int traf = Boxes.begin(out, Boxes.fourCc("traf"));
            final int tfhd = Boxes.beginFull(out, Boxes.fourCc("tfhd"), 0,
                TFHD_BASE_IS_MOOF | (video ? 0 : TFHD_DEFAULT_FLAGS));
            out.writeInt(Fmp4InitSegment.trackIdInFile(format));
            if (!video)
            {
                out.writeInt(FLAGS_SYNC);
            }

            Boxes.end(out, tfhd);

            final int tfdt = Boxes.beginFull(out, Boxes.fourCc("tfdt"), 1, 0);
            out.writeLong(baseDecodeTime);
            Boxes.end(out, tfdt);

            final int trun = Boxes.beginFull(out, Boxes.fourCc("trun"), 1, video ? TRUN_VIDEO_FLAGS : TRUN_AUDIO_FLAGS);
            out.writeInt(count);
            out.writeInt(dataOffset);
            for (int i = 0; i < count; i++)
            {
                out.writeInt((int)duration[i]);
                out.writeInt(size[i]);
                if (video)
                {
                    out.writeInt(key[i] ? FLAGS_SYNC : FLAGS_NON_SYNC);
                    out.writeInt((int)(pts[i] - dts[i]));
                }
            }

            Boxes.end(out, trun);
            Boxes.end(out, traf);
        }

        void moveDataTo(final CompositeByteBuf segment)
        {
            for (int i = 0; i < count; i++)
            {
                final ByteBuf slice = data[i];
                data[i] = null;
                segment.addComponent(true, slice);
            }

            count = 0;
        }

        void copyDataTo(final ByteBuf out)
        {
            for (int i = 0; i < count; i++)
            {
                final ByteBuf slice = data[i];
                data[i] = null;
                try
                {
                    out.writeBytes(slice, slice.readerIndex(), slice.readableBytes());
                }
                finally
                {
                    slice.release();
                }
            }

            count = 0;
        }

        void releaseData()
        {
            for (int i = 0; i < count; i++)
            {
                // Null where copyDataTo had already taken the slice before it failed.
                if (data[i] != null)
                {
                    data[i].release();
                    data[i] = null;
                }
            }

            count = 0;
        }
    }
}
