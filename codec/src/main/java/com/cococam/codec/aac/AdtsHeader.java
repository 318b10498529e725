package com.cococam.codec.aac;

/**
 * One decoded ADTS frame header (ISO/IEC 13818-7 6.2, ISO/IEC 14496-3 1.A.2).
 *
 * <p>Thread safety: immutable.
 *
 * @param profileObjectType      the MPEG-4 audio object type, profile + 1 (2 = AAC LC).
 * @param sampleRate             samples per second, from the index.
 * @param samplingFrequencyIndex the 4-bit index, 0 to 12.
 * @param channels               channel_configuration, 0 to 7 (0: defined in-band by a PCE).
 * @param frameLength            whole frame length in bytes, header included.
 * @param headerLength           7, or 9 with a CRC.
 * @param crcPresent             whether a CRC follows the fixed and variable header.
 */
public record AdtsHeader(
    int profileObjectType,
    int sampleRate,
    int samplingFrequencyIndex,
    int channels,
    int frameLength,
    int headerLength,
    boolean crcPresent)
{
    /**
     * @return length of the raw frame that follows the header, in bytes (never negative for a parsed header).
     */
    public int payloadLength()
    {
        return frameLength - headerLength;
    }

    /**
     * Allocates a new config each call.
     *
     * @return the AudioSpecificConfig an MP4/RTP consumer needs for this stream.
     */
    public AudioSpecificConfig toAudioSpecificConfig()
    {
        final int bits = (profileObjectType << 11) | (samplingFrequencyIndex << 7) | (channels << 3);
        return new AudioSpecificConfig(profileObjectType, samplingFrequencyIndex, sampleRate, channels,
            new byte[] {(byte)(bits >>> 8), (byte)bits});
    }
}
