package com.cococam.codec.media;

import com.cococam.codec.aac.AudioSpecificConfig;
import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h264.BitstreamException;
import com.cococam.codec.h265.HevcDecoderConfigurationRecord;

/**
 * Makes {@link TrackFormat}s from decoder configuration records, filling geometry or sampling from the parameter
 * sets inside and the RFC 6381 codecs parameter.
 *
 * <p>Failure: each factory throws {@link IllegalArgumentException} (in practice its subclass
 * {@link BitstreamException}, with a terse lower-case message) for a malformed record or a first SPS that does
 * not parse. Nothing else escapes for any input byte array.
 *
 * <p>Thread safety: stateless. Allocation: parses and copies; meant for sequence headers, not per access unit.
 * The record array is copied into the format, so the caller may reuse it.
 */
public final class TrackFormats
{
    private TrackFormats()
    {
    }

    /**
     * @param avcDecoderConfigurationRecord an {@code avcC} body.
     * @return an H.264 video format on {@link TrackFormat#VIDEO_TRACK}: size from the first SPS after cropping,
     *         codecs {@code avc1.PPCCLL} from the record's profile, compatibility and level bytes.
     * @throws IllegalArgumentException if the record or its first SPS is malformed.
     */
    public static TrackFormat h264(final byte[] avcDecoderConfigurationRecord)
    {
        final byte[] copy = avcDecoderConfigurationRecord.clone();
        final AvcDecoderConfigurationRecord record = AvcDecoderConfigurationRecord.parse(copy);
        final com.cococam.codec.h264.Sps sps = com.cococam.codec.h264.Sps.parse(record.sps().get(0));
        return new TrackFormat(TrackFormat.VIDEO_TRACK, CodecId.H264, sps.width(), sps.height(), 0, 0, copy,
            record.codecsString());
    }

    /**
     * @param hevcDecoderConfigurationRecord an {@code hvcC} body.
     * @return an H.265 video format on {@link TrackFormat#VIDEO_TRACK}: size from the first SPS after the
     *         conformance window, codecs {@code hvc1.*} (ISO/IEC 14496-15 Annex E) from the record's general
     *         profile, tier and level fields.
     * @throws IllegalArgumentException if the record or its first SPS is malformed.
     */
    public static TrackFormat h265(final byte[] hevcDecoderConfigurationRecord)
    {
        final byte[] copy = hevcDecoderConfigurationRecord.clone();
        final HevcDecoderConfigurationRecord record = HevcDecoderConfigurationRecord.parse(copy);
        final com.cococam.codec.h265.Sps sps = com.cococam.codec.h265.Sps.parse(record.sps().get(0));
        return new TrackFormat(TrackFormat.VIDEO_TRACK, CodecId.H265, sps.width(), sps.height(), 0, 0, copy,
            record.codecsString());
    }

    /**
     * @param audioSpecificConfig an AudioSpecificConfig.
     * @return an AAC audio format on {@link TrackFormat#AUDIO_TRACK}: sample rate and channel count from the
     *         config (channels 0 when the config defers to a program config element), codecs
     *         {@code mp4a.40.<objectType>}.
     * @throws IllegalArgumentException if the config is malformed.
     */
    public static TrackFormat aac(final byte[] audioSpecificConfig)
    {
        final AudioSpecificConfig config = AudioSpecificConfig.parse(audioSpecificConfig);
        return new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.AAC, 0, 0, config.sampleRate(),
            config.channelCount(), config.raw().clone(), config.codecsString());
    }
}
