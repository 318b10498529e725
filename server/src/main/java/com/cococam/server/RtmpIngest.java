package com.cococam.server;

import com.cococam.codec.flv.FlvParseResult;
import com.cococam.codec.flv.FlvTagParser;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.time.TimestampUnwrapper;
import com.cococam.protocols.rtmp.RtmpConnection;
import com.cococam.protocols.rtmp.RtmpLimits;
import com.cococam.protocols.rtmp.RtmpPlayHandle;
import com.cococam.protocols.rtmp.RtmpProtocolException;
import com.cococam.protocols.rtmp.RtmpPublishHandle;
import com.cococam.protocols.rtmp.RtmpRefusedException;
import com.cococam.protocols.rtmp.RtmpServerInitializer;
import com.cococam.protocols.rtmp.RtmpServerListener;
import com.cococam.protocols.rtmp.amf.AmfLimits;
import com.cococam.protocols.rtmp.chunk.RtmpChunkDecoder;
import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.ServerConfig;
import com.cococam.server.rtmp.RtmpFrameEncoder;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.LiveSubscriber;
import com.cococam.server.stream.PublishRefusedException;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.stream.StreamHub;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The server side of RTMP: authorises publishers against the camera config, feeds their FLV tag bodies into the
 * stream hub, and attaches players to the live fan-out.
 *
 * <p>Publishing: {@code rtmp://HOST:PORT/live/CAMERA?key=KEY} (or the OBS form: server {@code rtmp://HOST/live},
 * stream key {@code CAMERA?key=KEY}; a key on the app, {@code live?key=KEY}, is accepted too). An unknown camera
 * gets {@code NetStream.Publish.BadName}, a wrong or missing key {@code NetStream.Publish.BadAuth}; either way
 * the connection is closed and one line is logged (never the key). Playing: any camera's path (a player may
 * connect before the camera and waits for it), open to all for now.
 *
 * <p>Thread safety: listener callbacks come from each connection's event loop.
 */
final class RtmpIngest implements RtmpServerListener
{
    private static final Logger LOG = LoggerFactory.getLogger(RtmpIngest.class);
    private static final AttributeKey<LiveSubscriber> SUBSCRIBER = AttributeKey.valueOf("cococam.rtmp.subscriber");
    private static final String APP = "live";
    private static final String ENCODER_KEY = "rtmp";
    private static final long MAX_JUMP_MS = 10_000;
    private static final long MAX_BACKWARD_MS = 1_000;
    private static final int MAX_CONSECUTIVE_SKIPS = 3;

    private final ServerConfig config;
    private final StreamHub hub;
    private final RtmpLimits limits;

    RtmpIngest(final ServerConfig config, final StreamHub hub)
    {
        this.config = config;
        this.hub = hub;
        this.limits = new RtmpLimits(
            config.rtmp().handshakeTimeoutMs(),
            RtmpChunkDecoder.DEFAULT_MAX_CHUNK_SIZE,
            config.rtmp().maxMessageBytes(),
            RtmpChunkDecoder.DEFAULT_MAX_CHUNK_STREAMS,
            RtmpChunkDecoder.DEFAULT_EAGER_ALLOCATION_BYTES,
            Math.min(config.rtmp().chunkSize(), 65_536),
            RtmpLimits.DEFAULT_WINDOW_ACK_SIZE,
            RtmpLimits.DEFAULT_WINDOW_ACK_SIZE,
            AmfLimits.defaults());
    }

    void initChannel(final SocketChannel channel)
    {
        RtmpServerInitializer.install(channel.pipeline(), this, limits);
        channel.pipeline().addLast("cococam-writability", new ChannelInboundHandlerAdapter()
        {
            @Override
            public void channelWritabilityChanged(final ChannelHandlerContext ctx) throws Exception
            {
                final LiveSubscriber subscriber = ctx.channel().attr(SUBSCRIBER).get();
                if (subscriber != null)
                {
                    subscriber.onWritabilityChanged();
                }

                super.channelWritabilityChanged(ctx);
            }
        });
    }

