package com.cococam.protocols.rtsp.client;

import com.cococam.protocols.rtsp.InterleavedFrame;
import com.cococam.protocols.rtsp.PublicHeader;
import com.cococam.protocols.rtsp.RtspDecoder;
import com.cococam.protocols.rtsp.RtspEncoder;
import com.cococam.protocols.rtsp.RtspHeaderNames;
import com.cococam.protocols.rtsp.RtspMethods;
import com.cococam.protocols.rtsp.RtspRequest;
import com.cococam.protocols.rtsp.RtspResponse;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.auth.AuthClient;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * An RTSP 1.0 client that pulls one camera: OPTIONS, DESCRIBE, SETUP (each audio/video track we can
 * depacketize), PLAY, keep-alive, TEARDOWN.
 *
 * <p>Transports: TCP interleaved (channels {@code 2i, 2i+1}), or UDP with one pair of Netty datagram channels per
 * track, bound on the local address of the RTSP connection. Receiver reports (with an SDES CNAME) go out every
 * {@link Options#receiverReportIntervalMs()} on either transport. Over UDP they go to the camera's RTCP port: the
 * {@code server_port} of the SETUP answer; when the camera left it out, the port its RTCP (sender reports) comes
 * from, else the port after the one its RTP comes from (RFC 3550's even/odd pair). Authentication: Basic and
 * Digest via {@link AuthClient}, on any request answered 401 (at most {@value #MAX_AUTH_RETRIES} tries per
 * request; a Digest challenge with {@code stale=true} is answered with the new nonce).
 * Keep-alive: {@code GET_PARAMETER} when the camera lists it in {@code Public}, else {@code OPTIONS}, at half
 * the session timeout (at least every second); a camera that answers GET_PARAMETER with an error other than 454
 * gets OPTIONS from then on. Vendor tracks (metadata, {@code application}) are skipped; at most one video and one
 * audio track are set up.
 *
 * <p>Stop: TEARDOWN of the aggregate URL once any SETUP was accepted, with the Session the camera gave (none when
 * it gave none: the request still lets it free the session's resources at once).
 *
 * <p>Failure: every way the session can end is one call to {@link RtspClientListener#onClosed}; the client does
 * not reconnect (its owner does). A SETUP answered 461 ends with {@link RtspClientError#UNSUPPORTED_TRANSPORT}
 * and no media for {@link Options#noMediaTimeoutMs()} after PLAY with {@link RtspClientError#NO_MEDIA}, so that
 * the owner can fall back from UDP to TCP. No free local UDP port pair (in {@link Options#udpPortMin()}..
 * {@link Options#udpPortMax()}, or from the system) also ends with {@link RtspClientError#UNSUPPORTED_TRANSPORT}.
 *
 * <p>Requests from the camera on the RTSP connection (some send OPTIONS or GET_PARAMETER as their own keep-alive,
 * or ANNOUNCE/SET_PARAMETER): OPTIONS and GET_PARAMETER are answered 200, anything else 501, each with the
 * request's CSeq and our Session; the session and the media go on ({@link #cameraRequests()} counts them).
 *
 * <p>Thread safety: {@link #start()} and {@link #stop()} from any thread; all work runs on one event loop, where
 * the listener is called. Allocation: per request (cold); per packet nothing but Netty's pooled buffers and
 * message objects. No logging.
 */
public final class RtspClient
{
    private static final int MAX_AUTH_RETRIES = 2;
    private static final int MAX_UDP_BIND_ATTEMPTS = 16;
    private static final int MAX_RANGE_BIND_ATTEMPTS = 256;
    /** Rotates the first pair tried in a port range, so clients do not all start at its lowest pair. */
    private static final AtomicInteger RANGE_CURSOR = new AtomicInteger();
    private static final long WATCHDOG_PERIOD_MS = 250;
    private static final long TEARDOWN_WAIT_MS = 1_000;
    private static final Set<String> SUPPORTED = Set.of("H264", "H265", "MPEG4-GENERIC", "MP4A-LATM", "PCMA",
        "PCMU", "OPUS", "JPEG");

    /**
     * Client settings.
     *
     * @param transport                UDP or TCP (interleaved).
     * @param connectTimeoutMs         TCP connect timeout.
     * @param requestTimeoutMs         how long a request may wait for its answer.
     * @param noMediaTimeoutMs         how long without any RTP packet after PLAY ends the session.
     * @param receiverReportIntervalMs period of receiver reports, at most 5000 (cameras stop without them).
     * @param userAgent                User-Agent header value.
     * @param udpPortMin               lowest local UDP port (even) for RTP/RTCP pairs; 0 with {@code udpPortMax}
     *                                 0 for system-picked ports.
     * @param udpPortMax               highest local UDP port (odd).
     */
    public record Options(
        Transport.LowerTransport transport,
        long connectTimeoutMs,
        long requestTimeoutMs,
        long noMediaTimeoutMs,
        long receiverReportIntervalMs,
        String userAgent,
        int udpPortMin,
        int udpPortMax)
    {
        /**
         * Checks the values.
         *
         * @throws IllegalArgumentException on a non-positive time, a report interval over 5 s, or a port range
         *                                  that is neither 0-0 nor even..odd within 1..65535.
         */
        public Options
        {
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(userAgent, "userAgent");
            if (connectTimeoutMs <= 0 || requestTimeoutMs <= 0 || noMediaTimeoutMs <= 0 ||
                receiverReportIntervalMs <= 0 || receiverReportIntervalMs > 5_000)
            {
                throw new IllegalArgumentException("rtsp client options out of range");
            }

            final boolean system = udpPortMin == 0 && udpPortMax == 0;
            if (!system && (udpPortMin <= 0 || (udpPortMin & 1) != 0 || (udpPortMax & 1) == 0 ||
                udpPortMax <= udpPortMin || udpPortMax > 65_535))
            {
                throw new IllegalArgumentException("rtsp client UDP port range: " + udpPortMin + "-" + udpPortMax);
            }
        }

        /**
         * Options with system-picked UDP ports.
         *
         * @param transport                UDP or TCP (interleaved).
         * @param connectTimeoutMs         TCP connect timeout.
         * @param requestTimeoutMs         how long a request may wait for its answer.
         * @param noMediaTimeoutMs         how long without any RTP packet after PLAY ends the session.
         * @param receiverReportIntervalMs period of receiver reports, at most 5000.
         * @param userAgent                User-Agent header value.
         */
        public Options(
            final Transport.LowerTransport transport,
            final long connectTimeoutMs,
            final long requestTimeoutMs,
            final long noMediaTimeoutMs,
            final long receiverReportIntervalMs,
            final String userAgent)
        {
            this(transport, connectTimeoutMs, requestTimeoutMs, noMediaTimeoutMs, receiverReportIntervalMs, userAgent,
                0, 0);
        }

        /**
         * @param min lowest port, even, or 0.
         * @param max highest port, odd, or 0.
         * @return these options with that UDP port range.
         */
        public Options withUdpPorts(final int min, final int max)
        {
            return new Options(transport, connectTimeoutMs, requestTimeoutMs, noMediaTimeoutMs,
                receiverReportIntervalMs, userAgent, min, max);
        }

        /**
         * @param transport the transport.
         * @return defaults: 5 s connect, 10 s request, 5 s no-media, 2 s receiver reports.
         */
        public static Options defaults(final Transport.LowerTransport transport)
        {
            return new Options(transport, 5_000, 10_000, 5_000, 2_000, "cococam");
        }
    }

    private enum Phase
    {
        OPTIONS, DESCRIBE, SETUP, PLAY, KEEPALIVE, TEARDOWN
    }

    private final EventLoop loop;
    private final Class<? extends SocketChannel> socketClass;
    private final Class<? extends DatagramChannel> datagramClass;
    private final RtspUrl url;
    private final Options options;
    private final RtspClientListener listener;
    private final AuthClient auth;
    private final long ourSsrc = ThreadLocalRandom.current().nextInt() & 0xFFFF_FFFFL;
    private final List<RtspTrack> tracks = new ArrayList<>(2);
    private final List<Channel> datagrams = new ArrayList<>(4);
    private final List<RtcpReceiverStats> receptions = new ArrayList<>(2);

    private Channel channel;
    private RtspDecoder decoder;
    private int nextCseq = 1;
    private Phase phase;
    private RtspRequest pendingTemplate;
    private long pendingCseq = -1;
    private int authRetries;
    private boolean authActive;
    private ScheduledFuture<?> requestTimer;
    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> watchdog;
    private ScheduledFuture<?> reportTimer;
    private boolean useGetParameter;
    private String baseUrl;
    private String sessionUrl;
    private String sessionId;
    private int sessionTimeoutSec = SessionHeader.DEFAULT_TIMEOUT_SEC;
    private int setupIndex;
    private boolean setUp;
    private long strayDatagrams;
    private boolean playing;
    private boolean closed;
    private boolean stopping;
    private long lastPacketNs;
    private long packets;
    private long bytes;
    private long cameraRequests;

    /**
     * @param loop          the event loop every channel of this session uses (and the listener is called on).
     * @param socketClass   TCP channel class matching the loop's transport.
     * @param datagramClass UDP channel class matching the loop's transport.
     * @param url           the camera URL; its credentials, if any, are used when challenged.
     * @param options       settings.
     * @param listener      receives media and the end of the session.
     */
    public RtspClient(
        final EventLoop loop,
        final Class<? extends SocketChannel> socketClass,
        final Class<? extends DatagramChannel> datagramClass,
        final RtspUrl url,
        final Options options,
        final RtspClientListener listener)
    {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.socketClass = Objects.requireNonNull(socketClass, "socketClass");
        this.datagramClass = Objects.requireNonNull(datagramClass, "datagramClass");
        this.url = Objects.requireNonNull(url, "url");
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.auth = url.credentials() == null ? null : new AuthClient(url.credentials());
    }

    /**
     * Connects and starts the exchange; returns at once.
     */
    public void start()
    {
        final Bootstrap bootstrap = new Bootstrap()
            .group(loop)
            .channel(socketClass)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)Math.min(Integer.MAX_VALUE, options.connectTimeoutMs()))
            .handler(new ChannelInitializer<SocketChannel>()
            {
                @Override
                protected void initChannel(final SocketChannel ch)
                {
                    decoder = new RtspDecoder();
                    ch.pipeline().addLast("rtsp-decoder", decoder)
                        .addLast("rtsp-encoder", new RtspEncoder())
                        .addLast("rtsp-client", new Handler());
                }
            });
        bootstrap.connect(url.host(), url.port()).addListener((ChannelFuture future) ->
        {
            if (!future.isSuccess())
            {
                fail(RtspClientError.CONNECT_FAILED, "connect " + url.host() + ":" + url.port() + ": " +
                    message(future.cause()));
                return;
            }

            if (closed)
            {
                future.channel().close();
                return;
            }

            channel = future.channel();
            send(Phase.OPTIONS, new RtspRequest(RtspMethods.OPTIONS, url.requestUrl()));
        });
    }

    /**
     * Ends the session: TEARDOWN when a SETUP was accepted (waiting up to one second for the answer), then closes
     * every channel and calls {@link RtspClientListener#onClosed} with {@link RtspClientError#STOPPED} (unless the
     * session had already ended). Idempotent.
     */
    public void stop()
    {
        loop.execute(() ->
        {
            if (closed || stopping)
            {
                return;
            }

            stopping = true;
            if (channel != null && channel.isActive() && (sessionId != null || setUp))
            {
                send(Phase.TEARDOWN, new RtspRequest(RtspMethods.TEARDOWN, sessionUrl != null ? sessionUrl :
                    url.requestUrl()));
                loop.schedule(() -> fail(RtspClientError.STOPPED, "stopped"), TEARDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            else
            {
                fail(RtspClientError.STOPPED, "stopped");
            }
        });
    }

    /**
     * @return the tracks set up so far (event loop only).
     */
    public List<RtspTrack> tracks()
    {
        return tracks;
    }

    /**
     * @return RTP packets received (event loop only; a plain read elsewhere is approximate).
     */
    public long packets()
    {
        return packets;
    }

    /**
     * @return RTP bytes received.
     */
    public long bytes()
    {
        return bytes;
    }

    /**
     * @return times the interleaved stream lost framing and the decoder resynchronised, 0 before connecting.
     */
    public long resyncs()
    {
        final RtspDecoder d = decoder;
        return d == null ? 0 : d.resyncCount();
    }

    /**
     * @return UDP datagrams dropped because they did not come from the camera's address. Event loop.
     */
    public long strayDatagrams()
    {
        return strayDatagrams;
    }

    /**
     * @return requests the camera sent us on the RTSP connection (answered, see the class comment). Event loop.
     */
    public long cameraRequests()
    {
        return cameraRequests;
    }

    /**
     * @return the session id given by the camera, or null.
     */
    public String sessionId()
    {
        return sessionId;
    }

    private void send(final Phase newPhase, final RtspRequest template)
    {
        phase = newPhase;
        pendingTemplate = template;
        authRetries = 0;
        writePending();
    }

    private void writePending()
    {
        final RtspRequest request = new RtspRequest(pendingTemplate.method(), pendingTemplate.uri());
        request.headers().set(RtspHeaderNames.CSEQ, Integer.toString(nextCseq));
        pendingCseq = nextCseq++;
        request.headers().set(RtspHeaderNames.USER_AGENT, options.userAgent());
        for (final String name : pendingTemplate.headers().names())
        {
            request.headers().set(name, pendingTemplate.headers().get(name));
        }

        addSessionAndAuthorization(request);

        cancel(requestTimer);
        final Phase waitingFor = phase;
        requestTimer = loop.schedule(() ->
        {
            if (phase == waitingFor && pendingCseq >= 0)
            {
                fail(RtspClientError.TIMEOUT, request.method() + " got no answer in " + options.requestTimeoutMs() +
                    " ms");
            }
        }, options.requestTimeoutMs(), TimeUnit.MILLISECONDS);
        channel.writeAndFlush(request).addListener((ChannelFuture future) ->
        {
            if (!future.isSuccess())
            {
                fail(RtspClientError.PROTOCOL, "write failed: " + message(future.cause()));
            }
        });
    }

    private void onResponse(final RtspResponse response)
    {
        if (response.cseq() != pendingCseq && response.headers().get(RtspHeaderNames.CSEQ) != null)
        {
            return;
        }

        pendingCseq = -1;
        cancel(requestTimer);
        final int status = response.statusCode();
        if (status == 401)
        {
            onUnauthorized(response);
            return;
        }

        switch (phase)
        {
            case OPTIONS -> onOptions(response);
            case DESCRIBE -> onDescribe(response);
            case SETUP -> onSetup(response);
            case PLAY -> onPlay(response);
            case KEEPALIVE -> onKeepAlive(response);
            case TEARDOWN -> fail(RtspClientError.STOPPED, "stopped");
            default ->
            {
            }
        }
    }

    private void onUnauthorized(final RtspResponse response)
    {
        if (auth == null)
        {
            fail(RtspClientError.AUTH_FAILED, pendingTemplate.method() + ": 401 and no credentials in the URL");
            return;
        }

        final AuthClient.Outcome outcome = auth.onUnauthorized(
            response.headers().getAll(RtspHeaderNames.WWW_AUTHENTICATE));
        if (outcome != AuthClient.Outcome.RETRY || authRetries >= MAX_AUTH_RETRIES)
        {
            fail(RtspClientError.AUTH_FAILED, pendingTemplate.method() + ": 401 (" +
                (outcome == AuthClient.Outcome.UNSUPPORTED ? "no supported scheme" : "credentials refused") + ")");
            return;
        }

        authRetries++;
        authActive = true;
        writePending();
    }

    private void onOptions(final RtspResponse response)
    {
        if (response.statusCode() == 200)
        {
            final String methods = response.headers().get(RtspHeaderNames.PUBLIC);
            if (methods != null)
            {
                try
                {
                    useGetParameter = PublicHeader.parse(methods).stream()
                        .anyMatch((m) -> RtspMethods.GET_PARAMETER.equalsIgnoreCase(m));
                }
                catch (final RuntimeException ex)
                {
                    useGetParameter = false;
                }
            }
        }

        // Some cameras refuse OPTIONS (404, 501): DESCRIBE decides.
        final RtspRequest describe = new RtspRequest(RtspMethods.DESCRIBE, url.requestUrl());
        describe.headers().set(RtspHeaderNames.ACCEPT, "application/sdp");
        send(Phase.DESCRIBE, describe);
    }

    private void onDescribe(final RtspResponse response)
    {
        if (response.statusCode() != 200)
        {
            fail(RtspClientError.REFUSED, "DESCRIBE: " + response.statusCode() + " " + response.reason());
            return;
        }

        final Sdp sdp;
        try
        {
            sdp = Sdp.parse(response.content());
        }
        catch (final RuntimeException ex)
        {
            fail(RtspClientError.PROTOCOL, "DESCRIBE: bad SDP: " + message(ex));
            return;
        }

        baseUrl = Sdp.baseUrl(response, url.requestUrl());
        sessionUrl = sdp.sessionControlUrl(baseUrl);
        boolean video = false;
        boolean audio = false;
        for (final SdpMedia media : sdp.media())
        {
            final String type = media.type().toLowerCase(Locale.ROOT);
            final boolean isVideo = "video".equals(type);
            if (!isVideo && !"audio".equals(type) || isVideo && video || !isVideo && audio)
            {
                continue;
            }

            final String encoding = media.encodingName() == null ? "" :
                media.encodingName().toUpperCase(Locale.ROOT);
            if (!SUPPORTED.contains(encoding))
            {
                continue;
            }

            final int clock = media.clockRate() > 0 ? media.clockRate() : (isVideo ? 90_000 : 8_000);
            final int channels = isVideo ? 0 : Math.max(1, media.channels());
            tracks.add(new RtspTrack(tracks.size(), media, media.controlUrl(baseUrl), media.payloadType(), encoding,
                clock, channels));
            receptions.add(new RtcpReceiverStats(clock, System::nanoTime));
            video |= isVideo;
            audio |= !isVideo;
        }

        if (tracks.isEmpty())
        {
            fail(RtspClientError.NO_TRACKS, "DESCRIBE: no H.264/H.265/MJPEG/AAC/G.711/Opus track in the SDP");
            return;
        }

        setupIndex = 0;
        setupNext();
    }

    private void setupNext()
    {
        final RtspTrack track = tracks.get(setupIndex);
        if (options.transport() == Transport.LowerTransport.TCP)
        {
            final Transport.Range channels = new Transport.Range(2 * setupIndex, 2 * setupIndex + 1);
            sendSetup(track, Transport.tcpInterleaved(channels));
            return;
        }

        final InetAddress local = ((InetSocketAddress)channel.localAddress()).getAddress();
        final int pairs = options.udpPortMin() > 0 ? (options.udpPortMax() - options.udpPortMin() + 1) / 2 : 0;
        final int firstPair = pairs > 0 ? Math.floorMod(RANGE_CURSOR.getAndIncrement(), pairs) : 0;
        bindPair(local, track, 0, firstPair, pairs, (port) ->
        {
            if (port < 0)
            {
                fail(RtspClientError.UNSUPPORTED_TRANSPORT, pairs > 0 ?
                    "no free local UDP port pair in " + options.udpPortMin() + "-" + options.udpPortMax() :
                    "could not bind a UDP port pair");
                return;
            }

            track.clientRtpPort = port;
            sendSetup(track, Transport.udpUnicast(new Transport.Range(port, port + 1), null));
        });
    }

    private void sendSetup(final RtspTrack track, final Transport transport)
    {
        final RtspRequest setup = new RtspRequest(RtspMethods.SETUP, track.controlUrl());
        setup.headers().set(RtspHeaderNames.TRANSPORT, transport.format());
        send(Phase.SETUP, setup);
    }

    private void onSetup(final RtspResponse response)
    {
        final int status = response.statusCode();
        if (status == 461)
        {
            fail(RtspClientError.UNSUPPORTED_TRANSPORT, "SETUP: 461 " + response.reason());
            return;
        }

        if (status != 200)
        {
            fail(RtspClientError.REFUSED, "SETUP: " + status + " " + response.reason());
            return;
        }

        final String session = response.headers().get(RtspHeaderNames.SESSION);
        if (session != null && sessionId == null)
        {
            try
            {
                final SessionHeader header = SessionHeader.parse(session);
                sessionId = header.id();
                sessionTimeoutSec = header.effectiveTimeoutSec();
            }
            catch (final RuntimeException ex)
            {
                fail(RtspClientError.PROTOCOL, "SETUP: bad Session header");
                return;
            }
        }

        setUp = true;
        final RtspTrack track = tracks.get(setupIndex);
        Transport reply = null;
        final String transportValue = response.headers().get(RtspHeaderNames.TRANSPORT);
        if (transportValue != null)
        {
            try
            {
                final List<Transport> list = Transport.parseList(transportValue);
                reply = list.isEmpty() ? null : list.get(0);
            }
            catch (final RuntimeException ex)
            {
                reply = null;
            }
        }

        if (options.transport() == Transport.LowerTransport.TCP ||
            reply != null && reply.lowerTransport() == Transport.LowerTransport.TCP)
        {
            final Transport.Range channels = reply != null && reply.interleaved() != null ? reply.interleaved() :
                new Transport.Range(2 * setupIndex, 2 * setupIndex + 1);
            track.rtpChannel = channels.first();
            track.rtcpChannel = channels.second();
            if (track.rtpChannel <= 255 && track.rtcpChannel <= 255)
            {
                decoder.allowChannel(track.rtpChannel);
                decoder.allowChannel(track.rtcpChannel);
            }
        }
        else if (reply != null && reply.serverPort() != null)
        {
            track.serverRtpPort = reply.serverPort().first();
            track.serverRtcpPort = reply.serverPort().second();
        }

        setupIndex++;
        if (setupIndex < tracks.size())
        {
            setupNext();
            return;
        }

        final RtspRequest play = new RtspRequest(RtspMethods.PLAY, sessionUrl);
        play.headers().set(RtspHeaderNames.RANGE, "npt=0.000-");
        send(Phase.PLAY, play);
    }

    private void onPlay(final RtspResponse response)
    {
        if (response.statusCode() != 200)
        {
            fail(RtspClientError.REFUSED, "PLAY: " + response.statusCode() + " " + response.reason());
            return;
        }

        playing = true;
        phase = Phase.KEEPALIVE;
        lastPacketNs = System.nanoTime();
        final long keepAliveMs = Math.max(1_000L, sessionTimeoutSec * 1_000L / 2);
        keepAliveTimer = loop.scheduleAtFixedRate(this::keepAlive, keepAliveMs, keepAliveMs, TimeUnit.MILLISECONDS);
        watchdog = loop.scheduleAtFixedRate(this::checkMedia, WATCHDOG_PERIOD_MS, WATCHDOG_PERIOD_MS,
            TimeUnit.MILLISECONDS);
        reportTimer = loop.scheduleAtFixedRate(this::sendReceiverReports, options.receiverReportIntervalMs(),
            options.receiverReportIntervalMs(), TimeUnit.MILLISECONDS);
        if (options.transport() == Transport.LowerTransport.UDP)
        {
            // Opens NAT/firewall state towards the camera's ports before media arrives.
            sendReceiverReports();
        }

        listener.onPlaying(List.copyOf(tracks), tracks.get(0).rtpChannel >= 0 ? Transport.LowerTransport.TCP :
            Transport.LowerTransport.UDP);
    }

    private void onKeepAlive(final RtspResponse response)
    {
        final int status = response.statusCode();
        if (status == 454)
        {
            fail(RtspClientError.REFUSED, "keep-alive: 454 session not found");
            return;
        }

        if (useGetParameter && (status < 200 || status > 299))
        {
            // Listed in Public but refused (405, 501, ...): OPTIONS keeps such cameras' sessions alive.
            useGetParameter = false;
        }
    }

    private void keepAlive()
    {
        if (closed || stopping || pendingCseq >= 0)
        {
            return;
        }

        send(Phase.KEEPALIVE, new RtspRequest(useGetParameter ? RtspMethods.GET_PARAMETER : RtspMethods.OPTIONS,
            useGetParameter ? sessionUrl : url.requestUrl()));
    }

    private void checkMedia()
    {
        if (playing && !closed && System.nanoTime() - lastPacketNs > TimeUnit.MILLISECONDS.toNanos(
            options.noMediaTimeoutMs()))
        {
            fail(RtspClientError.NO_MEDIA, "no media for " + options.noMediaTimeoutMs() + " ms over " +
                (tracks.get(0).rtpChannel >= 0 ? "tcp" : "udp") + " (" + packets + " packets before)");
        }
    }

    private void onRtp(final RtspTrack track, final ByteBuf packet)
    {
        if (!playing || closed || packet.readableBytes() < 12)
        {
            return;
        }

        lastPacketNs = System.nanoTime();
        packets++;
        bytes += packet.readableBytes();
        receptions.get(track.index()).onPacket(packet);
        listener.onRtp(track, packet);
    }

    private void onRtcp(final RtspTrack track, final ByteBuf packet)
    {
        int offset = packet.readerIndex();
        final int end = packet.writerIndex();
        int count = 0;
        while (end - offset >= 8 && count++ < 16)
        {
            final int first = packet.getUnsignedByte(offset);
            final int type = packet.getUnsignedByte(offset + 1);
            final int length = (packet.getUnsignedShort(offset + 2) + 1) * 4;
            if (first >> 6 != 2 || length > end - offset)
            {
                return;
            }

            if (type == 200 && length >= 28)
            {
                final long ntp = packet.getLong(offset + 8);
                final long rtp = packet.getUnsignedInt(offset + 16);
                receptions.get(track.index()).onSenderReport(ntp);
                if (playing && !closed)
                {
                    listener.onSenderReport(track, ntp, rtp);
                }
            }

            offset += length;
        }
    }

    private void sendReceiverReports()
    {
        if (closed || channel == null)
        {
            return;
        }

        for (final RtspTrack track : tracks)
        {
            final RtcpReceiverStats reception = receptions.get(track.index());
            if (track.rtcpChannel >= 0)
            {
                final ByteBuf report = reception.writeReport(channel.alloc().buffer(64), ourSsrc);
                channel.writeAndFlush(new InterleavedFrame(track.rtcpChannel, report));
            }
            else if (datagrams.size() > 2 * track.index() + 1)
            {
                final InetSocketAddress target = rtcpTarget(track);
                if (target != null)
                {
                    final Channel rtcp = datagrams.get(2 * track.index() + 1);
                    final ByteBuf report = reception.writeReport(rtcp.alloc().buffer(64), ourSsrc);
                    rtcp.writeAndFlush(new DatagramPacket(report, target));
                }
            }
        }
    }

    /**
     * Where a UDP track's receiver reports go: the SETUP answer's {@code server_port} on the camera's address;
     * without one, the source of the camera's RTCP; without that, the port after its RTP source port. Null while
     * none is known (no server_port and nothing received yet).
     */
    private InetSocketAddress rtcpTarget(final RtspTrack track)
    {
        if (track.serverRtcpPort > 0)
        {
            final InetAddress remote = ((InetSocketAddress)channel.remoteAddress()).getAddress();
            return new InetSocketAddress(remote, track.serverRtcpPort);
        }

        if (track.rtcpSource != null)
        {
            return track.rtcpSource;
        }

        final InetSocketAddress rtp = track.rtpSource;
        return rtp == null || rtp.getPort() >= 65_535 ? null : new InetSocketAddress(rtp.getAddress(),
            rtp.getPort() + 1);
    }

    /**
     * Binds an RTP/RTCP pair: system-picked ports ({@code pairs} 0, up to {@value #MAX_UDP_BIND_ATTEMPTS} tries),
     * or the pairs of the configured range from {@code firstPair} on, each once (at most
     * {@value #MAX_RANGE_BIND_ATTEMPTS}). Every failed bind's channel is closed.
     */
    private void bindPair(
        final InetAddress local,
        final RtspTrack track,
        final int attempt,
        final int firstPair,
        final int pairs,
        final IntConsumer done)
    {
        if (closed || (pairs == 0 ? attempt >= MAX_UDP_BIND_ATTEMPTS :
            attempt >= Math.min(pairs, MAX_RANGE_BIND_ATTEMPTS)))
        {
            done.accept(-1);
            return;
        }

        final int wanted = pairs == 0 ? 0 : options.udpPortMin() + 2 * ((firstPair + attempt) % pairs);
        bindOne(local, wanted, track, true).addListener((ChannelFuture rtpFuture) ->
        {
            if (!rtpFuture.isSuccess())
            {
                rtpFuture.channel().close();
                bindPair(local, track, attempt + 1, firstPair, pairs, done);
                return;
            }

            final int port = ((InetSocketAddress)rtpFuture.channel().localAddress()).getPort();
            if ((port & 1) != 0 || port >= 65_535)
            {
                rtpFuture.channel().close();
                bindPair(local, track, attempt + 1, firstPair, pairs, done);
                return;
            }

            bindOne(local, port + 1, track, false).addListener((ChannelFuture rtcpFuture) ->
            {
                if (!rtcpFuture.isSuccess())
                {
                    rtcpFuture.channel().close();
                    rtpFuture.channel().close();
                    bindPair(local, track, attempt + 1, firstPair, pairs, done);
                    return;
                }

                if (closed)
                {
                    rtpFuture.channel().close();
                    rtcpFuture.channel().close();
                    done.accept(-1);
                    return;
                }

                datagrams.add(rtpFuture.channel());
                datagrams.add(rtcpFuture.channel());
                done.accept(port);
            });
        });
    }

    private ChannelFuture bindOne(final InetAddress local, final int port, final RtspTrack track, final boolean rtp)
    {
        return new Bootstrap()
            .group(loop)
            .channel(datagramClass)
            .option(ChannelOption.SO_RCVBUF, rtp ? 2 * 1024 * 1024 : 64 * 1024)
            .handler(new ChannelInboundHandlerAdapter()
            {
                @Override
                public void channelRead(final ChannelHandlerContext ctx, final Object msg)
                {
                    try
                    {
                        if (msg instanceof DatagramPacket)
                        {
                            if (rtp)
                            {
                                onRtpDatagram(track, (DatagramPacket)msg);
                            }
                            else
                            {
                                onRtcpDatagram(track, (DatagramPacket)msg);
                            }
                        }
                    }
                    finally
                    {
                        ReferenceCountUtil.release(msg);
                    }
                }

                @Override
                public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
                {
                    // ICMP port unreachable and the like: the media watchdog decides.
                }
            })
            .bind(new InetSocketAddress(local, port));
    }

    /**
     * Whether a datagram comes from the camera's address: RTP or RTCP from anywhere else (a stray or forged sender
     * aiming at our ports) is dropped and counted, so it can neither inject media nor steer our receiver reports.
     */
    private boolean fromCamera(final DatagramPacket datagram)
    {
        final SocketAddress remote = channel == null ? null : channel.remoteAddress();
        if (remote instanceof InetSocketAddress camera && camera.getAddress().equals(datagram.sender().getAddress()))
        {
            return true;
        }

        strayDatagrams++;
        return false;
    }

    private void onRtpDatagram(final RtspTrack track, final DatagramPacket datagram)
    {
        if (!fromCamera(datagram))
        {
            return;
        }

        if (playing && !closed)
        {
            track.rtpSource = datagram.sender();
        }

        onRtp(track, datagram.content());
    }

    private void onRtcpDatagram(final RtspTrack track, final DatagramPacket datagram)
    {
        if (!fromCamera(datagram))
        {
            return;
        }

        final ByteBuf content = datagram.content();
        if (content.readableBytes() >= 8 && content.getUnsignedByte(content.readerIndex()) >> 6 == 2)
        {
            // The camera's RTCP port, for reports when its SETUP answer had no server_port.
            track.rtcpSource = datagram.sender();
        }

        onRtcp(track, content);
    }

    /**
     * A request the camera sent us: OPTIONS and GET_PARAMETER get 200 (the camera's own keep-alive, or a
     * liveness check), everything else 501. Neither changes the session.
     */
    private void onCameraRequest(final RtspRequest request)
    {
        cameraRequests++;
        final String method = request.method().toUpperCase(Locale.ROOT);
        final boolean known = RtspMethods.OPTIONS.equals(method) || RtspMethods.GET_PARAMETER.equals(method);
        final RtspResponse response = known ? new RtspResponse(200, "OK") :
            new RtspResponse(501, "Not Implemented");
        final String cseq = request.headers().get(RtspHeaderNames.CSEQ);
        if (cseq != null)
        {
            response.headers().set(RtspHeaderNames.CSEQ, cseq.trim());
        }

        if (sessionId != null)
        {
            response.headers().set(RtspHeaderNames.SESSION, sessionId);
        }

        if (RtspMethods.OPTIONS.equals(method))
        {
            response.headers().set(RtspHeaderNames.PUBLIC, PublicHeader.format(List.of(RtspMethods.OPTIONS,
                RtspMethods.GET_PARAMETER)));
        }

        response.headers().set(RtspHeaderNames.USER_AGENT, options.userAgent());
        channel.writeAndFlush(response);
    }

    private void fail(final RtspClientError error, final String detail)
    {
        if (closed)
        {
            return;
        }

        closed = true;
        playing = false;
        cancel(requestTimer);
        cancel(keepAliveTimer);
        cancel(watchdog);
        cancel(reportTimer);
        for (final Channel datagram : datagrams)
        {
            datagram.close();
        }

        datagrams.clear();
        if (channel != null)
        {
            if ((error == RtspClientError.NO_MEDIA || error == RtspClientError.UNSUPPORTED_TRANSPORT) &&
                channel.isActive() && (sessionId != null || setUp))
            {
                // The connection still works (the media did not come, or a later track's transport was refused):
                // tell the camera its session is over so it frees it now rather than at its own timeout.
                channel.writeAndFlush(teardownRequest()).addListener(ChannelFutureListener.CLOSE);
            }
            else
            {
                channel.close();
            }
        }

        listener.onClosed(error, RtspUrl.mask(detail));
    }

    private void addSessionAndAuthorization(final RtspRequest request)
    {
        if (sessionId != null)
        {
            request.headers().set(RtspHeaderNames.SESSION, sessionId);
        }

        if (authActive)
        {
            final String value = auth.authorization(request.method(), request.uri());
            if (value != null)
            {
                request.headers().set(RtspHeaderNames.AUTHORIZATION, value);
            }
        }
    }

    /**
     * A TEARDOWN written on the way out, whose answer nobody waits for.
     */
    private RtspRequest teardownRequest()
    {
        final RtspRequest request = new RtspRequest(RtspMethods.TEARDOWN, sessionUrl != null ? sessionUrl :
            url.requestUrl());
        request.headers().set(RtspHeaderNames.CSEQ, Integer.toString(nextCseq++));
        request.headers().set(RtspHeaderNames.USER_AGENT, options.userAgent());
        addSessionAndAuthorization(request);

        return request;
    }

    private static void cancel(final ScheduledFuture<?> future)
    {
        if (future != null)
        {
            future.cancel(false);
        }
    }

    private static String message(final Throwable cause)
    {
        if (cause == null)
        {
            return "unknown";
        }

        final Throwable root = cause.getCause() != null && cause.getMessage() == null ? cause.getCause() : cause;
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    /**
     * The RTSP connection's inbound side.
     */
    private final class Handler extends ChannelInboundHandlerAdapter
    {
        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            try
            {
                if (closed)
                {
                    return;
                }

                if (msg instanceof InterleavedFrame)
                {
                    final InterleavedFrame frame = (InterleavedFrame)msg;
                    for (final RtspTrack track : tracks)
                    {
                        if (frame.channel() == track.rtpChannel)
                        {
                            onRtp(track, frame.content());
                            break;
                        }

                        if (frame.channel() == track.rtcpChannel)
                        {
                            onRtcp(track, frame.content());
                            break;
                        }
                    }
                }
                else if (msg instanceof RtspResponse)
                {
                    onResponse((RtspResponse)msg);
                }
                else if (msg instanceof RtspRequest)
                {
                    onCameraRequest((RtspRequest)msg);
                }
            }
            finally
            {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(final ChannelHandlerContext ctx)
        {
            fail(stopping ? RtspClientError.STOPPED : RtspClientError.CLOSED, "connection closed by the camera" +
                (playing ? " (" + packets + " packets received)" : ""));
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            fail(RtspClientError.PROTOCOL, message(cause));
        }
    }
}
