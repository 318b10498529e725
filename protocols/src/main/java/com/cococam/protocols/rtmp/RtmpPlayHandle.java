package com.cococam.protocols.rtmp;

/**
 * What the server does with one accepted play. Called on the connection's event loop.
 *
 * <p>Media goes to the player by writing pre-encoded chunks ({@link RtmpPlayMedia}) straight to
 * {@link RtmpConnection#channel()}, from any thread.
 */
public interface RtmpPlayHandle
{
    /**
     * The session has written StreamBegin, NetStream.Play.Reset, NetStream.Play.Start and |RtmpSampleAccess;
     * media may be written from now on. Called once, right after a successful {@code onPlay}.
     */
    default void onStart()
    {
    }

    /**
     * The play ended: deleteStream, closeStream, or the connection closed. Called at most once; stop writing.
     */
    void onStop();
}
