package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.Transport;
import io.netty.buffer.ByteBuf;

/**
 * One publishing session (ANNOUNCE, SETUP with mode=record, RECORD), made by
 * {@link RtspServerListener#onAnnounce}.
 *
 * <p>Thread safety: called on the connection's event loop only.
 */
public interface RtspPublishHandle
{
    /**
     * A track was set up.
     *
     * @param trackIndex index of the media section in the announced SDP.
     * @param transport  the transport granted (TCP with both interleaved ids, or UDP with both client ports).
     * @throws RtspRefusedException to refuse the SETUP.
     */
    void onSetup(int trackIndex, Transport transport) throws RtspRefusedException;

    /**
     * RECORD was accepted: media follows.
     *
     * @throws RtspRefusedException to refuse it.
     */
    void onRecord() throws RtspRefusedException;

    /**
     * An interleaved RTP or RTCP packet of a set-up track.
     *
     * @param trackIndex the track.
     * @param rtcp       whether it came on the track's RTCP channel.
     * @param packet     the packet bytes; valid during the call only (the handler releases it afterwards).
     */
    void onInterleaved(int trackIndex, boolean rtcp, ByteBuf packet);

    /**
     * The session ended (TEARDOWN, connection closed, timeout). Called once.
     */
    void onClose();
}
