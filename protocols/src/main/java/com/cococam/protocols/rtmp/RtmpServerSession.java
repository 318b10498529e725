package com.cococam.protocols.rtmp;

import com.cococam.protocols.rtmp.amf.Amf0Decoder;
import com.cococam.protocols.rtmp.amf.AmfUndefined;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server side of one RTMP connection, above the chunk decoder: NetConnection and NetStream commands,
 * publish and play, user control.
 *
 * <p>Commands: {@code connect} (answers Window Acknowledgement Size, Set Peer Bandwidth, Set Chunk Size, then
 * {@code _result} NetConnection.Connect.Success); {@code releaseStream} ({@code _result}); {@code FCPublish}
 * ({@code onFCPublish}); {@code createStream} ({@code _result} stream id 1); {@code publish} and {@code play}
 * (ask the listener; see {@link RtmpServerListener}); {@code FCUnpublish}, {@code deleteStream},
 * {@code closeStream} (end the publish or play); {@code getStreamLength} ({@code _result} 0, live). Any other
 * command with a transaction id above 0 gets {@code _error} NetConnection.Call.Failed; with 0 it is ignored.
 *
 * <p>Data messages {@code @setDataFrame("onMetaData", map)} and {@code onMetaData(map)} go to
 * {@link RtmpPublishHandle#onMetadata}; audio and video to the publish handle. User control Ping Request is
 * answered with Ping Response. Messages of unknown type (shared objects, aggregate, anything undefined) and media
 * with no publish active are ignored and counted, not fatal: clients send oddities we do not need.
 *
 * <p>Errors: any {@link RtmpProtocolException} from below (handshake, chunk decoder) or from command parsing is
 * reported once to {@link RtmpServerListener#onProtocolError} and the connection is closed.
 *
 * <p>Thread safety: one channel's event loop. Buffer ownership: every incoming message is released here after
 * it was handled.
 */
public final class RtmpServerSession extends ChannelInboundHandlerAdapter
{
    private static final int STREAM_ID = RtmpPlayMedia.PLAY_MESSAGE_STREAM_ID;

    private final RtmpServerListener listener;
    private final RtmpLimits limits;
    private final Amf0Decoder amf;
    private RtmpConnection connection;
    private RtmpPublishHandle publishHandle;
    private RtmpPlayHandle playHandle;
    private boolean connected;
    private boolean errorReported;
    private boolean closed;
    private long ignoredMessages;

    /**
     * @param listener the server.
     * @param limits   bounds and settings; the AMF limits and outgoing settings are used here.
     */
    public RtmpServerSession(final RtmpServerListener listener, final RtmpLimits limits)
    {
        this.listener = listener;
        this.limits = limits;
        this.amf = new Amf0Decoder(limits.amfLimits());
    }

    /**
     * @return this connection's view for the server; null before the handler was added.
     */
    public RtmpConnection connection()
    {
        return connection;
    }

    /**
     * @return messages ignored so far (unknown type, media without publish).
     */
    public long ignoredMessages()
    {
        return ignoredMessages;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        connection = new RtmpConnection(ctx.channel(), limits.outgoingChunkSize());
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        if (!(msg instanceof RtmpMessage))
        {
            ctx.fireChannelRead(msg);
            return;
        }

        final RtmpMessage message = (RtmpMessage)msg;
        try
        {
            if (!closed)
            {
                onMessage(ctx, message);
            }
        }
        finally
        {
            // The session is the holder's last user; media payloads live on in the stream as slices.
            message.releaseHolder();
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        final RtmpProtocolException error = RtmpProtocolException.find(cause);
        if (error != null && !errorReported && !closed)
        {
            errorReported = true;
            listener.onProtocolError(connection, error);
        }

        ctx.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (!closed)
        {
            closed = true;
            endPublish();
            endPlay();
            listener.onClosed(connection);
        }

        super.channelInactive(ctx);
    }

    private void onMessage(final ChannelHandlerContext ctx, final RtmpMessage message)
    {
        final ByteBuf body = message.payload();
        switch (message.typeId())
        {
            case RtmpMessageTypes.VIDEO:
                if (publishHandle != null)
                {
                    publishHandle.onVideo(message.timestamp32Ms(), body);
                    return;
                }

                break;
            case RtmpMessageTypes.AUDIO:
                if (publishHandle != null)
                {
                    publishHandle.onAudio(message.timestamp32Ms(), body);
                    return;
                }

                break;
            case RtmpMessageTypes.COMMAND_AMF0:
                onCommand(ctx, message, amf.decodeAll(body));
                return;
            case RtmpMessageTypes.COMMAND_AMF3:
                onCommand(ctx, message, amf.decodeAll(body, body.readerIndex() + 1, body.readableBytes() - 1));
                return;
            case RtmpMessageTypes.DATA_AMF0:
                onData(amf.decodeAll(body));
                return;
            case RtmpMessageTypes.DATA_AMF3:
                onData(amf.decodeAll(body, body.readerIndex() + 1, body.readableBytes() - 1));
                return;
            case RtmpMessageTypes.USER_CONTROL:
                onUserControl(ctx, body);
                return;
            case RtmpMessageTypes.SET_PEER_BANDWIDTH:
                return;
            default:
                break;
        }

        ignoredMessages++;
    }

    private void onUserControl(final ChannelHandlerContext ctx, final ByteBuf body)
    {
        if (body.readableBytes() >= 6
            && body.getUnsignedShort(body.readerIndex()) == RtmpMessageTypes.EVENT_PING_REQUEST)
        {
            final int timestamp = body.getInt(body.readerIndex() + 2);
            ctx.writeAndFlush(RtmpMessages.userControl(ctx.alloc(), RtmpMessageTypes.EVENT_PING_RESPONSE, timestamp));
        }
    }

    private void onData(final List<Object> values)
    {
        if (publishHandle == null || values.isEmpty())
        {
            ignoredMessages++;
            return;
        }

        int index = 0;
        if ("@setDataFrame".equals(values.get(0)))
        {
            index = 1;
        }

        if (values.size() > index + 1 && "onMetaData".equals(values.get(index))
            && values.get(index + 1) instanceof Map)
        {
            @SuppressWarnings("unchecked")
            final Map<String, Object> metadata = (Map<String, Object>)values.get(index + 1);
            publishHandle.onMetadata(metadata);
            return;
        }

        ignoredMessages++;
    }

    private void onCommand(final ChannelHandlerContext ctx, final RtmpMessage message, final List<Object> values)
    {
        if (values.isEmpty() || !(values.get(0) instanceof String))
        {
            throw new RtmpProtocolException(RtmpErrorCode.COMMAND, "command without name");
        }

        final String name = (String)values.get(0);
        final double transactionId = values.size() > 1 && values.get(1) instanceof Number
            ? ((Number)values.get(1)).doubleValue() : 0;
        final Object commandObject = values.size() > 2 ? values.get(2) : null;
        final Object firstArgument = values.size() > 3 ? values.get(3) : null;
        final ByteBufAllocator alloc = ctx.alloc();
        switch (name)
        {
            case "connect":
                onConnect(ctx, transactionId, commandObject);
                break;
            case "releaseStream":
                replyResult(ctx, transactionId, null, AmfUndefined.INSTANCE);
                break;
            case "FCPublish":
                ctx.writeAndFlush(RtmpMessages.command(alloc, RtmpMessages.COMMAND_CSID, 0, "onFCPublish", 0.0, null,
                    RtmpMessages.status("status", "NetStream.Publish.Start", String.valueOf(firstArgument))));
                break;
            case "createStream":
                requireConnected(name);
                replyResult(ctx, transactionId, null, (double)STREAM_ID);
                break;
            case "publish":
                requireConnected(name);
                onPublish(ctx, firstArgument);
                break;
            case "play":
                requireConnected(name);
                onPlay(ctx, firstArgument);
                break;
            case "FCUnpublish":
                if (publishHandle != null)
                {
                    ctx.writeAndFlush(RtmpMessages.command(alloc, RtmpMessages.COMMAND_CSID, 0, "onFCUnpublish",
                        0.0, null, RtmpMessages.status("status", "NetStream.Unpublish.Success",
                        String.valueOf(firstArgument))));
                }

                endPublish();
                break;
            case "deleteStream":
            case "closeStream":
                endPublish();
                endPlay();
                break;
            case "getStreamLength":
                replyResult(ctx, transactionId, null, 0.0);
                break;
            default:
                if (transactionId > 0)
                {
                    ctx.writeAndFlush(RtmpMessages.command(alloc, RtmpMessages.COMMAND_CSID, 0, "_error",
                        transactionId, null, RtmpMessages.status("error", "NetConnection.Call.Failed",
                        "unknown command: " + name)));
                }

                ignoredMessages++;
                break;
        }
    }

    private void onConnect(final ChannelHandlerContext ctx, final double transactionId, final Object commandObject)
    {
        final Map<?, ?> properties = commandObject instanceof Map ? (Map<?, ?>)commandObject : Map.of();
        final String tcUrl = properties.get("tcUrl") instanceof String ? (String)properties.get("tcUrl") : "";
        String appText = properties.get("app") instanceof String ? (String)properties.get("app") : null;
        if (appText == null)
        {
            appText = appFromTcUrl(tcUrl);
        }

        final RtmpStreamName app = RtmpStreamName.parse(appText);
        connection.setApp(app.name(), app.query(), tcUrl);
        connected = true;

        final double objectEncoding = properties.get("objectEncoding") instanceof Number
            ? ((Number)properties.get("objectEncoding")).doubleValue() : 0.0;
        final ByteBufAllocator alloc = ctx.alloc();
        ctx.write(RtmpMessages.control(alloc, RtmpMessageTypes.WINDOW_ACK_SIZE, limits.windowAckSize()));
        ctx.write(RtmpMessages.peerBandwidth(alloc, limits.peerBandwidth()));
        ctx.write(RtmpMessages.control(alloc, RtmpMessageTypes.SET_CHUNK_SIZE, limits.outgoingChunkSize()));

        final Map<String, Object> server = new LinkedHashMap<>();
        server.put("fmsVer", "FMS/3,5,7,7009");
        server.put("capabilities", 31.0);
        server.put("mode", 1.0);
        final Map<String, Object> info = RtmpMessages.status("status", "NetConnection.Connect.Success",
            "Connection succeeded.");
        info.put("objectEncoding", objectEncoding);
        ctx.writeAndFlush(RtmpMessages.command(alloc, RtmpMessages.COMMAND_CSID, 0, "_result", transactionId,
            server, info));
    }

    private void onPublish(final ChannelHandlerContext ctx, final Object nameArgument)
    {
        final RtmpStreamName stream = RtmpStreamName.parse(nameArgument instanceof String ? (String)nameArgument : "");
        connection.setStreamName(stream.name());
        if (publishHandle != null || playHandle != null)
        {
            refuse(ctx, "NetStream.Publish.BadName", "stream already active on this connection");
            return;
        }

        try
        {
            publishHandle = listener.onPublish(connection, connection.app(), stream.name(), mergedQuery(stream));
        }
        catch (final RtmpRefusedException ex)
        {
            refuse(ctx, ex.statusCode(), ex.getMessage());
            return;
        }

        ctx.write(RtmpMessages.userControl(ctx.alloc(), RtmpMessageTypes.EVENT_STREAM_BEGIN, STREAM_ID));
        ctx.writeAndFlush(RtmpMessages.onStatus(ctx.alloc(), STREAM_ID, "status", "NetStream.Publish.Start",
            stream.name() + " is now published."));
    }

    private void onPlay(final ChannelHandlerContext ctx, final Object nameArgument)
    {
        final RtmpStreamName stream = RtmpStreamName.parse(nameArgument instanceof String ? (String)nameArgument : "");
        connection.setStreamName(stream.name());
        if (publishHandle != null || playHandle != null)
        {
            refuse(ctx, RtmpRefusedException.PLAY_FAILED, "stream already active on this connection");
            return;
        }

        try
        {
            playHandle = listener.onPlay(connection, connection.app(), stream.name(), mergedQuery(stream));
        }
        catch (final RtmpRefusedException ex)
        {
            refuse(ctx, ex.statusCode(), ex.getMessage());
            return;
        }

        final ByteBufAllocator alloc = ctx.alloc();
        ctx.write(RtmpMessages.userControl(alloc, RtmpMessageTypes.EVENT_STREAM_BEGIN, STREAM_ID));
        ctx.write(RtmpMessages.onStatus(alloc, STREAM_ID, "status", "NetStream.Play.Reset",
            "Playing and resetting " + stream.name() + "."));
        ctx.write(RtmpMessages.onStatus(alloc, STREAM_ID, "status", "NetStream.Play.Start",
            "Started playing " + stream.name() + "."));
        ctx.writeAndFlush(RtmpMessages.data(alloc, STREAM_ID, "|RtmpSampleAccess", true, true));
        playHandle.onStart();
    }

    private void refuse(final ChannelHandlerContext ctx, final String code, final String description)
    {
        ctx.writeAndFlush(RtmpMessages.onStatus(ctx.alloc(), STREAM_ID, "error", code, description))
            .addListener(ChannelFutureListener.CLOSE);
    }

    private Map<String, String> mergedQuery(final RtmpStreamName stream)
    {
        if (connection.appQuery().isEmpty())
        {
            return stream.query();
        }

        final Map<String, String> merged = new LinkedHashMap<>(connection.appQuery());
        merged.putAll(stream.query());
        return merged;
    }

    private void requireConnected(final String command)
    {
        if (!connected)
        {
            throw new RtmpProtocolException(RtmpErrorCode.COMMAND, "command before connect: command=" + command);
        }
    }

    private void replyResult(
        final ChannelHandlerContext ctx,
        final double transactionId,
        final Object commandObject,
        final Object value)
    {
        ctx.writeAndFlush(RtmpMessages.command(ctx.alloc(), RtmpMessages.COMMAND_CSID, 0, "_result", transactionId,
            commandObject, value));
    }

    private void endPublish()
    {
        final RtmpPublishHandle handle = publishHandle;
        publishHandle = null;
        if (handle != null)
        {
            handle.onUnpublish();
        }
    }

    private void endPlay()
    {
        final RtmpPlayHandle handle = playHandle;
        playHandle = null;
        if (handle != null)
        {
            handle.onStop();
        }
    }

    private static String appFromTcUrl(final String tcUrl)
    {
        // rtmp://host[:port]/app[/instance][?query]: the app is the first path segment after the authority.
        final int scheme = tcUrl.indexOf("://");
        final int slash = tcUrl.indexOf('/', scheme < 0 ? 0 : scheme + 3);
        if (slash < 0)
        {
            return "";
        }

        final String path = tcUrl.substring(slash + 1);
        final int next = path.indexOf('/');
        return next < 0 ? path : path.substring(0, next);
    }
}
