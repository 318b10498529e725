package com.cococam.server.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Pauses and resumes peer processes (SIGSTOP/SIGCONT through {@code /bin/kill}), to simulate a peer that hangs
 * without closing its connection, and cleans them up afterwards.
 */
public final class ProcessSignals
{
    private ProcessSignals()
    {
    }

    /**
     * @param process a running process; it stops running but keeps its sockets open.
     */
    public static void stop(final Process process)
    {
        signal(process, "-STOP");
    }

    /**
     * @param process a stopped process; it runs again.
     */
    public static void resume(final Process process)
    {
        signal(process, "-CONT");
    }

    /**
     * Resumes (a stopped process cannot handle SIGKILL promptly everywhere) and kills each process still alive,
     * then waits a little for it. Safe on null and finished processes.
     *
     * @param processes the processes.
     */
    public static void destroy(final Process... processes)
    {
        for (final Process process : processes)
        {
            if (process != null && process.isAlive())
            {
                resume(process);
                process.destroyForcibly();
                try
                {
                    process.waitFor(5, TimeUnit.SECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static void signal(final Process process, final String signal)
    {
        try
        {
            final Process kill = new ProcessBuilder("/bin/kill", signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0)
            {
                kill.destroyForcibly();
                throw new IllegalStateException("kill " + signal + " " + process.pid() + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run /bin/kill", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted signalling " + process.pid(), ex);
        }
    }
}
