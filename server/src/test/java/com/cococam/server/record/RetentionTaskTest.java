package com.cococam.server.record;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static com.cococam.server.record.JournalFixtures.AAC;
import static com.cococam.server.record.JournalFixtures.BASE_MS;
import static com.cococam.server.record.JournalFixtures.H264;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetentionTaskTest
{
    private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);
    private static final int DAYS = 10;
    private static final int UNITS_PER_DAY = 5;

    @TempDir
    Path storage;

    private final JournalFixtures.TestClock clock = new JournalFixtures.TestClock();

    @Test
    void shouldDeleteExactlyTheExpiredCyclesAndKeepReadingAndWriting() throws IOException
    {
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY))
        {
            journal.appendFormat(H264, BASE_MS);
            journal.appendFormat(AAC, BASE_MS);
            for (int day = 0; day < DAYS; day++)
            {
                appendDay(journal, day);
            }

            final int[] cycles = journal.cycles();
            assertEquals(DAYS, cycles.length);
            assertEquals(DAYS, countQueueFiles());
            final JournalReader readerOpenedBefore = journal.createReader();

            // day 2's cycle ends exactly at the cutoff: expired; day 3's ends a day later: kept
            clock.set(BASE_MS + 9 * DAY_MS + 1_000);
            final RetentionTask task = new RetentionTask(journal, new RetentionPolicy(7), clock);
            task.run();
            assertEquals(3, task.deletedCycles());
            assertEquals(0, task.failures());
            assertArrayEquals(Arrays.copyOfRange(cycles, 3, DAYS), journal.cycles());
            assertEquals(DAYS - 3, countQueueFiles());
            for (int i = 0; i < 3; i++)
            {
                assertFalse(Files.exists(storage.resolve("cam1/keyframes/" + cycles[i] + ".kfi")));
            }

            task.run();
            assertEquals(3, task.deletedCycles(), "a second run finds nothing more to delete");

            // the writer goes on in the current cycle
            clock.set(BASE_MS + 9 * DAY_MS + 500);
            appendUnit(journal, 9, UNITS_PER_DAY, FrameFlags.KEYFRAME);

            final JournalFixtures.Collector before = new JournalFixtures.Collector();
            readerOpenedBefore.toStart();
            readerOpenedBefore.readAll(before);
            readerOpenedBefore.close();
            assertDays(before, 3, (DAYS - 3) * UNITS_PER_DAY + 1);

            try (JournalReader reader = journal.createReader())
            {
                final JournalFixtures.Collector fresh = new JournalFixtures.Collector();
                reader.readAll(fresh);
                assertDays(fresh, 3, (DAYS - 3) * UNITS_PER_DAY + 1);
                assertEquals(0, reader.skippedAccessUnits());
                assertEquals(BASE_MS + 3 * DAY_MS, reader.seek(BASE_MS + DAY_MS), "deleted time lands on the oldest");
            }

            assertEquals(BASE_MS + 3 * DAY_MS, journal.spans().get(0).startWallClockMs());
        }

        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY))
        {
            assertEquals(DAYS - 3, journal.cycles().length);
            assertEquals(BASE_MS + 3 * DAY_MS, journal.spans().get(0).startWallClockMs());
        }
    }

    @Test
    void shouldNeverDeleteTheCurrentCycle()
    {
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY))
        {
            journal.appendFormat(H264, BASE_MS);
            appendDay(journal, 0);
            appendDay(journal, 1);
            final int last = journal.cycles()[1];

            clock.set(BASE_MS + 400 * DAY_MS);
            final RetentionTask task = new RetentionTask(journal, new RetentionPolicy(7), clock);
            task.run();
            assertArrayEquals(new int[]{last}, journal.cycles());
            assertFalse(journal.deleteCycle(last));
        }
    }

    @Test
    void shouldRunOnAScheduleWithTheInjectedClock()
    {
        final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY))
        {
            journal.appendFormat(H264, BASE_MS);
            for (int day = 0; day < 4; day++)
            {
                appendDay(journal, day);
            }

            final RetentionTask task = new RetentionTask(journal, new RetentionPolicy(1), clock);
            final ScheduledFuture<?> future = task.schedule(executor, 5);
            clock.set(BASE_MS + 3 * DAY_MS + 2_000);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (task.deletedCycles() < 3 && System.nanoTime() < deadlineNs)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
            }

            future.cancel(false);
            assertEquals(3, task.deletedCycles());
            assertEquals(1, journal.cycles().length);
        }
        finally
        {
            executor.shutdownNow();
        }
    }

    @Test
    void shouldRejectRetentionOutsideTheSupportedRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(0));
        assertEquals(TimeUnit.DAYS.toMillis(30), new RetentionPolicy(30).retentionMs());
    }

    private void assertDays(final JournalFixtures.Collector collector, final int firstDay, final int units)
    {
        final List<JournalFixtures.Read> read = collector.accessUnits();
        assertEquals(units, read.size());
        assertEquals(BASE_MS + firstDay * DAY_MS, read.get(0).wallClockMs());
        for (final JournalFixtures.Read unit : read)
        {
            final long dayOffsetMs = (unit.wallClockMs() - BASE_MS) % DAY_MS;
            final int day = (int)((unit.wallClockMs() - BASE_MS) / DAY_MS);
            final int i = (int)(dayOffsetMs / 40);
            assertArrayEquals(JournalFixtures.expected(day * 100L + i, 50 + i), unit.payload());
        }
    }

    private void appendDay(final CameraJournal journal, final int day)
    {
        for (int i = 0; i < UNITS_PER_DAY; i++)
        {
            clock.set(BASE_MS + day * DAY_MS + i * 40L);
            appendUnit(journal, day, i, i == 0 ? FrameFlags.KEYFRAME : 0);
        }
    }

    private void appendUnit(final CameraJournal journal, final int day, final int i, final int flags)
    {
        final long wallMs = BASE_MS + day * DAY_MS + i * 40L;
        final ByteBuf payload = Unpooled.buffer(64);
        JournalFixtures.fill(payload, day * 100L + i, 50 + i);
        journal.appendAccessUnit(TrackFormat.VIDEO_TRACK, flags, wallMs * 90, wallMs * 90, wallMs, payload);
        payload.release();
    }

    private long countQueueFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(storage.resolve("cam1")))
        {
            return files.filter(f -> f.getFileName().toString().endsWith(".cq4")).count();
        }
    }
}
