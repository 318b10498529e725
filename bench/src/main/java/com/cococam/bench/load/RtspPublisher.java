package com.cococam.bench.load;

import com.cococam.codec.flv.FlvFileReader;
import com.cococam.codec.rtp.H264RtpPacketizer;
import com.cococam.codec.rtp.Mpeg4GenericConfig;
import com.cococam.codec.rtp.Mpeg4GenericPacketizer;
import com.cococam.codec.rtp.RtpPacketHandler;
import com.cococam.codec.rtp.RtpStreamWriter;
import com.cococam.protocols.rtsp.InterleavedFrame;
import com.cococam.protocols.rtsp.RtspHeaderNames;
import com.cococam.protocols.rtsp.RtspHeaders;
import com.cococam.protocols.rtsp.RtspMethods;
import com.cococam.protocols.rtsp.RtspRequest;
import com.cococam.protocols.rtsp.RtspResponse;
import com.cococam.protocols.rtsp.SessionHeader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One RTSP publisher: ANNOUNCE (an SDP for the clip's H.264 and AAC tracks), SETUP of each track with
 * {@code RTP/AVP/TCP;unicast;interleaved=2i-2i+1;mode=record}, RECORD, then the clip looped at real time on the
 * same schedule as the RTMP {@link Publisher}: a tag is due at {@code start + looped timestamp}, the loop's 1 ms
 * tick sends every due tag while the channel is writable. Video units are packetized by the codec's
 * {@link H264RtpPacketizer} (FU-A at 1400 bytes), AAC frames by {@link Mpeg4GenericPacketizer} (AAC-hbr); every
 * packet goes out as an interleaved frame. RTP time: a random offset plus the PTS (tag timestamp + composition
 * time) at 90 kHz for video, the timestamp at the sample rate for audio. A sender report precedes the first
 * packet of each track and follows every 2 s of media, its NTP time the intended send time on the wall clock, so
 * the server can line the tracks up.
 *
 * <p>Limits: H.264 clips with 4-byte NAL lengths and AAC only (what ffmpeg writes); another codec ends the
 * publisher with a protocol error. The clip's metadata tag is not sent (RTSP has no place for it).
 *
 * <p>Note: the server re-times an RTSP publisher (its first unit starts the stream at 1 s, and DTS is estimated
 * from the PTS), so RTMP players, which take the server's timestamps as the publisher's, report such streams
 * as unmatched frames or shifted lag. RTSP players recover the timeline from the RTP timestamps and the sender
 * reports (see {@link RtspPlayer}) and measure RTSP publishers correctly.
 *
 * <p>Thread safety: the channel's event loop only. Allocation per frame: one pooled buffer and one
 * {@link InterleavedFrame} per packet.
 */
final class RtspPublisher extends ChannelInboundHandlerAdapter
{
    private static final long BEHIND_LIMIT_NS = 5_000_000_000L;
    private static final int MAX_PAYLOAD_BYTES = 1400;
    private static final long SR_INTERVAL_MS = 2_000;
    private static final long KEEPALIVE_S = 20;
    private static final long NTP_UNIX_OFFSET_S = 2_208_988_800L;
    private static final int[] AAC_RATES =
    {
        96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000, 7_350
    };
    private static final long WALL_MS_AT_START = System.currentTimeMillis();
    private static final long NANO_AT_START = System.nanoTime();

    private final int index;
    private final String url;
    private final FlvClip clip;
    private final LoopContext context;
    private final LoadWindow window;
    private final TrackOut[] tracks = new TrackOut[2];
    private Channel channel;
    private String session;
    private int cseq;
    private int setupIndex;
    private int trackCount;
    private boolean publishing;
    private boolean behind;
    private long startNs;
    private long loop;
    private int next;
    private ScheduledFuture<?> keepalive;

    RtspPublisher(final int index, final String url, final FlvClip clip, final LoopContext context)
    {
        this.index = index;
        this.url = url;
        this.clip = clip;
        this.context = context;
        this.window = context.window;
    }

    @Override
    public void handlerAdded(final ChannelHandlerContext ctx)
    {
        channel = ctx.channel();
        context.rtspPublishers.add(this);
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        final String sdp = buildSdp(ctx);
        if (sdp == null)
        {
            window.protocolErrors.incrementAndGet();
            ctx.close();
            return;
        }

        final ByteBuf body = Unpooled.copiedBuffer(sdp, StandardCharsets.US_ASCII);
        final RtspRequest announce = new RtspRequest(RtspMethods.ANNOUNCE, url, RtspRequest.RTSP_1_0,
            headers(), body);
        announce.headers().set(RtspHeaderNames.CONTENT_TYPE, "application/sdp");
        ctx.writeAndFlush(announce);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof RtspResponse response)
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
        if (publishing)
        {
            return;
        }

        if (response.statusCode() != 200)
        {
            window.refused.incrementAndGet();
            ctx.close();
            return;
        }

        if (setupIndex > 0 && session == null)
        {
            final String value = response.headers().get(RtspHeaderNames.SESSION);
            session = value == null ? null : SessionHeader.parse(value).id();
        }

        if (setupIndex < trackCount)
        {
            final int channelId = 2 * setupIndex;
            final RtspRequest setup = new RtspRequest(RtspMethods.SETUP, url + "/trackID=" + setupIndex,
                RtspRequest.RTSP_1_0, headers(), Unpooled.EMPTY_BUFFER);
            setup.headers().set(RtspHeaderNames.TRANSPORT, "RTP/AVP/TCP;unicast;interleaved=" + channelId + "-"
                + (channelId + 1) + ";mode=record");
            setupIndex++;
            ctx.writeAndFlush(setup);
            return;
        }

        if (setupIndex == trackCount)
        {
            setupIndex++;
            final RtspRequest record = new RtspRequest(RtspMethods.RECORD, url, RtspRequest.RTSP_1_0, headers(),
                Unpooled.EMPTY_BUFFER);
            record.headers().set(RtspHeaderNames.RANGE, "npt=0.000-");
            ctx.writeAndFlush(record);
            return;
        }

        publishing = true;
        startNs = System.nanoTime();
        window.publisherStarted(index, startNs);
        keepalive = ctx.executor().scheduleAtFixedRate(() -> ctx.writeAndFlush(new RtspRequest(RtspMethods.OPTIONS,
            url, RtspRequest.RTSP_1_0, headers(), Unpooled.EMPTY_BUFFER)), KEEPALIVE_S, KEEPALIVE_S, TimeUnit.SECONDS);
        pump(startNs);
    }

    private RtspHeaders headers()
    {
        final RtspHeaders headers = new RtspHeaders();
        headers.set(RtspHeaderNames.CSEQ, String.valueOf(++cseq));
        headers.set(RtspHeaderNames.USER_AGENT, "cococam-load");
        if (session != null)
        {
            headers.set(RtspHeaderNames.SESSION, session);
        }

        return headers;
    }

    /**
     * Sends every tag that is due, while the channel is writable.
     *
     * @param nowNs the tick's clock reading.
     */
    void pump(final long nowNs)
    {
        if (!publishing || !channel.isActive())
        {
            return;
        }

        boolean wrote = false;
        while (channel.isWritable())
        {
            final long tsMs = clip.timestampMs(next) + loop * clip.loopMs();
            final long dueNs = startNs + tsMs * 1_000_000L;
            if (dueNs > nowNs)
            {
                break;
            }

            if (!clip.isConfig(next))
            {
                wrote |= send(next, tsMs, nowNs, dueNs);
            }

            if (++next == clip.size())
            {
                next = clip.firstMediaIndex();
                loop++;
            }
        }

        if (wrote)
        {
            channel.flush();
        }

        if (!behind && nowNs - (startNs + (clip.timestampMs(next) + loop * clip.loopMs()) * 1_000_000L)
            > BEHIND_LIMIT_NS)
        {
            behind = true;
            window.publishersBehind.incrementAndGet();
        }
    }

    private boolean send(final int tag, final long tsMs, final long nowNs, final long dueNs)
    {
        final int type = clip.type(tag);
        final ByteBuf body = clip.body(tag);
        final TrackOut track;
        final ByteBuf unit;
        final long mediaMs;
        if (type == FlvFileReader.TAG_VIDEO && clip.isVideoFrame(tag) && tracks[0] != null)
        {
            track = tracks[0];
            unit = body.slice(body.readerIndex() + 5, body.readableBytes() - 5);
            mediaMs = tsMs + ((body.getUnsignedMedium(body.readerIndex() + 2) << 8) >> 8);
        }
        else if (type == FlvFileReader.TAG_AUDIO && tracks[1] != null && body.readableBytes() > 2
            && body.getUnsignedByte(body.readerIndex() + 1) == 1)
        {
            track = tracks[1];
            unit = body.slice(body.readerIndex() + 2, body.readableBytes() - 2);
            mediaMs = tsMs;
        }
        else
        {
            return false;
        }

        final long rtpTimestamp = track.rtpOffset + Math.floorDiv(mediaMs * track.clockRate, 1000L);
        if (track.lastSrMs == Long.MIN_VALUE || tsMs - track.lastSrMs >= SR_INTERVAL_MS)
        {
            track.lastSrMs = tsMs;
            channel.write(new InterleavedFrame(track.channelId + 1, track.senderReport(channel, dueNs,
                track.rtpOffset + Math.floorDiv(tsMs * track.clockRate, 1000L))), channel.voidPromise());
        }

        track.inWindow = window.contains(nowNs);
        track.packetize(unit, rtpTimestamp);
        if (track.inWindow && track.channelId == 0)
        {
            LoopContext.recordUs(context.publishSendLagUs, nowNs - dueNs);
        }

        return true;
    }

    private String buildSdp(final ChannelHandlerContext ctx)
    {
        final StringBuilder sdp = new StringBuilder(512);
        sdp.append("v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=cococam-load\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n");
        for (int i = 0; i < clip.size(); i++)
        {
            if (!clip.isConfig(i))
            {
                continue;
            }

            final ByteBuf body = clip.body(i);
            final int first = body.getUnsignedByte(body.readerIndex());
            if (clip.type(i) == FlvFileReader.TAG_VIDEO && tracks[0] == null)
            {
                if ((first & 0x0F) != 7 || (first & 0x80) != 0)
                {
                    return null;
                }

                final String fmtp = h264Fmtp(body.slice(body.readerIndex() + 5, body.readableBytes() - 5));
                if (fmtp == null)
                {
                    return null;
                }

                tracks[0] = new TrackOut(ctx, 96, 90_000, 2 * trackCount++, context, this);
                sdp.append("m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 ").append(fmtp)
                    .append("\r\na=control:trackID=").append(trackCount - 1).append("\r\n");
            }
            else if (clip.type(i) == FlvFileReader.TAG_AUDIO && tracks[1] == null && (first >> 4) == 10)
            {
                final byte[] asc = ByteBufUtil.getBytes(body, body.readerIndex() + 2, body.readableBytes() - 2);
                final int rateIndex = asc.length >= 2 ? ((asc[0] & 0x07) << 1) | ((asc[1] & 0xFF) >> 7) : 15;
                final int channels = asc.length >= 2 ? (asc[1] >> 3) & 0x0F : 0;
                if (rateIndex >= AAC_RATES.length || channels == 0)
                {
                    return null;
                }

                final int rate = AAC_RATES[rateIndex];
                tracks[1] = new TrackOut(ctx, 97, rate, 2 * trackCount++, context, this);
                sdp.append("m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/").append(rate).append('/')
                    .append(channels).append("\r\na=fmtp:97 ").append(Mpeg4GenericConfig.aacHbr(asc).toFmtp())
                    .append("\r\na=control:trackID=").append(trackCount - 1).append("\r\n");
            }
        }

        return trackCount == 0 ? null : sdp.toString();
    }

    /**
     * @param avcc an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1).
     * @return the RFC 6184 fmtp for it, or null when it is malformed or does not use 4-byte NAL lengths.
     */
    private static String h264Fmtp(final ByteBuf avcc)
    {
        if (avcc.readableBytes() < 7 || (avcc.getUnsignedByte(avcc.readerIndex() + 4) & 3) != 3)
        {
            return null;
        }

        final Base64.Encoder b64 = Base64.getEncoder();
        final StringBuilder sets = new StringBuilder();
        int at = avcc.readerIndex() + 5;
        final int end = avcc.writerIndex();
        byte[] sps = null;
        for (int kind = 0; kind < 2 && at < end; kind++)
        {
            final int count = avcc.getUnsignedByte(at++) & (kind == 0 ? 0x1F : 0xFF);
            for (int n = 0; n < count; n++)
            {
                if (end - at < 2 || end - at - 2 < avcc.getUnsignedShort(at))
                {
                    return null;
                }

                final byte[] nal = ByteBufUtil.getBytes(avcc, at + 2, avcc.getUnsignedShort(at));
                at += 2 + nal.length;
                sps = kind == 0 && sps == null ? nal : sps;
                sets.append(sets.length() == 0 ? "" : ",").append(b64.encodeToString(nal));
            }
        }

        if (sps == null || sps.length < 4)
        {
            return null;
        }

        return String.format(Locale.ROOT, "packetization-mode=1;profile-level-id=%02x%02x%02x;sprop-parameter-sets=%s",
            sps[1] & 0xFF, sps[2] & 0xFF, sps[3] & 0xFF, sets);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (keepalive != null)
        {
            keepalive.cancel(false);
        }

        if (!window.isStopping())
        {
            window.closedEarly.incrementAndGet();
        }

        publishing = false;
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

    /**
     * One outgoing track: its packetizer, RTP clock and offset, and the interleaved channel.
     */
    private static final class TrackOut implements RtpPacketHandler
    {
        final int clockRate;
        final int channelId;
        final long rtpOffset;
        final RtpStreamWriter writer;
        final LoopContext context;
        final RtspPublisher publisher;
        final H264RtpPacketizer video;
        final Mpeg4GenericPacketizer audio;
        long lastSrMs = Long.MIN_VALUE;
        boolean inWindow;

        TrackOut(
            final ChannelHandlerContext ctx,
            final int payloadType,
            final int clockRate,
            final int channelId,
            final LoopContext context,
            final RtspPublisher publisher)
        {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            this.clockRate = clockRate;
            this.channelId = channelId;
            this.rtpOffset = random.nextLong() & 0x7FFF_FFFFL;
            this.writer = new RtpStreamWriter(payloadType, random.nextLong(), random.nextInt(0x8000));
            this.context = context;
            this.publisher = publisher;
            this.video = payloadType == 96 ? new H264RtpPacketizer(ctx.alloc(), writer, MAX_PAYLOAD_BYTES, true)
                : null;
            this.audio = payloadType == 96 ? null : new Mpeg4GenericPacketizer(ctx.alloc(), writer,
                MAX_PAYLOAD_BYTES);
        }

        void packetize(final ByteBuf unit, final long rtpTimestamp)
        {
            if (video != null)
            {
                video.packetize(unit, rtpTimestamp, this);
            }
            else
            {
                audio.packetize(unit, rtpTimestamp, this);
            }
        }

        @Override
        public void onPacket(final ByteBuf packet)
        {
            if (inWindow)
            {
                context.publisherWireBytes += 4 + packet.readableBytes();
            }

            publisher.channel.write(new InterleavedFrame(channelId, packet), publisher.channel.voidPromise());
        }

        /**
         * @return an RTCP sender report (RFC 3550 6.4.1, no report blocks) for the given send time and RTP time.
         */
        ByteBuf senderReport(final Channel channel, final long sendNs, final long rtpTimestamp)
        {
            final long wallMs = WALL_MS_AT_START + Math.floorDiv(sendNs - NANO_AT_START, 1_000_000L);
            final long seconds = Math.floorDiv(wallMs, 1000L) + NTP_UNIX_OFFSET_S;
            final long fraction = (Math.floorMod(wallMs, 1000L) << 32) / 1000L;
            final ByteBuf sr = channel.alloc().buffer(28);
            sr.writeByte(0x80);
            sr.writeByte(200);
            sr.writeShort(6);
            sr.writeInt((int)writer.ssrc());
            sr.writeInt((int)seconds);
            sr.writeInt((int)fraction);
            sr.writeInt((int)rtpTimestamp);
            sr.writeInt((int)writer.packetCount());
            sr.writeInt((int)writer.octetCount());
            return sr;
        }
    }
}
