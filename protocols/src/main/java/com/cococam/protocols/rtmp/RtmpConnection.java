package com.cococam.protocols.rtmp;

import io.netty.channel.Channel;

import java.net.SocketAddress;
import java.util.Collections;
import java.util.Map;

/**
 * One RTMP client connection as the server sees it.
 *
 * <p>Thread safety: the getters may be called from any thread; app, tcUrl and stream name are set on the event
 * loop during connect/publish/play (volatile). {@link #sendPlayStop()} may be called from any thread.
 */
public final class RtmpConnection
{
    private final Channel channel;
    private final int outgoingChunkSize;
    private volatile String app = "";
    private volatile Map<String, String> appQuery = Collections.emptyMap();
    private volatile String tcUrl = "";
    private volatile String streamName = "";

    RtmpConnection(final Channel channel, final int outgoingChunkSize)
    {
        this.channel = channel;
        this.outgoingChunkSize = outgoingChunkSize;
    }

    /**
     * @return the Netty channel; write pre-encoded play media here.
     */
    public Channel channel()
    {
        return channel;
    }

    /**
     * @return the peer address, or null before connect.
     */
    public SocketAddress remoteAddress()
    {
        return channel.remoteAddress();
    }

    /**
     * @return a short id for log lines (the channel's short id).
     */
    public String id()
    {
        return channel.id().asShortText();
    }

    /**
     * @return the application from connect without query, e.g. {@code live}; empty before connect.
     */
    public String app()
    {
        return app;
    }

    /**
     * @return query parameters that came with the app; empty when none.
     */
    public Map<String, String> appQuery()
    {
        return appQuery;
    }

    /**
     * @return connect's tcUrl; empty when absent.
     */
    public String tcUrl()
    {
        return tcUrl;
    }

    /**
     * @return the stream name of the current publish or play, without query; empty before.
     */
    public String streamName()
    {
        return streamName;
    }

    /**
     * @return the chunk size our side uses; pre-encode play media with it.
     */
    public int outgoingChunkSize()
    {
        return outgoingChunkSize;
    }

    /**
     * @return the message stream id of play media, see {@link RtmpPlayMedia#PLAY_MESSAGE_STREAM_ID}.
     */
    public int playMessageStreamId()
    {
        return RtmpPlayMedia.PLAY_MESSAGE_STREAM_ID;
    }

    /**
     * Tells a player the stream ended (StreamEOF, NetStream.Play.UnpublishNotify, NetStream.Play.Stop); ffmpeg
     * and librtmp then end their read. Any thread; the messages are queued behind media already written.
     */
    public void sendPlayStop()
    {
        final int streamId = RtmpPlayMedia.PLAY_MESSAGE_STREAM_ID;
        channel.write(RtmpMessages.userControl(channel.alloc(), 1, streamId));
        channel.write(RtmpMessages.onStatus(channel.alloc(), streamId, "status",
            "NetStream.Play.UnpublishNotify", streamName + " is now unpublished."));
        channel.writeAndFlush(RtmpMessages.onStatus(channel.alloc(), streamId, "status",
            "NetStream.Play.Stop", "Stopped playing " + streamName + "."));
    }

    void setApp(final String app, final Map<String, String> appQuery, final String tcUrl)
    {
        this.app = app;
        this.appQuery = appQuery;
        this.tcUrl = tcUrl;
    }

    void setStreamName(final String streamName)
    {
        this.streamName = streamName;
    }

    @Override
    public String toString()
    {
        return "RtmpConnection{id=" + id() + ", app=" + app + ", stream=" + streamName + '}';
    }
}
