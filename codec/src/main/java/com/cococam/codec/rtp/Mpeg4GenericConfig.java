package com.cococam.codec.rtp;

import java.util.Map;

/**
 * The SDP format parameters of an RFC 3640 {@code mpeg4-generic} stream that shape its payload: the lengths of
 * the AU header fields and the decoder config.
 *
 * <pre>
 *   payload:   | AU-headers-length (16 bits, in bits) | AU-header ... | padding to a byte |
 *              | auxiliary section (if auxiliaryDataSizeLength) | AU | AU | ... or one AU fragment |
 *   AU-header: | AU-size (sizeLength) | AU-Index or AU-Index-delta (indexLength / indexDeltaLength) |
 *              | [CTS-flag, CTS-delta] | [DTS-flag, DTS-delta] | [RAP-flag] | [stream-state] |
 * </pre>
 *
 * <p>AAC-hbr is sizeLength 13, indexLength 3, indexDeltaLength 3; AAC-lbr is 6, 2, 2. Any values from 0 to 32
 * are accepted.
 *
 * @param mode                     the {@code mode} parameter (e.g. {@code AAC-hbr}), empty if absent.
 * @param sizeLength               bits of AU-size, 0 to 32 (0: {@code constantSize} gives the size).
 * @param indexLength              bits of AU-Index, 0 to 32.
 * @param indexDeltaLength         bits of AU-Index-delta, 0 to 32.
 * @param ctsDeltaLength           bits of CTS-delta, 0 to 32 (0: no CTS-flag).
 * @param dtsDeltaLength           bits of DTS-delta, 0 to 32 (0: no DTS-flag).
 * @param randomAccessIndication   whether each AU header has a RAP-flag.
 * @param streamStateIndication    bits of stream-state, 0 to 32.
 * @param auxiliaryDataSizeLength  bits of auxiliary-data-size, 0 to 32 (0: no auxiliary section).
 * @param constantSize             size of every AU when sizeLength is 0, else 0.
 * @param constantDuration         RTP ticks per AU, or 0 for the AAC default of 1024.
 * @param config                   the decoder config (AudioSpecificConfig for audio), possibly empty.
 */
