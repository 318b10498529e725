package com.cococam.server.config;

/**
 * Settings of the recorder that writes camera streams to {@link StorageConfig#dir()}.
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 *
 * @param gapMs            pause that ends a recorded span, see {@link #GAP_MS_KEY}.
 * @param retentionCheckMs period of the retention sweep, see {@link #RETENTION_CHECK_MS_KEY}.
 */
public record RecordingConfig(int gapMs, int retentionCheckMs)
{
    /**
     * Milliseconds without media after which a camera's recorded span ends; media arriving later starts the
     * next span (the recordings API lists spans and gaps). Range 100..3600000.
     */
    public static final String GAP_MS_KEY = "recording.gapMs";

    /**
     * Default for {@link #GAP_MS_KEY}.
     */
    public static final int GAP_MS_DEFAULT = 5000;

    /**
     * Milliseconds between sweeps that delete recordings older than each camera's {@code retentionDays}.
     * Range 1000..86400000.
     */
    public static final String RETENTION_CHECK_MS_KEY = "recording.retentionCheckMs";

    /**
     * Default for {@link #RETENTION_CHECK_MS_KEY}: hourly.
     */
    public static final int RETENTION_CHECK_MS_DEFAULT = 3_600_000;

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when a period is not positive.
     */
    public RecordingConfig
    {
        Limits.requirePositive(GAP_MS_KEY, gapMs);
        Limits.requirePositive(RETENTION_CHECK_MS_KEY, retentionCheckMs);
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static RecordingConfig defaults()
    {
        return new RecordingConfig(GAP_MS_DEFAULT, RETENTION_CHECK_MS_DEFAULT);
    }
}
