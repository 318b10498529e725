package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.RtpInfo;

import java.util.List;

/**
 * The pending {@code 200 OK} answer to one accepted PLAY, handed to {@link RtspPlayHandle#onPlay(RtspPlayReply)}.
 * The handle sends it once it knows the sequence number and RTP time of the first packet each track will carry
 * (the {@code RTP-Info} header), and before it writes any media of this PLAY, so the client sees the answer
 * first. When the handle has not sent it within {@link RtspServerHandler#PLAY_REPLY_WAIT_MS} the handler sends
 * it without {@code RTP-Info}.
 *
 * <p>Thread safety: any thread (the answer is written on the connection's event loop; from another thread it is
 * queued there, so media written on the event loop right after the call may overtake it: call it there).
 * Only the first {@link #send} counts; a reply whose session ended (TEARDOWN, PAUSE, close) sends nothing.
 */
public interface RtspPlayReply
{
    /**
     * @param trackIndex index of the media section.
     * @return the URL the client set the track up with (for {@code RTP-Info: url=}), or null if not set up.
     */
    String trackUrl(int trackIndex);

    /**
     * Sends the answer.
     *
     * @param rtpInfo entries for the tracks whose first packet is known, in any order; may be empty (no header).
     * @return true if this call sent it; false when it was sent before or the session ended.
     */
    boolean send(List<RtpInfo> rtpInfo);

    /**
     * @return whether the answer went out (by {@link #send} or the handler's fallback).
     */
    boolean isSent();
}
