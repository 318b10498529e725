package com.cococam.server.stream;

/**
 * A consumer of a stream's ring, run on a worker thread.
 *
 * <p>Contract: {@link #onEvent} must return quickly and never block (no I/O waits, no locks held by other
 * threads for long): the ring's producer never waits, so a slow consumer costs frames for every consumer of the
 * stream. Work that can be slow is handed to its own bounded queue.
 */
public interface StreamConsumer
{
    /**
     * One access unit, in ring order.
     *
     * @param stream the stream.
     * @param event  the slot; valid only during the call.
     * @param nowNs  the worker's clock for this duty cycle ({@link System#nanoTime()}).
     */
    void onEvent(LiveStream stream, AccessUnitEvent event, long nowNs);

    /**
     * Whether the publish of this unit should wake this consumer's worker at once. By default it does not: the
     * worker takes the unit when its park ends ({@link StreamHub}: at most 20 ms for a live worker, 10 ms for the
     * recorder), which saves a context switch per unit. A consumer whose output waits on some units says true for
     * them (the HLS packager for video keyframes, where it may close a segment).
     *
     * @param trackId the unit's track.
     * @param flags   the unit's {@link com.cococam.codec.media.FrameFlags}.
     * @return true to be woken now. Called on the publisher's thread: quick, no allocation.
     */
    default boolean wakeOnPublish(final int trackId, final int flags)
    {
        return false;
    }

    /**
     * Periodic work on the worker thread when the stream has no new events (timeouts, housekeeping).
     *
     * @param stream the stream.
     * @param nowNs  the worker's clock.
     * @return amount of work done.
     */
    default int onIdle(final LiveStream stream, final long nowNs)
    {
        return 0;
    }

    /**
     * The stream is being removed; release everything held. Called on the worker thread.
     *
     * @param stream the stream.
     */
    default void onStreamClosed(final LiveStream stream)
    {
    }
}
