package com.cococam.server.record;

/**
 * Wall-clock source of a {@link CameraJournal}: decides the roll cycle a record lands in and the "now" that
 * retention compares against.
 *
 * <p>Thread safety: implementations must be safe to call from any thread (the writer, readers and the retention
 * task all read it).
 */
@FunctionalInterface
public interface JournalClock
{
    /**
     * The system clock.
     */
    JournalClock SYSTEM = System::currentTimeMillis;

    /**
     * @return milliseconds since the Unix epoch; must not allocate.
     */
    long currentTimeMillis();
}
