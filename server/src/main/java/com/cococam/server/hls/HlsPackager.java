package com.cococam.server.hls;

import com.cococam.codec.fmp4.Fmp4FragmentWriter;
import com.cococam.codec.fmp4.Fmp4InitSegment;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.mpegts.TsMuxer;
import com.cococam.codec.transcode.G711AacTranscoder;
import com.cococam.codec.transcode.G711Decoder;
import com.cococam.codec.transcode.TranscodeException;
import com.cococam.protocols.hls.HlsPlaylistWriter;
import com.cococam.protocols.hls.HlsSegmentInfo;
import com.cococam.server.config.HlsFormat;
import com.cococam.server.stream.AccessUnitEvent;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.StreamConsumer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts one stream into live HLS segments (fMP4/CMAF by default, MPEG-TS as an option) on the stream's live
 * worker, and publishes each new window as an {@link HlsSnapshot}.
 *
 * <p>Segments start at a random access point (a video keyframe; any audio frame for an audio-only stream) and
 * are cut at the first random access point at or past the target duration. A timestamp discontinuity or a
 * change of track formats ends the current segment; the next one carries EXT-X-DISCONTINUITY (and, for fMP4, a
 * new init segment). fMP4 segments reference the ring payloads through retained slices (no copy); MPEG-TS
 * segments are written into one pooled buffer each.
 *
 * <p>G.711 audio (A-law, mu-law) cannot go into HLS as it is: it goes through a {@link G711AacTranscoder} owned by
 * this packager (made on the first G.711 unit, closed at the end of each publish and in
 * {@link #onStreamClosed}), and the AAC it gives out is packaged as the audio track ({@code mp4a.40.2}, 8 kHz
 * mono). The transcode runs inline on the live worker (tens of microseconds per 128 ms frame). If the encoder
 * cannot be opened (FFmpeg natives missing) or fails, that is logged once and the stream is packaged without
 * audio. Other codecs HLS cannot carry (Opus, MJPEG) are left out.
 *
 * <p>Thread safety: {@link #onEvent} and {@link #onIdle} on the live worker; {@link #snapshot()} from any thread.
 */
public final class HlsPackager implements StreamConsumer
{
    /** Segments kept in memory after they leave the playlist, for players that fetch late. */
    public static final int GRACE_SEGMENTS = 3;

    /** An audio-only stream is assumed when audio has flowed this long with no video format. */
    private static final long AUDIO_ONLY_AFTER_TICKS = 2 * 90_000;

    private static final Logger LOG = LoggerFactory.getLogger(HlsPackager.class);

    private final HlsFormat format;
    private final long targetTicks;
    private final int windowSegments;
    private final ByteBufAllocator alloc;
    private final HlsListener listener;
    private final Fmp4FragmentWriter fragmentWriter = new Fmp4FragmentWriter(true);
    private final ArrayDeque<HeldSegment> held = new ArrayDeque<>();
    private final Map<String, ByteBuf> initSegments = new HashMap<>();
    private final TrackFormat[] formats = new TrackFormat[2];
    private volatile HlsSnapshot snapshot;

    private TsMuxer tsMuxer;
    private ByteBuf tsBuffer;
    private boolean open;
    private long segmentStartDts;
    private long segmentStartWallMs;
    private long lastIngestNanos;
    private long nextSequence;
    private int initVersion = -1;
    private String currentMapUri;
    private List<TrackFormat> segmentTracks = List.of();
    private boolean nextDiscontinuity;
    private long discontinuitySequence;
    private int targetDurationSeconds;
    private long firstAudioDts = Long.MIN_VALUE;
    private boolean formatsChanged;
    private long lastVideoDts = Long.MIN_VALUE;
    private long lastVideoStep = 3600;
    /** Whether a closed segment names the current init segment (it can no longer change). */
    private boolean initReferenced;
    private G711AacTranscoder transcoder;
    private boolean transcodeUnavailable;
    private final AccessUnitEvent transcoded = new AccessUnitEvent();
    private final G711AacTranscoder.FrameHandler onTranscoded = this::onTranscodedFrame;
    private LiveStream transcodeStream;
    private AccessUnitEvent transcodeSource;
    private long transcodeNowNs;

    /**
     * @param format            fMP4 or MPEG-TS.
     * @param targetDurationMs  target segment duration.
     * @param windowSegments    segments listed in the live playlist.
     * @param alloc             allocator for segment buffers.
     * @param listener          told about each new segment (metrics), may be {@link HlsListener#NONE}.
     */
    public HlsPackager(
        final HlsFormat format,
        final long targetDurationMs,
        final int windowSegments,
        final ByteBufAllocator alloc,
        final HlsListener listener)
    {
        this.format = format;
        this.targetTicks = targetDurationMs * 90;
        this.windowSegments = windowSegments;
        this.alloc = alloc;
        this.listener = listener;
        this.targetDurationSeconds = (int)Math.max(1, Math.round(targetDurationMs / 1000.0));
    }

    /**
     * @return the latest published output, or null before the first segment.
     */
    public HlsSnapshot snapshot()
    {
        return snapshot;
    }

    @Override
    public void onEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
    {
        if (FrameFlags.isEndOfStream(event.flags))
        {
            if (open)
            {
                closeSegment(lastVideoDts == Long.MIN_VALUE ? event.dts + 1 : lastVideoDts + lastVideoStep, nowNs);
            }

            nextDiscontinuity = true;
            closeTranscoder();
            return;
        }

        if (G711Decoder.isG711(event.format.codec()))
        {
            transcode(stream, event, nowNs);
            return;
        }

        if (!event.format.codec().isHlsCompatible())
        {
            // Opus, MJPEG: not carried in HLS.
            return;
        }

        onMediaEvent(stream, event, nowNs);
    }

    private void transcode(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
    {
        final G711AacTranscoder active = transcoderFor(stream, event.format);
        if (active == null)
        {
            return;
        }

        transcodeStream = stream;
        transcodeSource = event;
        transcodeNowNs = nowNs;
        try
        {
            active.transcode(event.dts, event.flags, event.payload, onTranscoded);
        }
        catch (final TranscodeException ex)
        {
            LOG.warn("G.711 to AAC transcode failed on {}, HLS goes on without audio: {}", stream.path(),
                ex.getMessage());
            transcodeUnavailable = true;
            closeTranscoder();
        }
        finally
        {
            transcodeStream = null;
            transcodeSource = null;
        }
    }

    /**
     * The transcoder for a G.711 track, opened on first use (or when the law changes); null when transcoding is
     * unavailable for this stream.
     */
    private G711AacTranscoder transcoderFor(final LiveStream stream, final TrackFormat g711)
    {
        if (transcoder != null && transcoder.accepts(g711))
        {
            return transcoder;
        }

        closeTranscoder();
        if (transcodeUnavailable)
        {
            return null;
        }

        try
        {
            transcoder = G711AacTranscoder.open(g711.codec(), G711AacTranscoder.DEFAULT_BIT_RATE_BPS, alloc);
            return transcoder;
        }
        catch (final TranscodeException ex)
        {
            transcodeUnavailable = true;
            LOG.warn("cannot transcode G.711 to AAC on {} ({}), HLS carries video only", stream.path(),
                ex.getMessage());
            return null;
        }
    }

    private void closeTranscoder()
    {
        if (transcoder != null)
        {
            transcoder.close();
            transcoder = null;
        }
    }

    private void onTranscodedFrame(final long dts90k, final int flags, final ByteBuf aacFrame)
    {
        final AccessUnitEvent source = transcodeSource;
        transcoded.trackId = TrackFormat.AUDIO_TRACK;
        transcoded.flags = flags;
        transcoded.dts = dts90k;
        transcoded.pts = dts90k;
        transcoded.wallClockMs = source.wallClockMs;
        transcoded.ingestNanos = source.ingestNanos;
        transcoded.format = transcoder.outputFormat();
        transcoded.payload = aacFrame;
        try
        {
            onMediaEvent(transcodeStream, transcoded, transcodeNowNs);
        }
        finally
        {
            transcoded.payload = null;
            transcoded.format = null;
        }
    }

    /**
     * Packages one unit of a codec HLS carries (the stream's own, or the transcoder's AAC).
     */
    private void onMediaEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
    {
        final TrackFormat trackFormat = event.format;

        if (trackFormat.isVideo())
        {
            if (lastVideoDts != Long.MIN_VALUE && event.dts > lastVideoDts)
            {
                lastVideoStep = event.dts - lastVideoDts;
            }

            lastVideoDts = event.dts;
        }

        if (!trackFormat.equals(formats[trackFormat.trackId()]))
        {
            final boolean newTrack = formats[trackFormat.trackId()] == null;
            formats[trackFormat.trackId()] = trackFormat;
            if (newTrack && open && !initReferenced && format == HlsFormat.FMP4)
            {
                addTrackToUnpublishedInit();
            }
            else
            {
                formatsChanged = true;
            }
        }

        if (!trackFormat.isVideo() && firstAudioDts == Long.MIN_VALUE)
        {
            firstAudioDts = event.dts;
        }

        if (FrameFlags.isDiscontinuity(event.flags) && open)
        {
            closeSegment(event.dts, nowNs);
            nextDiscontinuity = true;
        }

        final boolean randomAccess = isRandomAccess(event);
        if (open && randomAccess && (formatsChanged || event.dts - segmentStartDts >= targetTicks - 900))
        {
            closeSegment(event.dts, nowNs);
        }

        if (!open)
        {
            if (!randomAccess || !readyToStart(event))
            {
                return;
            }

            openSegment(stream, event);
        }

        addSample(event);
    }

    /**
     * A track appeared while the first segment of the current init segment is still open (G.711 is announced
     * with its first frame, and its AAC comes out a little later still, so audio often shows up right after the
     * first keyframe): no playlist names this init segment yet, so it is rewritten with the new track and the
     * open segment takes the track's samples, instead of cutting a discontinuity after the first segment.
     */
    private void addTrackToUnpublishedInit()
    {
        final List<TrackFormat> tracks = new ArrayList<>(2);
        for (final TrackFormat f : formats)
        {
            if (f != null)
            {
                tracks.add(f);
            }
        }

        segmentTracks = List.copyOf(tracks);
        final ByteBuf previous = initSegments.put(currentMapUri, Fmp4InitSegment.write(alloc, segmentTracks));
        if (previous != null)
        {
            previous.release();
        }
    }

    private boolean isRandomAccess(final AccessUnitEvent event)
    {
        if (event.format.isVideo())
        {
            return FrameFlags.isKeyframe(event.flags);
        }

        return formats[TrackFormat.VIDEO_TRACK] == null;
    }

    private boolean readyToStart(final AccessUnitEvent event)
    {
        if (event.format.isVideo())
        {
            return true;
        }

        return firstAudioDts != Long.MIN_VALUE && event.dts - firstAudioDts >= AUDIO_ONLY_AFTER_TICKS;
    }

    private void openSegment(final LiveStream stream, final AccessUnitEvent event)
    {
        // Formats are announced before their first unit, so the stream may already know a track whose first
        // unit has not reached us yet (audio right behind the first keyframe): include it from the start.
        for (int track = 0; track < formats.length; track++)
        {
            final TrackFormat announced = packagedFormat(stream, stream.format(track));
            if (announced != null && !announced.equals(formats[track]) && track != event.trackId)
            {
                formats[track] = announced;
                formatsChanged = true;
            }
        }

        if (formatsChanged || initVersion < 0)
        {
            final List<TrackFormat> tracks = new ArrayList<>(2);
            for (final TrackFormat f : formats)
            {
                if (f != null)
                {
                    tracks.add(f);
                }
            }

            if (initVersion >= 0)
            {
                nextDiscontinuity = true;
            }

            segmentTracks = List.copyOf(tracks);
            initVersion++;
            initReferenced = false;
            formatsChanged = false;
            if (format == HlsFormat.FMP4)
            {
                currentMapUri = "init-" + initVersion + ".mp4";
                initSegments.put(currentMapUri, Fmp4InitSegment.write(alloc, segmentTracks));
            }
            else
            {
                tsMuxer = new TsMuxer(formats[TrackFormat.VIDEO_TRACK], formats[TrackFormat.AUDIO_TRACK]);
            }
        }

        open = true;
        segmentStartDts = event.dts;
        segmentStartWallMs = event.wallClockMs;
        if (format == HlsFormat.FMP4)
        {
            fragmentWriter.begin(nextSequence + 1);
        }
        else
        {
            tsBuffer = alloc.directBuffer(256 * 1024);
            tsMuxer.writeTables(tsBuffer);
        }
    }

    /**
     * @return the format this packager puts in HLS for a track the stream announced: the track's own, the AAC
     *         output for G.711 (opening the transcoder), or null for a track left out.
     */
    private TrackFormat packagedFormat(final LiveStream stream, final TrackFormat announced)
    {
        if (announced == null)
        {
            return null;
        }

        if (announced.codec().isHlsCompatible())
        {
            return announced;
        }

        if (G711Decoder.isG711(announced.codec()))
        {
            final G711AacTranscoder active = transcoderFor(stream, announced);
            return active == null ? null : active.outputFormat();
        }

        return null;
    }

    private void addSample(final AccessUnitEvent event)
    {
        final boolean keyframe = FrameFlags.isKeyframe(event.flags);
        if (!segmentTracks.contains(event.format))
        {
            return;
        }

        lastIngestNanos = event.ingestNanos;
        if (format == HlsFormat.FMP4)
        {
            fragmentWriter.addSample(event.format, event.dts, event.pts, keyframe, event.payload);
        }
        else if (event.format.isVideo())
        {
            tsMuxer.writeVideo(tsBuffer, event.dts, event.pts, keyframe, event.payload);
        }
        else
        {
            tsMuxer.writeAudio(tsBuffer, event.pts, event.payload);
        }
    }

    private void closeSegment(final long endDts, final long nowNs)
    {
        open = false;
        final ByteBuf data;
        if (format == HlsFormat.FMP4)
        {
            data = fragmentWriter.finish(alloc, endDts);
        }
        else
        {
            data = tsBuffer;
            tsBuffer = null;
        }

        if (data == null)
        {
            return;
        }

        final long sequence = nextSequence++;
        final long durationTicks = Math.max(1, endDts - segmentStartDts);
        final String uri = "seg-" + sequence + (format == HlsFormat.FMP4 ? ".m4s" : ".ts");
        final HlsSegmentInfo info = new HlsSegmentInfo(sequence, uri, durationTicks, segmentStartWallMs,
            nextDiscontinuity, format == HlsFormat.FMP4 ? currentMapUri : null, data.readableBytes());
        nextDiscontinuity = false;
        initReferenced = true;
        held.add(new HeldSegment(info, data));
        targetDurationSeconds = Math.max(targetDurationSeconds, (int)Math.round(info.durationSeconds()));
        evict();
        publish();
        listener.onSegment(info, nowNs - lastIngestNanos);
    }

    private void evict()
    {
        while (held.size() > windowSegments + GRACE_SEGMENTS)
        {
            final HeldSegment old = held.poll();
            if (old.info.discontinuity())
            {
                discontinuitySequence++;
            }

            old.data.release();
        }

        final ArrayList<String> liveMaps = new ArrayList<>();
        for (final HeldSegment segment : held)
        {
            liveMaps.add(segment.info.mapUri());
        }

        liveMaps.add(currentMapUri);
        initSegments.entrySet().removeIf(entry ->
        {
            if (!liveMaps.contains(entry.getKey()))
            {
                entry.getValue().release();
                return true;
            }

            return false;
        });
    }

    private void publish()
    {
        final List<HlsSegmentInfo> all = new ArrayList<>(held.size());
        final Map<String, ByteBuf> data = new HashMap<>();
        for (final HeldSegment segment : held)
        {
            all.add(segment.info);
            data.put(segment.info.uri(), segment.data);
        }

        final int from = Math.max(0, all.size() - windowSegments);
        final List<HlsSegmentInfo> window = all.subList(from, all.size());
        long hiddenDiscontinuities = discontinuitySequence;
        for (int i = 0; i < from; i++)
        {
            if (all.get(i).discontinuity())
            {
                hiddenDiscontinuities++;
            }
        }

        long peak = 0;
        long bytes = 0;
        long ticks = 0;
        for (final HlsSegmentInfo segment : window)
        {
            peak = Math.max(peak, segment.bitrateBps());
            bytes += segment.bytes();
            ticks += segment.durationTicks();
        }

        final long average = ticks == 0 ? 0 : bytes * 8 * 90_000 / ticks;
        final String media = HlsPlaylistWriter.mediaPlaylist(window, targetDurationSeconds, hiddenDiscontinuities,
            false);
        final TrackFormat video = formats[TrackFormat.VIDEO_TRACK];
        final String multivariant = HlsPlaylistWriter.multivariantPlaylist("stream.m3u8",
            peak + peak / 10, average, codecs(), video == null ? 0 : video.width(),
            video == null ? 0 : video.height(), 0);
        snapshot = HlsSnapshot.of(media, multivariant, all, data, initSegments, all.get(all.size() - 1).sequence());
    }

    private String codecs()
    {
        final StringBuilder codecs = new StringBuilder();
        for (final TrackFormat track : segmentTracks)
        {
            if (codecs.length() > 0)
            {
                codecs.append(',');
            }

            codecs.append(track.codecsString());
        }

        return codecs.toString();
    }

    @Override
    public void onStreamClosed(final LiveStream stream)
    {
        closeTranscoder();
        fragmentWriter.release();
        if (tsBuffer != null)
        {
            tsBuffer.release();
            tsBuffer = null;
        }

        snapshot = null;
        for (final HeldSegment segment : held)
        {
            segment.data.release();
        }

        held.clear();
        for (final ByteBuf init : initSegments.values())
        {
            init.release();
        }

        initSegments.clear();
    }

    /**
     * @return the target duration in seconds, as listed.
     */
    public int targetDurationSeconds()
    {
        return targetDurationSeconds;
    }

    private record HeldSegment(HlsSegmentInfo info, ByteBuf data)
    {
    }
}
