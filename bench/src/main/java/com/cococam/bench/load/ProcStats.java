package com.cococam.bench.load;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time and memory of other processes (from {@code /proc/PID/stat} and {@code /proc/PID/status}) and of this
 * JVM (from its management beans).
 *
 * <p>Thread safety: stateless; any thread. Failure values: a process that is gone or unreadable counts as 0.
 */
final class ProcStats
{
    /** Clock ticks per second of {@code /proc/PID/stat} (USER_HZ, 100 on Linux unless overridden). */
    static final long CLOCK_TICKS = Long.getLong("load.clockTicks", 100);

    private ProcStats()
    {
    }

    /**
     * @param pids processes.
     * @return the sum of their user + system CPU time, in ticks.
     */
    static long cpuTicks(final long[] pids)
    {
        final long[] split = cpuTicksSplit(pids);
        return split[0] + split[1];
    }

    /**
     * @param pids processes.
     * @return {user, system} CPU time summed over the processes, in ticks.
     */
    static long[] cpuTicksSplit(final long[] pids)
    {
        final long[] sum = new long[2];
        for (final long pid : pids)
        {
            try
            {
                final String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"),
                    StandardCharsets.US_ASCII);
                final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
                sum[0] += Long.parseLong(fields[11]);
                sum[1] += Long.parseLong(fields[12]);
            }
            catch (final IOException | RuntimeException ex)
            {
                sum[0] += 0;
            }
        }

        return sum;
    }

    /**
     * @param pids processes.
     * @param key  a {@code /proc/PID/status} key such as {@code VmHWM} or {@code VmRSS}.
     * @return the sum of that value over the processes, in KiB.
     */
    static long statusKb(final long[] pids, final String key)
    {
        long sum = 0;
        for (final long pid : pids)
        {
            try
            {
                for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
                {
                    if (line.startsWith(key + ":"))
                    {
                        sum += Long.parseLong(line.substring(key.length() + 1).trim().split("\\s+")[0]);
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                sum += 0;
            }
        }

        return sum;
    }

    /**
     * @return this JVM's CPU time, nanoseconds, or -1 when the platform does not say.
     */
    static long selfCpuNs()
    {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            return os.getProcessCpuTime();
        }

        return -1;
    }

    /**
     * @return bytes allocated so far by all live threads of this JVM, or -1 when unsupported.
     */
    static long selfAllocatedBytes()
    {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
        {
            long sum = 0;
            for (final long value : threads.getThreadAllocatedBytes(threads.getAllThreadIds()))
            {
                sum += Math.max(0, value);
            }

            return sum;
        }

        return -1;
    }

    /**
     * @return number of garbage collections of this JVM so far.
     */
    static long selfGcCount()
    {
        long sum = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            sum += Math.max(0, gc.getCollectionCount());
        }

        return sum;
    }
}
