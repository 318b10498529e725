package com.cococam.protocols.rtsp.client;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Reception statistics of one RTP source and the RTCP receiver report built from them (RFC 3550 section 6.4.2,
 * with the algorithms of appendix A.3 for loss and A.8 for jitter), followed by an SDES packet with a CNAME.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|   RC    |   PT=RR=201   |             length            |
 * |                     SSRC of packet sender                     |
 * |                 SSRC_1 (SSRC of first source)                 |
 * | fraction lost |       cumulative number of packets lost       |
 * |           extended highest sequence number received           |
 * |                      interarrival jitter                      |
 * |                         last SR (LSR)                         |
 * |                   delay since last SR (DLSR)                  |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Before the first packet the report has no block (RC 0). An SSRC change restarts the statistics. The fraction
 * lost covers the interval since the previous report; the cumulative count is signed (duplicates can make it
 * negative) and clamped to 24 bits. Jitter is in RTP timestamp units, from arrival times read on the given clock.
 *
 * <p>Thread safety: single thread. Allocation: none; {@link #writeReport} writes into the caller's buffer.
 */
final class RtcpReceiverStats
{
    /** RTCP packet type of a receiver report. */
    static final int PT_RR = 201;
    /** RTCP packet type of a source description. */
    static final int PT_SDES = 202;

    private static final byte[] CNAME = "cococam".getBytes(StandardCharsets.US_ASCII);
    private static final int SEQ_MOD = 0x1_0000;
    private static final int HALF_SEQ = 0x8000;
    private static final long NS_PER_S = 1_000_000_000L;

    private final int clockRate;
    private final LongSupplier nanoClock;
    private boolean started;
    private long ssrc;
    private int maxSeq;
    private long cycles;
    private long baseSeq;
    private long received;
    private long expectedPrior;
    private long receivedPrior;
    private boolean hasTransit;
    private long lastTransit;
    private long jitterQ4;
    private long lastSrMiddle;
    private long lastSrNs;
    private boolean hasSr;
    private long originNs;

    /**
     * @param clockRate the source's RTP clock rate in Hz, for the jitter.
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime} in production).
     */
    RtcpReceiverStats(final int clockRate, final LongSupplier nanoClock)
    {
        if (clockRate <= 0)
        {
            throw new IllegalArgumentException("clock rate must be positive: clockRate=" + clockRate);
        }

        this.clockRate = clockRate;
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Counts one RTP packet (at least 12 bytes, not otherwise checked) arriving now.
     *
     * @param packet the packet in its readable bytes; indexes not moved.
     */
    void onPacket(final ByteBuf packet)
    {
        final int base = packet.readerIndex();
        final int seq = packet.getUnsignedShort(base + 2);
        final long rtpTimestamp = packet.getUnsignedInt(base + 4);
        final long packetSsrc = packet.getUnsignedInt(base + 8);
        if (!started || packetSsrc != ssrc)
        {
            started = true;
            ssrc = packetSsrc;
            maxSeq = seq;
            cycles = 0;
            baseSeq = seq;
            received = 0;
            expectedPrior = 0;
            receivedPrior = 0;
            hasTransit = false;
            jitterQ4 = 0;
            originNs = nanoClock.getAsLong();
        }

        final int delta = (seq - maxSeq) & 0xFFFF;
        if (delta != 0 && delta < HALF_SEQ)
        {
            if (seq < maxSeq)
            {
                cycles += SEQ_MOD;
            }

            maxSeq = seq;
        }

        received++;
        final long sinceNs = nanoClock.getAsLong() - originNs;
        final long arrival = sinceNs / NS_PER_S * clockRate + sinceNs % NS_PER_S * clockRate / NS_PER_S;
        final long transit = (arrival - rtpTimestamp) & 0xFFFF_FFFFL;
        if (hasTransit)
        {
            final long d = Math.abs((int)(transit - lastTransit));
            // RFC 3550 A.8: J += (|D| - J) / 16, kept scaled by 16.
            jitterQ4 += d - ((jitterQ4 + 8) >> 4);
        }

        hasTransit = true;
        lastTransit = transit;
    }

    /**
     * Notes a sender report of the source, received now.
     *
     * @param ntpTimestamp its 64-bit NTP timestamp.
     */
    void onSenderReport(final long ntpTimestamp)
    {
        lastSrMiddle = (ntpTimestamp >>> 16) & 0xFFFF_FFFFL;
        lastSrNs = nanoClock.getAsLong();
        hasSr = true;
    }

    /**
     * @return the interarrival jitter in RTP timestamp units.
     */
    long jitter()
    {
        return jitterQ4 >> 4;
    }

    /**
     * @return packets expected minus packets received so far (0 before the first packet).
     */
    long cumulativeLost()
    {
        return started ? cycles + maxSeq - baseSeq + 1 - received : 0;
    }

    /**
     * Writes a receiver report (one block once a packet arrived) and an SDES CNAME, and starts a new loss interval.
     *
     * @param out     receives 8 + 24 (with a block) + 16 bytes.
     * @param ourSsrc the receiver's own SSRC.
     * @return {@code out}.
     */
    ByteBuf writeReport(final ByteBuf out, final long ourSsrc)
    {
        final int blocks = started ? 1 : 0;
        out.writeByte(0x80 | blocks).writeByte(PT_RR).writeShort(1 + 6 * blocks).writeInt((int)ourSsrc);
        if (started)
        {
            final long extendedMax = cycles + maxSeq;
            final long expected = extendedMax - baseSeq + 1;
            final long lost = Math.max(-0x80_0000, Math.min(0x7F_FFFF, expected - received));
            final long expectedInterval = expected - expectedPrior;
            final long receivedInterval = received - receivedPrior;
            expectedPrior = expected;
            receivedPrior = received;
            final long lostInterval = expectedInterval - receivedInterval;
            final int fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 :
                (int)Math.min(255, (lostInterval << 8) / expectedInterval);
            final long dlsr = hasSr ? (nanoClock.getAsLong() - lastSrNs) * 65_536 / NS_PER_S : 0;
            out.writeInt((int)ssrc)
                .writeInt(fraction << 24 | (int)(lost & 0xFF_FFFF))
                .writeInt((int)extendedMax)
                .writeInt((int)jitter())
                .writeInt(hasSr ? (int)lastSrMiddle : 0)
                .writeInt((int)dlsr);
        }

        final int sdesBytes = 4 + 4 + 2 + CNAME.length + 1;
        final int padded = (sdesBytes + 3) & ~3;
        out.writeByte(0x81).writeByte(PT_SDES).writeShort(padded / 4 - 1).writeInt((int)ourSsrc)
            .writeByte(1).writeByte(CNAME.length).writeBytes(CNAME);
        for (int i = sdesBytes - 1; i < padded; i++)
        {
            out.writeByte(0);
        }

        return out;
    }
}
