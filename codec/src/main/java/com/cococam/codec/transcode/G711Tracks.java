package com.cococam.codec.transcode;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;

/**
 * The {@link TrackFormat} of a G.711 track, the same for every source (FLV/RTMP, RTP), so that formats compare
 * equal across protocols.
 *
 * <p>G.711 has no decoder configuration and no RFC 6381 codecs value; {@link TrackFormat#codecsString()} holds a
 * documented placeholder instead: the ISO BMFF / QuickTime sample entry code of the law, {@code alaw} or
 * {@code ulaw}. It is never written into an HLS playlist (HLS carries the transcoded AAC track).
 *
 * <p>Thread safety: stateless; the two formats are shared immutable instances.
 */
public final class G711Tracks
{
    /** Placeholder codecs value of an A-law track. */
    public static final String CODECS_ALAW = "alaw";

    /** Placeholder codecs value of a mu-law track. */
    public static final String CODECS_ULAW = "ulaw";

    private static final TrackFormat ALAW = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711A, 0, 0,
        G711AacTranscoder.SAMPLE_RATE, 1, new byte[0], CODECS_ALAW);
    private static final TrackFormat ULAW = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711U, 0, 0,
        G711AacTranscoder.SAMPLE_RATE, 1, new byte[0], CODECS_ULAW);

    private G711Tracks()
    {
    }

    /**
     * @param codec {@link CodecId#G711A} or {@link CodecId#G711U}.
     * @return the track on {@link TrackFormat#AUDIO_TRACK}: 8000 Hz, 1 channel, empty decoder config.
     * @throws IllegalArgumentException if the codec is not G.711.
     */
    public static TrackFormat format(final CodecId codec)
    {
        if (codec == CodecId.G711A)
        {
            return ALAW;
        }

        if (codec == CodecId.G711U)
        {
            return ULAW;
        }

        throw new IllegalArgumentException("not G.711: " + codec);
    }
}
