package com.cococam.bench.load;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.rtp.DepacketizeResult;
import com.cococam.codec.rtp.H264RtpDepacketizer;
import com.cococam.codec.rtp.H265RtpDepacketizer;
import com.cococam.codec.rtp.Mpeg4GenericConfig;
import com.cococam.codec.rtp.Mpeg4GenericDepacketizer;
import com.cococam.codec.rtp.RtpAccessUnitHandler;
import com.cococam.codec.rtp.RtpDepacketizer;
import com.cococam.codec.rtp.RtpPacket;
import com.cococam.codec.rtp.RtpWrapResult;
import com.cococam.protocols.rtsp.InterleavedFrame;
import com.cococam.protocols.rtsp.RtspDecoder;
import com.cococam.protocols.rtsp.RtspHeaderNames;
import com.cococam.protocols.rtsp.RtspMethods;
import com.cococam.protocols.rtsp.RtspRequest;
import com.cococam.protocols.rtsp.RtspResponse;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One RTSP player: DESCRIBE, SETUP of each H.264/H.265/AAC track with RTP interleaved on the TCP connection
 * ({@code RTP/AVP/TCP;interleaved=2i-2i+1}), PLAY, then reassembles the access units with the codec's
 * depacketizers and counts what arrives, like the RTMP {@link Player}. An OPTIONS every 20 s keeps the session.
 *
 * <p>Delivery lag without a stamp in the stream. RTP carries no publisher timestamp, only an RTP timestamp with a
 * random offset ({@code offset + PTS * clock / 90 kHz} in this server). The player recovers the offset once:
 * <ol>
 *   <li>the track's first RTCP sender report maps an RTP time to the server's wall clock (this server's NTP time
 *       is the wall-clock time at which it received its first unit, plus stream time since), which gives a rough
 *       PTS of the first keyframe: its NTP time minus the publisher's start in wall-clock time (same host clock).
 *       The error is that first unit's ingest lag and composition offset, far below half a GOP;</li>
 *   <li>the rough PTS is snapped to the nearest keyframe PTS of the clip's schedule ({@link ClipTimeline}), which
 *       gives the exact offset.</li>
 * </ol>
 * From then on every video unit's PTS is exact ({@code (rtp - offset) * 1000 / clock}, unwrapped), is mapped back
 * to its frame's decode time, and the frame's delivery lag is {@code receive time - (publisher start + decode
 * time)}, exactly as the RTMP player measures it (the schedule, not the actual send: no coordinated omission).
 * A PTS that matches no frame of the clip counts as unmatched; units received before the offset is known (no
 * sender report yet) count as unanchored and are not in the window counts. Audio frames only add bytes; their
 * send time is taken from the sender report mapping alone (rough to a few ms), which only matters for frames at
 * the window's edges.
 *
 * <p>Bytes: units are counted as the FLV body the publisher sent would be (video unit + 5 header bytes, AAC frame
 * + 2), so the full-rate test compares like with like; keyframes carry the parameter sets the server puts in
 * front of them, a few dozen bytes more.
 *
 * <p>Note: this assumes the server forwards the publisher's timestamps unchanged on a fresh path and uses one
 * clock for the sender reports of a stream, as ours does. Other servers may differ (the count of unanchored or
 * unmatched frames then shows it).
 *
 * <p>Thread safety: the channel's event loop only. Allocation per packet: the decoder's {@link InterleavedFrame}
 * (a retained slice of the cumulation) and the depacketizer's pooled access unit buffer per unit.
 */
final class RtspPlayer extends ChannelInboundHandlerAdapter
{
    private static final long EARLY_TOLERANCE_NS = 2_000_000L;
    private static final long UNMATCHED_NS = 1_000_000_000L;
    private static final long KEEPALIVE_S = 20;
    private static final int VIDEO_FLV_HEADER_BYTES = 5;
    private static final int AAC_FLV_HEADER_BYTES = 2;
    private static final long NTP_UNIX_OFFSET_S = 2_208_988_800L;
    private static final long WALL_MS_AT_START = System.currentTimeMillis();
    private static final long NANO_AT_START = System.nanoTime();

