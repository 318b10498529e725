package com.cococam.codec.media;

/**
 * Codecs the server knows how to carry. Payload conventions per codec are those of
 * {@link AccessUnitPayloads}.
 */
public enum CodecId
{
    H264(MediaType.VIDEO),
    H265(MediaType.VIDEO),
    AAC(MediaType.AUDIO),
    /** G.711 A-law, 8 kHz: one access unit is one RTP packet's samples. No decoder config. */
    G711A(MediaType.AUDIO),
    /** G.711 mu-law, 8 kHz. No decoder config. */
    G711U(MediaType.AUDIO),
    /** Opus (RFC 7587), 48 kHz clock: one access unit is one Opus packet. No decoder config. */
    OPUS(MediaType.AUDIO),
    /** Motion JPEG: one access unit is one complete JPEG image. No decoder config. */
    MJPEG(MediaType.VIDEO);

    private final MediaType mediaType;

    CodecId(final MediaType mediaType)
    {
        this.mediaType = mediaType;
    }

    /**
     * @return whether HLS (fMP4 or MPEG-TS) can carry this codec as it is (H.264, H.265, AAC). The others are
     * passed through to RTSP and recorded; G.711 is transcoded to AAC for HLS
     * ({@code com.cococam.codec.transcode.G711AacTranscoder}), Opus and MJPEG are left out of HLS. FLV/RTMP also
     * carries G.711: see {@code com.cococam.codec.flv.FlvTagWriter#canWrite}.
     */
    public boolean isHlsCompatible()
    {
        return this == H264 || this == H265 || this == AAC;
    }

    /**
     * @return whether this codec is audio or video.
     */
    public MediaType mediaType()
    {
        return mediaType;
    }
}
