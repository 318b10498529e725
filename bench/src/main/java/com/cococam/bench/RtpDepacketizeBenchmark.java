package com.cococam.bench;

import com.cococam.codec.rtp.DepacketizeResult;
import com.cococam.codec.rtp.RtpAccessUnitHandler;
import com.cococam.codec.rtp.RtpDepacketizer;
import com.cococam.codec.rtp.RtpPacket;
import com.cococam.codec.rtp.RtpWrapResult;
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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * RTSP/RTP ingest: the packets of one access unit through the codec's depacketizer (H.264 FU-A and single NAL
 * unit, H.265 FU, AAC mpeg4-generic; cases in {@link RtpBenchPayloads}), from {@link RtpPacket#wrap} to the
 * handler call that delivers the reassembled unit. The packets are made once in setup by the matching
 * packetizer; before each operation's packets are wrapped their sequence numbers and timestamps are rewritten
 * in place (two stores each) so the depacketizer sees one continuous stream. One operation = one access unit.
 *
 * <p>Runs on a FastThreadLocalThread: RTSP ingest (push over TCP, pulled cameras) depacketizes on the
 * connection's event loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.NETTY_EXECUTOR, BenchJvm.NETTY_EXECUTOR_CLASS})
public class RtpDepacketizeBenchmark
{
    /** The payload case, see {@link RtpBenchPayloads}. */
    @Param({"h264FuA", "h264Single", "h265Fu", "aac"})
    public String payload;

    private final CountingHandler handler = new CountingHandler();
    private final RtpPacket view = new RtpPacket();
    private ByteBuf[] packets;
    private RtpDepacketizer depacketizer;
    private long step;
    private long rtpTimestamp;
    private int sequence;

    /**
     * Packetizes the case's access unit once and builds the depacketizer.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        final ByteBuf unit = RtpBenchPayloads.accessUnit(payload);
        final int unitBytes = unit.readableBytes();
        final List<ByteBuf> made = new ArrayList<>();
        RtpBenchPayloads.packetizer(payload).packetize(unit, 0, made::add);
        unit.release();
        packets = made.toArray(new ByteBuf[0]);
        step = RtpBenchPayloads.step(payload);
        depacketizer = RtpBenchPayloads.depacketizer(payload, handler);
        depacketize();
        if (handler.units != 1 || handler.bytes != unitBytes)
        {
            throw new IllegalStateException("access unit not reassembled: units=" + handler.units + " bytes="
                + handler.bytes + " expected=" + unitBytes);
        }

        System.out.printf("%n[rtp depacketize] case=%s packets/unit=%d bytes/unit=%d%n", payload, packets.length,
            handler.bytes);
    }

    /**
     * Frees the packets and whatever the depacketizer holds, and checks that nothing was dropped.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        System.out.printf("%n[rtp depacketize] case=%s units=%d broken=%d malformed=%d%n", payload,
            handler.units, depacketizer.brokenAccessUnits(), depacketizer.malformedPackets());
        depacketizer.close();
        for (final ByteBuf packet : packets)
        {
            packet.release();
        }
    }

    /**
     * Depacketizes the packets of one access unit.
     *
     * @return the reassembled unit's length.
     */
    @Benchmark
    public int depacketize()
    {
        rtpTimestamp += step;
        final int timestamp = (int)rtpTimestamp;
        for (final ByteBuf packet : packets)
        {
            packet.setShort(packet.readerIndex() + 2, sequence++);
            packet.setInt(packet.readerIndex() + 4, timestamp);
            if (view.wrap(packet) != RtpWrapResult.OK || depacketizer.onPacket(view) != DepacketizeResult.OK)
            {
                throw new IllegalStateException("packet refused");
            }
        }

        return handler.lastBytes;
    }

    /**
     * Counts units and bytes; keeps nothing.
     */
    static final class CountingHandler implements RtpAccessUnitHandler
    {
        long units;
        long bytes;
        int lastBytes;

        @Override
        public void onAccessUnit(final long rtpTimestamp, final int flags, final ByteBuf accessUnit)
        {
            units++;
            lastBytes = accessUnit.readableBytes();
            bytes += lastBytes;
        }
    }
}
