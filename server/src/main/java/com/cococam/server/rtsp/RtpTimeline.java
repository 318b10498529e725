package com.cococam.server.rtsp;

import java.util.concurrent.TimeUnit;

/**
 * The shared timeline of one RTSP publisher's tracks: where each track's first access unit goes, in 90 kHz
 * ticks, so audio and video stay in sync.
 *
 * <p>The first track to deliver a unit starts the timeline at {@link #START_90K}. A later track is placed by
 * the NTP times of both first units when both tracks had an RTCP sender report before their first unit (ffmpeg
 * sends one before any RTP), else by the difference of the two arrival times (good to the network jitter).
 * {@link #START_90K} leaves room for the video DTS estimator's start delay and a track that starts slightly
 * earlier than the first one.
 *
 * <p>Thread safety: single thread (the publisher's event loop). Allocation: none.
 */
final class RtpTimeline
{
    /** Where the first unit of the first track goes: one second, so DTS values stay positive. */
    static final long START_90K = 90_000;

    private boolean started;
    private long originNtp90k = Long.MIN_VALUE;
    private long originArrivalNs;

    /**
     * @param ntp90k    the NTP time of the track's first unit in 90 kHz ticks, or {@link Long#MIN_VALUE} when
     *                  no sender report was seen.
     * @param arrivalNs {@link System#nanoTime()} of its arrival.
     * @return the 90 kHz time for the track's first unit.
     */
    long startOf(final long ntp90k, final long arrivalNs)
    {
        if (!started)
        {
            started = true;
            originNtp90k = ntp90k;
            originArrivalNs = arrivalNs;
            return START_90K;
        }

        final long offset;
        if (ntp90k != Long.MIN_VALUE && originNtp90k != Long.MIN_VALUE)
        {
            offset = ntp90k - originNtp90k;
        }
        else
        {
            offset = TimeUnit.NANOSECONDS.toMicros(arrivalNs - originArrivalNs) * 90 / 1000;
        }

        return Math.max(0, START_90K + offset);
    }
}
