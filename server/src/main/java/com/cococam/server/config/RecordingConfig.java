package com.cococam.server.config;

/**
 * Settings of the recorder that writes camera streams to {@link StorageConfig#dir()}.
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 *
 * @param gapMs            pause that ends a recorded span, see {@link #GAP_MS_KEY}.
 * @param retentionCheckMs period of the retention sweep, see {@link #RETENTION_CHECK_MS_KEY}.
 * @param blockSizeMb      journal mapping block, see {@link #BLOCK_SIZE_MB_KEY}.
 */
public record RecordingConfig(int gapMs, int retentionCheckMs, int blockSizeMb)
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
     * MiB of each camera journal that is memory-mapped at a time (Chronicle's block size). It bounds the
     * journal's resident memory per camera (about two blocks) and the largest access unit that can be recorded
     * (a quarter of a block: 2 MiB at the default); a larger unit is not recorded and counted as a write error.
     * Range 1..1024.
     */
    public static final String BLOCK_SIZE_MB_KEY = "recording.blockSizeMb";

    /**
     * Default for {@link #BLOCK_SIZE_MB_KEY}.
     */
    public static final int BLOCK_SIZE_MB_DEFAULT = 8;

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when a period is not positive.
     */
    public RecordingConfig
    {
        Limits.requirePositive(GAP_MS_KEY, gapMs);
        Limits.requirePositive(RETENTION_CHECK_MS_KEY, retentionCheckMs);
        Limits.requirePositive(BLOCK_SIZE_MB_KEY, blockSizeMb);
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static RecordingConfig defaults()
    {
        return new RecordingConfig(GAP_MS_DEFAULT, RETENTION_CHECK_MS_DEFAULT, BLOCK_SIZE_MB_DEFAULT);
    }
}