    private final int publisher;
    private final String url;
    private final ClipTimeline timeline;
    private final LoopContext context;
    private final LoadWindow window;
    private final RtpPacket view = new RtpPacket();
    private final List<Track> tracks = new ArrayList<>();
    private RtspDecoder decoder;
    private String session;
    private int cseq;
    private State state = State.DESCRIBE;
    private String playUrl;
    private int setupIndex;
    private ScheduledFuture<?> keepalive;
    private long framesInWindow;
    private long mediaBytesInWindow;

    RtspPlayer(final int publisher, final String url, final ClipTimeline timeline, final LoopContext context)
    {
        this.publisher = publisher;
        this.url = url;
        this.timeline = timeline;
        this.context = context;
        this.window = context.window;
    }

    int publisher()
    {
        return publisher;
    }

    boolean playing()
    {
        return state == State.PLAYING;
    }

    long framesInWindow()
    {
        return framesInWindow;
    }

    long mediaBytesInWindow()
    {
        return mediaBytesInWindow;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        decoder = ctx.pipeline().get(RtspDecoder.class);
        context.rtspPlayers.add(this);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        final RtspRequest describe = request(RtspMethods.DESCRIBE, url);
        describe.headers().set(RtspHeaderNames.ACCEPT, "application/sdp");
        ctx.writeAndFlush(describe);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof InterleavedFrame frame)
            {
                onFrame(frame.channel(), frame.content());
            }
            else if (msg instanceof RtspResponse response)
            {
                onResponse(ctx, response);
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponse(final ChannelHandlerContext ctx, final RtspResponse response)
    {
        if (state == State.PLAYING)
        {
            return;
        }

        if (response.statusCode() != 200)
        {
            window.refused.incrementAndGet();
            ctx.close();
            return;
        }

        switch (state)
        {
            case DESCRIBE -> onDescribed(ctx, response);
            case SETUP -> onSetUp(ctx, response);
            default ->
            {
                state = State.PLAYING;
                keepalive = ctx.executor().scheduleAtFixedRate(
                    () -> ctx.writeAndFlush(request(RtspMethods.OPTIONS, url)), KEEPALIVE_S, KEEPALIVE_S,
                    TimeUnit.SECONDS);
            }
        }
    }

    private void onDescribed(final ChannelHandlerContext ctx, final RtspResponse response)
    {
        final Sdp sdp = Sdp.parse(response.content());
        final String base = Sdp.baseUrl(response, url);
        playUrl = sdp.sessionControlUrl(base);
        for (final SdpMedia media : sdp.media())
        {
            final Track track = Track.of(media, base, ctx.alloc(), this);
            if (track != null)
            {
                tracks.add(track);
            }
        }

        if (tracks.isEmpty())
        {
            window.protocolErrors.incrementAndGet();
            ctx.close();
            return;
        }

        state = State.SETUP;
        setupIndex = 0;
        sendSetup(ctx);
    }

    private void onSetUp(final ChannelHandlerContext ctx, final RtspResponse response)
    {
        if (session == null)
        {
            final String value = response.headers().get(RtspHeaderNames.SESSION);
            session = value == null ? null : SessionHeader.parse(value).id();
        }

        setupIndex++;
        if (setupIndex < tracks.size())
        {
            sendSetup(ctx);
            return;
        }

        state = State.PLAY;
        final RtspRequest play = request(RtspMethods.PLAY, playUrl);
        play.headers().set(RtspHeaderNames.RANGE, "npt=0.000-");
        ctx.writeAndFlush(play);
    }

    private void sendSetup(final ChannelHandlerContext ctx)
    {
        final Track track = tracks.get(setupIndex);
        final int channel = 2 * setupIndex;
        decoder.allowChannel(channel);
        decoder.allowChannel(channel + 1);
        final RtspRequest setup = request(RtspMethods.SETUP, track.controlUrl);
        setup.headers().set(RtspHeaderNames.TRANSPORT,
            Transport.tcpInterleaved(new Transport.Range(channel, channel + 1)).format());
        ctx.writeAndFlush(setup);
    }

    private RtspRequest request(final String method, final String uri)
    {
        final RtspRequest request = new RtspRequest(method, uri);
        request.headers().set(RtspHeaderNames.CSEQ, String.valueOf(++cseq));
        request.headers().set(RtspHeaderNames.USER_AGENT, "cococam-load");
        if (session != null)
        {
            request.headers().set(RtspHeaderNames.SESSION, session);
        }

        return request;
    }

    private void onFrame(final int channel, final ByteBuf payload)
    {
        final int index = channel >> 1;
        if (index >= tracks.size())
        {
            return;
        }

        final Track track = tracks.get(index);
        if ((channel & 1) == 1)
        {
            track.onRtcp(payload);
            return;
        }

        if (view.wrap(payload) != RtpWrapResult.OK)
        {
            window.protocolErrors.incrementAndGet();
            return;
        }

        final DepacketizeResult result = track.depacketizer.onPacket(view);
        if (result != DepacketizeResult.OK && result != DepacketizeResult.DUPLICATE)
        {
            context.rtspBadPackets++;
        }
    }

    private void onVideo(final Track track, final long rtpTimestamp, final int flags, final int bytes)
    {
        final long startNs = window.publisherStartNs(publisher);
        if (startNs == Long.MIN_VALUE)
        {
            return;
        }

        if (!track.anchored)
        {
            if ((flags & FrameFlags.KEYFRAME) == 0 || !track.anchor(rtpTimestamp, startNs, timeline))
            {
                context.rtspUnanchoredFrames++;
                return;
            }
        }

        final long dtsMs = timeline.dtsOf(track.ptsMs(rtpTimestamp));
        final long nowNs = System.nanoTime();
        final long intendedNs = startNs + dtsMs * 1_000_000L;
        if (dtsMs == ClipTimeline.NO_FRAME || intendedNs > nowNs + UNMATCHED_NS || intendedNs < startNs - UNMATCHED_NS)
        {
            context.rtspUnmatchedFrames++;
            return;
        }

        if (!window.contains(intendedNs))
        {
            return;
        }

        framesInWindow++;
        mediaBytesInWindow += bytes + VIDEO_FLV_HEADER_BYTES;
        final long lagNs = nowNs - intendedNs;
        if (lagNs < -EARLY_TOLERANCE_NS)
        {
            context.earlyFrames++;
        }
        else
        {
            LoopContext.recordUs(context.rtspLagUs, lagNs);
        }
    }

    private void onAudio(final Track track, final long rtpTimestamp, final int bytes)
    {
        final long startNs = window.publisherStartNs(publisher);
        if (startNs == Long.MIN_VALUE || track.srRtp < 0)
        {
            return;
        }

        final long wallMs = track.srWallMs(rtpTimestamp);
        final long intendedNs = NANO_AT_START + (wallMs - WALL_MS_AT_START) * 1_000_000L;
        if (window.contains(intendedNs))
        {
            mediaBytesInWindow += bytes + AAC_FLV_HEADER_BYTES;
        }
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (keepalive != null)
        {
            keepalive.cancel(false);
        }

        for (final Track track : tracks)
        {
            track.depacketizer.close();
        }

        if (!window.isStopping())
        {
            window.closedEarly.incrementAndGet();
        }

        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!window.isStopping())
        {
            window.protocolErrors.incrementAndGet();
        }

        ctx.close();
    }

