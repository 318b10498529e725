package com.cococam.bench;

import com.cococam.codec.rtp.RtpPacketHandler;
import io.netty.buffer.ByteBuf;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * RTSP/RTP output: one access unit through the codec's packetizer ({@code H264RtpPacketizer} with FU-A for a
 * 20 KB slice or a single NAL unit packet for a 1 KB one, {@code H265RtpPacketizer} with FU, {@code
 * Mpeg4GenericPacketizer} for a 400-byte AAC frame; cases in {@link RtpBenchPayloads}). Each packet is a new
 * pooled buffer; the handler adds up its length and releases it, as a channel write would after the flush.
 * One operation = one access unit (15 packets for the 20 KB cases, 1 otherwise).
 *
 * <p>Runs on a FastThreadLocalThread: the RTSP play path packetizes on the stream's live worker (an FTL thread)
 * or the viewer's event loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.NETTY_EXECUTOR, BenchJvm.NETTY_EXECUTOR_CLASS})
public class RtpPacketizeBenchmark
{
    /** The payload case, see {@link RtpBenchPayloads}. */
    @Param({"h264FuA", "h264Single", "h265Fu", "aac"})
    public String payload;

    private final ReleasingHandler handler = new ReleasingHandler();
    private RtpBenchPayloads.Packetizer packetizer;
    private ByteBuf unit;
    private long step;
    private long rtpTimestamp;

    /**
     * Builds the access unit and the packetizer.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        unit = RtpBenchPayloads.accessUnit(payload);
        packetizer = RtpBenchPayloads.packetizer(payload);
        step = RtpBenchPayloads.step(payload);
        final int packets = packetize();
        System.out.printf("%n[rtp packetize] case=%s packets/unit=%d bytes/unit=%d%n", payload, packets,
            handler.bytes);
        if (packets < 1)
        {
            throw new IllegalStateException("access unit not packetized: " + packets);
        }
    }

    /**
     * Frees the access unit.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        unit.release();
    }

    /**
     * Packetizes one access unit.
     *
     * @return packets made.
     */
    @Benchmark
    public int packetize()
    {
        rtpTimestamp += step;
        handler.bytes = 0;
        return packetizer.packetize(unit, rtpTimestamp, handler);
    }

    /**
     * Adds up the packet lengths and releases each packet.
     */
    static final class ReleasingHandler implements RtpPacketHandler
    {
        long bytes;

        @Override
        public void onPacket(final ByteBuf packet)
        {
            bytes += packet.readableBytes();
            packet.release();
        }
    }
}
