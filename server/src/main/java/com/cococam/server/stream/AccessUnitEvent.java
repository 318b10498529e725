package com.cococam.server.stream;

import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;

/**
 * One slot of a stream's ring: one access unit of one track.
 *
 * <p>Ownership: the producer stores {@link #payload} with one reference per consumer group; each group releases
 * its reference after its consumers ran, so the field of an already consumed slot is stale until reused. A
 * consumer that keeps the payload past its {@code onEvent} call retains its own reference (or a retained slice).
 *
 * <p>Thread safety: written by the producer before publication, read by consumers after it; never written by a
 * consumer.
 */
public final class AccessUnitEvent
{
    /** {@link TrackFormat#trackId()} of the track; -1 for an end-of-stream marker. */
    public int trackId;

    /** {@link com.cococam.codec.media.FrameFlags}. */
    public int flags;

    /** Decode timestamp, 90 kHz, on the stream's continuous timeline. */
    public long dts;

    /** Presentation timestamp, 90 kHz. */
    public long pts;

    /** Wall-clock time of arrival, epoch milliseconds. */
    public long wallClockMs;

    /** {@link System#nanoTime()} at arrival, for ingest-to-send latency. */
    public long ingestNanos;

    /** Format of the track this unit belongs to; the same instance until the format changes; null for a marker. */
    public TrackFormat format;

    /** The access unit, see {@link com.cococam.codec.media.AccessUnitPayloads}; null in a never-used slot. */
    public ByteBuf payload;

    /**
     * @return payload size in bytes, 0 if none.
     */
    public int size()
    {
        return payload == null ? 0 : payload.readableBytes();
    }
}
