package com.cococam.codec.rtp;

/**
 * Follows the 16-bit sequence numbers of one RTP source, in the manner of RFC 3550 Appendix A.1: it extends them
 * to 32 bits across wraps, and classifies each packet as in order, after a gap (loss), a duplicate, late
 * (reordered behind a packet already seen), or a large jump.
 *
 * <p>Policy, for a receiver without a jitter buffer:
 * <ul>
 *     <li>A forward step of 1 is {@link Verdict#IN_ORDER}; a forward step of 2 to {@link #MAX_DROPOUT} is
 *     {@link Verdict#GAP}: the packets in between are counted as lost and the depacketizer must drop what it
 *     was assembling.</li>
 *     <li>A packet at or up to {@link #MAX_MISORDER} behind the highest one is {@link Verdict#DUPLICATE} when it
 *     was already seen (a 64-packet history tells), else {@link Verdict#LATE}: it arrived after its gap was
 *     declared, so it is dropped; it is taken back out of the lost count, as RFC 3550's expected-minus-received
 *     count would (only within the 64-packet history; an older late packet stays counted as lost and cannot be
 *     told from a duplicate).</li>
 *     <li>Any other step is a jump: the packet is dropped ({@link Verdict#JUMP}) unless it follows the previous
 *     jumped packet, in which case the source is taken to have restarted ({@link Verdict#RESTART}, treat as a
 *     loss) and tracking starts over from it. Unlike RFC 3550 there is no probation for a new source: its first
 *     packet is accepted ({@link Verdict#FIRST}).</li>
 * </ul>
 *
 * <p>Thread safety: single thread. Allocation: none.
 */
public final class RtpSequenceTracker
{
    /**
     * Largest forward step still taken as loss rather than a jump (RFC 3550 A.1).
     */
    public static final int MAX_DROPOUT = 3000;

    /**
     * Largest backward step still taken as reordering or duplication rather than a jump (RFC 3550 A.1).
     */
    public static final int MAX_MISORDER = 100;

    private static final int HISTORY = 64;

    /**
     * How one packet fits the sequence so far.
     */
    public enum Verdict
    {
        /**
         * The first packet seen (or the first after {@link #reset()}): accept.
         */
        FIRST,

        /**
         * The next packet: accept.
         */
        IN_ORDER,

        /**
         * Packets are missing before this one ({@link #lastGap()} of them): drop the partial access unit, then
         * accept this packet.
         */
        GAP,

        /**
         * Seen before: drop it.
         */
        DUPLICATE,

        /**
         * Behind the highest packet and not seen before, i.e. reordered past its gap: drop it.
         */
        LATE,

        /**
         * A step too large to be loss or reordering: drop it (one more such packet in sequence restarts).
         */
        JUMP,

        /**
         * The source restarted its numbering (two packets in sequence after a jump): drop the partial access
         * unit, then accept this packet.
         */
        RESTART;

        /**
         * @return whether the packet should be depacketized.
         */
        public boolean accepted()
        {
            return this == FIRST || this == IN_ORDER || this == GAP || this == RESTART;
        }

        /**
         * @return whether the depacketizer must drop what it was assembling before taking this packet.
         */
        public boolean discontinuity()
        {
            return this == GAP || this == RESTART;
        }
    }

    private boolean started;
    private int maxSeq;
    private long cycles;
    private int badSeq = -1;
    private long history;
    private long received;
    private long lost;
    private long duplicates;
    private long late;
    private long jumps;
    private int lastGap;

    /**
     * Classifies one packet and updates the counters.
     *
     * @param sequenceNumber the packet's 16-bit sequence number (higher bits ignored).
     * @return the verdict.
     */
    public Verdict onPacket(final int sequenceNumber)
    {
        final int seq = sequenceNumber & 0xFFFF;
        lastGap = 0;
        if (!started)
        {
            restartAt(seq);
            return Verdict.FIRST;
        }

        final int delta = (seq - maxSeq) & 0xFFFF;
        if (delta == 0)
        {
            duplicates++;
            return Verdict.DUPLICATE;
        }

        if (delta < MAX_DROPOUT)
        {
            return advance(seq, delta);
        }

        if (delta >= 0x10000 - MAX_MISORDER)
        {
            return behind(0x10000 - delta);
        }

        if (seq == badSeq)
        {
            restartAt(seq);
            jumps++;
            return Verdict.RESTART;
        }

        badSeq = (seq + 1) & 0xFFFF;
        jumps++;
        return Verdict.JUMP;
    }

    /**
     * Forgets the source; the next packet is {@link Verdict#FIRST}. Counters are kept.
     */
    public void reset()
    {
        started = false;
        badSeq = -1;
        history = 0;
    }

    /**
     * @return the highest sequence number seen, extended with the wrap count (RFC 3550 A.1 extended highest
     *         sequence number); -1 before the first packet.
     */
    public long extendedHighestSequence()
    {
        return started ? cycles + maxSeq : -1;
    }

    /**
     * @return how many times the 16-bit sequence number wrapped.
     */
    public long wraps()
    {
        return cycles >>> 16;
    }

    /**
     * @return packets accepted.
     */
    public long received()
    {
        return received;
    }

    /**
     * @return packets missing so far (gaps, less the late packets that later filled them).
     */
    public long lost()
    {
        return lost;
    }

    /**
     * @return duplicate packets dropped.
     */
    public long duplicates()
    {
        return duplicates;
    }

    /**
     * @return late (reordered) packets dropped.
     */
    public long late()
    {
        return late;
    }

    /**
     * @return packets that jumped (dropped or restarting).
     */
    public long jumps()
    {
        return jumps;
    }

    /**
     * @return packets missing just before the last packet when its verdict was {@link Verdict#GAP}, else 0.
     */
    public int lastGap()
    {
        return lastGap;
    }

    private Verdict advance(final int seq, final int delta)
    {
        if (seq < maxSeq)
        {
            cycles += 0x10000;
        }

        history = delta >= HISTORY ? 1 : (history << delta) | 1;
        maxSeq = seq;
        badSeq = -1;
        received++;
        if (delta == 1)
        {
            return Verdict.IN_ORDER;
        }

        lastGap = delta - 1;
        lost += lastGap;
        return Verdict.GAP;
    }

    private Verdict behind(final int distance)
    {
        if (distance < HISTORY)
        {
            final long bit = 1L << distance;
            if ((history & bit) != 0)
            {
                duplicates++;
                return Verdict.DUPLICATE;
            }

            history |= bit;
            lost--;
        }

        late++;
        return Verdict.LATE;
    }

    private void restartAt(final int seq)
    {
        started = true;
        maxSeq = seq;
        cycles = 0;
        badSeq = -1;
        history = 1;
        received++;
    }
}
