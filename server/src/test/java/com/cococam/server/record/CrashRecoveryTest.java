package com.cococam.server.record;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrashRecoveryTest
{
    static final int MAX_PAYLOAD = 20_000;
    private static final int KILL_AFTER = 500;
    private static final int GOP = 30;

    @TempDir
    Path storage;

    static int payloadLength(final int i)
    {
        return 10 + (i * 7919) % (MAX_PAYLOAD - 10);
    }

    static void writeUnit(final CameraJournal journal, final ByteBuf payload, final int i)
    {
        payload.clear();
        JournalFixtures.fill(payload, i, payloadLength(i));
        journal.appendAccessUnit(TrackFormat.VIDEO_TRACK, i % GOP == 0 ? FrameFlags.KEYFRAME : 0, i * 3000L,
            i * 3000L + 1, System.currentTimeMillis(), payload);
    }

    @Test
    void shouldReadBackEveryCompletedAppendAfterKillMinusNineAndGoOnAppending() throws Exception
    {
        final int printed = runChildAndKill();
        assertTrue(printed >= KILL_AFTER, "child printed " + printed);

        final int recovered;
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", JournalClock.SYSTEM,
            TestRollCycles.TEST_SECONDLY))
        {
            recovered = assertIntact(journal, printed);

            final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(MAX_PAYLOAD);
            for (int i = recovered; i < recovered + 200; i++)
            {
                writeUnit(journal, payload, i);
            }

            payload.release();
            assertEquals(recovered + 200, assertIntact(journal, recovered + 200));
            final List<RecordingSpan> spans = journal.spans();
            assertTrue(spans.size() == 1 || spans.size() == 2, "one span, or two if the restart took over 5 s");
            assertEquals(firstWallClockMs(journal), spans.get(0).startWallClockMs());
        }

        try (CameraJournal journal = CameraJournal.open(storage, "cam1", JournalClock.SYSTEM,
            TestRollCycles.TEST_SECONDLY);
            JournalReader reader = journal.createReader())
        {
            assertEquals(recovered + 200, assertIntact(journal, recovered + 200));
            // the index covers the units written before the kill: a seek near the restart lands on a keyframe
            // at or before it (keyframes closer than minIndexIntervalMs to the previous indexed one are skipped)
            final JournalFixtures.Collector all = new JournalFixtures.Collector();
            reader.readAll(all);
            final long targetMs = all.accessUnits().get(recovered - 1).wallClockMs();
            final long landedMs = reader.seek(targetMs);
            assertTrue(landedMs <= targetMs && landedMs > targetMs - 5_000, "landed " + (targetMs - landedMs));
            final JournalFixtures.Collector one = new JournalFixtures.Collector();
            reader.read(one, 1);
            final JournalFixtures.Read keyframe = one.accessUnits().get(0);
            assertEquals(landedMs, keyframe.wallClockMs());
            assertEquals(0, keyframe.dts90k() / 3000 % GOP);
            assertEquals(FrameFlags.KEYFRAME, keyframe.flags());
        }
    }

    private int assertIntact(final CameraJournal journal, final int atLeast)
    {
        final JournalFixtures.Collector collector = new JournalFixtures.Collector();
        try (JournalReader reader = journal.createReader())
        {
            reader.readAll(collector);
            assertEquals(0, reader.skippedAccessUnits());
            assertEquals(0, reader.malformedRecords());
        }

        final List<JournalFixtures.Read> units = collector.accessUnits();
        assertTrue(units.size() >= atLeast, "read " + units.size() + " of at least " + atLeast);
        assertEquals(JournalFixtures.H264, collector.formats().get(0).trackFormat());
        for (int i = 0; i < units.size(); i++)
        {
            final JournalFixtures.Read unit = units.get(i);
            assertEquals(i * 3000L, unit.dts90k(), "unit " + i);
            assertEquals(i * 3000L + 1, unit.pts90k());
            assertEquals(i % GOP == 0 ? FrameFlags.KEYFRAME : 0, unit.flags());
            assertArrayEquals(JournalFixtures.expected(i, payloadLength(i)), unit.payload(), "payload " + i);
        }

        return units.size();
    }

    private static long firstWallClockMs(final CameraJournal journal)
    {
        final JournalFixtures.Collector collector = new JournalFixtures.Collector();
        try (JournalReader reader = journal.createReader())
        {
            reader.read(collector, 2);
        }

        return collector.accessUnits().get(0).wallClockMs();
    }

    private int runChildAndKill() throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports"))
            {
                command.add(arg);
            }
        }

        command.add("-Dchronicle.analytics.disable=true");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(CrashWriterMain.class.getName());
        command.add(storage.toString());
        command.add("cam1");
        command.add("0");
        command.add("100000");

        final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        int printed = 0;
        final StringBuilder other = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = lines.readLine()) != null)
            {
                if (line.startsWith(CrashWriterMain.PREFIX))
                {
                    printed = Integer.parseInt(line.substring(CrashWriterMain.PREFIX.length()).trim());
                    if (printed >= KILL_AFTER)
                    {
                        child.destroyForcibly();
                        break;
                    }
                }
                else if (other.length() < 20_000)
                {
                    other.append(line).append('\n');
                }
            }
        }
        finally
        {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not exit");
        }

        assertTrue(printed >= KILL_AFTER, "child output:\n" + other);

        return printed;
    }
}
