package com.cococam.protocols.rtmp;

import io.netty.buffer.ByteBuf;

import java.util.Map;

/**
 * What the server does with one accepted publish. Called on the connection's event loop, in wire order.
 *
 * <p>Buffer ownership: the bodies passed to {@link #onVideo} and {@link #onAudio} belong to the session, which
 * releases them when the call returns; retain (or copy) to keep one. Their reader index may be moved.
 */
public interface RtmpPublishHandle
{
    /**
     * Metadata from {@code @setDataFrame("onMetaData", {...})} or a bare {@code onMetaData} data message.
     *
     * @param metadata decoded AMF (an ordered map); owned by the callee afterwards.
     */
    void onMetadata(Map<String, Object> metadata);

    /**
     * @param timestamp32Ms message timestamp, 32-bit milliseconds as on the wire (unwrap downstream).
     * @param flvVideoTagBody FLV video tag body (frame type/codec byte, AVC packet type, composition time, data).
     */
    void onVideo(long timestamp32Ms, ByteBuf flvVideoTagBody);

    /**
     * @param timestamp32Ms message timestamp, 32-bit milliseconds.
     * @param flvAudioTagBody FLV audio tag body (sound format byte, AAC packet type, data).
     */
    void onAudio(long timestamp32Ms, ByteBuf flvAudioTagBody);

    /**
     * The publish ended: FCUnpublish, deleteStream, closeStream, or the connection closed. Called at most once.
     */
    void onUnpublish();
}
