package com.cococam.server.rtsp;

import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.RtpStreamWriter;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sending state shared by the encoders of one RTSP viewer group of one stream (the group's live
 * {@link RtpFrameEncoder} and the short-lived replay encoders that bring a joining viewer up to date): per track
 * the SSRC, the next sequence number, the random RTP time offset and the last sender report time, and for all
 * tracks one anchor between the stream's 90 kHz time and wall-clock time, so every viewer of the group sees the
 * same RTP and NTP timelines, and one RTCP CNAME (RFC 3550 6.5.1: the name that tells a receiver which SSRCs to
 * synchronize), a random 96-bit identifier as RFC 7022 recommends.
 *
 * <p>Thread safety: the stream's live worker only.
 */
final class RtpOutState
{
    /** Length of {@link #cname()}: 96 random bits in base64. */
    static final int CNAME_LENGTH = 16;

    private final Track[] tracks = new Track[2];
    private final byte[] cname = newCname();
    private boolean liveEncoderExists;
    private boolean anchored;
    private long anchorWallMs;
    private long anchorPts;

    /** One track's sending state. */
    static final class Track
    {
        final RtpStreamWriter writer;
        final int clockRate;
        final long rtpOffset;
        long lastSrPts = Long.MIN_VALUE;

        Track(final RtpStreamWriter writer, final int clockRate, final long rtpOffset)
        {
            this.writer = writer;
            this.clockRate = clockRate;
            this.rtpOffset = rtpOffset;
        }

        /**
         * @param pts90k stream time.
         * @return the RTP timestamp, low 32 bits.
         */
        long rtpTime(final long pts90k)
        {
            return (rtpOffset + Math.floorDiv(pts90k * clockRate, 90_000L)) & 0xFFFF_FFFFL;
        }
    }

    private static byte[] newCname()
    {
        final byte[] random = new byte[12];
        ThreadLocalRandom.current().nextBytes(random);
        return Base64.getEncoder().encodeToString(random).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * @return the group's CNAME, {@link #CNAME_LENGTH} ASCII bytes; the caller must not modify it.
     */
    byte[] cname()
    {
        return cname;
    }

    /**
     * @return true the first time: the caller is the group's live encoder; false afterwards (a replay encoder),
     *         until the live encoder is closed.
     */
    boolean claimLive()
    {
        if (liveEncoderExists)
        {
            return false;
        }

        liveEncoderExists = true;
        return true;
    }

    void releaseLive()
    {
        liveEncoderExists = false;
    }

    /**
     * @param format a carried format.
     * @return the track's state, made (or remade on a payload type or clock change) for the format.
     */
    Track track(final TrackFormat format)
    {
        final int id = format.trackId();
        final int pt = RtspSdp.payloadType(format);
        final int clock = RtspSdp.clockRate(format);
        Track track = tracks[id];
        if (track == null || track.writer.payloadType() != pt || track.clockRate != clock)
        {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            final long ssrc = track == null ? random.nextLong() & 0xFFFF_FFFFL : track.writer.ssrc();
            final int seq = track == null ? random.nextInt(0x8000) : track.writer.nextSequence();
            track = new Track(new RtpStreamWriter(pt, ssrc, seq), clock, random.nextLong() & 0x7FFF_FFFFL);
            tracks[id] = track;
        }

        return track;
    }

    /**
     * @param trackId track id.
     * @return the track's state, or null if none was made yet.
     */
    Track existing(final int trackId)
    {
        return tracks[trackId];
    }

    /**
     * Fixes the wall-clock anchor the first time.
     *
     * @param wallClockMs wall-clock time of the unit (0 if unknown: now is used).
     * @param pts90k      its stream time.
     */
    void anchor(final long wallClockMs, final long pts90k)
    {
        if (!anchored)
        {
            anchored = true;
            anchorWallMs = wallClockMs > 0 ? wallClockMs : System.currentTimeMillis();
            anchorPts = pts90k;
        }
    }

    /**
     * @param pts90k stream time.
     * @return the 64-bit NTP timestamp for it.
     */
    long ntpTime(final long pts90k)
    {
        final long wall90k = anchorWallMs * 90 + (pts90k - anchorPts);
        final long seconds = Math.floorDiv(wall90k, 90_000L) + 2_208_988_800L;
        final long rest = Math.floorMod(wall90k, 90_000L);
        return (seconds << 32) | ((rest << 32) / 90_000L);
    }
}
