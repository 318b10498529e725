package com.cococam.codec.media;

import java.util.Arrays;
import java.util.Objects;

/**
 * Immutable description of one track: codec, geometry or sampling, and the decoder configuration record.
 *
 * <p>A new instance is made whenever the publisher sends a new sequence header; consumers compare by
 * {@link #equals(Object)} to detect a change of format (which forces a new init segment and a discontinuity).
 *
 * <p>Thread safety: immutable; the config array is never exposed for writing (callers must not modify it).
 *
 * @param trackId        small integer unique within a stream: {@link #VIDEO_TRACK} or {@link #AUDIO_TRACK}.
 * @param codec          the codec.
 * @param width          luma width in pixels for video, 0 for audio.
 * @param height         luma height in pixels for video, 0 for audio.
 * @param sampleRate     samples per second for audio, 0 for video.
 * @param channels       channel count for audio, 0 for video.
 * @param decoderConfig  AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord or AudioSpecificConfig bytes.
 * @param codecsString   the RFC 6381 codecs parameter, e.g. {@code avc1.64001f} or {@code mp4a.40.2}.
 */
public record TrackFormat(
    int trackId,
    CodecId codec,
    int width,
    int height,
    int sampleRate,
    int channels,
    byte[] decoderConfig,
    String codecsString)
{
    /**
     * Track id used for the video track of a stream.
     */
    public static final int VIDEO_TRACK = 0;

    /**
     * Track id used for the audio track of a stream.
     */
    public static final int AUDIO_TRACK = 1;

    /**
     * Validates and stores the fields.
     */
    public TrackFormat
    {
        Objects.requireNonNull(codec, "codec");
        Objects.requireNonNull(decoderConfig, "decoderConfig");
        Objects.requireNonNull(codecsString, "codecsString");
    }

    /**
     * @return audio or video.
     */
    public MediaType mediaType()
    {
        return codec.mediaType();
    }

    /**
     * @return whether this is a video track.
     */
    public boolean isVideo()
    {
        return codec.mediaType() == MediaType.VIDEO;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }

        if (!(o instanceof TrackFormat other))
        {
            return false;
        }

        return trackId == other.trackId && codec == other.codec && width == other.width &&
            height == other.height && sampleRate == other.sampleRate && channels == other.channels &&
            Arrays.equals(decoderConfig, other.decoderConfig) && codecsString.equals(other.codecsString);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(trackId, codec, width, height, sampleRate, channels, codecsString) * 31 +
            Arrays.hashCode(decoderConfig);
    }

    @Override
    public String toString()
    {
        return "TrackFormat{track=" + trackId + ", " + codecsString +
            (isVideo() ? ", " + width + "x" + height : ", " + sampleRate + "Hz x" + channels) + "}";
    }
}
