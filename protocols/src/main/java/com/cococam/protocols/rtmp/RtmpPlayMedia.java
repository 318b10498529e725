package com.cococam.protocols.rtmp;

import com.cococam.protocols.rtmp.amf.Amf0Encoder;
import com.cococam.protocols.rtmp.amf.AmfEcmaArray;
import com.cococam.protocols.rtmp.chunk.RtmpChunkWriter;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Map;

/**
 * Pre-encoded play media: the server builds each frame's chunks ONCE and writes
 * {@code retainedDuplicate()}s to every player's {@link RtmpConnection#channel()}.
 *
 * <p>Fixed chunk stream ids: audio {@value #AUDIO_CHUNK_STREAM_ID}, video {@value #VIDEO_CHUNK_STREAM_ID}, data
 * (onMetaData) {@value #DATA_CHUNK_STREAM_ID}; the session's own encoder refuses them, so compressed headers it
 * writes never depend on these streams. Every pre-encoded message starts with a type-0 header, so it is valid for
 * any player whatever it received before. Message stream id {@value #PLAY_MESSAGE_STREAM_ID} (what createStream
 * returns).
 *
 * <p>Note: encode with {@link RtmpConnection#outgoingChunkSize()}; all connections of one pipeline configuration
 * share it ({@link RtmpLimits#outgoingChunkSize()}).
 *
 * <p>Thread safety: stateless, any thread. Buffer ownership: bodies are read, not moved nor released; the caller
 * owns the returned buffer (one pooled allocation of the exact size).
 */
public final class RtmpPlayMedia
{
    /** Chunk stream of pre-encoded audio. */
    public static final int AUDIO_CHUNK_STREAM_ID = 4;
    /** Chunk stream of pre-encoded video. */
    public static final int VIDEO_CHUNK_STREAM_ID = 6;
    /** Chunk stream of pre-encoded data messages (onMetaData). */
    public static final int DATA_CHUNK_STREAM_ID = 7;
    /** Message stream id of play media. */
    public static final int PLAY_MESSAGE_STREAM_ID = 1;

    private RtmpPlayMedia()
    {
    }

    /**
     * @return the chunk stream ids reserved for pre-encoded media.
     */
    public static int[] reservedChunkStreamIds()
    {
        return new int[] {AUDIO_CHUNK_STREAM_ID, VIDEO_CHUNK_STREAM_ID, DATA_CHUNK_STREAM_ID};
    }

    /**
     * @param alloc         allocator.
     * @param chunkSize     our outgoing chunk size.
     * @param timestamp32Ms timestamp, milliseconds, low 32 bits used.
     * @param flvVideoTagBody FLV video tag body.
     * @return the chunks of one video message.
     */
    public static ByteBuf encodeVideo(
        final ByteBufAllocator alloc,
        final int chunkSize,
        final long timestamp32Ms,
        final ByteBuf flvVideoTagBody)
    {
        return RtmpChunkWriter.preEncode(alloc, chunkSize, VIDEO_CHUNK_STREAM_ID, PLAY_MESSAGE_STREAM_ID,
            RtmpMessageTypes.VIDEO, timestamp32Ms, flvVideoTagBody);
    }

    /**
     * @param alloc         allocator.
     * @param chunkSize     our outgoing chunk size.
     * @param timestamp32Ms timestamp, milliseconds, low 32 bits used.
     * @param flvAudioTagBody FLV audio tag body.
     * @return the chunks of one audio message.
     */
    public static ByteBuf encodeAudio(
        final ByteBufAllocator alloc,
        final int chunkSize,
        final long timestamp32Ms,
        final ByteBuf flvAudioTagBody)
    {
        return RtmpChunkWriter.preEncode(alloc, chunkSize, AUDIO_CHUNK_STREAM_ID, PLAY_MESSAGE_STREAM_ID,
            RtmpMessageTypes.AUDIO, timestamp32Ms, flvAudioTagBody);
    }

    /**
     * Builds the {@code onMetaData} data message players expect before media: AMF0 string "onMetaData" then the
     * metadata as an ECMA array.
     *
     * @param alloc         allocator.
     * @param chunkSize     our outgoing chunk size.
     * @param timestamp32Ms timestamp, normally 0.
     * @param metadata      e.g. width, height, framerate, videocodecid, audiocodecid; values as
     *                      {@link Amf0Encoder} maps them.
     * @return the chunks of one data message.
     * @throws IllegalArgumentException when a value has no AMF0 mapping.
     */
    public static ByteBuf encodeMetadata(
        final ByteBufAllocator alloc,
        final int chunkSize,
        final long timestamp32Ms,
        final Map<String, Object> metadata)
    {
        final ByteBuf body = alloc.buffer(256);
        try
        {
            Amf0Encoder.writeString(body, "onMetaData");
            Amf0Encoder.writeValue(body, new AmfEcmaArray(metadata));
            return RtmpChunkWriter.preEncode(alloc, chunkSize, DATA_CHUNK_STREAM_ID, PLAY_MESSAGE_STREAM_ID,
                RtmpMessageTypes.DATA_AMF0, timestamp32Ms, body);
        }
        finally
        {
            body.release();
        }
    }
}
