package com.cococam.codec.media;

/**
 * The {@link TrackFormat} of an Opus track, the same for every source (RTSP push, pulled cameras), so that formats
 * compare equal across protocols.
 *
 * <p>Opus always runs on a 48 kHz clock (RFC 7587: the RTP clock is 48000 whatever the encoder's input rate). The
 * channel count is what the sender announced (SDP {@code sprop-stereo=1}: 2, else 1); the decoder needs no
 * configuration from us, so the record is empty, and {@link TrackFormat#codecsString()} is {@code opus}, the RFC 6381
 * value of an Opus track in ISO BMFF.
 *
 * <p>Thread safety: stateless; the two formats are shared immutable instances.
 */
public final class OpusTracks
{
    /** Sample rate of every Opus track. */
    public static final int SAMPLE_RATE = 48_000;

    /** RFC 6381 codecs value of Opus. */
    public static final String CODECS = "opus";

    private static final TrackFormat MONO = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.OPUS, 0, 0, SAMPLE_RATE,
        1, new byte[0], CODECS);
    private static final TrackFormat STEREO = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.OPUS, 0, 0,
        SAMPLE_RATE, 2, new byte[0], CODECS);

    private OpusTracks()
    {
    }

    /**
     * @param stereo whether the sender announced stereo.
     * @return the track on {@link TrackFormat#AUDIO_TRACK}: 48 kHz, 1 or 2 channels, empty decoder config.
     */
    public static TrackFormat format(final boolean stereo)
    {
        return stereo ? STEREO : MONO;
    }

    /**
     * Whether an SDP format line announces stereo: {@code sprop-stereo=1} (what the sender sends), or
     * {@code stereo=1} (what it prefers to receive, which some senders put instead).
     *
     * @param spropStereo the {@code sprop-stereo} fmtp value, or null.
     * @param stereo      the {@code stereo} fmtp value, or null.
     * @return whether the track is stereo.
     */
    public static boolean isStereo(final String spropStereo, final String stereo)
    {
        return "1".equals(spropStereo != null ? spropStereo.trim() : stereo != null ? stereo.trim() : null);
    }
}
