package com.cococam.codec.flv;

/**
 * Outcome of {@link FlvTagParser} for one tag body. Every value but the first four is a reason why nothing was
 * delivered to the sink.
 */
public enum FlvParseResult
{
    /**
     * An access unit went to {@link com.cococam.codec.media.MediaSink#onAccessUnit}.
     */
    ACCESS_UNIT,

    /**
     * A sequence header was read; {@link com.cococam.codec.media.MediaSink#onFormat} was called if the format
     * differs from the current one.
     */
    SEQUENCE_HEADER,

    /**
     * A video end-of-sequence marker; nothing delivered.
     */
    END_OF_SEQUENCE,

    /**
     * A body that carries nothing for the sink, by design: script data, empty bodies, video info/command frames,
     * Enhanced RTMP metadata and multichannel-config packets.
     */
    IGNORED,

    /**
     * A codec we do not carry (MP3, linear PCM, Speex, Nellymoser, stereo G.711, VP6, AV1, VP9, Opus, ...): skipped.
     */
    UNSUPPORTED_CODEC,

    /**
     * A packet type we do not know or do not handle (Enhanced RTMP multitrack, ModEx, MPEG-2 TS sequence start).
     */
    UNSUPPORTED_PACKET_TYPE,

    /**
     * The body is too short for the header its first bytes announce.
     */
    TRUNCATED,

    /**
     * The sequence header's decoder configuration does not parse.
     */
    BAD_CONFIG,

    /**
     * The coded frame's NAL unit lengths do not match the body.
     */
    BAD_PAYLOAD,

    /**
     * A coded frame arrived before any sequence header of its codec.
     */
    NO_SEQUENCE_HEADER;

    /**
     * @return whether the body was malformed or arrived out of order (as opposed to delivered, ignored by design
     * or unsupported).
     */
    public boolean isError()
    {
        return this == TRUNCATED || this == BAD_CONFIG || this == BAD_PAYLOAD || this == NO_SEQUENCE_HEADER;
    }
}
