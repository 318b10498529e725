package com.cococam.server.rtsp;

import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.RtpWrapResult;
import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import com.cococam.protocols.rtsp.server.RtspCloseReason;
import com.cococam.protocols.rtsp.server.RtspConnection;
import com.cococam.protocols.rtsp.server.RtspPlayHandle;
import com.cococam.protocols.rtsp.server.RtspPlayReply;
import com.cococam.protocols.rtsp.server.RtspPublishHandle;
import com.cococam.protocols.rtsp.server.RtspRefusedException;
import com.cococam.protocols.rtsp.server.RtspServerHandler;
import com.cococam.protocols.rtsp.server.RtspServerListener;
import com.cococam.protocols.rtsp.server.RtspTarget;
import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.ServerConfig;
import com.cococam.server.metrics.PrometheusText;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.LiveSubscriber;
import com.cococam.server.stream.PublishRefusedException;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.stream.StreamHub;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server side of RTSP: authorises publishers (ANNOUNCE/RECORD) against the camera config and feeds their RTP
 * into the stream hub, and serves players (DESCRIBE/SETUP/PLAY) from the live fan-out.
 *
 * <p>Publishing: {@code rtsp://HOST:PORT/live/CAMERA?key=KEY}, RTP interleaved on TCP or over UDP. An unknown
 * camera gets 404, a missing key 401, a wrong key 403, a path another publisher holds 403; each closes the
 * connection with one log line (never the key). Playing: any configured camera that is live (404 otherwise),
 * open to all for now, like RTMP play.
 *
 * <p>Viewers are grouped by transport shape: all UDP viewers of a stream share one group (frames carry canonical
 * channels 0/1 for video, 2/3 for audio and {@link RtspUdpOut} sends them to each viewer's ports), TCP viewers
 * share a group per interleaved channel mapping. A unit is packetized once per group.
 *
 * <p>Thread safety: listener callbacks come from each connection's event loop; a UDP publisher's media is
 * handled on the UDP sockets' event loop (its control callbacks are passed there).
 */
public final class RtspIngest implements RtspServerListener
{
    private static final Logger LOG = LoggerFactory.getLogger(RtspIngest.class);
    private static final AttributeKey<LiveSubscriber> SUBSCRIBER = AttributeKey.valueOf("cococam.rtsp.subscriber");
    private static final String APP = "live";
    private static final int MAX_CONSECUTIVE_SKIPS = 3;
    /** Protocol error reasons shown (as 0) before any happened; the others appear when first counted. */
    private static final List<String> USUAL_PROTOCOL_ERRORS = List.of("garbage", "refused", "session_timeout",
        "connection_error");
    /** Labels of the bad RTP counters: each {@link RtpWrapResult} but OK, then a malformed RTCP packet. */
    private static final String[] BAD_RTP_REASONS = badRtpReasons();
    private static final int BAD_RTCP = BAD_RTP_REASONS.length - 1;

    private final ServerConfig config;
    private final StreamHub hub;
    private final RtspUdp udp;
    private final long sessionTimeoutMs;
    private final ConcurrentMap<String, RtpOutState> outStates = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, LongAdder> protocolErrors = new ConcurrentHashMap<>();
    private final LongAdder[] badRtpPackets = new LongAdder[BAD_RTP_REASONS.length];
    private final LongAdder unknownChannelFrames = new LongAdder();
    private final LongAdder udpDrops = new LongAdder();

    /**
     * @param config the configuration (its {@code rtsp.sessionTimeoutSeconds} is the session timeout).
     * @param hub    the stream hub.
     * @param udp    the bound UDP pair, or null to offer TCP only.
     */
    public RtspIngest(final ServerConfig config, final StreamHub hub, final RtspUdp udp)
    {
        this(config, hub, udp, TimeUnit.SECONDS.toMillis(config.rtsp().sessionTimeoutSeconds()));
    }

    /**
     * @param config           the configuration.
     * @param hub              the stream hub.
     * @param udp              the bound UDP pair, or null to offer TCP only.
     * @param sessionTimeoutMs session timeout (tests shorten it).
     */
    public RtspIngest(final ServerConfig config, final StreamHub hub, final RtspUdp udp, final long sessionTimeoutMs)
    {
        this.config = config;
        this.hub = hub;
        this.udp = udp;
        this.sessionTimeoutMs = sessionTimeoutMs;
        for (final String reason : USUAL_PROTOCOL_ERRORS)
        {
            protocolErrors.put(reason, new LongAdder());
        }

        for (int i = 0; i < badRtpPackets.length; i++)
        {
            badRtpPackets[i] = new LongAdder();
        }
    }

    private static String[] badRtpReasons()
    {
        final RtpWrapResult[] results = RtpWrapResult.values();
        if (results[0] != RtpWrapResult.OK)
        {
            throw new IllegalStateException("RtpWrapResult.OK must come first: " + results[0]);
        }

        final String[] reasons = new String[results.length];
        for (int i = 1; i < results.length; i++)
        {
            reasons[i - 1] = results[i].name().toLowerCase(Locale.ROOT);
        }

        reasons[results.length - 1] = "bad_rtcp";
        return reasons;
    }

    /**
     * Installs the RTSP pipeline on an accepted connection.
     *
     * @param channel the connection.
     */
    public void initChannel(final SocketChannel channel)
    {
        RtspServerHandler.install(channel.pipeline(), this, sessionTimeoutMs);
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
        channel.pipeline().addLast("cococam-rtsp-out", new RtspUdpOut(udp, udpDrops));
    }

    /**
     * @return connections closed for a protocol reason (garbage, bad message, refusal, timeout, channel error).
     */
    public long protocolErrors()
    {
        long sum = 0;
        for (final LongAdder count : protocolErrors.values())
        {
            sum += count.sum();
        }

        return sum;
    }

    /**
     * @param reason a {@link RtspCloseReason#label()}, e.g. {@code garbage} or {@code headers_too_large}.
     * @return connections closed for that reason.
     */
    public long protocolErrors(final String reason)
    {
        final LongAdder count = protocolErrors.get(reason);
        return count == null ? 0 : count.sum();
    }

    /**
     * @return RTP/RTCP packets from publishers dropped as malformed.
     */
    public long badRtpPackets()
    {
        long sum = 0;
        for (final LongAdder count : badRtpPackets)
        {
            sum += count.sum();
        }

        return sum;
    }

    /**
     * @param reason an {@link RtpWrapResult} but OK, for a malformed RTP packet; null for a malformed RTCP packet.
     * @return packets from publishers dropped for that reason.
     * @throws IllegalArgumentException for OK.
     */
    public long badRtpPackets(final RtpWrapResult reason)
    {
        if (reason == RtpWrapResult.OK)
        {
            throw new IllegalArgumentException("not a bad rtp reason: reason=" + reason);
        }

        return badRtpPackets[reason == null ? BAD_RTCP : reason.ordinal() - 1].sum();
    }

    /**
     * @return interleaved frames dropped for a channel that was not set up (counted when the connection ends).
     */
    public long unknownChannelFrames()
    {
        return unknownChannelFrames.sum();
    }

    /**
     * @return media frames for UDP viewers dropped because the UDP socket was full.
     */
    public long udpDrops()
    {
        return udpDrops.sum();
    }

    /**
     * Prometheus text of the counters above. Protocol errors are labelled with their {@link RtspCloseReason#label()}
     * (the usual ones are always there, a rejected message's error code once it happened), bad RTP with the
     * {@link RtpWrapResult} in lower case or {@code bad_rtcp}.
     *
     * @return the text.
     */
    public String metricsText()
    {
        final StringBuilder out = new StringBuilder(2048);
        PrometheusText.header(out, "cococam_rtsp_protocol_errors_total", "counter",
            "RTSP connections closed for a protocol reason (garbage, bad message, refusal, timeout, channel error).");
        for (final Map.Entry<String, LongAdder> entry : new TreeMap<>(protocolErrors).entrySet())
        {
            out.append("cococam_rtsp_protocol_errors_total{reason=\"").append(entry.getKey()).append("\"} ")
                .append(entry.getValue().sum()).append('\n');
        }

        PrometheusText.header(out, "cococam_rtsp_bad_rtp_packets_total", "counter",
            "RTP/RTCP packets from publishers dropped as malformed.");
        for (int i = 0; i < BAD_RTP_REASONS.length; i++)
        {
            out.append("cococam_rtsp_bad_rtp_packets_total{reason=\"").append(BAD_RTP_REASONS[i]).append("\"} ")
                .append(badRtpPackets[i].sum()).append('\n');
        }

        PrometheusText.header(out, "cococam_rtsp_unknown_channel_frames_total", "counter",
            "Interleaved frames on a channel that was not set up (counted when the connection ends).");
        out.append("cococam_rtsp_unknown_channel_frames_total ").append(unknownChannelFrames()).append('\n');
        PrometheusText.header(out, "cococam_rtsp_udp_drops_total", "counter",
            "Frames for UDP viewers dropped because the socket was full.");
        out.append("cococam_rtsp_udp_drops_total ").append(udpDrops()).append('\n');
        return out.toString();
    }

    private CameraConfig cameraOf(final RtspTarget target)
    {
        final String path = target.path();
        final int slash = path.indexOf('/');
        if (slash < 0 || !APP.equals(path.substring(0, slash)))
        {
            return null;
        }

        final String name = path.substring(slash + 1);
        return name.indexOf('/') >= 0 ? null : config.camera(name);
    }

    @Override
    public RtspPublishHandle onAnnounce(final RtspConnection connection, final RtspTarget target, final Sdp sdp)
        throws RtspRefusedException
    {
        final CameraConfig camera = cameraOf(target);
        if (camera == null)
        {
            throw new RtspRefusedException(404, "Not Found: unknown camera " + target.path(), true);
        }

        final String key = target.query().get("key");
        if (key == null || key.isEmpty())
        {
            throw new RtspRefusedException(401, "Unauthorized: missing publish key for " + camera.path(), true);
        }

        if (!camera.acceptsKey(key))
        {
            throw new RtspRefusedException(403, "Forbidden: wrong publish key for " + camera.path(), true);
        }

        final PublishSession session;
        try
        {
            session = hub.startPublish(camera.path(), "rtsp " + connection.remoteAddress(),
                () -> connection.channel().close());
        }
        catch (final PublishRefusedException ex)
        {
            throw new RtspRefusedException(403, "Forbidden: " + ex.getMessage(), true);
        }

        final Publisher publisher = new Publisher(connection, session, sdp);
        if (publisher.trackCount() == 0)
        {
            publisher.onClose();
            throw new RtspRefusedException(415, "Unsupported Media Type: no supported track", true);
        }

        return publisher;
    }

    @Override
    public RtspPlayHandle onDescribe(final RtspConnection connection, final RtspTarget target)
        throws RtspRefusedException
    {
        final CameraConfig camera = cameraOf(target);
        if (camera == null)
        {
            throw new RtspRefusedException(404, "Not Found: no such stream " + target.path(), false);
        }

        final LiveStream stream = hub.find(camera.path());
        final List<TrackFormat> tracks = new ArrayList<>(2);
        if (stream != null && stream.publisher() != null)
        {
            for (int id = 0; id < 2; id++)
            {
                final TrackFormat format = stream.format(id);
                if (RtspSdp.carried(format))
                {
                    tracks.add(format);
                }
            }
        }

        if (tracks.isEmpty())
        {
            throw new RtspRefusedException(404, "Not Found: " + camera.path() + " is not live", false);
        }

        final Sdp sdp;
        try
        {
            sdp = RtspSdp.describe(tracks);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RtspRefusedException(500, "Internal Server Error: bad stream configuration", false);
        }

        return new Viewer(connection, stream, tracks, sdp);
    }

    @Override
    public Transport.Range udpServerPorts()
    {
        return udp == null ? null : new Transport.Range(udp.rtpPort(), udp.rtpPort() + 1);
    }

    @Override
    public void onProtocolError(final RtspConnection connection, final RtspCloseReason reason)
    {
        protocolErrors.computeIfAbsent(reason.label(), k -> new LongAdder()).increment();
        LOG.info("[rtsp {}] closed: {} from {}", connection.id(), reason.detail(), connection.remoteAddress());
    }

    @Override
    public void onClosed(final RtspConnection connection)
    {
        unknownChannelFrames.add(connection.unknownChannelFrames());
        final LiveSubscriber subscriber = connection.channel().attr(SUBSCRIBER).getAndSet(null);
        if (subscriber != null)
        {
            subscriber.close();
        }
    }

    /**
     * One publishing connection: RTP of each announced track into the hub session.
     */
    private final class Publisher implements RtspPublishHandle
    {
        private final RtspConnection connection;
        private final PublishSession session;
        private final RtpTrackReceiver[] receivers;
        private final RtpTimeline timeline = new RtpTimeline();
        private final List<InetSocketAddress> routeSources = new ArrayList<>(4);
        private final List<RtspUdp.Route> routes = new ArrayList<>(4);
        private final String encodings;
        private EventLoop loop;
        private boolean closed;

        Publisher(final RtspConnection connection, final PublishSession session, final Sdp sdp)
        {
            this.connection = connection;
            this.session = session;
            this.loop = connection.channel().eventLoop();
            final List<SdpMedia> media = sdp.media();
            this.receivers = new RtpTrackReceiver[media.size()];
            final StringBuilder names = new StringBuilder();
            boolean video = false;
            boolean audio = false;
            for (int i = 0; i < media.size(); i++)
            {
                final SdpMedia m = media.get(i);
                names.append(i == 0 ? "" : ",").append(m.encodingName());
                if ("video".equalsIgnoreCase(m.type()) && !video)
                {
                    receivers[i] = RtpTrackReceiver.create(m, TrackFormat.VIDEO_TRACK, PooledByteBufAllocator.DEFAULT,
                        session, timeline);
                    video = receivers[i] != null;
                }
                else if ("audio".equalsIgnoreCase(m.type()) && !audio)
                {
                    receivers[i] = RtpTrackReceiver.create(m, TrackFormat.AUDIO_TRACK, PooledByteBufAllocator.DEFAULT,
                        session, timeline);
                    audio = receivers[i] != null;
                }
            }

            this.encodings = names.toString();
        }

        int trackCount()
        {
            int count = 0;
            for (final RtpTrackReceiver receiver : receivers)
            {
                count += receiver == null ? 0 : 1;
            }

            return count;
        }

        @Override
        public void onSetup(final int trackIndex, final Transport transport) throws RtspRefusedException
        {
            if (transport.lowerTransport() != Transport.LowerTransport.UDP)
            {
                return;
            }

            final InetAddress client = ((InetSocketAddress)connection.remoteAddress()).getAddress();
            loop = udp.rtpChannel().eventLoop();
            final RtspUdp.Route route = (rtcp, packet) -> receive(trackIndex, rtcp, packet);
            addRoute(new InetSocketAddress(client, transport.clientPort().first()), route);
            addRoute(new InetSocketAddress(client, transport.clientPort().second()), route);
        }

        private void addRoute(final InetSocketAddress source, final RtspUdp.Route route)
        {
            udp.addRoute(source, route);
            routeSources.add(source);
            routes.add(route);
        }

        @Override
        public void onRecord()
        {
            LOG.info("[rtsp {}] recording {} ({} of {} tracks: {}) from {}", connection.id(),
                session.stream().path(), trackCount(), receivers.length, encodings, connection.remoteAddress());
        }

        @Override
        public void onInterleaved(final int trackIndex, final boolean rtcp, final ByteBuf packet)
        {
            receive(trackIndex, rtcp, packet);
        }

        private void receive(final int trackIndex, final boolean rtcp, final ByteBuf packet)
        {
            if (closed || trackIndex >= receivers.length || receivers[trackIndex] == null)
            {
                return;
            }

            if (rtcp)
            {
                if (!receivers[trackIndex].onRtcp(packet))
                {
                    badRtpPackets[BAD_RTCP].increment();
                }

                return;
            }

            final RtpWrapResult result = receivers[trackIndex].onRtp(packet);
            if (result != RtpWrapResult.OK)
            {
                badRtpPackets[result.ordinal() - 1].increment();
            }
        }

        @Override
        public void onClose()
        {
            for (int i = 0; i < routeSources.size(); i++)
            {
                udp.removeRoute(routeSources.get(i), routes.get(i));
            }

            routeSources.clear();
            routes.clear();
            if (loop.inEventLoop())
            {
                finish();
            }
            else
            {
                loop.execute(this::finish);
            }
        }

        private void finish()
        {
            if (closed)
            {
                return;
            }

            closed = true;
            long units = 0;
            long bad = 0;
            long lost = 0;
            long clamps = 0;
            for (final RtpTrackReceiver receiver : receivers)
            {
                if (receiver != null)
                {
                    receiver.close();
                    units += receiver.units();
                    bad += receiver.badPackets();
                    lost += receiver.depacketizer().sequence().lost();
                    clamps += receiver.dtsClamps();
                }
            }

            session.onClose();
            LOG.info("[rtsp {}] publisher of {} left: {} units, {} bad packets, {} lost, {} dts clamps",
                connection.id(), session.stream().path(), units, bad, lost, clamps);
        }
    }

    /**
     * One playing connection: joins the stream's fan-out in the group of its transport shape.
     */
    private final class Viewer implements RtspPlayHandle
    {
        private final RtspConnection connection;
        private final LiveStream stream;
        private final List<TrackFormat> tracks;
        private final Sdp sdp;
        private final int[] channels = {-1, -1};
        private final List<InetSocketAddress> routeSources = new ArrayList<>(4);
        private final RtspUdp.Route keepalive;
        private boolean udpMode;
        private boolean started;
        private LiveSubscriber subscriber;

        Viewer(final RtspConnection connection, final LiveStream stream, final List<TrackFormat> tracks, final Sdp sdp)
        {
            this.connection = connection;
            this.stream = stream;
            this.tracks = tracks;
            this.sdp = sdp;
            this.keepalive = (rtcp, packet) -> connection.touch();
        }

        @Override
        public Sdp sdp()
        {
            return sdp;
        }

        @Override
        public void onSetup(final int trackIndex, final Transport transport) throws RtspRefusedException
        {
            if (started)
            {
                throw new RtspRefusedException(455, "Method Not Valid in This State: already playing", false);
            }

            final int trackId = tracks.get(trackIndex).trackId();
            if (transport.lowerTransport() == Transport.LowerTransport.TCP)
            {
                channels[trackId] = transport.interleaved().first();
                return;
            }

            udpMode = true;
            channels[trackId] = 2 * trackId;
            final InetAddress client = ((InetSocketAddress)connection.remoteAddress()).getAddress();
            final InetSocketAddress rtp = new InetSocketAddress(client, transport.clientPort().first());
            final InetSocketAddress rtcp = new InetSocketAddress(client, transport.clientPort().second());
            ((RtspUdpOut)connection.channel().pipeline().get("cococam-rtsp-out")).configure(2 * trackId, rtp, rtcp);
            udp.addRoute(rtp, keepalive);
            udp.addRoute(rtcp, keepalive);
            routeSources.add(rtp);
            routeSources.add(rtcp);
        }

        @Override
        public void onPlay(final RtspPlayReply reply)
        {
            // Each PLAY (the first and every one after a PAUSE) joins the fan-out afresh: the viewer starts at the
            // stream's last keyframe (GOP cache), and its first drain tells the RTP-Info of the answer.
            final boolean resumed = started;
            started = true;
            final RtspUdpOut out = out();
            out.setPaused(false);
            final int[] channelByIndex = new int[tracks.size()];
            for (int index = 0; index < channelByIndex.length; index++)
            {
                final int trackId = tracks.get(index).trackId();
                channelByIndex[index] = udpMode ? 2 * trackId : channels[trackId];
            }

            out.awaitFirstPackets(reply, channelByIndex);
            subscriber = new LiveSubscriber(connection.channel(), "rtsp " + connection.remoteAddress(),
                config.stream().subscriberSkipBytes(), config.stream().subscriberMaxBytes(), MAX_CONSECUTIVE_SKIPS,
                () ->
                {
                });
            connection.channel().attr(SUBSCRIBER).set(subscriber);
            final int[] groupChannels = udpMode ? new int[] {0, 2} : channels.clone();
            final String key = udpMode ? "rtsp-udp" : "rtsp-tcp:" + groupChannels[0] + "," + groupChannels[1];
            final RtpOutState state = outStates.computeIfAbsent(stream.path() + "|" + key, k -> new RtpOutState());
            if (!stream.fanout().subscribe(key,
                () -> new RtpFrameEncoder(state, groupChannels, PooledByteBufAllocator.DEFAULT), subscriber))
            {
                subscriber.close();
            }

            LOG.info("[path {}] rtsp viewer {} ({}): {}", stream.path(), resumed ? "resumed" : "joined",
                udpMode ? "udp" : "tcp", connection.remoteAddress());
        }

        private RtspUdpOut out()
        {
            return (RtspUdpOut)connection.channel().pipeline().get("cococam-rtsp-out");
        }

        @Override
        public void onPause()
        {
            // Leave the fan-out: nothing more is queued for this viewer (what the socket already holds still goes).
            final RtspUdpOut out = out();
            if (out != null)
            {
                out.setPaused(true);
            }

            if (subscriber != null)
            {
                stream.fanout().unsubscribe(subscriber);
                connection.channel().attr(SUBSCRIBER).set(null);
                subscriber = null;
                LOG.info("[path {}] rtsp viewer paused: {}", stream.path(), connection.remoteAddress());
            }
        }

        @Override
        public void onClose()
        {
            for (final InetSocketAddress source : routeSources)
            {
                udp.removeRoute(source, keepalive);
            }

            routeSources.clear();
            if (subscriber != null)
            {
                stream.fanout().unsubscribe(subscriber);
                connection.channel().attr(SUBSCRIBER).set(null);
                LOG.info("[path {}] rtsp viewer left: {}", stream.path(), connection.remoteAddress());
            }
        }
    }
}
