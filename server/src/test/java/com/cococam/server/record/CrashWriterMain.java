package com.cococam.server.record;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Child process of {@link CrashRecoveryTest}: appends access units in a bounded loop and prints
 * {@code appended <count>} after each completed append, until it is killed.
 *
 * <p>Arguments: storage folder, camera, first unit number, maximum units.
 */
public final class CrashWriterMain
{
    static final String PREFIX = "appended ";

    private CrashWriterMain()
    {
    }

    /**
     * @param args storage folder, camera, first unit number, maximum units.
     */
    public static void main(final String[] args)
    {
        System.setProperty("chronicle.analytics.disable", "true");
        final Path storage = Path.of(args[0]);
        final int first = Integer.parseInt(args[2]);
        final int max = Integer.parseInt(args[3]);
        final PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        final CameraJournal journal = CameraJournal.open(storage, args[1], JournalClock.SYSTEM,
            TestRollCycles.TEST_SECONDLY);
        if (first == 0)
        {
            journal.appendFormat(JournalFixtures.H264, System.currentTimeMillis());
        }

        final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(CrashRecoveryTest.MAX_PAYLOAD);
        for (int i = first; i < first + max; i++)
        {
            CrashRecoveryTest.writeUnit(journal, payload, i);
            out.println(PREFIX + (i + 1));
            out.flush();
        }

        payload.release();
        journal.close();
    }
}
