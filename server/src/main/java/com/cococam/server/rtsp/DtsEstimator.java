package com.cococam.server.rtsp;

/**
 * Derives decode timestamps for a video track whose transport (RTP) carries only presentation timestamps.
 *
 * <p>Method: with a reorder depth of at most {@code depth} frames (a frame is displayed before at most
 * {@code depth} frames that precede it in decode order), the k-th frame in decode order may be decoded at the
 * (k - depth)-th smallest presentation time seen so far. So every incoming PTS goes into a small sorted window;
 * once the window holds more than {@code depth} values, the smallest one leaves it and becomes the DTS of the
 * current frame. The first {@code depth} frames, before the window fills, get DTS values just below the first
 * PTS, {@code startStep} apart. This needs no look-ahead (no added latency) and no bitstream parsing; for streams
 * without B-frames DTS equals the PTS of the frame {@code depth} frames back (a constant offset).
 *
 * <p>Guarantees: the result is strictly increasing and, for streams within the reorder depth, never greater
 * than the PTS. A stream deeper than {@code depth} (or a PTS below the window) would break one of the two:
 * DTS is then clamped to stay strictly increasing and {@link #clampCount()} counts it.
 *
 * <p>Thread safety: single thread. Allocation: none after construction.
 */
public final class DtsEstimator
{
    /** Reorder depth used by the server: covers x264's and x265's B-pyramids and hardware encoders. */
    public static final int DEFAULT_DEPTH = 4;

    private final int depth;
    private final long startStep;
    private final long[] window;
    private int size;
    private int frames;
    private long firstPts;
    private long lastDts = Long.MIN_VALUE;
    private long clampCount;

    /**
     * @param depth     largest reorder depth handled, 1 to 16.
     * @param startStep spacing of the first {@code depth} DTS values, in the caller's ticks (at least 1).
     * @throws IllegalArgumentException on a value out of range.
     */
    public DtsEstimator(final int depth, final long startStep)
    {
        if (depth < 1 || depth > 16 || startStep < 1)
        {
            throw new IllegalArgumentException("dts estimator: depth=" + depth + " startStep=" + startStep);
        }

        this.depth = depth;
        this.startStep = startStep;
        this.window = new long[depth + 1];
    }

    /**
     * @param pts the frame's presentation time (ticks).
     * @return its decode time, strictly greater than the previous result.
     */
    public long dts(final long pts)
    {
        if (frames == 0)
        {
            firstPts = pts;
        }

        insert(pts);
        long dts;
        if (size > depth)
        {
            dts = window[0];
            System.arraycopy(window, 1, window, 0, size - 1);
            size--;
        }
        else
        {
            dts = firstPts - (long)(depth - frames) * startStep;
        }

        frames++;
        if (dts > pts)
        {
            dts = pts;
        }

        if (lastDts != Long.MIN_VALUE && dts <= lastDts)
        {
            dts = lastDts + 1;
            clampCount++;
        }

        lastDts = dts;
        return dts;
    }

    private void insert(final long pts)
    {
        int i = size;
        while (i > 0 && window[i - 1] > pts)
        {
            window[i] = window[i - 1];
            i--;
        }

        window[i] = pts;
        size++;
    }

    /**
     * @return the delay, in ticks, of the first DTS below the first PTS ({@code depth * startStep}).
     */
    public long startDelay()
    {
        return depth * startStep;
    }

    /**
     * @return frames whose DTS had to be clamped (stream deeper than the window, or a PTS jump backwards).
     */
    public long clampCount()
    {
        return clampCount;
    }

    /**
     * Forgets the window (a new timeline, e.g. after a discontinuity). The DTS stays strictly increasing.
     */
    public void reset()
    {
        size = 0;
        frames = 0;
    }
}
