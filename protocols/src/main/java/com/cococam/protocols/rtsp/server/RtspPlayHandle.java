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
     * PLAY was answered: start sending. May be called again after {@link #onPause()}.
     */
    void onPlay();

    /**
     * PAUSE: stop sending until the next {@link #onPlay()}.
     */
    void onPause();

    /**
     * The session ended (TEARDOWN, connection closed, timeout, another DESCRIBE). Called once.
     */
    void onClose();
}
