package com.cococam.server.record;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static com.cococam.server.record.JournalFixtures.AAC;
import static com.cococam.server.record.JournalFixtures.BASE_MS;
import static com.cococam.server.record.JournalFixtures.H264;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JournalSeekTest
{
    private static final int UNITS = 1_000;
    private static final int GOP = 25;
    private static final long FRAME_MS = 40;

    @TempDir
    Path storage;

    private final JournalFixtures.TestClock clock = new JournalFixtures.TestClock();
    private final JournalOptions options = JournalOptions.defaults()
        .withRollCycle(TestRollCycles.TEST_SECONDLY)
        .withMinIndexIntervalMs(0);
    private final List<Long> keyframeWalls = new ArrayList<>();

    @Test
    void shouldSeekToTheLastKeyframeAtOrBeforeTheTimeAcrossManyCycles()
    {
        record();
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            assertTrue(journal.cycles().length >= 40, "one cycle per second of injected time");
            assertSeeks(journal);
        }
    }

    @Test
    void shouldRebuildAMissingIndexFromTheJournal() throws IOException
    {
        record();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(storage.resolve("cam1/keyframes")))
        {
            for (final Path file : files)
            {
                Files.delete(file);
            }
        }

        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            assertSeeks(journal);
        }
    }

    @Test
    void shouldTruncateTornIndexEntriesAndCatchUpWithTheJournal() throws IOException
    {
        record();
        final List<Path> indexes = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(storage.resolve("cam1/keyframes")))
        {
            files.forEach(indexes::add);
        }

        indexes.sort(null);
        assertTrue(indexes.size() > 10);
        // a torn last entry: a few bytes of a next entry
        Files.write(indexes.get(indexes.size() - 1), new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13},
            StandardOpenOption.APPEND);
        // an index behind its journal: drop its last entry
        try (FileChannel channel = FileChannel.open(indexes.get(5), StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() - KeyframeIndexFile.ENTRY_LENGTH);
        }

        // a corrupt entry in the middle of a file: that file is truncated there and rebuilt from the journal
        try (FileChannel channel = FileChannel.open(indexes.get(7), StandardOpenOption.WRITE))
        {
            channel.write(java.nio.ByteBuffer.wrap(new byte[]{(byte)0xEE, (byte)0xEE}),
                KeyframeIndexFile.HEADER_LENGTH + 3);
        }

        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            assertSeeks(journal);
        }

        assertEquals(0, (Files.size(indexes.get(indexes.size() - 1)) - KeyframeIndexFile.HEADER_LENGTH) %
            KeyframeIndexFile.ENTRY_LENGTH, "the torn tail is cut off");
    }

    private void record()
    {
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            journal.appendFormat(H264, BASE_MS);
            journal.appendFormat(AAC, BASE_MS);
            final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(256);
            for (int i = 0; i < UNITS; i++)
            {
                final long wallMs = BASE_MS + i * FRAME_MS;
                clock.set(wallMs);
                payload.clear();
                JournalFixtures.fill(payload, i, 100 + i % 150);
                final boolean keyframe = i % GOP == 0;
                journal.appendAccessUnit(TrackFormat.VIDEO_TRACK, keyframe ? FrameFlags.KEYFRAME : 0, i * 3600L,
                    i * 3600L, wallMs, payload);
                if (keyframe)
                {
                    keyframeWalls.add(wallMs);
                }

                if (i % 2 == 0)
                {
                    payload.clear();
                    JournalFixtures.fill(payload, -i, 32);
                    journal.appendAccessUnit(TrackFormat.AUDIO_TRACK, FrameFlags.KEYFRAME, i * 3600L, i * 3600L,
                        wallMs + 5, payload);
                }
            }

            payload.release();
        }
    }

    private void assertSeeks(final CameraJournal journal)
    {
        final Random random = new Random(42);
        final List<Long> targets = new ArrayList<>(List.of(BASE_MS - 10_000, BASE_MS, BASE_MS + 1,
            BASE_MS + GOP * FRAME_MS, BASE_MS + GOP * FRAME_MS - 1, BASE_MS + UNITS * FRAME_MS + 60_000));
        for (int i = 0; i < 200; i++)
        {
            targets.add(BASE_MS + (long)(random.nextDouble() * UNITS * FRAME_MS));
        }

        try (JournalReader reader = journal.createReader())
        {
            for (final long target : targets)
            {
                long expected = keyframeWalls.get(0);
                for (final long wall : keyframeWalls)
                {
                    if (wall <= target)
                    {
                        expected = wall;
                    }
                }

                assertEquals(expected, reader.seek(target), "seek " + (target - BASE_MS));
                final JournalFixtures.Collector collector = new JournalFixtures.Collector();
                reader.read(collector, 1);
                assertEquals(3, collector.records.size(), "formats of both tracks, then the keyframe");
                assertEquals(H264, collector.records.get(0).trackFormat());
                assertEquals(AAC, collector.records.get(1).trackFormat());
                final JournalFixtures.Read keyframe = collector.records.get(2);
                assertEquals(expected, keyframe.wallClockMs());
                assertTrue(FrameFlags.isKeyframe(keyframe.flags()));
                final int unit = (int)((expected - BASE_MS) / FRAME_MS);
                assertEquals(unit * 3600L, keyframe.dts90k());
                assertArrayEquals(JournalFixtures.expected(unit, 100 + unit % 150), keyframe.payload());
            }
        }
    }
}
