package com.cococam.codec.aac;

import com.cococam.codec.h264.BitReader;
import com.cococam.codec.h264.BitstreamException;

import java.util.Arrays;
import java.util.Objects;

/**
 * The MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the AAC decoder configuration.
 *
 * <pre>
 *   audioObjectType         5 bits (31: escape, then 6 bits + 32)
 *   samplingFrequencyIndex  4 bits (15: explicit, then 24-bit rate)
 *   channelConfiguration    4 bits
 *   ... object type specific (GASpecificConfig, SBR/PS extension)
 * </pre>
 *
 * <p>Only the leading fields are decoded. For explicit HE-AAC signalling (object type 5 or 29 first) the fields
 * hold the signalled object type (5 or 29) and the core sampling rate; {@link #codecsString()} follows the
 * signalled object type, as RFC 6381 asks.
 *
 * <p>Thread safety: immutable as long as nobody writes into {@link #raw()}; the array is shared, not copied, by
 * the accessor (callers must not modify it). Equality compares the raw bytes.
 *
 * @param objectType             audioObjectType (2 = AAC LC).
 * @param samplingFrequencyIndex index into the sampling frequency table, 15 when the rate is explicit.
 * @param sampleRate             samples per second.
 * @param channelConfiguration   channelConfiguration, 0 (defined in-band by a PCE) to 15.
 * @param raw                    the encoded bytes.
 */
