package com.cococam.codec.media;

/**
 * Codecs the server knows how to carry. Payload conventions per codec are those of
 * {@link AccessUnitPayloads}.
 */
public enum CodecId
{
    H264(MediaType.VIDEO),
    H265(MediaType.VIDEO),
    AAC(MediaType.AUDIO);

    private final MediaType mediaType;

    CodecId(final MediaType mediaType)
    {
        this.mediaType = mediaType;
    }

    /**
     * @return whether this codec is audio or video.
     */
    public MediaType mediaType()
    {
        return mediaType;
    }
}