    @Override
    public RtmpPublishHandle onPublish(
        final RtmpConnection connection,
        final String app,
        final String streamName,
        final Map<String, String> query) throws RtmpRefusedException
    {
        final String who = "rtmp " + connection.remoteAddress();
        final CameraConfig camera = APP.equals(app) ? config.camera(streamName) : null;
        if (camera == null)
        {
            LOG.info("[rtmp {}] publish refused: unknown camera '{}/{}' from {}", connection.id(), app, streamName,
                connection.remoteAddress());
            throw new RtmpRefusedException(RtmpRefusedException.PUBLISH_BAD_NAME, "unknown camera: " + streamName);
        }

        String key = query.get("key");
        if (key == null)
        {
            key = connection.appQuery().get("key");
        }

        if (!camera.acceptsKey(key))
        {
            LOG.info("[rtmp {}] publish refused: {} key for {} from {}", connection.id(),
                key == null ? "missing" : "wrong", camera.path(), connection.remoteAddress());
            throw new RtmpRefusedException(RtmpRefusedException.PUBLISH_BAD_AUTH, "bad publish key for " +
                camera.path());
        }

        final PublishSession session;
        try
        {
            session = hub.startPublish(camera.path(), who, () -> connection.channel().close());
        }
        catch (final PublishRefusedException ex)
        {
            LOG.info("[rtmp {}] publish refused: {}", connection.id(), ex.getMessage());
            throw new RtmpRefusedException(RtmpRefusedException.PUBLISH_BAD_NAME, ex.getMessage());
        }

        return new Publisher(connection, session);
    }

    @Override
    public RtmpPlayHandle onPlay(
        final RtmpConnection connection,
        final String app,
        final String streamName,
        final Map<String, String> query) throws RtmpRefusedException
    {
        // Only camera paths can ever be live (publishing needs a camera's key), so only they can be played; this
        // also keeps a player from creating streams for arbitrary names.
        final CameraConfig camera = APP.equals(app) ? config.camera(streamName) : null;
        if (camera == null)
        {
            throw new RtmpRefusedException(RtmpRefusedException.PLAY_STREAM_NOT_FOUND, "no such stream: " +
                app + "/" + streamName);
        }

        final LiveStream stream = hub.getOrCreate(camera.path());
        // Frames are chunked by RtmpFrameEncoder on their own chunk streams: they enter the pipeline below the chunk
        // encoder, which would only pass them on.
        final ChannelHandlerContext below = connection.channel().pipeline().context(RtmpServerInitializer.CHUNK_ENCODER);
        // Nothing lies between the chunk encoder and the socket, so frames may also go straight to the socket.
        final LiveSubscriber subscriber = new LiveSubscriber(connection.channel(),
            below != null ? below : connection.channel(), below != null, "rtmp " + connection.remoteAddress(),
            config.stream().subscriberSkipBytes(), config.stream().subscriberMaxBytes(), MAX_CONSECUTIVE_SKIPS,
            connection::sendPlayStop);
        connection.channel().attr(SUBSCRIBER).set(subscriber);
        final int chunkSize = connection.outgoingChunkSize();

        return new RtmpPlayHandle()
        {
            @Override
            public void onStart()
            {
                if (!stream.fanout().subscribe(ENCODER_KEY,
                    () -> new RtmpFrameEncoder(PooledByteBufAllocator.DEFAULT, chunkSize), subscriber))
                {
                    subscriber.close();
                }

                LOG.info("[path {}] rtmp viewer joined: {}", stream.path(), connection.remoteAddress());
            }

            @Override
            public void onStop()
            {
                stream.fanout().unsubscribe(subscriber);
                connection.channel().attr(SUBSCRIBER).set(null);
                LOG.info("[path {}] rtmp viewer left: {}", stream.path(), connection.remoteAddress());
            }
        };
    }

    @Override
    public void onProtocolError(final RtmpConnection connection, final RtmpProtocolException error)
    {
        LOG.info("[rtmp {}] closed: protocol error from {}: {}", connection.id(), connection.remoteAddress(),
            error.getMessage());
    }

    @Override
    public void onClosed(final RtmpConnection connection)
    {
        final LiveSubscriber subscriber = connection.channel().attr(SUBSCRIBER).getAndSet(null);
        if (subscriber != null)
        {
            subscriber.close();
        }
    }

