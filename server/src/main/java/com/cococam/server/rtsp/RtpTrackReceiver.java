package com.cococam.server.rtsp;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.MediaSink;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.FramePayloadFormat;
import com.cococam.codec.rtp.FrameRtpDepacketizer;
import com.cococam.codec.rtp.H264RtpDepacketizer;
import com.cococam.codec.rtp.H265RtpDepacketizer;
import com.cococam.codec.rtp.JpegRtpDepacketizer;
import com.cococam.codec.rtp.LatmDepacketizer;
import com.cococam.codec.rtp.Mpeg4GenericConfig;
import com.cococam.codec.rtp.Mpeg4GenericDepacketizer;
import com.cococam.codec.rtp.RtpAccessUnitHandler;
import com.cococam.codec.rtp.RtpDepacketizer;
import com.cococam.codec.rtp.RtpPacket;
import com.cococam.codec.rtp.RtpWrapResult;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.OpusTracks;
import com.cococam.codec.time.TimestampUnwrapper;
import com.cococam.codec.transcode.G711Tracks;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One announced track of an RTSP publisher: RTP packets in, access units with 90 kHz timestamps out to the
 * publish session.
 *
 * <p>Timestamps: the 32-bit RTP time is unwrapped ({@link TimestampUnwrapper}; a jump over 10 s is bridged
 * and flagged as a discontinuity) and scaled from the track's clock to 90 kHz relative to the track's first
 * unit; where that first unit sits on the publisher's shared timeline is decided by {@link RtpTimeline}
 * (RTCP sender reports when present, else arrival time). Video DTS comes from {@link DtsEstimator}; audio DTS
 * is its PTS.
 *
 * <p>Thread safety: one thread (the publisher's event loop). Allocation: the depacketizers' pooled output
 * buffers; nothing else per packet.
 */
final class RtpTrackReceiver implements RtpAccessUnitHandler
{
    private static final long MAX_JUMP_SEC = 10;

    /**
     * Spacing of the first video DTS values, before the estimator's window has filled: one frame at 25 fps, the
     * usual camera rate, so the steady DTS lag (a few frames) matches the start and HLS durations add up.
     */
    private static final long START_STEP_90K = 3600;

    private final int trackId;
    private final int clockRate;
    private final RtpDepacketizer depacketizer;
    private final MediaSink sink;
    private final RtpTimeline timeline;
    private final TimestampUnwrapper unwrapper;
    private final DtsEstimator dts;
    private final RtpPacket packet = new RtpPacket();
    private final TrackFormat fixedFormat;
    private boolean started;
    private long firstUnwrapped;
    private long base90k;
    private boolean formatSent;
    private boolean srKnown;
    private long srNtp90k;
    private long srRtp;
    private long badPackets;
    private long units;

    private RtpTrackReceiver(
        final int trackId,
        final int clockRate,
        final java.util.function.Function<RtpAccessUnitHandler, RtpDepacketizer> factory,
        final TrackFormat fixedFormat,
        final MediaSink sink,
        final RtpTimeline timeline)
    {
        this.trackId = trackId;
        this.clockRate = clockRate;
        this.sink = sink;
        this.timeline = timeline;
        this.fixedFormat = fixedFormat;
        this.depacketizer = factory.apply(this);
        final long nominalStep = trackId == TrackFormat.VIDEO_TRACK ? clockRate / 25 : Math.max(1, clockRate / 50);
        this.unwrapper = new TimestampUnwrapper(MAX_JUMP_SEC * clockRate, nominalStep);
        this.dts = trackId == TrackFormat.VIDEO_TRACK ? new DtsEstimator(DtsEstimator.DEFAULT_DEPTH, START_STEP_90K) : null;
    }

    /**
     * @param media     the announced media section.
     * @param trackId   {@link TrackFormat#VIDEO_TRACK} or {@link TrackFormat#AUDIO_TRACK}.
     * @param alloc     allocator for access units.
     * @param sink      the publish session.
     * @param timeline  the publisher's shared timeline.
     * @return a receiver, or null when the encoding is not supported (the track is then ignored).
     */
    static RtpTrackReceiver create(
        final SdpMedia media,
        final int trackId,
        final ByteBufAllocator alloc,
        final MediaSink sink,
        final RtpTimeline timeline)
    {
        final String encoding = media.encodingName() == null ? "" : media.encodingName().toUpperCase(Locale.ROOT);
        final int clock = media.clockRate() > 0 ? media.clockRate() : 90_000;
        try
        {
            switch (encoding)
            {
                case "H264":
                    return new RtpTrackReceiver(trackId, clock, handler ->
                    {
                        final H264RtpDepacketizer d = new H264RtpDepacketizer(alloc, handler);
                        final List<byte[]> sets = media.h264SpropParameterSets();
                        if (sets != null && !sets.isEmpty())
                        {
                            d.configure(sets);
                        }

                        return d;
                    }, null, sink, timeline);
                case "H265":
                    return new RtpTrackReceiver(trackId, clock, handler ->
                    {
                        final H265RtpDepacketizer d = new H265RtpDepacketizer(alloc, handler);
                        final List<byte[]> sets = new ArrayList<>();
                        sets.addAll(media.h265SpropVps());
                        sets.addAll(media.h265SpropSps());
                        sets.addAll(media.h265SpropPps());
                        if (!sets.isEmpty())
                        {
                            d.configure(sets);
                        }

                        return d;
                    }, null, sink, timeline);
                case "JPEG":
                    // RFC 2435; the MJPEG format (image size from the first frame) comes from the depacketizer.
                    return new RtpTrackReceiver(trackId, clock, handler -> new JpegRtpDepacketizer(alloc, handler),
                        null, sink, timeline);
                case "MPEG4-GENERIC":
                    final Mpeg4GenericConfig config = Mpeg4GenericConfig.fromFmtp(media.fmtp());
                    return new RtpTrackReceiver(trackId, clock, handler -> new Mpeg4GenericDepacketizer(config, alloc,
                        handler, Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE), null, sink, timeline);
                case "MP4A-LATM":
                    return new RtpTrackReceiver(trackId, clock, handler -> LatmDepacketizer.fromFmtp(media.fmtp(),
                        alloc, handler), null, sink, timeline);
                case "PCMA":
                    return new RtpTrackReceiver(trackId, 8000, handler -> new FrameRtpDepacketizer(
                        FramePayloadFormat.PCMA, alloc, handler, FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE),
                        G711Tracks.format(CodecId.G711A), sink, timeline);
                case "PCMU":
                    return new RtpTrackReceiver(trackId, 8000, handler -> new FrameRtpDepacketizer(
                        FramePayloadFormat.PCMU, alloc, handler, FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE),
                        G711Tracks.format(CodecId.G711U), sink, timeline);
                case "OPUS":
                    final Map<String, String> opus = media.fmtp();
                    return new RtpTrackReceiver(trackId, OpusTracks.SAMPLE_RATE, handler -> new FrameRtpDepacketizer(
                        FramePayloadFormat.OPUS, alloc, handler, FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE),
                        OpusTracks.format(OpusTracks.isStereo(opus.get("sprop-stereo"), opus.get("stereo"))), sink,
                        timeline);
                default:
                    return null;
            }
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    /**
     * @return the track id on the stream.
     */
    int trackId()
    {
        return trackId;
    }

    /**
     * @return packets dropped as malformed (bad version, extension or padding length, truncated header).
     */
    long badPackets()
    {
        return badPackets;
    }

    /**
     * @return access units delivered.
     */
    long units()
    {
        return units;
    }

    /**
     * @return the depacketizer (counters).
     */
    RtpDepacketizer depacketizer()
    {
        return depacketizer;
    }

    /**
     * @return DTS clamps of the video DTS estimator, 0 for audio.
     */
    long dtsClamps()
    {
        return dts == null ? 0 : dts.clampCount();
    }

    /**
     * Takes one RTP packet.
     *
     * @param buf the packet bytes; only read during the call.
     * @return {@link RtpWrapResult#OK}, or why the packet was malformed (counted, dropped).
     */
    RtpWrapResult onRtp(final ByteBuf buf)
    {
        final RtpWrapResult result = packet.wrap(buf);
        if (result != RtpWrapResult.OK)
        {
            badPackets++;
            return result;
        }

        depacketizer.onPacket(packet);
        return result;
    }

    /**
     * Takes one RTCP compound packet and keeps the last sender report's NTP/RTP pair.
     *
     * @param buf the packet bytes; only read during the call.
     * @return false if malformed (counted).
     */
    boolean onRtcp(final ByteBuf buf)
    {
        int offset = buf.readerIndex();
        final int end = buf.writerIndex();
        while (end - offset >= 4)
        {
            final int first = buf.getUnsignedByte(offset);
            final int type = buf.getUnsignedByte(offset + 1);
            final int length = (buf.getUnsignedShort(offset + 2) + 1) * 4;
            if (first >> 6 != 2 || length > end - offset)
            {
                badPackets++;
                return false;
            }

            if (type == 200 && length >= 28)
            {
                final long ntp = buf.getLong(offset + 8);
                srRtp = buf.getUnsignedInt(offset + 16);
                srNtp90k = ntpTo90k(ntp);
                srKnown = true;
            }

            offset += length;
        }

        return true;
    }

    static long ntpTo90k(final long ntp)
    {
        final long seconds = ntp >>> 32;
        final long fraction = ntp & 0xFFFF_FFFFL;
        return seconds * 90_000 + ((fraction * 90_000) >>> 32);
    }

    /**
     * Flushes a unit the depacketizer still holds and releases its buffers.
     */
    void close()
    {
        depacketizer.close();
    }

    @Override
    public void onFormat(final TrackFormat format)
    {
        sendFormat(format);
    }

    private void sendFormat(final TrackFormat format)
    {
        formatSent = true;
        sink.onFormat(format.trackId() == trackId ? format : new TrackFormat(trackId, format.codec(),
            format.width(), format.height(), format.sampleRate(), format.channels(), format.decoderConfig(),
            format.codecsString()));
    }

    @Override
    public void onAccessUnit(final long rtpTimestamp, final int flags, final ByteBuf accessUnit)
    {
        if (!formatSent)
        {
            final TrackFormat format = fixedFormat != null ? fixedFormat : depacketizer.currentFormat();
            if (format == null)
            {
                return;
            }

            sendFormat(format);
        }

        final long unwrapped = unwrapper.unwrap(rtpTimestamp);
        int outFlags = flags & FrameFlags.KEYFRAME;
        if (!started)
        {
            started = true;
            firstUnwrapped = unwrapped;
            final long ntp90k = srKnown ? srNtp90k + (long)(int)(rtpTimestamp - srRtp) * 90_000 / clockRate :
                Long.MIN_VALUE;
            base90k = timeline.startOf(ntp90k, System.nanoTime());
        }
        else if (unwrapper.lastWasJump())
        {
            outFlags |= FrameFlags.DISCONTINUITY;
            if (dts != null)
            {
                dts.reset();
            }
        }

        final long pts = base90k + (unwrapped - firstUnwrapped) * 90_000 / clockRate;
        final long decode = dts == null ? pts : dts.dts(pts);
        units++;
        sink.onAccessUnit(trackId, decode, pts, outFlags, accessUnit);
    }
}
