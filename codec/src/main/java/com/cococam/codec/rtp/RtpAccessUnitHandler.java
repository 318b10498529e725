package com.cococam.codec.rtp;

import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;

/**
 * Receives what a depacketizer reassembles from RTP packets.
 *
 * <p>Thread safety: called on the thread that feeds the depacketizer, from inside its {@code onPacket} or
 * {@code flush} call.
 *
 * <p>Buffer ownership: the access unit stays owned by the depacketizer, which releases it when the call returns;
 * a handler that keeps it must {@code retain()} it. The handler must not change its indexes.
 */
@FunctionalInterface
public interface RtpAccessUnitHandler
{
    /**
     * One complete access unit, in the convention of {@link com.cococam.codec.media.AccessUnitPayloads}
     * (4-byte length-prefixed NAL units for H.264/H.265, a raw frame for AAC, the payload bytes for G.711 and
     * Opus, a complete JFIF file for MJPEG).
     *
     * @param rtpTimestamp the RTP timestamp of the unit (unsigned 32 bits, in the RTP clock of the stream, not
     *                     unwrapped; for several AAC frames in one packet, the packet timestamp plus the frame
     *                     duration times the frame index, wrapped to 32 bits).
     * @param flags        {@link com.cococam.codec.media.FrameFlags}: {@code KEYFRAME} for IDR/IRAP pictures
     *                     and every audio frame.
     * @param accessUnit   the bytes in its readable range; valid during the call only unless retained.
     */
    void onAccessUnit(long rtpTimestamp, int flags, ByteBuf accessUnit);

    /**
     * The track format became known or changed (in-band parameter sets or an in-band StreamMuxConfig that
     * differ from the previous ones). Called before the first access unit that uses it. The default does nothing.
     *
     * @param format the new format.
     */
    default void onFormat(final TrackFormat format)
    {
    }
}