    /**
     * One track's publisher clock: the unwrapper handles wrap-around and bridges jumps over {@link #MAX_JUMP_MS}.
     * Two cases it leaves open are closed here, both seen when an encoder restarts its clock without
     * reconnecting: a step back of more than {@link #MAX_BACKWARD_MS} is bridged as well (it is within the
     * unwrapper's tolerance, but DTS must never run backwards downstream), and a jump stays pending until the next
     * delivered access unit (the first tag after a restart is a sequence header, which delivers none). A bridge
     * is kept only when the tag delivered an access unit, so a sequence header re-sent at time 0 moves nothing.
     */
    private static final class TrackClock
    {
        private final TimestampUnwrapper unwrapper;
        private final long nominalStepMs;
        private long offsetMs;
        private long candidateOffsetMs;
        private long lastUnitMs = Long.MIN_VALUE;
        private long candidateMs;
        private boolean jumpPending;
        private boolean backward;

        TrackClock(final long nominalStepMs)
        {
            this.nominalStepMs = nominalStepMs;
            this.unwrapper = new TimestampUnwrapper(MAX_JUMP_MS, nominalStepMs);
        }

        long toMs(final long timestamp32Ms)
        {
            final long unwrapped = unwrapper.unwrap(timestamp32Ms);
            jumpPending |= unwrapper.lastWasJump();
            candidateOffsetMs = offsetMs;
            candidateMs = unwrapped + offsetMs;
            backward = lastUnitMs != Long.MIN_VALUE && candidateMs < lastUnitMs - MAX_BACKWARD_MS;
            if (backward)
            {
                candidateMs = lastUnitMs + nominalStepMs;
                candidateOffsetMs = candidateMs - unwrapped;
            }

            return candidateMs;
        }

        /**
         * @param lastCutMs time of the last unit flagged on either track; a jump of this track that lands within
         *                  {@link #MAX_BACKWARD_MS} of it is the same break (audio and video jump together), so it
         *                  is not flagged again (each flag cuts an HLS segment).
         */
        int flags(final long lastCutMs)
        {
            if (!jumpPending && !backward ||
                lastCutMs != Long.MIN_VALUE && Math.abs(candidateMs - lastCutMs) <= MAX_BACKWARD_MS)
            {
                return 0;
            }

            return FrameFlags.DISCONTINUITY;
        }

        FlvParseResult onParsed(final FlvParseResult result)
        {
            if (result == FlvParseResult.ACCESS_UNIT)
            {
                offsetMs = candidateOffsetMs;
                lastUnitMs = candidateMs;
                jumpPending = false;
            }

            return result;
        }
    }

    /**
     * One publishing connection: unwraps RTMP timestamps and parses FLV tag bodies into the hub session.
     */
    private static final class Publisher implements RtmpPublishHandle
    {
        private final RtmpConnection connection;
        private final PublishSession session;
        private final FlvTagParser parser;
        private final TrackClock videoClock = new TrackClock(40);
        private final TrackClock audioClock = new TrackClock(21);
        private long badTags;
        private long lastCutMs = Long.MIN_VALUE;

        Publisher(final RtmpConnection connection, final PublishSession session)
        {
            this.connection = connection;
            this.session = session;
            this.parser = new FlvTagParser(session);
        }

        @Override
        public void onMetadata(final Map<String, Object> metadata)
        {
        }

        @Override
        public void onVideo(final long timestamp32Ms, final ByteBuf body)
        {
            final long ms = videoClock.toMs(timestamp32Ms);
            final int flags = videoClock.flags(lastCutMs);
            check(ms, flags, videoClock.onParsed(parser.parseVideo(ms, flags, body)));
        }

        @Override
        public void onAudio(final long timestamp32Ms, final ByteBuf body)
        {
            final long ms = audioClock.toMs(timestamp32Ms);
            final int flags = audioClock.flags(lastCutMs);
            check(ms, flags, audioClock.onParsed(parser.parseAudio(ms, flags, body)));
        }

        private void check(final long ms, final int flags, final FlvParseResult result)
        {
            if (flags != 0 && result == FlvParseResult.ACCESS_UNIT)
            {
                lastCutMs = ms;
            }

            if (result.isError() && badTags++ == 0)
            {
                LOG.warn("[rtmp {}] dropping malformed media from {}: {} (further ones only counted)",
                    connection.id(), session.description(), result);
            }
        }

        @Override
        public void onUnpublish()
        {
            session.onClose();
        }
    }
}
