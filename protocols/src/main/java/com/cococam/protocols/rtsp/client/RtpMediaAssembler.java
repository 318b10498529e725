package com.cococam.protocols.rtsp.client;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.OpusTracks;
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
import com.cococam.codec.rtp.RtpFmtp;
import com.cococam.codec.rtp.RtpPacket;
import com.cococam.codec.rtp.RtpWrapResult;
import com.cococam.codec.time.TimestampUnwrapper;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Turns the RTP packets of an RTSP session's tracks into {@link MediaSink} calls on one 90 kHz timeline.
 *
 * <p><b>Depacketizing</b>: H.264, H.265 (parameter sets from the SDP's sprop values when they parse, else
 * in-band), Motion JPEG (RFC 2435, static payload type 26 usually without rtpmap; the format, with the image
 * size, is announced before the first image), AAC as {@code mpeg4-generic} or {@code MP4A-LATM}, G.711
 * A-law/µ-law passed through. A track whose
 * SDP cannot be turned into a depacketizer (an AAC track without a usable config) is ignored and counted.
 * Formats the SDP defines are announced by {@link #configure}, before any media.
 *
 * <p><b>Timeline</b>: each track's 32-bit RTP timestamps are unwrapped ({@link TimestampUnwrapper}; jumps over
 * {@value #MAX_JUMP_SEC} s are bridged and flagged {@link FrameFlags#DISCONTINUITY}) and scaled from the track's
 * clock to 90 kHz. The first access unit of the session is placed at 0; the first unit of another track at
 * the time that passed since, by arrival. When both tracks have had an RTCP sender report, the audio track is
 * moved once onto the video track's NTP-derived timeline (video is the master, so its timestamps never jump);
 * audio units that would then go backwards are dropped and counted.
 *
 * <p><b>Decode order</b>: RTP carries presentation times only, so video goes through a window of
 * {@value #REORDER_DEPTH} frames from the first one on (a constant delay of that many frames). While video PTS
 * only increase, DTS = PTS. The first PTS below an earlier one reveals B-frames; the frame it was reordered with
 * is then still in the window, so from there on each frame leaving the window gets as DTS the smallest PTS
 * still waiting minus {@value #REORDER_DEPTH} frame durations (the sorted PTS sequence, delayed), never less
 * than the previous DTS plus one tick. DTS is thus strictly increasing and never above PTS, and no frame is
 * dropped, for reorder depths up to the window (B-frame runs of up to two). A frame reordered deeper than that
 * gets its PTS raised to its DTS (counted by {@link #reorderClamps()}). The frame duration is the smallest PTS
 * difference seen between frames in the window (3600 ticks until known).
 *
 * <p>Thread safety: single thread (the RTSP client's event loop). Buffer ownership: packets are read during
 * the call only; frames held in the reorder window are retained and released on emission or {@link #close()}
 * (which drops them: at most {@value #REORDER_DEPTH} frames). Allocation: none per packet beyond the
 * depacketizers' pooled access units.
 */
public final class RtpMediaAssembler implements AutoCloseable
{
    /** Jumps of a track's RTP clock larger than this are bridged and flagged. */
    public static final long MAX_JUMP_SEC = 10;
    /** Video frames held back to give B-frames decode times (a delay of this many frames). */
    public static final int REORDER_DEPTH = 2;

    private static final long TIMESCALE = 90_000;
    private static final long DEFAULT_FRAME_90K = 3_600;

    private final ByteBufAllocator allocator;
    private final MediaSink sink;
    private final LongSupplier nanoClock;
    private final List<TrackReceiver> receivers = new ArrayList<>(2);
    private final RtpPacket packet = new RtpPacket();
    private long originNs = Long.MIN_VALUE;
    private boolean synced;
    private boolean syncApplied;
    private long ignoredTracks;
    private long badPackets;
    private long otherPayloadTypes;
    private long reorderClamps;
    private long audioDrops;
    private long syncShift90k;

    /**
     * @param allocator buffers for assembled access units (pooled in production).
     * @param sink      receives formats and access units.
     */
    public RtpMediaAssembler(final ByteBufAllocator allocator, final MediaSink sink)
    {
        this(allocator, sink, System::nanoTime);
    }

    /**
     * @param allocator buffers for assembled access units (pooled in production).
     * @param sink      receives formats and access units.
     * @param nanoClock monotonic nanoseconds, read when a track's first unit arrives (tests inject one).
     */
    public RtpMediaAssembler(final ByteBufAllocator allocator, final MediaSink sink, final LongSupplier nanoClock)
    {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /**
     * Creates a depacketizer per usable track; call once, before the first packet. Every format the SDP already
     * defines (H.264/H.265 with parameter sets in {@code sprop-*}, AAC with its config, G.711) is announced to the
     * sink here, before any media: a consumer that starts packaging at the first keyframe then knows the
     * audio track even when the first audio frame arrives after that keyframe (common over UDP, where the packets
     * that beat the PLAY answer are dropped). Formats learnt in-band are announced before their first unit.
     *
     * @param tracks the tracks set up.
     * @return how many tracks are usable.
     */
    public int configure(final List<RtspTrack> tracks)
    {
        for (final RtspTrack track : tracks)
        {
            final TrackReceiver receiver = new TrackReceiver(track);
            if (receiver.depacketizer == null)
            {
                ignoredTracks++;
                receivers.add(null);
            }
            else
            {
                receivers.add(receiver);
            }
        }

        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null)
            {
                receiver.announceKnownFormat();
            }
        }

        return (int)(tracks.size() - ignoredTracks);
    }

    /**
     * Feeds one RTP packet.
     *
     * @param track  its track.
     * @param buffer the packet; read during the call only.
     */
    public void onRtp(final RtspTrack track, final ByteBuf buffer)
    {
        final TrackReceiver receiver = receiver(track);
        if (receiver == null)
        {
            return;
        }

        if (packet.wrap(buffer) != RtpWrapResult.OK)
        {
            badPackets++;
            return;
        }

        if (packet.payloadType() != track.payloadType())
        {
            otherPayloadTypes++;
            return;
        }

        receiver.packets++;
        receiver.depacketizer.onPacket(packet);
    }

    /**
     * Takes an RTCP sender report (NTP/RTP pair) of a track.
     *
     * @param track        the track.
     * @param ntpTimestamp 64-bit NTP time.
     * @param rtpTimestamp the matching RTP time, unsigned 32 bits.
     */
    public void onSenderReport(final RtspTrack track, final long ntpTimestamp, final long rtpTimestamp)
    {
        final TrackReceiver receiver = receiver(track);
        if (receiver == null || !receiver.started)
        {
            return;
        }

        final long secs = ntpTimestamp >>> 32;
        final long frac = ntpTimestamp & 0xFFFF_FFFFL;
        receiver.srNtp90k = secs * TIMESCALE + ((frac * TIMESCALE) >>> 32);
        final int delta = (int)(rtpTimestamp - receiver.lastWire);
        receiver.srTs90k = receiver.to90k(receiver.lastUnwrapped + delta);
        receiver.hasSr = true;
        trySync();
    }

    private void trySync()
    {
        if (synced)
        {
            return;
        }

        TrackReceiver video = null;
        TrackReceiver audio = null;
        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null)
            {
                if (receiver.trackId == TrackFormat.VIDEO_TRACK)
                {
                    video = receiver;
                }
                else
                {
                    audio = receiver;
                }
            }
        }

        if (video == null || audio == null || !video.hasSr || !audio.hasSr)
        {
            return;
        }

        synced = true;
        final long wanted = audio.srNtp90k - audio.srTs90k - video.srNtp90k + video.srTs90k + video.offset90k;
        final long shift = wanted - audio.offset90k;
        if (Math.abs(shift) < MAX_JUMP_SEC * TIMESCALE)
        {
            audio.offset90k = wanted;
            syncShift90k = shift;
            syncApplied = true;
        }
    }

    private TrackReceiver receiver(final RtspTrack track)
    {
        return track.index() < receivers.size() ? receivers.get(track.index()) : null;
    }

    /**
     * @return RTP packets lost (sequence gaps) over all tracks.
     */
    public long lostPackets()
    {
        long lost = 0;
        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null)
            {
                lost += receiver.depacketizer.sequence().lost();
            }
        }

        return lost;
    }

    /**
     * @return access units dropped: broken by loss, skipped while waiting for a keyframe, or audio dropped by the
     *         sync (a unit that would have gone back in time).
     */
    public long droppedUnits()
    {
        long dropped = audioDrops;
        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null)
            {
                dropped += receiver.depacketizer.brokenAccessUnits() + receiver.depacketizer.skippedAccessUnits();
            }
        }

        return dropped;
    }

    /**
     * @return access units given to the sink.
     */
    public long emittedUnits()
    {
        long emitted = 0;
        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null)
            {
                emitted += receiver.emitted;
            }
        }

        return emitted;
    }

    /**
     * @return packets that were not valid RTP, plus packets of another payload type.
     */
    public long badPackets()
    {
        return badPackets + otherPayloadTypes;
    }

    /**
     * @return tracks ignored because no depacketizer could be made from their SDP.
     */
    public long ignoredTracks()
    {
        return ignoredTracks;
    }

    /**
     * @return whether B-frames were detected (video runs through the reorder window).
     */
    public boolean reordering()
    {
        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null && receiver.reorderDepth > 0)
            {
                return true;
            }
        }

        return false;
    }

    /**
     * Counters of one track, for status pages: how far its media got through the assembler.
     *
     * @param track the track.
     * @return {@code [packets, emitted units, dropped units, lost packets]} (a new array, cold path); all zero for
     *         a track that is ignored or unknown.
     */
    public long[] trackCounters(final RtspTrack track)
    {
        final TrackReceiver receiver = receiver(track);
        if (receiver == null)
        {
            return new long[4];
        }

        final RtpDepacketizer d = receiver.depacketizer;
        return new long[] {receiver.packets, receiver.emitted, receiver.drops + d.brokenAccessUnits() +
            d.skippedAccessUnits(), d.sequence().lost()};
    }

    /**
     * @return whether the audio track was moved onto the video track's timeline by RTCP sender reports.
     */
    public boolean synced()
    {
        return syncApplied;
    }

    /**
     * @return video frames whose PTS had to be raised to their DTS (reordered deeper than the window).
     */
    public long reorderClamps()
    {
        return reorderClamps;
    }

    /**
     * @return the shift applied to audio by the RTCP sync, in 90 kHz ticks (0 when none).
     */
    public long syncShift90k()
    {
        return syncShift90k;
    }

    /**
     * Emits the video frames still held in the reorder window (at the end of a session, before the sink closes).
     */
    public void flush()
    {
        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null)
            {
                receiver.flushWindow();
            }
        }
    }

    /**
     * Releases every held buffer (partial access units, the reorder window). Emits nothing more.
     */
    @Override
    public void close()
    {
        for (final TrackReceiver receiver : receivers)
        {
            if (receiver != null)
            {
                receiver.close();
            }
        }
    }

    /**
     * One track: depacketizer, clock and (video) reorder window.
     */
    private final class TrackReceiver implements RtpAccessUnitHandler
    {
        private final int trackId;
        private final int clockRate;
        private final RtpDepacketizer depacketizer;
        private final TimestampUnwrapper unwrapper;
        private TrackFormat passThroughFormat;
        private boolean formatAnnounced;
        private boolean started;
        private long offset90k;
        private long lastWire;
        private long lastUnwrapped;
        private long lastDts = Long.MIN_VALUE;
        private long maxPts = Long.MIN_VALUE;
        private long frame90k = Long.MAX_VALUE;
        private boolean hasSr;
        private long srNtp90k;
        private long srTs90k;
        private long emitted;
        private long packets;
        private long drops;
        private int reorderDepth;
        private final long[] windowPts = new long[REORDER_DEPTH + 1];
        private final long[] poolPts = new long[REORDER_DEPTH + 1];
        private int poolSize;
        private final int[] windowFlags = new int[REORDER_DEPTH + 1];
        private final ByteBuf[] windowUnits = new ByteBuf[REORDER_DEPTH + 1];
        private int windowHead;
        private int windowSize;

        TrackReceiver(final RtspTrack track)
        {
            this.trackId = track.isVideo() ? TrackFormat.VIDEO_TRACK : TrackFormat.AUDIO_TRACK;
            this.clockRate = track.clockRate();
            this.depacketizer = create(track);
            final long nominal = track.isVideo() ? clockRate / 25 : (track.encodingName().startsWith("PCM") ||
                "OPUS".equals(track.encodingName()) ? clockRate / 50 : 1024);
            this.unwrapper = new TimestampUnwrapper(MAX_JUMP_SEC * clockRate, Math.max(1, nominal));
        }

        private RtpDepacketizer create(final RtspTrack track)
        {
            final SdpMedia media = track.media();
            final Map<String, String> fmtp = media.fmtp(track.payloadType());
            try
            {
                switch (track.encodingName())
                {
                    case "H264":
                    {
                        final H264RtpDepacketizer h264 = new H264RtpDepacketizer(allocator, this);
                        h264.configure(safe(() -> media.h264SpropParameterSets()));
                        return h264;
                    }
                    case "H265":
                    {
                        final H265RtpDepacketizer h265 = new H265RtpDepacketizer(allocator, this);
                        final List<byte[]> sets = new ArrayList<>();
                        sets.addAll(safe(media::h265SpropVps));
                        sets.addAll(safe(media::h265SpropSps));
                        sets.addAll(safe(media::h265SpropPps));
                        h265.configure(sets);
                        return h265;
                    }
                    case "JPEG":
                        return new JpegRtpDepacketizer(allocator, this);
                    case "MPEG4-GENERIC":
                        return new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.fromFmtp(fmtp), allocator, this,
                            Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE);
                    case "MP4A-LATM":
                        return LatmDepacketizer.fromFmtp(fmtp, allocator, this);
                    case "PCMA":
                    case "PCMU":
                    {
                        final boolean alaw = "PCMA".equals(track.encodingName());
                        passThroughFormat = new TrackFormat(TrackFormat.AUDIO_TRACK, alaw ? CodecId.G711A :
                            CodecId.G711U, 0, 0, clockRate, Math.max(1, track.channels()), new byte[0],
                            alaw ? "alaw" : "ulaw");
                        return new FrameRtpDepacketizer(alaw ? FramePayloadFormat.PCMA : FramePayloadFormat.PCMU,
                            allocator, this, FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE);
                    }
                    case "OPUS":
                        passThroughFormat = OpusTracks.format(OpusTracks.isStereo(fmtp.get("sprop-stereo"),
                            fmtp.get("stereo")));
                        return new FrameRtpDepacketizer(FramePayloadFormat.OPUS, allocator, this,
                            FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE);
                    default:
                        return null;
                }
            }
            catch (final RuntimeException ex)
            {
                return null;
            }
        }

        void announceKnownFormat()
        {
            final TrackFormat format = passThroughFormat != null ? passThroughFormat : depacketizer.currentFormat();
            if (format != null)
            {
                onFormat(format);
            }
        }

        long to90k(final long ticks)
        {
            return clockRate == TIMESCALE ? ticks : Math.floorDiv(ticks * TIMESCALE, clockRate);
        }

        @Override
        public void onFormat(final TrackFormat format)
        {
            sink.onFormat(format);
            formatAnnounced = true;
        }

        @Override
        public void onAccessUnit(final long rtpTimestamp, final int flags, final ByteBuf accessUnit)
        {
            if (!formatAnnounced)
            {
                final TrackFormat format = passThroughFormat != null ? passThroughFormat :
                    depacketizer.currentFormat();
                if (format == null)
                {
                    return;
                }

                onFormat(format);
            }

            final long unwrapped = unwrapper.unwrap(rtpTimestamp);
            int outFlags = flags;
            if (unwrapper.lastWasJump())
            {
                outFlags |= FrameFlags.DISCONTINUITY;
            }

            lastWire = rtpTimestamp;
            lastUnwrapped = unwrapped;
            final long ts90k = to90k(unwrapped);
            if (!started)
            {
                started = true;
                final long nowNs = nanoClock.getAsLong();
                if (originNs == Long.MIN_VALUE)
                {
                    originNs = nowNs;
                }

                offset90k = (nowNs - originNs) * TIMESCALE / 1_000_000_000L - ts90k;
            }

            final long pts = ts90k + offset90k;
            if (trackId == TrackFormat.VIDEO_TRACK)
            {
                onVideo(pts, outFlags, accessUnit);
            }
            else if (pts <= lastDts)
            {
                audioDrops++;
                drops++;
            }
            else
            {
                emit(pts, pts, outFlags, accessUnit);
            }
        }

        private void onVideo(final long pts, final int flags, final ByteBuf unit)
        {
            if (reorderDepth == 0 && maxPts != Long.MIN_VALUE && pts < maxPts)
            {
                // The frame it was reordered with is still in the window: decode times can still be made to fit.
                reorderDepth = REORDER_DEPTH;
            }

            maxPts = Math.max(maxPts, pts);
            for (int i = 0; i < poolSize; i++)
            {
                final long gap = Math.abs(pts - poolPts[i]);
                if (gap > 0 && gap < frame90k)
                {
                    frame90k = gap;
                }
            }

            final int slot = (windowHead + windowSize) % windowUnits.length;
            windowPts[slot] = pts;
            windowFlags[slot] = flags;
            windowUnits[slot] = unit.retain();
            windowSize++;
            poolPts[poolSize++] = pts;
            if (windowSize > REORDER_DEPTH)
            {
                releaseOldest();
            }
        }

        private void releaseOldest()
        {
            // DTS of the oldest frame = the smallest PTS not yet used as a DTS, minus the reorder delay once
            // reordering was seen (0 before: DTS = PTS); never below the previous DTS + 1.
            int minIndex = 0;
            for (int i = 1; i < poolSize; i++)
            {
                if (poolPts[i] < poolPts[minIndex])
                {
                    minIndex = i;
                }
            }

            final long minPts = poolPts[minIndex];
            poolPts[minIndex] = poolPts[--poolSize];
            final int slot = windowHead;
            final long step = frame90k == Long.MAX_VALUE ? DEFAULT_FRAME_90K : frame90k;
            long dts = minPts - reorderDepth * step;
            if (lastDts != Long.MIN_VALUE)
            {
                dts = Math.max(dts, lastDts + 1);
            }

            long pts = windowPts[slot];
            if (pts < dts)
            {
                // Reordered deeper than the window: the presentation time is moved up to stay decodable.
                reorderClamps++;
                pts = dts;
            }

            final ByteBuf unit = windowUnits[slot];
            windowUnits[slot] = null;
            windowHead = (windowHead + 1) % windowUnits.length;
            windowSize--;
            try
            {
                emit(dts, pts, windowFlags[slot], unit);
            }
            finally
            {
                unit.release();
            }
        }

        private void emit(final long dts, final long pts, final int flags, final ByteBuf unit)
        {
            lastDts = dts;
            emitted++;
            sink.onAccessUnit(trackId, dts, pts, flags, unit);
        }

        void flushWindow()
        {
            while (windowSize > 0)
            {
                releaseOldest();
            }
        }

        void close()
        {
            depacketizer.close();
            for (int i = 0; i < windowUnits.length; i++)
            {
                if (windowUnits[i] != null)
                {
                    windowUnits[i].release();
                    windowUnits[i] = null;
                }
            }

            windowSize = 0;
            poolSize = 0;
        }
    }

    private static List<byte[]> safe(final java.util.function.Supplier<List<byte[]>> source)
    {
        try
        {
            final List<byte[]> list = source.get();
            return list == null ? List.of() : list;
        }
        catch (final RuntimeException ex)
        {
            return List.of();
        }
    }
}
