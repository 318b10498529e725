package com.cococam.server.config;

/**
 * Settings of the stream hub that fans each published stream out to its viewers.
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 *
 * @param ringSize            entries in each stream's ring, see {@link #RING_SIZE_KEY}.
 * @param takeoverIdleMs      idle time before a publisher can be replaced, see {@link #TAKEOVER_IDLE_MS_KEY}.
 * @param subscriberSkipBytes backlog that makes a viewer skip ahead, see {@link #SUBSCRIBER_SKIP_BYTES_KEY}.
 * @param subscriberMaxBytes  backlog that disconnects a viewer, see {@link #SUBSCRIBER_MAX_BYTES_KEY}.
 * @param workers             worker threads, 0 for automatic, see {@link #WORKERS_KEY}.
 */
public record StreamConfig(
    int ringSize,
    int takeoverIdleMs,
    long subscriberSkipBytes,
    long subscriberMaxBytes,
    int workers)
{
    /**
     * Entries in each stream's ring buffer: a power of two, 16..1048576.
     */
    public static final String RING_SIZE_KEY = "stream.ringSize";

    /**
     * Default for {@link #RING_SIZE_KEY}.
     */
    public static final int RING_SIZE_DEFAULT = 4096;

    /**
     * A second publisher on a live path is refused unless the current one has sent nothing for this many
     * milliseconds; then the newcomer takes the path over. 0 lets a newcomer always take over.
     * Range 0..86400000.
     */
    public static final String TAKEOVER_IDLE_MS_KEY = "stream.takeoverIdleMs";

    /**
     * Default for {@link #TAKEOVER_IDLE_MS_KEY}.
     */
    public static final int TAKEOVER_IDLE_MS_DEFAULT = 5000;

    /**
     * Bytes queued for one viewer past which it drops what is queued and resumes at the next keyframe.
     * Range 65536..1073741824 and below {@link #SUBSCRIBER_MAX_BYTES_KEY}.
     */
    public static final String SUBSCRIBER_SKIP_BYTES_KEY = "stream.subscriberSkipBytes";

    /**
     * Default for {@link #SUBSCRIBER_SKIP_BYTES_KEY}: 4 MiB.
     */
    public static final long SUBSCRIBER_SKIP_BYTES_DEFAULT = 4L * 1024 * 1024;

    /**
     * Bytes queued for one viewer past which it is disconnected. Range 65536..1073741824.
     */
    public static final String SUBSCRIBER_MAX_BYTES_KEY = "stream.subscriberMaxBytes";

    /**
     * Default for {@link #SUBSCRIBER_MAX_BYTES_KEY}: 16 MiB.
     */
    public static final long SUBSCRIBER_MAX_BYTES_DEFAULT = 16L * 1024 * 1024;

    /**
     * Worker threads that move media from publishers to viewers, 0..1024; 0 picks one per available core.
     */
    public static final String WORKERS_KEY = "stream.workers";

    /**
     * Default for {@link #WORKERS_KEY}: automatic.
     */
    public static final int WORKERS_DEFAULT = 0;

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when the ring is not a positive power of two, a limit is not positive,
     *                                  the skip threshold is not below the disconnect threshold, or a count is
     *                                  negative.
     */
    public StreamConfig
    {
        if (ringSize <= 0 || Integer.bitCount(ringSize) != 1)
        {
            throw new IllegalArgumentException("not a power of two: " + RING_SIZE_KEY + "=" + ringSize);
        }

        Limits.requireNonNegative(TAKEOVER_IDLE_MS_KEY, takeoverIdleMs);
        Limits.requirePositive(SUBSCRIBER_SKIP_BYTES_KEY, subscriberSkipBytes);
        Limits.requirePositive(SUBSCRIBER_MAX_BYTES_KEY, subscriberMaxBytes);
        if (subscriberSkipBytes >= subscriberMaxBytes)
        {
            throw new IllegalArgumentException(
                "must be below " + SUBSCRIBER_MAX_BYTES_KEY + ": " + SUBSCRIBER_SKIP_BYTES_KEY + "=" +
                subscriberSkipBytes);
        }

        Limits.requireNonNegative(WORKERS_KEY, workers);
    }

    /**
     * The number of worker threads to start.
     *
     * @param availableProcessors the cores the process may use, normally
     *                            {@code Runtime.getRuntime().availableProcessors()}.
     * @return {@link #workers()} when set, otherwise {@code availableProcessors}, never less than 1.
     */
    public int resolvedWorkers(final int availableProcessors)
    {
        return workers > 0 ? workers : Math.max(1, availableProcessors);
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static StreamConfig defaults()
    {
        return new StreamConfig(
            RING_SIZE_DEFAULT,
            TAKEOVER_IDLE_MS_DEFAULT,
            SUBSCRIBER_SKIP_BYTES_DEFAULT,
            SUBSCRIBER_MAX_BYTES_DEFAULT,
            WORKERS_DEFAULT);
    }
}