public record Mpeg4GenericConfig(
    String mode,
    int sizeLength,
    int indexLength,
    int indexDeltaLength,
    int ctsDeltaLength,
    int dtsDeltaLength,
    boolean randomAccessIndication,
    int streamStateIndication,
    int auxiliaryDataSizeLength,
    int constantSize,
    int constantDuration,
    byte[] config)
{
    /**
     * AAC frame duration in samples used when {@code constantDuration} is absent.
     */
    public static final int AAC_FRAME_SAMPLES = 1024;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException if a length is outside 0 to 32, or there is neither a sizeLength nor a
     *                                  constantSize.
     */
    public Mpeg4GenericConfig
    {
        checkBits("sizelength", sizeLength);
        checkBits("indexlength", indexLength);
        checkBits("indexdeltalength", indexDeltaLength);
        checkBits("ctsdeltalength", ctsDeltaLength);
        checkBits("dtsdeltalength", dtsDeltaLength);
        checkBits("streamstateindication", streamStateIndication);
        checkBits("auxiliarydatasizelength", auxiliaryDataSizeLength);
        if (sizeLength == 0 && constantSize <= 0)
        {
            throw new IllegalArgumentException("mpeg4-generic: no sizelength nor constantsize");
        }

        if (constantDuration < 0)
        {
            throw new IllegalArgumentException("mpeg4-generic: constantduration=" + constantDuration);
        }

        config = config.clone();
    }

    /**
     * The AAC-hbr configuration this project's packetizer writes.
     *
     * @param audioSpecificConfig the stream's config bytes (copied).
     * @return sizeLength 13, indexLength 3, indexDeltaLength 3.
     */
    public static Mpeg4GenericConfig aacHbr(final byte[] audioSpecificConfig)
    {
        return new Mpeg4GenericConfig("AAC-hbr", 13, 3, 3, 0, 0, false, 0, 0, 0, 0, audioSpecificConfig);
    }

    /**
     * @param fmtp parameters from {@link RtpFmtp#parse} (lower-case keys).
     * @return the configuration; absent lengths are 0.
     * @throws IllegalArgumentException if a value is not a number or out of range, or config is not hex.
     */
    public static Mpeg4GenericConfig fromFmtp(final Map<String, String> fmtp)
    {
        final String config = fmtp.getOrDefault("config", "");
        return new Mpeg4GenericConfig(
            fmtp.getOrDefault("mode", ""),
            RtpFmtp.intParam(fmtp, "sizelength", 0),
            RtpFmtp.intParam(fmtp, "indexlength", 0),
            RtpFmtp.intParam(fmtp, "indexdeltalength", 0),
            RtpFmtp.intParam(fmtp, "ctsdeltalength", 0),
            RtpFmtp.intParam(fmtp, "dtsdeltalength", 0),
            RtpFmtp.intParam(fmtp, "randomaccessindication", 0) != 0,
            RtpFmtp.intParam(fmtp, "streamstateindication", 0),
            RtpFmtp.intParam(fmtp, "auxiliarydatasizelength", 0),
            RtpFmtp.intParam(fmtp, "constantsize", 0),
            RtpFmtp.intParam(fmtp, "constantduration", 0),
            RtpFmtp.hex(config));
    }

    /**
     * @return the decoder config (a copy).
     */
    @Override
    public byte[] config()
    {
        return config.clone();
    }

    /**
     * @return whether every AU header field is zero bits long, in which case the payload has no AU header
     *         section at all (RFC 3640 3.2.1) and each AU is {@code constantSize} bytes.
     */
    public boolean headerless()
    {
        return sizeLength == 0 && indexLength == 0 && indexDeltaLength == 0 && ctsDeltaLength == 0 &&
            dtsDeltaLength == 0 && !randomAccessIndication && streamStateIndication == 0;
    }

    /**
     * @return RTP ticks per AU: {@code constantDuration}, or {@link #AAC_FRAME_SAMPLES}.
     */
    public int frameDuration()
    {
        return constantDuration > 0 ? constantDuration : AAC_FRAME_SAMPLES;
    }

    /**
     * @return the fmtp parameters that describe this configuration for AAC (streamtype 5), e.g.
     *         {@code streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;
     *         indexdeltalength=3;config=1210}.
     */
    public String toFmtp()
    {
        return "streamtype=5;profile-level-id=1;mode=" + (mode.isEmpty() ? "AAC-hbr" : mode) + ";sizelength=" +
            sizeLength + ";indexlength=" + indexLength + ";indexdeltalength=" + indexDeltaLength + ";config=" +
            RtpFmtp.toHex(config);
    }

    @Override
    public boolean equals(final Object o)
    {
        return this == o || o instanceof Mpeg4GenericConfig other && mode.equals(other.mode) &&
            sizeLength == other.sizeLength && indexLength == other.indexLength &&
            indexDeltaLength == other.indexDeltaLength && ctsDeltaLength == other.ctsDeltaLength &&
            dtsDeltaLength == other.dtsDeltaLength && randomAccessIndication == other.randomAccessIndication &&
            streamStateIndication == other.streamStateIndication &&
            auxiliaryDataSizeLength == other.auxiliaryDataSizeLength && constantSize == other.constantSize &&
            constantDuration == other.constantDuration && java.util.Arrays.equals(config, other.config);
    }

    @Override
    public int hashCode()
    {
        return java.util.Objects.hash(mode, sizeLength, indexLength, indexDeltaLength, constantSize) * 31 +
            java.util.Arrays.hashCode(config);
    }

    @Override
    public String toString()
    {
        return "Mpeg4GenericConfig{" + toFmtp() + "}";
    }

    private static void checkBits(final String name, final int bits)
    {
        if (bits < 0 || bits > 32)
        {
            throw new IllegalArgumentException("mpeg4-generic: " + name + "=" + bits);
        }
    }
}
