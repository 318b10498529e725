package com.cococam.protocols.rtsp.server;

import com.cococam.protocols.rtsp.InterleavedFrame;
import com.cococam.protocols.rtsp.NptRange;
import com.cococam.protocols.rtsp.PublicHeader;
import com.cococam.protocols.rtsp.RtpInfo;
import com.cococam.protocols.rtsp.RtspDecoder;
import com.cococam.protocols.rtsp.RtspEncoder;
import com.cococam.protocols.rtsp.RtspHeaderNames;
import com.cococam.protocols.rtsp.RtspMessage;
import com.cococam.protocols.rtsp.RtspMethods;
import com.cococam.protocols.rtsp.RtspProtocolException;
import com.cococam.protocols.rtsp.RtspRequest;
import com.cococam.protocols.rtsp.RtspResponse;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Server side of one RTSP connection: answers OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, PAUSE, RECORD, TEARDOWN,
 * GET_PARAMETER and SET_PARAMETER, keeps the session (one per connection), and routes interleaved frames of a
 * publisher to its {@link RtspPublishHandle}. Decisions (who may publish or play, where media goes) belong to
 * the {@link RtspServerListener}; nothing is logged here.
 *
 * <p>Transports: {@code RTP/AVP/TCP} interleaved (the client's ids, or {@code 2n-2n+1} for track n when it
 * names none or names ids another track holds, else the lowest free pair) and {@code RTP/AVP} UDP unicast with
 * {@code client_port} (only when the listener offers server ports). The first acceptable spec of the client's
 * list is taken; multicast, other profiles and a session mixing TCP and UDP tracks get 461.
 *
 * <p>States: a request without {@code CSeq} gets 400; an unknown method 501. PLAY and RECORD need a set-up
 * session of their kind (455 otherwise: before SETUP, RECORD on a play session, PLAY on a publish session);
 * SETUP while playing or recording gets 455. PLAY, PAUSE, RECORD and TEARDOWN must name the session (454 for a
 * missing or wrong {@code Session}, or when there is none); any request naming another session gets 454, while
 * OPTIONS and GET_PARAMETER without one are liveness pings and get 200. TEARDOWN ends the session (its id and
 * channels are forgotten) but keeps the connection.
 *
 * <p>Errors: a message the decoder rejects is answered with the decoder's status code (400, 413, 414) and the
 * connection closed; garbage between messages is skipped by the decoder's resynchronisation, and past
 * {@link #MAX_SKIPPED_BYTES} the connection is closed; interleaved frames on channels that were not set up are
 * dropped and counted
 * ({@link #unknownChannelFrames()}); a connection with no request, no interleaved frame of a set-up channel and
 * no {@link #touch()} for its timeout (announced as {@code Session: id;timeout=N}, N the timeout rounded up to
 * whole seconds) is closed. Time is read from the channel's executor's {@link Ticker}, so tests drive it with
 * {@code EmbeddedChannel.advanceTimeBy}. Every close for a protocol reason is reported once to
 * {@link RtspServerListener#onProtocolError} with its {@link RtspCloseReason}.
 *
 * <p>Thread safety: one instance per channel, used on its event loop; {@link #touch()} from any thread.
 */
public final class RtspServerHandler extends ChannelInboundHandlerAdapter implements RtspConnection
{
    /** Session timeout announced in the Session header, seconds. */
    public static final int SESSION_TIMEOUT_SEC = SessionHeader.DEFAULT_TIMEOUT_SEC;

    private static final AtomicLong IDS = new AtomicLong();
    private static final String SERVER = "cococam";
    private static final List<String> METHODS = List.of(RtspMethods.OPTIONS, RtspMethods.DESCRIBE,
        RtspMethods.ANNOUNCE, RtspMethods.SETUP, RtspMethods.PLAY, RtspMethods.PAUSE, RtspMethods.RECORD,
        RtspMethods.TEARDOWN, RtspMethods.GET_PARAMETER, RtspMethods.SET_PARAMETER);
    private static final int MAX_TRACKS = 8;

    /** Garbage bytes the decoder may skip while resynchronising before the connection is closed. */
    public static final long MAX_SKIPPED_BYTES = 64 * 1024;

    /** How long a play handle may hold the PLAY answer before it is sent without RTP-Info, ms. */
    public static final long PLAY_REPLY_WAIT_MS = 1_000;

    private final RtspServerListener listener;
    private final RtspDecoder decoder;
    private final long id = IDS.incrementAndGet();
    private final long timeoutNs;
    private Channel channel;
    private ChannelHandlerContext context;
    private volatile Ticker ticker = Ticker.systemTicker();
    private volatile long lastActivityNs = ticker.nanoTime();
    private ScheduledFuture<?> timeoutCheck;
    private String sessionId;
    private RtspPublishHandle publish;
    private Sdp announced;
    private String announceUrl;
    private RtspPlayHandle play;
    private boolean playing;
    private boolean recording;
    private Transport.LowerTransport sessionTransport;
    private final int[] channelTrack = new int[256];
    private final boolean[] trackSetUp = new boolean[MAX_TRACKS];
    private final String[] trackUrls = new String[MAX_TRACKS];
    private long sessionGeneration;
    private long unknownChannelFrames;
    private boolean closedReported;

    /**
     * @param listener  decides for the application.
     * @param decoder   this connection's decoder (channels set up are registered on it).
     * @param timeoutMs session timeout; {@link #SESSION_TIMEOUT_SEC} seconds in production.
     */
    public RtspServerHandler(final RtspServerListener listener, final RtspDecoder decoder, final long timeoutMs)
    {
        this.listener = listener;
        this.decoder = decoder;
        this.timeoutNs = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        Arrays.fill(channelTrack, -1);
    }

    /**
     * Installs decoder, encoder and handler on a fresh channel's pipeline.
     *
     * @param pipeline  the pipeline.
     * @param listener  the listener.
     * @param timeoutMs session timeout in milliseconds.
     * @return the handler (also the connection given to the listener).
     */
    public static RtspServerHandler install(
        final ChannelPipeline pipeline,
        final RtspServerListener listener,
        final long timeoutMs)
    {
        final RtspDecoder decoder = new RtspDecoder();
        final RtspServerHandler handler = new RtspServerHandler(listener, decoder, timeoutMs);
        pipeline.addLast("rtsp-decoder", decoder);
        pipeline.addLast("rtsp-encoder", new RtspEncoder());
        pipeline.addLast("rtsp-handler", handler);
        return handler;
    }

    @Override
    public long id()
    {
        return id;
    }

    @Override
    public Channel channel()
    {
        return channel;
    }

    @Override
    public SocketAddress remoteAddress()
    {
        return channel == null ? null : channel.remoteAddress();
    }

    @Override
    public void touch()
    {
        lastActivityNs = ticker.nanoTime();
    }

    @Override
    public long unknownChannelFrames()
    {
        return unknownChannelFrames;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
        context = ctx;
        ticker = ctx.executor().ticker();
        touch();
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        final long periodNs = Math.max(TimeUnit.MILLISECONDS.toNanos(50), Math.min(timeoutNs / 4,
            TimeUnit.SECONDS.toNanos(5)));
        timeoutCheck = ctx.executor().scheduleAtFixedRate(this::checkTimeout, periodNs, periodNs,
            TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    private void checkTimeout()
    {
        if (ticker.nanoTime() - lastActivityNs > timeoutNs && channel.isActive())
        {
            reportError(new RtspCloseReason(RtspCloseReason.Kind.SESSION_TIMEOUT, null, "session timeout"));
            channel.close();
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (timeoutCheck != null)
        {
            timeoutCheck.cancel(false);
        }

        endSession();
        listener.onClosed(this);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        final RtspProtocolException error = RtspProtocolException.find(cause);
        if (error != null)
        {
            reportError(new RtspCloseReason(RtspCloseReason.Kind.BAD_MESSAGE, error.code(),
                "bad message: " + error.code() + " (" + error.getMessage() + ")"));
            if (ctx.channel().isActive())
            {
                final RtspResponse response = new RtspResponse(error.code().statusCode(), reasonFor(error));
                response.headers().set(RtspHeaderNames.SERVER, SERVER);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        else
        {
            reportError(new RtspCloseReason(RtspCloseReason.Kind.CONNECTION_ERROR, null,
                "error: " + cause.getClass().getSimpleName()));
        }

        ctx.close();
    }

    private static String reasonFor(final RtspProtocolException error)
    {
        return switch (error.code().statusCode())
        {
            case 413 -> "Request Entity Too Large";
            case 414 -> "Request-URI Too Large";
            case 454 -> "Session Not Found";
            case 457 -> "Invalid Range";
            case 461 -> "Unsupported Transport";
            default -> "Bad Request";
        };
    }

    private void reportError(final RtspCloseReason reason)
    {
        if (!closedReported)
        {
            closedReported = true;
            listener.onProtocolError(this, reason);
        }
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof InterleavedFrame frame)
            {
                onFrame(frame);
            }
            else if (msg instanceof RtspRequest request)
            {
                touch();
                onRequest(ctx, request);
            }
            else if (msg instanceof RtspResponse)
            {
                // A client answering something we never asked: ignore (keepalive replies of some clients).
                touch();
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(final ChannelHandlerContext ctx) throws Exception
    {
        if (decoder.skippedBytes() > MAX_SKIPPED_BYTES && ctx.channel().isActive())
        {
            reportError(new RtspCloseReason(RtspCloseReason.Kind.GARBAGE, null, "garbage: " + decoder.skippedBytes() +
                " bytes skipped in " + decoder.resyncCount() + " resyncs"));
            ctx.close();
            return;
        }

        super.channelReadComplete(ctx);
    }

    private void onFrame(final InterleavedFrame frame)
    {
        final int ch = frame.channel();
        final int track = channelTrack[ch];
        if (track < 0)
        {
            unknownChannelFrames++;
            return;
        }

        touch();
        final boolean rtcp = (track & 0x100) != 0;
        if (publish != null && recording)
        {
            publish.onInterleaved(track & 0xFF, rtcp, frame.content());
        }
    }

    private void onRequest(final ChannelHandlerContext ctx, final RtspRequest request)
    {
        final String method = request.method().toUpperCase(Locale.ROOT);
        try
        {
            final String cseq = request.headers().get(RtspHeaderNames.CSEQ);
            if (cseq == null || cseq.isBlank())
            {
                respond(ctx, request, new RtspResponse(400, "Bad Request: no CSeq"));
                return;
            }

            if (!METHODS.contains(method))
            {
                respond(ctx, request, new RtspResponse(501, "Not Implemented"));
                return;
            }

            if (!sessionAcceptable(method, request))
            {
                respond(ctx, request, new RtspResponse(454, "Session Not Found"));
                return;
            }

            switch (method)
            {
                case RtspMethods.OPTIONS -> onOptions(ctx, request);
                case RtspMethods.DESCRIBE -> onDescribe(ctx, request);
                case RtspMethods.ANNOUNCE -> onAnnounce(ctx, request);
                case RtspMethods.SETUP -> onSetup(ctx, request);
                case RtspMethods.PLAY -> onPlay(ctx, request);
                case RtspMethods.PAUSE -> onPause(ctx, request);
                case RtspMethods.RECORD -> onRecord(ctx, request);
                case RtspMethods.TEARDOWN -> onTeardown(ctx, request);
                case RtspMethods.GET_PARAMETER, RtspMethods.SET_PARAMETER ->
                    respond(ctx, request, withSession(new RtspResponse(200, "OK")));
                default -> respond(ctx, request, new RtspResponse(501, "Not Implemented"));
            }
        }
        catch (final RtspRefusedException ex)
        {
            final RtspResponse response = new RtspResponse(ex.statusCode(), ex.reason());
            if (ex.closeConnection())
            {
                reportError(new RtspCloseReason(RtspCloseReason.Kind.REFUSED, null,
                    "refused: " + ex.statusCode() + " " + ex.reason()));
                respond(ctx, request, response).addListener(ChannelFutureListener.CLOSE);
            }
            else
            {
                respond(ctx, request, response);
            }
        }
        catch (final RtspProtocolException ex)
        {
            // A header that does not parse (Transport, Session, ...): answer, keep the connection.
            respond(ctx, request, new RtspResponse(ex.code().statusCode(), reasonFor(ex)));
        }
    }

    /**
     * PLAY before any SETUP is a state error (455, decided by the method); the other session methods need the
     * session named; any request naming another session is refused.
     */
    private boolean sessionAcceptable(final String method, final RtspRequest request)
    {
        final String value = request.headers().get(RtspHeaderNames.SESSION);
        if (value != null)
        {
            return sessionId != null && SessionHeader.parse(value).id().equals(sessionId);
        }

        return switch (method)
        {
            case RtspMethods.PLAY, RtspMethods.RECORD -> sessionId == null;
            case RtspMethods.PAUSE, RtspMethods.TEARDOWN -> false;
            default -> true;
        };
    }

    private void onOptions(final ChannelHandlerContext ctx, final RtspRequest request)
    {
        final RtspResponse response = withSession(new RtspResponse(200, "OK"));
        response.headers().set(RtspHeaderNames.PUBLIC, PublicHeader.format(METHODS));
        respond(ctx, request, response);
    }

    private void onDescribe(final ChannelHandlerContext ctx, final RtspRequest request) throws RtspRefusedException
    {
        if (publish != null)
        {
            throw new RtspRefusedException(455, "Method Not Valid in This State", false);
        }

        final RtspPlayHandle handle = listener.onDescribe(this, RtspTarget.parse(request.uri()));
        endSession();
        forgetSession();
        play = handle;
        final byte[] body = handle.sdp().format().getBytes(StandardCharsets.UTF_8);
        final RtspResponse response = new RtspResponse(200, "OK", RtspMessage.RTSP_1_0,
            new com.cococam.protocols.rtsp.RtspHeaders(), Unpooled.wrappedBuffer(body));
        response.headers().set(RtspHeaderNames.CONTENT_TYPE, "application/sdp");
        response.headers().set(RtspHeaderNames.CONTENT_BASE, stripQuery(request.uri()) + "/");
        respond(ctx, request, response);
    }

    private static String stripQuery(final String uri)
    {
        final int q = uri.indexOf('?');
        String base = q < 0 ? uri : uri.substring(0, q);
        while (base.endsWith("/"))
        {
            base = base.substring(0, base.length() - 1);
        }

        return base;
    }

    private void onAnnounce(final ChannelHandlerContext ctx, final RtspRequest request) throws RtspRefusedException
    {
        if (publish != null || play != null)
        {
            throw new RtspRefusedException(455, "Method Not Valid in This State", false);
        }

        final Sdp sdp;
        try
        {
            sdp = Sdp.parse(request.content());
        }
        catch (final RtspProtocolException ex)
        {
            throw new RtspRefusedException(400, "Bad Request: SDP does not parse", true);
        }

        if (sdp.media().isEmpty() || sdp.media().size() > MAX_TRACKS)
        {
            throw new RtspRefusedException(400, "Bad Request: SDP has " + sdp.media().size() + " media", true);
        }

        publish = listener.onAnnounce(this, RtspTarget.parse(request.uri()), sdp);
        announced = sdp;
        announceUrl = stripQuery(request.uri());
        respond(ctx, request, new RtspResponse(200, "OK"));
    }

    private void onSetup(final ChannelHandlerContext ctx, final RtspRequest request) throws RtspRefusedException
    {
        if (publish == null && play == null || playing || recording)
        {
            throw new RtspRefusedException(455, "Method Not Valid in This State", false);
        }

        final String transportValue = request.headers().get(RtspHeaderNames.TRANSPORT);
        if (transportValue == null)
        {
            throw new RtspRefusedException(461, "Unsupported Transport: no Transport header", false);
        }

        final int track = publish != null ? publishTrack(request.uri()) : playTrack(request.uri());
        if (track < 0)
        {
            throw new RtspRefusedException(404, "Not Found: no such track", false);
        }

        final Transport granted = choose(Transport.parseList(transportValue), track);
        if (sessionTransport != null && sessionTransport != granted.lowerTransport())
        {
            throw new RtspRefusedException(461, "Unsupported Transport: tracks must share one transport", false);
        }

        if (publish != null)
        {
            publish.onSetup(track, granted);
        }
        else
        {
            play.onSetup(track, granted);
        }

        sessionTransport = granted.lowerTransport();
        trackSetUp[track] = true;
        trackUrls[track] = request.uri();
        if (granted.lowerTransport() == Transport.LowerTransport.TCP)
        {
            final int rtp = granted.interleaved().first();
            final int rtcp = granted.interleaved().second();
            channelTrack[rtp] = track;
            decoder.allowChannel(rtp);
            if (rtcp >= 0 && rtcp <= 255)
            {
                channelTrack[rtcp] = track | 0x100;
                decoder.allowChannel(rtcp);
            }
        }

        if (sessionId == null)
        {
            sessionId = Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE).toUpperCase(
                Locale.ROOT);
        }

        final RtspResponse response = withSession(new RtspResponse(200, "OK"));
        response.headers().set(RtspHeaderNames.TRANSPORT, granted.format());
        respond(ctx, request, response);
    }

    private Transport choose(final List<Transport> specs, final int track) throws RtspRefusedException
    {
        for (final Transport spec : specs)
        {
            if (!spec.isRtpAvp() || spec.delivery() == Transport.Delivery.MULTICAST)
            {
                continue;
            }

            if (spec.lowerTransport() == Transport.LowerTransport.TCP)
            {
                Transport.Range ids = spec.interleaved();
                if (ids == null || ids.first() < 0 || ids.first() > 254)
                {
                    ids = new Transport.Range(2 * track, 2 * track + 1);
                }
                else if (ids.last() < 0 || ids.last() > 255)
                {
                    ids = new Transport.Range(ids.first(), ids.first() + 1);
                }

                if (channelTaken(ids.first(), track) || channelTaken(ids.second(), track))
                {
                    ids = freePair(track);
                    if (ids == null)
                    {
                        continue;
                    }
                }

                Transport granted = Transport.tcpInterleaved(ids);
                if (spec.mode() != null)
                {
                    granted = withMode(granted, spec.mode());
                }

                return granted;
            }

            final Transport.Range serverPorts = listener.udpServerPorts();
            if (serverPorts != null && spec.clientPort() != null && spec.clientPort().first() > 0 &&
                spec.clientPort().first() < 65535)
            {
                final Transport.Range client = new Transport.Range(spec.clientPort().first(),
                    spec.clientPort().second());
                Transport granted = Transport.udpUnicast(client, serverPorts);
                if (spec.mode() != null)
                {
                    granted = withMode(granted, spec.mode());
                }

                return granted;
            }
        }

        throw new RtspRefusedException(461, "Unsupported Transport", false);
    }

    private Transport.Range freePair(final int track)
    {
        final Transport.Range usual = new Transport.Range(2 * track, 2 * track + 1);
        if (!channelTaken(usual.first(), track) && !channelTaken(usual.second(), track))
        {
            return usual;
        }

        for (int ch = 0; ch < 255; ch += 2)
        {
            if (!channelTaken(ch, track) && !channelTaken(ch + 1, track))
            {
                return new Transport.Range(ch, ch + 1);
            }
        }

        return null;
    }

    private boolean channelTaken(final int ch, final int track)
    {
        return ch < 0 || ch > 255 || channelTrack[ch] >= 0 && (channelTrack[ch] & 0xFF) != track;
    }

    private static Transport withMode(final Transport t, final String mode)
    {
        return new Transport(t.protocol(), t.profile(), t.lowerTransport(), t.delivery(), t.destination(),
            t.source(), t.interleaved(), t.clientPort(), t.serverPort(), t.port(), t.ssrc(), t.ttl(), mode,
            t.append(), t.extensions());
    }

    private int publishTrack(final String uri)
    {
        final List<SdpMedia> media = announced.media();
        final String url = stripQuery(uri);
        final String base = Sdp.baseUrl(null, null, announceUrl);
        for (int i = 0; i < media.size(); i++)
        {
            final String control = media.get(i).control();
            if (control == null || control.isBlank())
            {
                continue;
            }

            final String resolved = stripQuery(Sdp.resolveControl(base, control));
            if (resolved.equals(url) || url.endsWith("/" + control.trim()) || uri.endsWith("/" + control.trim()))
            {
                return i;
            }
        }

        // One media without a usable control: the aggregate URL names it.
        return media.size() == 1 ? 0 : -1;
    }

    private int playTrack(final String uri)
    {
        final int count = play.sdp().media().size();
        final String url = stripQuery(uri);
        final int index = url.lastIndexOf("trackID=");
        if (index >= 0)
        {
            try
            {
                final int track = Integer.parseInt(url.substring(index + "trackID=".length()));
                return track >= 0 && track < count ? track : -1;
            }
            catch (final NumberFormatException ex)
            {
                return -1;
            }
        }

        return count == 1 ? 0 : -1;
    }

    private void onPlay(final ChannelHandlerContext ctx, final RtspRequest request) throws RtspRefusedException
    {
        if (play == null || sessionId == null)
        {
            throw new RtspRefusedException(455, "Method Not Valid in This State", false);
        }

        final RtspResponse response = withSession(new RtspResponse(200, "OK"));
        response.headers().set(RtspHeaderNames.RANGE, NptRange.LIVE.format());
        final String cseq = request.headers().get(RtspHeaderNames.CSEQ);
        response.headers().set(RtspHeaderNames.CSEQ, cseq.trim());
        response.headers().set(RtspHeaderNames.SERVER, SERVER);
        if (playing)
        {
            ctx.writeAndFlush(response);
            return;
        }

        playing = true;
        final PendingPlay reply = new PendingPlay(response, sessionGeneration);
        reply.fallback = ctx.executor().schedule(() -> reply.send(List.of()), PLAY_REPLY_WAIT_MS,
            TimeUnit.MILLISECONDS);
        play.onPlay(reply);
    }

    /**
     * The answer to one PLAY, held until the handle knows the first packets (or the fallback fires).
     */
    private final class PendingPlay implements RtspPlayReply
    {
        private final RtspResponse response;
        private final long generation;
        private ScheduledFuture<?> fallback;
        private boolean sent;

        PendingPlay(final RtspResponse response, final long generation)
        {
            this.response = response;
            this.generation = generation;
        }

        @Override
        public String trackUrl(final int trackIndex)
        {
            return trackIndex >= 0 && trackIndex < MAX_TRACKS ? trackUrls[trackIndex] : null;
        }

        @Override
        public boolean send(final List<RtpInfo> rtpInfo)
        {
            final List<RtpInfo> entries = List.copyOf(rtpInfo);
            if (!channel.eventLoop().inEventLoop())
            {
                channel.eventLoop().execute(() -> send(entries));
                return false;
            }

            if (sent || generation != sessionGeneration || !playing || !channel.isActive())
            {
                return false;
            }

            sent = true;
            if (fallback != null)
            {
                fallback.cancel(false);
            }

            if (!entries.isEmpty())
            {
                response.headers().set(RtspHeaderNames.RTP_INFO, RtpInfo.formatList(entries));
            }

            context.writeAndFlush(response);
            return true;
        }

        @Override
        public boolean isSent()
        {
            return sent;
        }
    }

    private void onPause(final ChannelHandlerContext ctx, final RtspRequest request)
    {
        // A publisher (rtspclientsink sends PAUSE while shutting down) or an ended session: nothing to pause.
        if (play != null && playing)
        {
            playing = false;
            sessionGeneration++;
            play.onPause();
        }

        respond(ctx, request, withSession(new RtspResponse(200, "OK")));
    }

    private void onRecord(final ChannelHandlerContext ctx, final RtspRequest request) throws RtspRefusedException
    {
        if (publish == null || sessionId == null)
        {
            throw new RtspRefusedException(455, "Method Not Valid in This State", false);
        }

        if (!recording)
        {
            publish.onRecord();
            recording = true;
        }

        respond(ctx, request, withSession(new RtspResponse(200, "OK")));
    }

    private void onTeardown(final ChannelHandlerContext ctx, final RtspRequest request)
    {
        final RtspResponse response = withSession(new RtspResponse(200, "OK"));
        endSession();
        forgetSession();
        // The connection stays open: some clients (GStreamer) still send PAUSE or close it themselves.
        respond(ctx, request, response);
    }

    /**
     * After TEARDOWN or a new DESCRIBE: the session id, transport and channels are gone.
     */
    private void forgetSession()
    {
        sessionId = null;
        sessionTransport = null;
        announced = null;
        announceUrl = null;
        sessionGeneration++;
        Arrays.fill(channelTrack, -1);
        decoder.allowAnyChannel();

        Arrays.fill(trackSetUp, false);
        Arrays.fill(trackUrls, null);
    }

    private void endSession()
    {
        if (publish != null)
        {
            final RtspPublishHandle handle = publish;
            publish = null;
            recording = false;
            handle.onClose();
        }

        if (play != null)
        {
            final RtspPlayHandle handle = play;
            play = null;
            playing = false;
            handle.onClose();
        }
    }

    private RtspResponse withSession(final RtspResponse response)
    {
        if (sessionId != null)
        {
            response.headers().set(RtspHeaderNames.SESSION, new SessionHeader(sessionId, timeoutSec()).format());
        }

        return response;
    }

    private io.netty.channel.ChannelFuture respond(
        final ChannelHandlerContext ctx,
        final RtspRequest request,
        final RtspResponse response)
    {
        final String cseq = request.headers().get(RtspHeaderNames.CSEQ);
        if (cseq != null)
        {
            response.headers().set(RtspHeaderNames.CSEQ, cseq.trim());
        }

        response.headers().set(RtspHeaderNames.SERVER, SERVER);
        return ctx.writeAndFlush(response);
    }

    /**
     * @return the timeout announced in the Session header: the session timeout rounded up to whole seconds.
     */
    public int timeoutSec()
    {
        return (int)Math.max(1, (timeoutNs + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * @return whether the track was set up (for tests and the listener).
     * @param track track index.
     */
    public boolean isSetUp(final int track)
    {
        return track >= 0 && track < MAX_TRACKS && trackSetUp[track];
    }
}
