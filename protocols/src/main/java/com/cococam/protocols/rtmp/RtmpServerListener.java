package com.cococam.protocols.rtmp;

import java.util.Map;

/**
 * How the RTMP session talks to the server: asks before each publish/play and reports errors and closes. The
 * protocols module knows nothing else of the server.
 *
 * <p>Thread safety: called on the connection's event loop; one listener serves all connections, so it must be
 * thread safe across connections. A {@link RuntimeException} thrown from a callback closes that connection.
 */
public interface RtmpServerListener
{
    /**
     * A client wants to publish.
     *
     * @param connection the connection (app, tcUrl known).
     * @param app        the application name without query, e.g. {@code live}.
     * @param streamName the stream name without query, e.g. {@code cam1}.
     * @param query      query parameters of the app, then of the stream name (the stream name wins on a clash),
     *                   e.g. {@code key -> k}; never null.
     * @return the handle that receives metadata and media; never null.
     * @throws RtmpRefusedException to refuse; the client gets the exception's status code.
     */
    RtmpPublishHandle onPublish(RtmpConnection connection, String app, String streamName, Map<String, String> query)
        throws RtmpRefusedException;

    /**
     * A client wants to play.
     *
     * @param connection the connection.
     * @param app        application name without query.
     * @param streamName stream name without query.
     * @param query      merged query parameters as for {@link #onPublish}.
     * @return the handle told when the play starts and ends; never null.
     * @throws RtmpRefusedException to refuse.
     */
    RtmpPlayHandle onPlay(RtmpConnection connection, String app, String streamName, Map<String, String> query)
        throws RtmpRefusedException;

    /**
     * The peer broke the protocol or a limit; the connection is being closed. Called at most once per connection,
     * before {@link #onClosed}.
     *
     * @param connection the connection.
     * @param error      typed reason.
     */
    void onProtocolError(RtmpConnection connection, RtmpProtocolException error);

    /**
     * The connection closed (any reason). Called once, after any publish/play handle was ended.
     *
     * @param connection the connection.
     */
    void onClosed(RtmpConnection connection);
}
