package com.cococam.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link Fmp4SegmentBenchmark} on a Netty {@code FastThreadLocalThread}: what a segment would allocate if the
 * live workers were such threads (the per-sample retained slices are then recycled; the composite's components
 * are not).
 */
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.NETTY_EXECUTOR, BenchJvm.NETTY_EXECUTOR_CLASS})
public class Fmp4SegmentOnNettyThreadBenchmark extends Fmp4SegmentBenchmark
{
}