    private static long publisherStartWallMs(final long startNs)
    {
        return WALL_MS_AT_START + Math.floorDiv(startNs - NANO_AT_START, 1_000_000L);
    }

    private enum State
    {
        DESCRIBE,
        SETUP,
        PLAY,
        PLAYING
    }

    /**
     * One set-up track: its depacketizer, its RTP clock, the last sender report and the recovered RTP offset.
     */
    private static final class Track implements RtpAccessUnitHandler
    {
        final String controlUrl;
        final boolean video;
        final int clockRate;
        final RtspPlayer player;
        RtpDepacketizer depacketizer;
        long srRtp = -1;
        long srWallMs;
        boolean anchored;
        long lastRtp;
        long lastTicks;

        private Track(final String controlUrl, final boolean video, final int clockRate, final RtspPlayer player)
        {
            this.controlUrl = controlUrl;
            this.video = video;
            this.clockRate = clockRate;
            this.player = player;
        }

        static Track of(
            final SdpMedia media,
            final String base,
            final ByteBufAllocator alloc,
            final RtspPlayer player)
        {
            final String encoding = media.encodingName() == null ? "" : media.encodingName().toUpperCase(Locale.ROOT);
            final String control = media.controlUrl(base);
            final Track track;
            switch (encoding)
            {
                case "H264" ->
                {
                    track = new Track(control, true, media.clockRate(), player);
                    final H264RtpDepacketizer d = new H264RtpDepacketizer(alloc, track);
                    d.configure(media.h264SpropParameterSets());
                    track.depacketizer = d;
                }
                case "H265" ->
                {
                    track = new Track(control, true, media.clockRate(), player);
                    final H265RtpDepacketizer d = new H265RtpDepacketizer(alloc, track);
                    final List<byte[]> sets = new ArrayList<>(media.h265SpropVps());
                    sets.addAll(media.h265SpropSps());
                    sets.addAll(media.h265SpropPps());
                    d.configure(sets);
                    track.depacketizer = d;
                }
                case "MPEG4-GENERIC" ->
                {
                    track = new Track(control, false, media.clockRate(), player);
                    track.depacketizer = new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.fromFmtp(media.fmtp()),
                        alloc, track, Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE);
                }
                default ->
                {
                    return null;
                }
            }

