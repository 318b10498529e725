package com.cococam.bench;

import org.openjdk.jmh.annotations.Fork;

/**
 * {@link RtmpEncodeBenchmark} on a Netty {@code FastThreadLocalThread}: the per-frame cost if the stream workers
 * were such threads (Recycler pooling of {@code OutFrame}s and pooled buffer shells works there).
 */
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.EXPORT_MISC, BenchJvm.OPEN_MISC, BenchJvm.NETTY_EXECUTOR,
    BenchJvm.NETTY_EXECUTOR_CLASS})
public class RtmpEncodeOnNettyThreadBenchmark extends RtmpEncodeBenchmark
{
}
