package com.cococam.protocols.rtsp.client;

import com.cococam.protocols.rtsp.Transport;
import io.netty.buffer.ByteBuf;

import java.util.List;

/**
 * Receives what an {@link RtspClient} gets from a camera.
 * <p>
 * Thread safety: every call comes from the client's event loop, one at a time. Calls must not block.
 * <p>
 * Buffer ownership: packets are valid during the call only; a listener that keeps one must retain it.
 */
public interface RtspClientListener
{
    /**
     * PLAY was accepted: media follows.
     *
     * @param tracks    the tracks set up, in order; never empty.
     * @param transport the lower transport in use.
     */
    void onPlaying(List<RtspTrack> tracks, Transport.LowerTransport transport);

    /**
     * One RTP packet of a track (UDP datagram or interleaved frame payload), not yet validated.
     *
     * @param track  the track.
     * @param packet the packet bytes in the readable range.
     */
    void onRtp(RtspTrack track, ByteBuf packet);

    /**
     * An RTCP sender report of a track.
     *
     * @param track        the track.
     * @param ntpTimestamp the 64-bit NTP timestamp of the report.
     * @param rtpTimestamp the RTP timestamp that corresponds to it (unsigned 32 bits).
     */
    default void onSenderReport(final RtspTrack track, final long ntpTimestamp, final long rtpTimestamp)
    {
    }

    /**
     * The session ended; called once, after which nothing else is called.
     *
     * @param error  why.
     * @param detail a human-readable detail (status line, exception message); never contains credentials.
     */
    void onClosed(RtspClientError error, String detail);
}