            return track.clockRate > 0 ? track : null;
        }

        @Override
        public void onAccessUnit(final long rtpTimestamp, final int flags, final ByteBuf accessUnit)
        {
            if (video)
            {
                player.onVideo(this, rtpTimestamp, flags, accessUnit.readableBytes());
            }
            else
            {
                player.onAudio(this, rtpTimestamp, accessUnit.readableBytes());
            }
        }

        /**
         * Reads the first sender report of a compound RTCP packet (RFC 3550 6.4.1: NTP at bytes 8..15, RTP time
         * at 16..19 of the SR).
         */
        void onRtcp(final ByteBuf rtcp)
        {
            int index = rtcp.readerIndex();
            final int end = rtcp.writerIndex();
            while (end - index >= 4)
            {
                final int type = rtcp.getUnsignedByte(index + 1);
                final int bytes = (rtcp.getUnsignedShort(index + 2) + 1) * 4;
                if (type == 200 && bytes >= 28 && end - index >= 20)
                {
                    final long seconds = rtcp.getUnsignedInt(index + 8) - NTP_UNIX_OFFSET_S;
                    final long fraction = rtcp.getUnsignedInt(index + 12);
                    srWallMs = seconds * 1000 + ((fraction * 1000) >>> 32);
                    srRtp = rtcp.getUnsignedInt(index + 16);
                    return;
                }

                index += bytes;
            }
        }

        /**
         * @return the server wall-clock time of an RTP time by the last sender report, ms.
         */
        long srWallMs(final long rtpTimestamp)
        {
            return srWallMs + (int)(rtpTimestamp - srRtp) * 1000L / clockRate;
        }

        /**
         * Recovers the RTP offset from the first keyframe, see the class comment.
         */
        boolean anchor(final long rtpTimestamp, final long startNs, final ClipTimeline timeline)
        {
            if (srRtp < 0)
            {
                return false;
            }

            final long roughPtsMs = srWallMs(rtpTimestamp) - publisherStartWallMs(startNs);
            final long keyPtsMs = timeline.nearestKeyframePts(roughPtsMs);
            if (keyPtsMs == ClipTimeline.NO_FRAME)
            {
                return false;
            }

            anchored = true;
            lastRtp = rtpTimestamp;
            lastTicks = keyPtsMs * clockRate / 1000;
            return true;
        }

        /**
         * @return the unit's PTS in the publisher's timeline, ms (RTP time unwrapped from the anchor).
         */
        long ptsMs(final long rtpTimestamp)
        {
            lastTicks += (int)(rtpTimestamp - lastRtp);
            lastRtp = rtpTimestamp;
            return Math.floorDiv(lastTicks * 1000, clockRate);
        }
    }
}
