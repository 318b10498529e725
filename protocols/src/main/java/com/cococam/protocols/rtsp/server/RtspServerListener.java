package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.sdp.Sdp;

/**
 * What the server application decides for {@link RtspServerHandler}: who may publish or play what, and where
 * the media goes. The protocol layer logs nothing; it reports here.
 *
 * <p>Thread safety: called on each connection's event loop; one listener serves every connection.
 */
public interface RtspServerListener
{
    /**
     * ANNOUNCE: a client wants to publish.
     *
     * @param connection the connection.
     * @param target     the URL's path and query (keys are in the query).
     * @param sdp        the announced description.
     * @return the session to feed.
     * @throws RtspRefusedException to refuse (e.g. 404 unknown camera, 401/403 bad key).
     */
    RtspPublishHandle onAnnounce(RtspConnection connection, RtspTarget target, Sdp sdp)
        throws RtspRefusedException;

    /**
     * DESCRIBE: a client wants to play.
     *
     * @param connection the connection.
     * @param target     the URL's path and query.
     * @return the session, which knows the SDP to answer with.
     * @throws RtspRefusedException to refuse (e.g. 404).
     */
    RtspPlayHandle onDescribe(RtspConnection connection, RtspTarget target) throws RtspRefusedException;

    /**
     * @return the server's RTP/RTCP UDP ports for SETUP replies, or null when RTP over UDP is not offered.
     */
    Transport.Range udpServerPorts();

    /**
     * The connection is being closed for a protocol reason (garbage, bad message, timeout, refused request, channel
     * error). Once per connection; the reason holds no secrets.
     *
     * @param connection the connection.
     * @param reason     why, with a bounded label for counters and a detail for logs.
     */
    void onProtocolError(RtspConnection connection, RtspCloseReason reason);

    /**
     * The connection closed. Called once, after the session's handle got {@code onClose()}.
     *
     * @param connection the connection.
     */
    void onClosed(RtspConnection connection);
}
