package com.cococam.protocols.rtsp.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The receiver report bytes, field by field against RFC 3550 section 6.4.2 (and the SDES CNAME that follows,
 * section 6.5), with loss, a sequence wrap, jitter and LSR/DLSR under a hand-driven clock.
 */
@Timeout(10)
class RtcpReceiverStatsTest
{
    private static final long OUR_SSRC = 0xCAFE_BABEL;
    private static final long SOURCE_SSRC = 0x0102_0304L;
    private static final int CLOCK = 90_000;

    private final AssemblerFixtures.ManualClock clock = new AssemblerFixtures.ManualClock();

    @Test
    void shouldWriteAnEmptyReportAndCnameBeforeAnyPacket()
    {
        final RtcpReceiverStats stats = new RtcpReceiverStats(CLOCK, clock);
        final byte[] bytes = report(stats);
        assertEquals(8 + 20, bytes.length);
        assertEquals(0x80, bytes[0] & 0xFF, "V=2, P=0, RC=0");
        assertEquals(201, bytes[1] & 0xFF, "PT=RR");
        assertEquals(1, u16(bytes, 2), "length: 2 words - 1");
        assertEquals(OUR_SSRC, u32(bytes, 4));
        checkSdes(bytes, 8);
    }

    @Test
    void shouldReportLossSequenceJitterAndSenderReportDelayByteByByte()
    {
        final RtcpReceiverStats stats = new RtcpReceiverStats(CLOCK, clock);
        // 10 packets from seq 65530 across the wrap (65530..65535, 0..3) with 3 missing (65533, 1, 2): 7 received.
        final int[] sequences = {65530, 65531, 65532, 65534, 65535, 0, 3};
        // Sent every 40 ms (3600 ticks); arrivals 40 ms apart except the 5th, 10 ms late.
        final long[] arrivalMs = {0, 40, 80, 160, 210, 240, 360};
        final long[] timestamps = {1_000, 4_600, 8_200, 15_400, 19_000, 22_600, 33_400};
        final long startNs = clock.nowNs;
        for (int i = 0; i < sequences.length; i++)
        {
            clock.nowNs = startNs + arrivalMs[i] * 1_000_000L;
            stats.onPacket(rtp(sequences[i], timestamps[i]));
        }

        // Jitter by RFC 3550 A.8 from the transit differences: 0,0,0,+900,-900,0 ticks.
        double jitter = 0;
        final double[] d = {0, 0, 0, 900, 900, 0};
        for (final double step : d)
        {
            jitter += (step - jitter) / 16;
        }

        clock.nowNs = startNs + 400_000_000L;
        final long ntp = 0x1122_3344_5566_7788L;
        stats.onSenderReport(ntp);
        clock.nowNs += 1_500_000_000L;
        final byte[] bytes = report(stats);

        assertEquals(8 + 24 + 20, bytes.length);
        assertEquals(0x81, bytes[0] & 0xFF, "V=2, P=0, RC=1");
        assertEquals(201, bytes[1] & 0xFF, "PT=RR");
        assertEquals(7, u16(bytes, 2), "length: 8 words - 1");
        assertEquals(OUR_SSRC, u32(bytes, 4), "SSRC of packet sender");
        assertEquals(SOURCE_SSRC, u32(bytes, 8), "SSRC_1");
        assertEquals(3 * 256 / 10, bytes[12] & 0xFF, "fraction lost: 3 of 10 expected, in 1/256");
        assertEquals(3, u24(bytes, 13), "cumulative lost");
        assertEquals(0x1_0003L, u32(bytes, 16), "extended highest seq: one cycle, seq 3");
        assertEquals(Math.round(jitter), u32(bytes, 20), "interarrival jitter");
        assertEquals(0x3344_5566L, u32(bytes, 24), "LSR: middle 32 bits of the NTP time");
        assertEquals(98_304, u32(bytes, 28), "DLSR: 1.5 s in 1/65536 s");
        checkSdes(bytes, 32);

        // The next report covers a new interval: nothing lost since, so fraction 0, cumulative still 3.
        clock.nowNs += 40_000_000L;
        stats.onPacket(rtp(4, 37_000));
        final byte[] next = report(stats);
        assertEquals(0, next[12] & 0xFF, "fraction lost of the new interval");
        assertEquals(3, u24(next, 13));
        assertEquals(0x1_0004L, u32(next, 16));
    }

    @Test
    void shouldRestartOnANewSourceAndCountDuplicatesAsNegativeLoss()
    {
        final RtcpReceiverStats stats = new RtcpReceiverStats(8_000, clock);
        stats.onPacket(rtp(100, 0));
        stats.onPacket(rtp(101, 160));
        stats.onPacket(rtp(101, 160));
        assertEquals(-1, stats.cumulativeLost());
        final byte[] bytes = report(stats);
        assertEquals(0xFF_FFFF, u24(bytes, 13), "cumulative lost is a signed 24-bit field: -1");
        assertEquals(0, bytes[12] & 0xFF);
        assertEquals(101, u32(bytes, 16));
        assertEquals(0, u32(bytes, 24), "no sender report yet: LSR 0");
        assertEquals(0, u32(bytes, 28), "DLSR 0");
    }

    private ByteBuf rtp(final int sequence, final long timestamp)
    {
        final ByteBuf buf = Unpooled.buffer(12);
        buf.writeByte(0x80).writeByte(96).writeShort(sequence).writeInt((int)timestamp).writeInt((int)SOURCE_SSRC);
        return buf;
    }

    private static byte[] report(final RtcpReceiverStats stats)
    {
        final ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer(64);
        try
        {
            return ByteBufUtil.getBytes(stats.writeReport(out, OUR_SSRC));
        }
        finally
        {
            out.release();
        }
    }

    private static void checkSdes(final byte[] bytes, final int at)
    {
        assertEquals(0x81, bytes[at] & 0xFF, "SDES: V=2, SC=1");
        assertEquals(202, bytes[at + 1] & 0xFF, "PT=SDES");
        assertEquals(4, u16(bytes, at + 2), "length: 5 words - 1");
        assertEquals(OUR_SSRC, u32(bytes, at + 4));
        assertEquals(1, bytes[at + 8], "item CNAME");
        assertEquals(7, bytes[at + 9]);
        final byte[] name = new byte[7];
        System.arraycopy(bytes, at + 10, name, 0, 7);
        assertArrayEquals("cococam".getBytes(StandardCharsets.US_ASCII), name);
        for (int i = at + 17; i < at + 20; i++)
        {
            assertEquals(0, bytes[i], "end of items and padding");
        }
    }

    private static int u16(final byte[] b, final int at)
    {
        return (b[at] & 0xFF) << 8 | b[at + 1] & 0xFF;
    }

    private static int u24(final byte[] b, final int at)
    {
        return (b[at] & 0xFF) << 16 | (b[at + 1] & 0xFF) << 8 | b[at + 2] & 0xFF;
    }

    private static long u32(final byte[] b, final int at)
    {
        return ((long)u16(b, at) << 16) | u16(b, at + 2);
    }
}
