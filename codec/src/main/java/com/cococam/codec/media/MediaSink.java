package com.cococam.codec.media;

import io.netty.buffer.ByteBuf;

/**
 * Where a publisher's decoded media goes: the boundary between a protocol and the stream hub.
 *
 * <p>Thread safety: a sink is called by one thread at a time (the publisher's event loop).
 *
 * <p>Buffer ownership: the payload stays owned by the caller; a sink that keeps it past the call
 * must {@code retain()} it (or take a retained slice). The sink never modifies the payload's indexes.
 */
public interface MediaSink
{
    /**
     * A track was announced or its format changed (a new sequence header). Called before the first access unit
     * of that track, and again on every change.
     *
     * @param format the new format.
     */
    void onFormat(TrackFormat format);

    /**
     * One access unit of one track.
     *
     * @param trackId  {@link TrackFormat#trackId()} of a track already announced with {@link #onFormat}.
     * @param dts      decode timestamp, 90 kHz, 64-bit (already unwrapped).
     * @param pts      presentation timestamp, 90 kHz; equal to dts when there are no B-frames.
     * @param flags    {@link FrameFlags}.
     * @param payload  the access unit, in the convention of {@link AccessUnitPayloads}.
     */
    void onAccessUnit(int trackId, long dts, long pts, int flags, ByteBuf payload);

    /**
     * The publisher is gone (closed, unpublished or refused later). No call follows.
     */
    void onClose();
}
