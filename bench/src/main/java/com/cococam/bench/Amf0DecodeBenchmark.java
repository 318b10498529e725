package com.cococam.bench;

import com.cococam.protocols.rtmp.amf.Amf0Decoder;
import com.cococam.protocols.rtmp.amf.Amf0Encoder;
import com.cococam.protocols.rtmp.amf.AmfLimits;
import io.netty.buffer.ByteBuf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * RTMP control path: {@link Amf0Decoder#decodeAll} of a {@code publish} command as OBS and ffmpeg send it
 * ({@code "publish", transaction id, null, stream name, "live"}). Cold path (once per connection), measured to
 * know its cost; allocates the returned values by design.
 *
 * <p>Runs on a FastThreadLocalThread (the connection's event loop in production).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.NETTY_EXECUTOR, BenchJvm.NETTY_EXECUTOR_CLASS})
public class Amf0DecodeBenchmark
{
    private final Amf0Decoder decoder = new Amf0Decoder(AmfLimits.defaults());
    private ByteBuf command;

    /**
     * Encodes the command once.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        command = BenchMedia.ALLOC.heapBuffer(128);
        Amf0Encoder.writeValues(command, "publish", 5.0, null, "cam1?token=abc123", "live");
    }

    /**
     * Frees the command.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        command.release();
    }

    /**
     * Decodes the command.
     *
     * @return the values.
     */
    @Benchmark
    public List<Object> decodePublish()
    {
        return decoder.decodeAll(command);
    }
}
