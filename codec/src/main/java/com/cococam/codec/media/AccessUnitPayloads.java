package com.cococam.codec.media;

/**
 * Payload conventions for access units, shared by every module.
 *
 * <ul>
 *     <li>{@link CodecId#H264} and {@link CodecId#H265}: one access unit (all NAL units of one picture), each
 *     NAL unit prefixed by a 4-byte big-endian length, as in ISO/IEC 14496-15 samples with
 *     {@code lengthSizeMinusOne = 3}. Parameter sets travel in {@link TrackFormat#decoderConfig()}, and may also
 *     appear in-band.</li>
 *     <li>{@link CodecId#AAC}: one raw AAC frame (no ADTS header); the AudioSpecificConfig is the decoder config.</li>
 *     <li>{@link CodecId#G711A}, {@link CodecId#G711U}: a run of 8-bit samples; {@link CodecId#OPUS}: one Opus
 *     packet; {@link CodecId#MJPEG}: one whole JPEG image. Their decoder config is empty.</li>
 * </ul>
 *
 * <p>All timestamps inside the server are 64-bit counts of a 90 kHz clock ({@link #TIMESCALE}), for every track.
 */
public final class AccessUnitPayloads
{
    /**
     * Ticks per second of every internal timestamp (DTS, PTS).
     */
    public static final int TIMESCALE = 90_000;

    /**
     * Size in bytes of the NAL unit length prefix in video payloads.
     */
    public static final int NAL_LENGTH_SIZE = 4;

    private AccessUnitPayloads()
    {
    }

    /**
     * @param millis a time in milliseconds.
     * @return the same time in 90 kHz ticks.
     */
    public static long millisToTicks(final long millis)
    {
        return millis * 90;
    }

    /**
     * @param ticks a time in 90 kHz ticks.
     * @return the same time in milliseconds, rounded towards negative infinity.
     */
    public static long ticksToMillis(final long ticks)
    {
        return Math.floorDiv(ticks, 90);
    }
}
