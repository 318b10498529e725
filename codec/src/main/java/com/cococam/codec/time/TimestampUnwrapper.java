package com.cococam.codec.time;

/**
 * Turns a 32-bit wire timestamp (RTMP milliseconds, RTP ticks) into a 64-bit, monotonic-ish timeline,
 * and flags jumps.
 *
 * <p>Wrap-around is detected from the sign of the 32-bit difference to the previous value; a difference larger
 * than {@code maxJump} forwards or backwards is a discontinuity: the output timeline continues from the previous
 * value plus {@code nominalStep}, so consumers never see time run backwards or leap, and {@link #lastWasJump()}
 * tells the caller to mark the access unit.
 *
 * <p>Thread safety: single thread. Allocation: none.
 */
public final class TimestampUnwrapper
{
    private final long maxJump;
    private final long nominalStep;
    private boolean started;
    private long lastWire;
    private long lastOut;
    private long offset;
    private boolean lastWasJump;

    /**
     * @param maxJump     largest difference, in wire ticks, still taken as continuous.
     * @param nominalStep step, in wire ticks, used to bridge a jump.
     */
    public TimestampUnwrapper(final long maxJump, final long nominalStep)
    {
        if (maxJump <= 0 || maxJump >= (1L << 31))
        {
            throw new IllegalArgumentException("maxJump out of range: maxJump=" + maxJump);
        }

        this.maxJump = maxJump;
        this.nominalStep = nominalStep;
    }

    /**
     * @param wire a 32-bit wire timestamp (only the low 32 bits are used).
     * @return the unwrapped 64-bit timestamp, in wire ticks.
     */
    public long unwrap(final long wire)
    {
        final long w = wire & 0xFFFF_FFFFL;
        lastWasJump = false;

        if (!started)
        {
            started = true;
            lastWire = w;
            lastOut = w;
            offset = 0;
            return w;
        }

        final long delta = (int)(w - lastWire);
        final long candidate = lastOut + delta;
        if (delta > maxJump || delta < -maxJump)
        {
            lastWasJump = true;
            final long bridged = lastOut + nominalStep;
            offset = bridged - w;
            lastWire = w;
            lastOut = bridged;
            return bridged;
        }

        lastWire = w;
        lastOut = candidate;
        return candidate;
    }

    /**
     * @return whether the last {@link #unwrap(long)} bridged a jump.
     */
    public boolean lastWasJump()
    {
        return lastWasJump;
    }

    /**
     * @return the offset currently added to wire values (after jumps), for diagnostics.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * Forget all history: the next value starts a new timeline.
     */
    public void reset()
    {
        started = false;
        lastWasJump = false;
        offset = 0;
    }
}
