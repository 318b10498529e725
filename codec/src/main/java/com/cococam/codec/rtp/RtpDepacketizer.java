package com.cococam.codec.rtp;

import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Base of every depacketizer: turns the RTP packets of one source, fed in arrival order, into access units
 * given to an {@link RtpAccessUnitHandler}.
 *
 * <p>Each packet first goes through an {@link RtpSequenceTracker}. Duplicates, late (reordered) packets and
 * jumps are dropped and counted; after a gap, or a restart or an SSRC change, the format-specific part drops
 * the access unit it was assembling (video then waits for the next keyframe). There is no jitter buffer: a
 * packet that arrives after a later one counts as lost and then late; a caller who needs reordering sorts
 * packets before feeding them.
 *
 * <p>The caller demultiplexes: feed one payload type of one session to one depacketizer (payload types are not
 * checked here). An SSRC change is taken as a restart of the source.
 *
 * <p>Bad input never throws: every packet gets a {@link DepacketizeResult}, and the counters below tell what
 * was dropped.
 *
 * <p>Thread safety: single thread. Allocation: output buffers come from the allocator given at construction
 * (pooled in production); nothing else is allocated per packet in steady state. Call {@link #close()} to
 * release a partly assembled access unit.
 */
public abstract class RtpDepacketizer implements AutoCloseable
{
    final ByteBufAllocator allocator;
    final RtpAccessUnitHandler handler;
    final RtpSequenceTracker tracker = new RtpSequenceTracker();
    private TrackFormat announced;
    private boolean ssrcKnown;
    private long ssrc;
    long emittedAccessUnits;
    long brokenAccessUnits;
    long skippedAccessUnits;
    long oversizeAccessUnits;
    long malformedPackets;
    long unsupportedPackets;
    long ssrcChanges;

    RtpDepacketizer(final ByteBufAllocator allocator, final RtpAccessUnitHandler handler)
    {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /**
     * Takes one packet: tracks its sequence number, then depacketizes it; may call the handler several times.
     *
     * @param packet a wrapped packet ({@link RtpPacket#wrap} returned OK) of the stream's payload type; only
     *               read during the call.
     * @return what happened to the packet's data.
     */
    public final DepacketizeResult onPacket(final RtpPacket packet)
    {
        final boolean sourceChanged = ssrcKnown && packet.ssrc() != ssrc;
        if (sourceChanged)
        {
            ssrcChanges++;
            tracker.reset();
        }

        ssrcKnown = true;
        ssrc = packet.ssrc();
        final RtpSequenceTracker.Verdict verdict = tracker.onPacket(packet.sequenceNumber());
        switch (verdict)
        {
            case DUPLICATE:
                return DepacketizeResult.DUPLICATE;
            case LATE:
                return DepacketizeResult.LATE;
            case JUMP:
                return DepacketizeResult.JUMP;
            default:
                break;
        }

        if (verdict.discontinuity() || sourceChanged)
        {
            onLoss();
        }

        final DepacketizeResult result = depacketize(packet);
        switch (result)
        {
            case MALFORMED -> malformedPackets++;
            case UNSUPPORTED -> unsupportedPackets++;
            case OVERSIZE -> oversizeAccessUnits++;
            default ->
            {
            }
        }

        return result;
    }

    /**
     * Emits an access unit that is complete but not yet closed (formats that end a unit only when the next one
     * starts, when the marker bit was missing); call at the end of a stream. A unit cut short is dropped.
     */
    public abstract void flush();

    /**
     * Drops and releases whatever is being assembled, without emitting it. The depacketizer stays usable.
     */
    @Override
    public abstract void close();

    /**
     * @return the format known so far (from configuration or in-band data), or null if none yet.
     */
    public abstract TrackFormat currentFormat();

    /**
     * @return the sequence tracker (loss, duplicate, late and jump counters).
     */
    public RtpSequenceTracker sequence()
    {
        return tracker;
    }

    /**
     * @return access units given to the handler.
     */
    public long emittedAccessUnits()
    {
        return emittedAccessUnits;
    }

    /**
     * @return access units dropped because a packet of theirs was lost, malformed, unsupported or oversize.
     */
    public long brokenAccessUnits()
    {
        return brokenAccessUnits;
    }

    /**
     * @return complete access units dropped while waiting for a keyframe (video, after a loss or at the start).
     */
    public long skippedAccessUnits()
    {
        return skippedAccessUnits;
    }

    /**
     * @return access units dropped for growing past the size limit.
     */
    public long oversizeAccessUnits()
    {
        return oversizeAccessUnits;
    }

    /**
     * @return packets whose payload was malformed.
     */
    public long malformedPackets()
    {
        return malformedPackets;
    }

    /**
     * @return packets of an unsupported packetization.
     */
    public long unsupportedPackets()
    {
        return unsupportedPackets;
    }

    /**
     * @return times the SSRC changed (each treated as a restart of the source).
     */
    public long ssrcChanges()
    {
        return ssrcChanges;
    }

    /**
     * Packets were lost (or the source restarted) just before the next packet.
     */
    abstract void onLoss();

    /**
     * Depacketizes one accepted packet.
     *
     * @param packet the packet.
     * @return the outcome; MALFORMED, UNSUPPORTED and OVERSIZE are counted by the caller.
     */
    abstract DepacketizeResult depacketize(RtpPacket packet);

    /**
     * Announces the current format to the handler if it changed since the last announcement.
     */
    final void announceFormat()
    {
        final TrackFormat format = currentFormat();
        if (format != null && format != announced)
        {
            announced = format;
            handler.onFormat(format);
        }
    }
}
