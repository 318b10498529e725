package com.cococam.server.record;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.cococam.server.record.JournalFixtures.AAC;
import static com.cococam.server.record.JournalFixtures.BASE_MS;
import static com.cococam.server.record.JournalFixtures.H264;
import static com.cococam.server.record.JournalFixtures.H264_1080;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CameraJournalTest
{
    @TempDir
    Path storage;

    private final JournalFixtures.TestClock clock = new JournalFixtures.TestClock();

    private static int payloadLength(final int i)
    {
        return switch (i % 5)
        {
            case 0 -> 1;
            case 1 -> 17 + i;
            case 2 -> 1500;
            case 3 -> 40_000 + i * 13;
            default -> 300_000 + i;
        };
    }

    private static ByteBuf payloadFor(final int i, final int length)
    {
        final ByteBuf buffer;
        switch (i % 3)
        {
            case 0 -> buffer = PooledByteBufAllocator.DEFAULT.directBuffer(length + 8);
            case 1 -> buffer = Unpooled.buffer(length + 8);
            default ->
            {
                final CompositeByteBuf composite = Unpooled.compositeBuffer();
                final ByteBuf first = Unpooled.directBuffer(length / 2 + 8);
                final ByteBuf second = Unpooled.buffer(length - length / 2 + 8);
                JournalFixtures.fill(first, 0, 3);
                first.readerIndex(3);
                composite.addComponent(true, first);
                composite.addComponent(true, second);
                buffer = composite;
            }
        }

        if (i % 3 != 2)
        {
            JournalFixtures.fill(buffer, 0, 3);
            buffer.readerIndex(3);
        }

        final int writerBefore = buffer.writerIndex();
        final ByteBuf tmp = Unpooled.buffer(length);
        JournalFixtures.fill(tmp, i, length);
        buffer.writeBytes(tmp);
        tmp.release();
        assertEquals(writerBefore + length, buffer.writerIndex());

        return buffer;
    }

    @Test
    void shouldReadBackEveryFormatAndAccessUnitByteForByte()
    {
        final int count = 120;
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY))
        {
            journal.appendFormat(H264, BASE_MS);
            journal.appendFormat(AAC, BASE_MS);
            for (int i = 0; i < count; i++)
            {
                if (i == 60)
                {
                    journal.appendFormat(H264_1080, clock.currentTimeMillis());
                }

                final int length = payloadLength(i);
                final ByteBuf payload = payloadFor(i, length);
                final int readerIndex = payload.readerIndex();
                final int writerIndex = payload.writerIndex();
                final int track = i % 4 == 3 ? TrackFormat.AUDIO_TRACK : TrackFormat.VIDEO_TRACK;
                final int flags = i % 10 == 0 ? FrameFlags.KEYFRAME : (i == 7 ? FrameFlags.DISCONTINUITY : 0);
                journal.appendAccessUnit(track, flags, i * 3600L, i * 3600L + 7200, clock.currentTimeMillis(),
                    payload);

                assertEquals(1, payload.refCnt(), "journal must not retain or release the payload");
                assertEquals(readerIndex, payload.readerIndex());
                assertEquals(writerIndex, payload.writerIndex());
                payload.release();
                clock.set(clock.currentTimeMillis() + 40);
            }

            final JournalFixtures.Collector collector = new JournalFixtures.Collector();
            try (JournalReader reader = journal.createReader())
            {
                reader.readAll(collector);
                assertEquals(0, reader.skippedAccessUnits());
                assertEquals(0, reader.malformedRecords());
            }

            assertEquals(List.of(H264, AAC, H264_1080),
                collector.formats().stream().map(JournalFixtures.Read::trackFormat).toList());
            final List<JournalFixtures.Read> units = collector.accessUnits();
            assertEquals(count, units.size());
            for (int i = 0; i < count; i++)
            {
                final JournalFixtures.Read unit = units.get(i);
                assertEquals(i % 4 == 3 ? TrackFormat.AUDIO_TRACK : TrackFormat.VIDEO_TRACK, unit.trackId());
                assertEquals(i % 10 == 0 ? FrameFlags.KEYFRAME : (i == 7 ? FrameFlags.DISCONTINUITY : 0),
                    unit.flags());
                assertEquals(i * 3600L, unit.dts90k());
                assertEquals(i * 3600L + 7200, unit.pts90k());
                assertEquals(BASE_MS + i * 40L, unit.wallClockMs());
                assertArrayEquals(JournalFixtures.expected(i, payloadLength(i)), unit.payload(), "payload " + i);
            }

            assertTrue(journal.cycles().length >= 4, "the injected clock spans several one-second cycles");
        }
    }

    @Test
    void shouldDeliverFormatsBeforeTheFirstAccessUnitOfEachTrackAfterReopen()
    {
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY))
        {
            journal.appendFormat(H264, BASE_MS);
            journal.appendFormat(AAC, BASE_MS);
            appendUnit(journal, TrackFormat.VIDEO_TRACK, FrameFlags.KEYFRAME, 0);
            appendUnit(journal, TrackFormat.AUDIO_TRACK, FrameFlags.KEYFRAME, 1);
        }

        clock.set(BASE_MS + 3_000);
        final long firstAfterReopen;
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY))
        {
            firstAfterReopen = clock.currentTimeMillis();
            appendUnit(journal, TrackFormat.AUDIO_TRACK, FrameFlags.KEYFRAME, 2);
            appendUnit(journal, TrackFormat.VIDEO_TRACK, 0, 3);
            appendUnit(journal, TrackFormat.AUDIO_TRACK, FrameFlags.KEYFRAME, 4);
        }

        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY);
            JournalReader reader = journal.createReader())
        {
            final long landed = reader.seek(firstAfterReopen);
            assertEquals(BASE_MS, landed, "no keyframe was indexed after reopen: the seek lands on the first one");
            final JournalFixtures.Collector all = new JournalFixtures.Collector();
            reader.toStart();
            reader.readAll(all);
            assertEquals(5, all.accessUnits().size());
            assertEquals(2, all.formats().size(), "an unchanged format is delivered once per session");

            assertEquals(2, journal.cycles().length);
        }

        // the raw records after the reopen: each track's first unit carries that track's format
        final List<String> layout = new ArrayList<>();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(storage.resolve("cam1"))
            .rollCycle(TestRollCycles.TEST_SECONDLY).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            tailer.moveToCycle(queue.lastCycle());
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }

                    final Bytes<?> bytes = dc.wire().bytes();
                    final long at = bytes.readPosition();
                    final int formatCount = bytes.readUnsignedByte(at + 3);
                    final String embedded = formatCount == 0 ? "" :
                        " with format of track " + bytes.readUnsignedByte(at + RecordLayout.HEADER_LENGTH + 4);
                    layout.add("unit of track " + bytes.readUnsignedByte(at + 2) + embedded);
                }
            }
        }

        assertEquals(List.of("unit of track 1 with format of track 1", "unit of track 0 with format of track 0",
            "unit of track 1"), layout);
    }

    @Test
    void shouldNotAllocateWhenAppendingAccessUnitsInSteadyState()
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final JournalOptions options = JournalOptions.defaults().withMinIndexIntervalMs(0);
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            journal.appendFormat(H264, BASE_MS);
            journal.appendFormat(AAC, BASE_MS);
            final ByteBuf direct = PooledByteBufAllocator.DEFAULT.directBuffer(8_000);
            JournalFixtures.fill(direct, 1, 8_000);
            final ByteBuf heap = Unpooled.buffer(2_000);
            JournalFixtures.fill(heap, 2, 2_000);
            final CompositeByteBuf composite = Unpooled.compositeBuffer();
            composite.addComponents(true, Unpooled.directBuffer(600).writeZero(600),
                Unpooled.buffer(600).writeZero(600));
            appendMany(journal, direct, heap, composite, 0, 20_000);

            final long before = threads.getCurrentThreadAllocatedBytes();
            appendMany(journal, direct, heap, composite, 20_000, 10_000);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            direct.release();
            heap.release();
            composite.release();
            assertTrue(allocated < 10_000, "allocated " + allocated + " bytes for 10000 access units");
        }
    }

    private void appendMany(
        final CameraJournal journal,
        final ByteBuf direct,
        final ByteBuf heap,
        final ByteBuf composite,
        final int first,
        final int count)
    {
        for (int i = first; i < first + count; i++)
        {
            final long wallMs = BASE_MS + i * 5L;
            switch (i % 3)
            {
                case 0 -> journal.appendAccessUnit(0, i % 25 == 0 ? FrameFlags.KEYFRAME : 0, i, i, wallMs, direct);
                case 1 -> journal.appendAccessUnit(1, FrameFlags.KEYFRAME, i, i, wallMs, heap);
                default -> journal.appendAccessUnit(0, 0, i, i, wallMs, composite);
            }
        }
    }

    @Test
    void shouldFailWithClearErrorWhenTheStorageFolderCannotBeCreated() throws Exception
    {
        final Path blocker = storage.resolve("not-a-dir");
        Files.writeString(blocker, "x");

        final JournalException error = assertThrows(JournalException.class,
            () -> CameraJournal.open(blocker, "cam1", clock, TestRollCycles.TEST_SECONDLY));
        assertTrue(error.getMessage().contains("camera=cam1"), error.getMessage());
    }

    @Test
    void shouldRejectCameraNamesThatEscapeTheStorageFolder()
    {
        for (final String bad : new String[]{"..", ".", "a/b", "", "x\\y", "cam 1"})
        {
            assertThrows(IllegalArgumentException.class,
                () -> CameraJournal.open(storage, bad, clock, TestRollCycles.TEST_SECONDLY), bad);
        }
    }

    @Test
    void shouldRefuseAppendsWithJournalWriteExceptionWhenDiskSpaceIsBelowTheFloor()
    {
        final JournalOptions options = JournalOptions.defaults()
            .withRollCycle(TestRollCycles.TEST_SECONDLY)
            .withMinFreeBytes(Long.MAX_VALUE);
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options);
            CameraJournal other = CameraJournal.open(storage, "cam2", clock, TestRollCycles.TEST_SECONDLY))
        {
            final ByteBuf payload = Unpooled.wrappedBuffer(new byte[]{1, 2, 3});
            assertThrows(JournalWriteException.class, () -> journal.appendFormat(H264, BASE_MS));
            assertThrows(JournalWriteException.class,
                () -> journal.appendAccessUnit(0, FrameFlags.KEYFRAME, 0, 0, BASE_MS, payload));
            assertEquals(1, payload.refCnt());

            other.appendFormat(H264, BASE_MS);
            other.appendAccessUnit(0, FrameFlags.KEYFRAME, 0, 0, BASE_MS, payload);
            final JournalFixtures.Collector collector = new JournalFixtures.Collector();
            try (JournalReader reader = other.createReader())
            {
                reader.readAll(collector);
            }

            assertEquals(1, collector.accessUnits().size(), "another camera's journal is unaffected");
            try (JournalReader reader = journal.createReader())
            {
                assertEquals(0, reader.readAll(new JournalFixtures.Collector()));
            }

            payload.release();
        }
    }

    @Test
    void shouldRejectAppendsAfterCloseAndOutOfRangeTracks()
    {
        final CameraJournal journal = CameraJournal.open(storage, "cam1", clock, TestRollCycles.TEST_SECONDLY);
        final ByteBuf payload = Unpooled.wrappedBuffer(new byte[]{1});
        assertThrows(IllegalArgumentException.class,
            () -> journal.appendAccessUnit(8, 0, 0, 0, BASE_MS, payload));
        journal.close();
        assertThrows(JournalWriteException.class, () -> journal.appendAccessUnit(0, 0, 0, 0, BASE_MS, payload));
        assertFalse(payload.refCnt() == 0);
        payload.release();
    }

    private void appendUnit(final CameraJournal journal, final int track, final int flags, final int i)
    {
        final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        JournalFixtures.fill(payload, i, 64);
        journal.appendAccessUnit(track, flags, i * 3600L, i * 3600L, clock.currentTimeMillis(), payload);
        payload.release();
        clock.set(clock.currentTimeMillis() + 20);
    }
}
