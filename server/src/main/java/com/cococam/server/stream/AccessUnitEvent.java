package com.cococam.server.stream;

import com.cococam.codec.media.TrackFormat;
import com.lmax.disruptor.RingBuffer;
import io.netty.buffer.ByteBuf;

/**
 * One slot of a stream's ring: one access unit of one track.
 *
 * <p>Ownership: the producer stores the {@link #payload()} with one reference per consumer group; each group releases
 * its reference after its consumers ran, so the payload of an already consumed slot is stale until reused. A
 * consumer that keeps the payload past its {@code onEvent} call retains its own reference (or a retained slice).
 *
 * <p>Layout: the slots of a ring ({@link #newRing}) keep their references (payload, format) side by side in two
 * arrays of the ring, not in the slot objects. The slots live for the server's life, so the collector has promoted
 * them to the old generation, and each reference stored into an old object marks its 512-byte card for the next
 * young pause to scan. A 64-byte slot per card meant every publish marked a new card: 100 streams' rings of 4,096
 * slots left about 50,000 cards (25 MB) to scan at each young pause, about half of the pause's 15-28 ms. In an
 * array 128 references share a card, so a ring marks at most 64. The fields left in the slot are primitives.
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

    /** Where the references live: the ring's shared arrays, or one-element arrays of this event's own. */
    private final ByteBuf[] payloads;
    private final TrackFormat[] formats;
    private final int index;

    /**
     * An event outside any ring (copies, scratch events), holding its references itself.
     */
    public AccessUnitEvent()
    {
        this(new ByteBuf[1], new TrackFormat[1], 0);
    }

    private AccessUnitEvent(final ByteBuf[] payloads, final TrackFormat[] formats, final int index)
    {
        this.payloads = payloads;
        this.formats = formats;
        this.index = index;
    }

    /**
     * A multi-producer ring whose slots keep their references in shared arrays (see the class comment).
     *
     * @param size slots, a power of two.
     * @return the ring.
     */
    public static RingBuffer<AccessUnitEvent> newRing(final int size)
    {
        final ByteBuf[] payloads = new ByteBuf[size];
        final TrackFormat[] formats = new TrackFormat[size];
        final int[] next = new int[1];
        // The factory runs once per slot while the ring is built, on this thread.
        return RingBuffer.createMultiProducer(() -> new AccessUnitEvent(payloads, formats, next[0]++), size);
    }

    /**
     * @return format of the track this unit belongs to (the same instance until the format changes); null for an
     *         end-of-stream marker or a never-used slot.
     */
    public TrackFormat format()
    {
        return formats[index];
    }

    /**
     * Stores the unit's format (producer only, before publication).
     *
     * @param format the format, or null for a marker.
     */
    public void format(final TrackFormat format)
    {
        formats[index] = format;
    }

    /**
     * @return the access unit, see {@link com.cococam.codec.media.AccessUnitPayloads}; null in a never-used slot.
     */
    public ByteBuf payload()
    {
        return payloads[index];
    }

    /**
     * Stores the access unit (producer only, before publication).
     *
     * @param payload the payload, or null.
     */
    public void payload(final ByteBuf payload)
    {
        payloads[index] = payload;
    }

    /**
     * @return payload size in bytes, 0 if none.
     */
    public int size()
    {
        final ByteBuf payload = payloads[index];
        return payload == null ? 0 : payload.readableBytes();
    }
}