public record AudioSpecificConfig(
    int objectType,
    int samplingFrequencyIndex,
    int sampleRate,
    int channelConfiguration,
    byte[] raw)
{
    /**
     * AAC Main.
     */
    public static final int AOT_AAC_MAIN = 1;

    /**
     * AAC Low Complexity.
     */
    public static final int AOT_AAC_LC = 2;

    /**
     * Spectral band replication (HE-AAC).
     */
    public static final int AOT_SBR = 5;

    /**
     * Parametric stereo (HE-AAC v2).
     */
    public static final int AOT_PS = 29;

    /**
     * Index value meaning "the 24-bit rate follows".
     */
    public static final int EXPLICIT_RATE_INDEX = 15;

    private static final int[] SAMPLE_RATES =
    {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
    };

    private static final int[] CHANNEL_COUNTS =
    {
        0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0
    };

    /**
     * Validates and stores the fields.
     */
    public AudioSpecificConfig
    {
        Objects.requireNonNull(raw, "raw");
    }

    /**
     * Parses an AudioSpecificConfig.
     *
     * @param asc the encoded bytes; copied.
     * @return the config.
     * @throws IllegalArgumentException ({@link BitstreamException}) if truncated, the object type is 0, or the
     *                                  sampling frequency index is reserved.
     */
    public static AudioSpecificConfig parse(final byte[] asc)
    {
        Objects.requireNonNull(asc, "asc");
        final BitReader reader = new BitReader(asc, 0, asc.length);
        final int objectType = readObjectType(reader);
        final int index = reader.readBits(4);
        final int sampleRate = readSampleRate(reader, index);
        final int channelConfiguration = reader.readBits(4);
        if (objectType == AOT_SBR || objectType == AOT_PS)
        {
            final int extensionIndex = reader.readBits(4);
            readSampleRate(reader, extensionIndex);
            if (readObjectType(reader) == 22)
            {
                reader.readBits(4);
            }
        }

        return new AudioSpecificConfig(objectType, index, sampleRate, channelConfiguration, asc.clone());
    }

    /**
     * Builds the two-byte (or five-byte, for a rate not in the table) config of a plain AAC stream:
     * no SBR/PS, 1024-sample frames, no core coder, no extension.
     *
     * @param objectType audio object type, 1 to 30 (2 for AAC LC).
     * @param sampleRate samples per second, 1 to 2^24 - 1; a table rate uses its index.
     * @param channels   channel count: 1 to 6, or 8 (configuration 7).
     * @return the config with its raw bytes.
     * @throws IllegalArgumentException if an argument is out of range.
     */
    public static AudioSpecificConfig of(final int objectType, final int sampleRate, final int channels)
    {
        if (objectType < 1 || objectType > 30)
        {
            throw new IllegalArgumentException("aac object type: objectType=" + objectType);
        }

        if (sampleRate < 1 || sampleRate > 0xFF_FFFF)
        {
            throw new IllegalArgumentException("aac sample rate: sampleRate=" + sampleRate);
        }

        final int channelConfiguration = channelConfigurationOf(channels);
        final int index = samplingFrequencyIndexOf(sampleRate);
        final long bits;
        final int bitCount;
        if (index >= 0)
        {
            bits = ((long)objectType << 11) | ((long)index << 7) | ((long)channelConfiguration << 3);
            bitCount = 16;
        }
        else
        {
            bits = ((long)objectType << 35) | ((long)EXPLICIT_RATE_INDEX << 31) | ((long)sampleRate << 7) |
                ((long)channelConfiguration << 3);
            bitCount = 40;
        }

        final byte[] raw = new byte[bitCount / 8];
        for (int i = 0; i < raw.length; i++)
        {
            raw[i] = (byte)(bits >>> (bitCount - 8 * (i + 1)));
        }

        return new AudioSpecificConfig(objectType, index >= 0 ? index : EXPLICIT_RATE_INDEX, sampleRate,
            channelConfiguration, raw);
    }

    /**
     * @param index a samplingFrequencyIndex.
     * @return its rate in Hz, or -1 if reserved or explicit (13 to 15) or out of range.
     */
    public static int sampleRateOf(final int index)
    {
        return index >= 0 && index < SAMPLE_RATES.length ? SAMPLE_RATES[index] : -1;
    }

    /**
     * @param sampleRate a rate in Hz.
     * @return its samplingFrequencyIndex, or -1 if the rate is not in the table.
     */
    public static int samplingFrequencyIndexOf(final int sampleRate)
    {
        for (int i = 0; i < SAMPLE_RATES.length; i++)
        {
            if (SAMPLE_RATES[i] == sampleRate)
            {
                return i;
            }
        }

        return -1;
    }

    /**
     * @param channelConfiguration a channelConfiguration value.
     * @return the number of channels it stands for, or 0 when unknown (0: from a PCE; reserved values).
     */
    public static int channelCountOf(final int channelConfiguration)
    {
        return channelConfiguration >= 0 && channelConfiguration < CHANNEL_COUNTS.length ?
            CHANNEL_COUNTS[channelConfiguration] : 0;
    }

    /**
     * @param channels a channel count.
     * @return the channelConfiguration for it: 1 to 6 map to themselves, 8 maps to 7.
     * @throws IllegalArgumentException for other counts.
     */
    public static int channelConfigurationOf(final int channels)
    {
        if (channels >= 1 && channels <= 6)
        {
            return channels;
        }

        if (channels == 8)
        {
            return 7;
        }

        throw new IllegalArgumentException("aac channels: channels=" + channels);
    }

    /**
     * @return the channel count implied by {@link #channelConfiguration()}, 0 when unknown.
     */
    public int channelCount()
    {
        return channelCountOf(channelConfiguration);
    }

    /**
     * @return the RFC 6381 codecs parameter, {@code mp4a.40.<objectType>}.
     */
    public String codecsString()
    {
        return "mp4a.40." + objectType;
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o || o instanceof AudioSpecificConfig other && objectType == other.objectType &&
            samplingFrequencyIndex == other.samplingFrequencyIndex && sampleRate == other.sampleRate &&
            channelConfiguration == other.channelConfiguration && Arrays.equals(raw, other.raw);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(objectType, samplingFrequencyIndex, sampleRate, channelConfiguration) * 31 +
            Arrays.hashCode(raw);
    }

    @Override
    public String toString()
    {
        return "AudioSpecificConfig{" + codecsString() + ", " + sampleRate + "Hz, channelConfiguration=" +
            channelConfiguration + "}";
    }

    private static int readObjectType(final BitReader reader)
    {
        final int objectType = reader.readBits(5);
        if (objectType == 0)
        {
            throw new BitstreamException("aac object type: objectType=0");
        }

        return objectType == 31 ? 32 + reader.readBits(6) : objectType;
    }

    private static int readSampleRate(final BitReader reader, final int index)
    {
        if (index == EXPLICIT_RATE_INDEX)
        {
            final int rate = reader.readBits(24);
            if (rate == 0)
            {
                throw new BitstreamException("aac sample rate: sampleRate=0");
            }

            return rate;
        }

        final int rate = sampleRateOf(index);
        if (rate < 0)
        {
            throw new BitstreamException("aac sampling frequency index: index=" + index);
        }

        return rate;
    }
}
