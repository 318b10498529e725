package com.cococam.protocols.rtmp;

import com.cococam.protocols.rtmp.chunk.RtmpChunkDecoder;
import com.cococam.protocols.rtmp.chunk.RtmpChunkEncoder;
import com.cococam.protocols.rtmp.handshake.RtmpServerHandshakeHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;

/**
 * Installs the RTMP server pipeline on each accepted channel:
 * <pre>
 *   rtmp-handshake (removes itself) -&gt; rtmp-chunk-encoder (outbound) -&gt; rtmp-chunk-decoder -&gt; rtmp-session
 * </pre>
 *
 * <p>Thread safety: sharable; the listener is shared by all connections.
 */
public final class RtmpServerInitializer extends ChannelInitializer<Channel>
{
    /** Pipeline name of the handshake handler. */
    public static final String HANDSHAKE = "rtmp-handshake";
    /** Pipeline name of the chunk encoder. */
    public static final String CHUNK_ENCODER = "rtmp-chunk-encoder";
    /** Pipeline name of the chunk decoder. */
    public static final String CHUNK_DECODER = "rtmp-chunk-decoder";
    /** Pipeline name of the session. */
    public static final String SESSION = "rtmp-session";

    private final RtmpServerListener listener;
    private final RtmpLimits limits;

    /**
     * @param listener the server.
     * @param limits   bounds and settings.
     */
    public RtmpServerInitializer(final RtmpServerListener listener, final RtmpLimits limits)
    {
        this.listener = listener;
        this.limits = limits;
    }

    @Override
    protected void initChannel(final Channel channel)
    {
        install(channel.pipeline(), listener, limits);
    }

    /**
     * Adds the four handlers at the end of {@code pipeline}.
     *
     * @param pipeline a channel's pipeline.
     * @param listener the server.
     * @param limits   bounds and settings.
     * @return the session handler added.
     */
    public static RtmpServerSession install(
        final ChannelPipeline pipeline,
        final RtmpServerListener listener,
        final RtmpLimits limits)
    {
        final RtmpServerSession session = new RtmpServerSession(listener, limits);
        pipeline.addLast(HANDSHAKE, new RtmpServerHandshakeHandler(limits.handshakeTimeoutMs()));
        pipeline.addLast(CHUNK_ENCODER, new RtmpChunkEncoder(RtmpPlayMedia.reservedChunkStreamIds()));
        pipeline.addLast(CHUNK_DECODER, new RtmpChunkDecoder(limits.maxIncomingChunkSize(), limits.maxMessageLength(),
            limits.maxChunkStreams(), limits.eagerAllocationBytes()));
        pipeline.addLast(SESSION, session);
        return session;
    }
}
