package com.cococam.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link FanoutBenchmark} with the benchmark thread (which plays the live worker and the viewers' event loops)
 * being a Netty {@code FastThreadLocalThread}: what the fan-out would allocate if {@code StreamHub} started its
 * workers as FastThreadLocalThreads, so that Netty's Recycler pools {@code OutFrame}s, pooled buffer shells and
 * duplicates there (see {@link NettyThreadExecutor}).
 */
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.EXPORT_MISC, BenchJvm.OPEN_MISC, BenchJvm.NETTY_EXECUTOR,
    BenchJvm.NETTY_EXECUTOR_CLASS})
public class FanoutOnNettyThreadBenchmark extends FanoutBenchmark
{
}
