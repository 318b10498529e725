package com.cococam.server.record;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deletes a camera's expired cycles: each run removes every whole cycle whose time range ended before
 * {@code now - retentionDays} (see {@link CameraJournal#deleteCyclesEndingBefore(long)}); the current cycle is
 * never deleted.
 *
 * <p>Thread safety: {@link #run()} may be called from any thread, typically a scheduled executor; runs must not
 * overlap (a fixed-delay schedule guarantees that). The policy may be replaced at any time.
 *
 * <p>Failures (a file that cannot be deleted) are counted and logged once per run of failures; they never cancel
 * the schedule.
 */
public final class RetentionTask implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(RetentionTask.class);

    private final CameraJournal journal;
    private final JournalClock clock;
    private volatile RetentionPolicy policy;
    private volatile long deletedCycles;
    private volatile long failures;
    private boolean failing;

    /**
     * @param journal the camera's journal.
     * @param policy  how long to keep recordings.
     * @param clock   the clock "now" is read from; tests inject one.
     */
    public RetentionTask(final CameraJournal journal, final RetentionPolicy policy, final JournalClock clock)
    {
        this.journal = Objects.requireNonNull(journal, "journal");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Schedules this task with a fixed delay, first run after one period.
     *
     * @param executor the executor.
     * @param periodMs milliseconds between runs, positive.
     * @return the schedule, to cancel it.
     */
    public ScheduledFuture<?> schedule(final ScheduledExecutorService executor, final long periodMs)
    {
        if (periodMs <= 0)
        {
            throw new IllegalArgumentException("retention: periodMs=" + periodMs);
        }

        return executor.scheduleWithFixedDelay(this, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }

    /**
     * @param newPolicy the policy used from the next run on.
     */
    public void policy(final RetentionPolicy newPolicy)
    {
        policy = Objects.requireNonNull(newPolicy, "policy");
    }

    /**
     * @return the current policy.
     */
    public RetentionPolicy policy()
    {
        return policy;
    }

    /**
     * Deletes the expired cycles once. Never throws.
     */
    @Override
    public void run()
    {
        if (journal.isClosed())
        {
            return;
        }

        try
        {
            final int deleted = journal.deleteCyclesEndingBefore(policy.cutoffMs(clock.currentTimeMillis()));
            deletedCycles += deleted;
            failing = false;
            if (deleted > 0 && LOG.isInfoEnabled())
            {
                LOG.info("[recording {}] retention deleted {} cycle(s), keeping {} day(s)", journal.camera(), deleted,
                    policy.retentionDays());
            }
        }
        catch (final RuntimeException ex)
        {
            failures++;
            if (!failing)
            {
                failing = true;
                LOG.warn("[recording {}] retention failed", journal.camera(), ex);
            }
        }
    }

    /**
     * @return cycles deleted by this task so far.
     */
    public long deletedCycles()
    {
        return deletedCycles;
    }

    /**
     * @return failed runs so far.
     */
    public long failures()
    {
        return failures;
    }
}
