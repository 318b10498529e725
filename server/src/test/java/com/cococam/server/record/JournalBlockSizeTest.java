package com.cococam.server.record;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.cococam.server.record.JournalFixtures.BASE_MS;
import static com.cococam.server.record.JournalFixtures.H264;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal's mapping block ({@link JournalOptions#blockSizeBytes()}): records that span many blocks read back
 * intact, a unit over a quarter of a block is refused with a clear error without harming the journal, and a
 * journal written with another block size opens and reads.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class JournalBlockSizeTest
{
    private static final long ONE_MIB = 1024L * 1024;

    @TempDir
    Path storage;

    private final JournalFixtures.TestClock clock = new JournalFixtures.TestClock();

    @Test
    void shouldReadBackUnitsThatFillManySmallBlocks()
    {
        final JournalOptions options = JournalOptions.defaults().withBlockSizeBytes(ONE_MIB);
        final int count = 200;
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            journal.appendFormat(H264, BASE_MS);
            for (int i = 0; i < count; i++)
            {
                append(journal, i, 50_000 + i * 700);
            }
        }

        // 200 units of 50-190 KB: about 24 MB through 1 MiB blocks.
        assertUnits(options, count, i -> 50_000 + i * 700);
    }

    @Test
    void shouldRefuseAUnitOverAQuarterBlockAndKeepRecordingTheNextOnes()
    {
        final JournalOptions options = JournalOptions.defaults().withBlockSizeBytes(ONE_MIB);
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            journal.appendFormat(H264, BASE_MS);
            append(journal, 0, 1000);
            final JournalWriteException error = assertThrows(JournalWriteException.class,
                () -> append(journal, 1, (int)options.maxRecordBytes()));
            assertTrue(error.getMessage().contains("recording.blockSizeMb"), error.getMessage());
            assertTrue(error.getMessage().contains("camera=cam1"), error.getMessage());
            append(journal, 2, 200_000);
            append(journal, 3, 1000);
        }

        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options);
            JournalReader reader = journal.createReader())
        {
            final JournalFixtures.Collector collector = new JournalFixtures.Collector();
            reader.readAll(collector);
            assertEquals(0, reader.malformedRecords());
            final List<JournalFixtures.Read> units = collector.accessUnits();
            assertEquals(List.of(0L, 2L, 3L), units.stream().map(JournalFixtures.Read::dts90k).toList(),
                "the refused unit is missing, its neighbours are whole");
            assertArrayEquals(JournalFixtures.expected(2, 200_000), units.get(1).payload());
        }
    }

    @Test
    void shouldOpenAJournalWrittenWithAnotherBlockSize()
    {
        final JournalOptions large = JournalOptions.defaults().withBlockSizeBytes(64 * ONE_MIB);
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, large))
        {
            journal.appendFormat(H264, BASE_MS);
            for (int i = 0; i < 40; i++)
            {
                append(journal, i, 100_000);
            }
        }

        final JournalOptions small = JournalOptions.defaults().withBlockSizeBytes(ONE_MIB);
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, small))
        {
            for (int i = 40; i < 60; i++)
            {
                append(journal, i, 100_000);
            }
        }

        assertUnits(small, 60, i -> 100_000);
    }

    private void assertUnits(final JournalOptions options, final int count,
        final java.util.function.IntUnaryOperator length)
    {
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options);
            JournalReader reader = journal.createReader())
        {
            final JournalFixtures.Collector collector = new JournalFixtures.Collector();
            reader.readAll(collector);
            assertEquals(0, reader.malformedRecords());
            final List<JournalFixtures.Read> units = collector.accessUnits();
            assertEquals(count, units.size());
            for (int i = 0; i < count; i++)
            {
                assertEquals(i, units.get(i).dts90k());
                assertArrayEquals(JournalFixtures.expected(i, length.applyAsInt(i)), units.get(i).payload(),
                    "unit " + i);
            }
        }
    }

    private void append(final CameraJournal journal, final int i, final int length)
    {
        final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        try
        {
            // One bulk write: byte-by-byte filling is slow under the paranoid leak detector tests run with.
            payload.writeBytes(JournalFixtures.expected(i, length));
            journal.appendAccessUnit(TrackFormat.VIDEO_TRACK, i % 25 == 0 ? FrameFlags.KEYFRAME : 0, i, i,
                clock.currentTimeMillis(), payload);
        }
        finally
        {
            payload.release();
            clock.set(clock.currentTimeMillis() + 40);
        }
    }
}
