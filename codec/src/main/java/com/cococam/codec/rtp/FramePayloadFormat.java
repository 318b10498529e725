package com.cococam.codec.rtp;

/**
 * Audio payload formats where one RTP packet carries one access unit as is.
 *
 * <p>Note: {@link com.cococam.codec.media.CodecId} has no constants for these codecs yet, so their depacketizers
 * report no {@link com.cococam.codec.media.TrackFormat}; this enum names them meanwhile.
 */
public enum FramePayloadFormat
{
    /**
     * G.711 A-law (RFC 3551 4.5.14): 8 kHz, one byte per sample, static payload type 8.
     */
    PCMA(8000, 8, true),

    /**
     * G.711 mu-law (RFC 3551 4.5.14): 8 kHz, one byte per sample, static payload type 0.
     */
    PCMU(8000, 0, true),

    /**
     * Opus (RFC 7587): RTP clock 48 kHz whatever the coded rate, one Opus packet per RTP packet, dynamic type.
     */
    OPUS(48000, -1, false);

    private final int clockRate;
    private final int staticPayloadType;
    private final boolean sampleBytes;

    FramePayloadFormat(final int clockRate, final int staticPayloadType, final boolean sampleBytes)
    {
        this.clockRate = clockRate;
        this.staticPayloadType = staticPayloadType;
        this.sampleBytes = sampleBytes;
    }

    /**
     * @return the RTP clock rate in Hz.
     */
    public int clockRate()
    {
        return clockRate;
    }

    /**
     * @return the RFC 3551 static payload type, or -1 for a dynamic one.
     */
    public int staticPayloadType()
    {
        return staticPayloadType;
    }

    /**
     * @return whether each payload byte is one sample (so a frame may be split at any byte, the timestamp
     *         advancing by one per byte).
     */
    public boolean sampleBytes()
    {
        return sampleBytes;
    }
}
