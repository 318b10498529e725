package com.cococam.bench;

/**
 * JVM flags the benchmark forks run with, as compile-time constants for {@code @Fork(jvmArgsAppend = ...)}.
 *
 * <p>Every fork: leak detection off (its sampling would allocate and skew B/op), Chronicle analytics off, a quiet
 * logback configuration and a fixed 1 GiB heap. Forks that use Agrona (the stream hub's queues and agents) add
 * {@link #EXPORT_MISC} and {@link #OPEN_MISC} (Agrona 2 reaches {@code jdk.internal.misc.Unsafe}); forks that touch
 * Chronicle Queue get the whole set of the parent pom's {@code chronicle.jvm.args}. (The jar manifest's
 * Add-Opens only applies to the {@code java -jar} host JVM, not to the forks, which run with a class path.)
 *
 * <p>Thread kind: a benchmark of code that runs on a Netty event loop in production adds {@link #NETTY_EXECUTOR}
 * and {@link #NETTY_EXECUTOR_CLASS}; one of code that runs on a stream worker or the recorder (plain threads in
 * {@code StreamHub} today) keeps JMH's plain threads. See {@link NettyThreadExecutor} for why it changes B/op.
 *
 * <p>Thread safety: constants only.
 */
public final class BenchJvm
{
    /** Netty leak detection off. */
    public static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    /** Chronicle must not phone home. */
    public static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";

    /** WARN-level logging (the server jar's logback.xml logs every stream creation at INFO). */
    public static final String QUIET_LOGS = "-Dlogback.configurationFile=cococam-bench-logback.xml";

    /** Fixed heap so GC counts are comparable between runs. */
    public static final String XMS = "-Xms1g";

    /** Fixed heap so GC counts are comparable between runs. */
    public static final String XMX = "-Xmx1g";

    /** Runs the benchmark threads as Netty FastThreadLocalThreads, see {@link NettyThreadExecutor}. */
    public static final String NETTY_EXECUTOR = "-Djmh.executor=CUSTOM";

    /** See {@link #NETTY_EXECUTOR}. */
    public static final String NETTY_EXECUTOR_CLASS = "-Djmh.executor.class=com.cococam.bench.NettyThreadExecutor";

    /** Chronicle needs these opens and exports on Java 17 (same set as the parent pom's chronicle.jvm.args). */
    public static final String OPEN_LANG = "--add-opens=java.base/java.lang=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_IO = "--add-opens=java.base/java.io=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_NIO = "--add-opens=java.base/java.nio=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_NIO_CH = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_MISC = "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_UTIL = "--add-opens=java.base/java.util=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_CONCURRENT = "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String EXPORT_NIO_CH = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String EXPORT_SUN_MISC = "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String EXPORT_MISC = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String EXPORT_JAVAC_FILE = "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED";
    /** See {@link #OPEN_LANG}. */
    public static final String OPEN_JAVAC = "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED";

    static
    {
        disableAnalytics();
    }

    private BenchJvm()
    {
    }

    /**
     * Sets {@code chronicle.analytics.disable=true} unless already set; benchmark states call it from their static
     * initializers as a second line of defence behind the fork flag.
     */
    public static void disableAnalytics()
    {
        if (System.getProperty("chronicle.analytics.disable") == null)
        {
            System.setProperty("chronicle.analytics.disable", "true");
        }
    }
}
