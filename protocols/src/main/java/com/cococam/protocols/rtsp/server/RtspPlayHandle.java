package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.sdp.Sdp;

/**
 * One playing session (DESCRIBE, SETUP, PLAY), made by {@link RtspServerListener#onDescribe}.
 *
 * <p>Tracks are the media sections of {@link #sdp()}; each must carry an {@code a=control:trackID=N} with N its
 * index, which is how SETUP URLs are matched.
 *
 * <p>Thread safety: called on the connection's event loop only.
 */
public interface RtspPlayHandle
{
    /**
     * @return the description sent in answer to DESCRIBE.
     */
    Sdp sdp();

    /**
     * A track was set up.
     *
     * @param trackIndex index of the media section.
     * @param transport  the transport granted (TCP with both interleaved ids, or UDP with both client ports).
     * @throws RtspRefusedException to refuse the SETUP.
     */
    void onSetup(int trackIndex, Transport transport) throws RtspRefusedException;

    /**
     * PLAY was accepted: start sending. The handle sends {@code reply} (with {@code RTP-Info} for the first packet
     * of each track) before the first media of this PLAY; see {@link RtspPlayReply}. Called again for a PLAY
     * after {@link #onPause()}, with a new reply; not called for a PLAY while already playing (that one is
     * answered at once).
     *
     * @param reply the pending answer.
     */
    void onPlay(RtspPlayReply reply);

    /**
     * PAUSE: stop sending until the next {@link #onPlay()}.
     */
    void onPause();

    /**
     * The session ended (TEARDOWN, connection closed, timeout, another DESCRIBE). Called once.
     */
    void onClose();
}
