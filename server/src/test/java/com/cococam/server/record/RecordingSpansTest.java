package com.cococam.server.record;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
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

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static com.cococam.server.record.JournalFixtures.BASE_MS;
import static com.cococam.server.record.JournalFixtures.H264;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RecordingSpansTest
{
    private static final long FRAME_MS = 40;

    @TempDir
    Path storage;

    private final JournalFixtures.TestClock clock = new JournalFixtures.TestClock();
    private final JournalOptions options = JournalOptions.defaults()
        .withRollCycle(TestRollCycles.TEST_SECONDLY)
        .withGapThresholdMs(5_000);

    @Test
    void shouldSplitSpansAtGapsAboveTheThresholdAndCountEveryByte() throws IOException
    {
        final long startA = BASE_MS;
        final long endA = startA + 99 * FRAME_MS;
        final long startB = endA + 20_000;
        final long endB = startB + 49 * FRAME_MS;
        final long startC = endB + 7_000;
        final long endC = startC + 29 * FRAME_MS + 3_000 + 9 * FRAME_MS;
        final List<RecordingSpan> expectedTimes;
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            journal.appendFormat(H264, startA);
            appendRun(journal, startA, 100, 0);
            // B starts mid-GOP: the gap must be found without a keyframe
            appendRun(journal, startB, 50, 7);
            appendRun(journal, startC, 30, 0);
            // 3 s is below the 5 s threshold: still span C
            appendRun(journal, startC + 29 * FRAME_MS + 3_000, 10, 3);

            expectedTimes = List.of(new RecordingSpan(startA, endA, 0), new RecordingSpan(startB, endB, 0),
                new RecordingSpan(startC, endC, 0));
            assertSpans(expectedTimes, journal.spans());
            assertEquals(List.of(new RecordingGap(endA, startB), new RecordingGap(endB, startC)), journal.gaps());
        }

        final List<RecordingSpan> withBytes;
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            withBytes = journal.spans();
            assertSpans(expectedTimes, withBytes);
        }

        try (DirectoryStream<Path> files = Files.newDirectoryStream(storage.resolve("cam1/keyframes")))
        {
            for (final Path file : files)
            {
                Files.delete(file);
            }
        }

        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            assertEquals(withBytes, journal.spans(), "spans rebuilt from the journal equal the recovered ones");
        }
    }

    @Test
    void shouldReportNoSpansForAnEmptyJournal()
    {
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", clock, options))
        {
            assertEquals(List.of(), journal.spans());
            assertEquals(List.of(), journal.gaps());
        }
    }

    private void assertSpans(final List<RecordingSpan> expectedTimes, final List<RecordingSpan> actual)
    {
        assertEquals(expectedTimes.size(), actual.size(), actual.toString());
        final long[] bytes = bytesPerSpan(expectedTimes);
        for (int i = 0; i < actual.size(); i++)
        {
            assertEquals(expectedTimes.get(i).startWallClockMs(), actual.get(i).startWallClockMs(), "start " + i);
            assertEquals(expectedTimes.get(i).endWallClockMs(), actual.get(i).endWallClockMs(), "end " + i);
            assertEquals(bytes[i], actual.get(i).bytes(), "bytes " + i);
        }
    }

    /**
     * Independent count: every document of the queue attributed to the span holding its wall-clock time.
     */
    private long[] bytesPerSpan(final List<RecordingSpan> spans)
    {
        final long[] bytes = new long[spans.size()];
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(storage.resolve("cam1"))
            .rollCycle(TestRollCycles.TEST_SECONDLY).readOnly(true).build();
            ExcerptTailer tailer = queue.createTailer())
        {
            while (true)
            {
                try (DocumentContext dc = tailer.readingDocument())
                {
                    if (!dc.isPresent())
                    {
                        break;
                    }

                    final Bytes<?> doc = dc.wire().bytes();
                    final long wallMs = doc.readLong(doc.readPosition() + 24);
                    for (int i = spans.size() - 1; i >= 0; i--)
                    {
                        if (wallMs >= spans.get(i).startWallClockMs() || i == 0)
                        {
                            bytes[i] += doc.readRemaining();
                            break;
                        }
                    }
                }
            }
        }

        return bytes;
    }

    private void appendRun(final CameraJournal journal, final long startMs, final int count, final int phase)
    {
        final ByteBuf payload = Unpooled.directBuffer(2_000);
        for (int i = 0; i < count; i++)
        {
            final long wallMs = startMs + i * FRAME_MS;
            clock.set(wallMs);
            payload.clear();
            JournalFixtures.fill(payload, wallMs, 200 + (i * 37) % 1_500);
            final int flags = (i + phase) % 25 == 0 ? FrameFlags.KEYFRAME : 0;
            journal.appendAccessUnit(TrackFormat.VIDEO_TRACK, flags, wallMs * 90, wallMs * 90, wallMs, payload);
        }

        payload.release();
    }
}
