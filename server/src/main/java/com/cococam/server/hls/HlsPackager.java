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
import io.netty.buffer.UnpooledByteBufAllocator;
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
 * new init segment). While a segment is open it holds retained slices of the ring payloads; when it is finished
 * it is written (fMP4: {@link Fmp4FragmentWriter}, MPEG-TS: {@link TsMuxer}) into one contiguous pooled direct
 * buffer, so that serving it is one {@code retainedDuplicate()} (or {@code retainedSlice()}) per response. The
 * rendered playlists are kept as pooled buffers in the snapshot too (released {@link #PLAYLIST_GRACE} snapshots
 * later), so a playlist GET copies and renders nothing.
 *
 * <p>G.711 audio (A-law, mu-law) cannot go into HLS as it is: it goes through a {@link G711AacTranscoder} owned by
 * this packager (made on the first G.711 unit, closed at the end of each publish and in
 * {@link #onStreamClosed}), and the AAC it gives out is packaged as the audio track ({@code mp4a.40.2}, 8 kHz
 * mono). The transcode runs inline on the live worker (tens of microseconds per 128 ms frame). At the end of a
 * publish, when the G.711 law changes and when the audio track stops being G.711, the transcoder is flushed first,
 * so its last 128-256 ms of audio go into the open segment before it is closed. AAC frames that would not move
 * the audio timeline forward (the next transcoder's priming frame overlapping the previous one's tail) are dropped.
 * If the encoder cannot be opened (FFmpeg natives missing) or fails, that is logged once and the stream is packaged
 * without audio. Other codecs HLS cannot carry (Opus, MJPEG) are left out.
 *
 * <p>Thread safety: {@link #onEvent} and {@link #onIdle} on the live worker; {@link #snapshot()} from any thread.
 */
public final class HlsPackager implements StreamConsumer
{
    /** Segments kept in memory after they leave the playlist, for players that fetch late. */
    public static final int GRACE_SEGMENTS = 3;

    /**
     * Snapshots a rendered playlist outlives: an HTTP thread that read the snapshot field may still duplicate its
     * playlist buffers until this many newer snapshots were published (a few segment durations).
     */
    public static final int PLAYLIST_GRACE = 4;

    /** An audio-only stream is assumed when audio has flowed this long with no video format. */
    private static final long AUDIO_ONLY_AFTER_TICKS = 2 * 90_000;

    /**
     * Added to every timestamp written into a segment (1 s). A path's timeline starts at 0 with its first unit, and
     * an AAC encoder's priming frame is stamped one frame before its first input: without the offset it would be
     * negative, which MPEG-TS wraps to 2^33 (26.5 hours) and fMP4's unsigned baseMediaDecodeTime cannot hold.
     */
    public static final long TIMESTAMP_OFFSET_TICKS = 90_000;

    /** Samples per AAC-LC frame, to time the end of the last audio frame. */
    private static final int AAC_FRAME_SAMPLES = 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HlsPackager.class);

    private final HlsFormat format;
    private final long targetTicks;
    private final int windowSegments;
    private final ByteBufAllocator alloc;
    /**
     * Where finished segments live while they are in the window: unpooled direct memory of their exact size, given
     * back to the system when they leave (a pool would keep the high-water mark of every arena, and fragment: about
     * a fifth more than the windows held, at 100 streams).
     */
    private final ByteBufAllocator segmentAlloc = UnpooledByteBufAllocator.DEFAULT;
    private final HlsListener listener;
    private final Fmp4FragmentWriter fragmentWriter = new Fmp4FragmentWriter(true);
    private final ArrayDeque<HeldSegment> held = new ArrayDeque<>();
    private final Map<String, ByteBuf> initSegments = new HashMap<>();
    /** Immutable copy of {@link #initSegments} for snapshots, made again only after it changed (not per segment). */
    private Map<String, ByteBuf> publishedInitSegments = Map.of();
    private boolean initSegmentsChanged;
    private final ArrayDeque<ByteBuf> retiredPlaylists = new ArrayDeque<>();
    private final TsSegmentBuilder tsSegment = new TsSegmentBuilder();
    private final TrackFormat[] formats = new TrackFormat[2];
    private volatile HlsSnapshot snapshot;

    private TsMuxer tsMuxer;
    private boolean tsMuxerHasVideo;
    private boolean tsMuxerHasAudio;
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
    private long lastAudioEndDts = Long.MIN_VALUE;
    private long lastTranscodedDts = Long.MIN_VALUE;
    /** Whether a closed segment names the current init segment (it can no longer change). */
    private boolean initReferenced;
    private G711AacTranscoder transcoder;
    private boolean transcodeUnavailable;
    /** Codecs (bits by ordinal) already logged as left out of HLS. */
    private int leftOutCodecs;
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

    /**
     * A video keyframe may end the open segment, and players wait for the playlist that lists it: the worker is woken
     * for it. Other units wait for the worker's park to end (at most 20 ms); they only add to the open segment.
     */
    @Override
    public boolean wakeOnPublish(final int trackId, final int flags)
    {
        return trackId == TrackFormat.VIDEO_TRACK && FrameFlags.isKeyframe(flags);
    }

    @Override
    public void onEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
    {
        if (FrameFlags.isEndOfStream(event.flags))
        {
            // The encoder's tail belongs to this publish: into the open segment before it closes.
            finishTranscoder(stream, event, nowNs);
            if (open)
            {
                closeSegment(endOfStreamDts(event), nowNs);
            }

            nextDiscontinuity = true;
            return;
        }

        if (G711Decoder.isG711(event.format().codec()))
        {
            transcode(stream, event, nowNs);
            return;
        }

        if (transcoder != null && !event.format().isVideo())
        {
            // The audio track is no longer G.711: end the transcoded audio before the new codec's frames.
            finishTranscoder(stream, event, nowNs);
        }

        if (!event.format().codec().isHlsCompatible())
        {
            // Opus, MJPEG: not carried in HLS. Said once per codec and packager, never per frame.
            final int bit = 1 << event.format().codec().ordinal();
            if ((leftOutCodecs & bit) == 0)
            {
                leftOutCodecs |= bit;
                LOG.info("[path {}] HLS leaves out the {} track: HLS carries H.264/H.265 video and AAC/G.711 audio "
                    + "only; play it over RTSP", stream.path(), event.format().codec());
            }

            return;
        }

        onMediaEvent(stream, event, nowNs);
    }

    /**
     * @return where the segment open at the end of a publish ends: one frame past the last video frame, or past the
     *         last audio frame for an audio-only stream.
     */
    private long endOfStreamDts(final AccessUnitEvent event)
    {
        if (lastVideoDts != Long.MIN_VALUE)
        {
            return lastVideoDts + lastVideoStep;
        }

        return lastAudioEndDts != Long.MIN_VALUE ? lastAudioEndDts : event.dts + 1;
    }

    private void transcode(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
    {
        if (transcoder != null && !transcoder.accepts(event.format()))
        {
            finishTranscoder(stream, event, nowNs);
        }

        final G711AacTranscoder active = transcoderFor(stream, event.format());
        if (active == null)
        {
            return;
        }

        transcodeStream = stream;
        transcodeSource = event;
        transcodeNowNs = nowNs;
        try
        {
            active.transcode(event.dts, event.flags, event.payload(), onTranscoded);
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
        if (transcoder != null && transcoder.accepts(g711) && !transcoder.isFlushed())
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

    /**
     * Flushes the transcoder's remaining frames into the packaging (the open segment, if any), then closes it.
     * Must not be called while a segment is being opened (the frames re-enter {@link #onMediaEvent}).
     *
     * @param source the event that ends the transcoded audio, whose wall clock and ingest time the frames take.
     */
    private void finishTranscoder(final LiveStream stream, final AccessUnitEvent source, final long nowNs)
    {
        if (transcoder == null)
        {
            return;
        }

        transcodeStream = stream;
        transcodeSource = source;
        transcodeNowNs = nowNs;
        try
        {
            transcoder.flush(onTranscoded);
        }
        catch (final TranscodeException ex)
        {
            LOG.warn("G.711 to AAC flush failed on {}, the last audio frames are lost: {}", stream.path(),
                ex.getMessage());
        }
        finally
        {
            transcodeStream = null;
            transcodeSource = null;
            closeTranscoder();
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
        if (!FrameFlags.isDiscontinuity(flags) && lastTranscodedDts != Long.MIN_VALUE && dts90k <= lastTranscodedDts)
        {
            // A new transcoder's priming frame behind the previous one's flushed tail: it would step back in time.
            return;
        }

        lastTranscodedDts = dts90k;
        final AccessUnitEvent source = transcodeSource;
        transcoded.trackId = TrackFormat.AUDIO_TRACK;
        transcoded.flags = flags;
        transcoded.dts = dts90k;
        transcoded.pts = dts90k;
        transcoded.wallClockMs = source.wallClockMs;
        transcoded.ingestNanos = source.ingestNanos;
        transcoded.format(transcoder.outputFormat());
        transcoded.payload(aacFrame);
        try
        {
            onMediaEvent(transcodeStream, transcoded, transcodeNowNs);
        }
        finally
        {
            transcoded.payload(null);
            transcoded.format(null);
        }
    }

    /**
     * Packages one unit of a codec HLS carries (the stream's own, or the transcoder's AAC).
     */
    private void onMediaEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
    {
        final TrackFormat trackFormat = event.format();

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
            if (newTrack && open && !initReferenced)
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
     * A track appeared while the first segment of the current init segment (fMP4) or muxer (MPEG-TS) is still open
     * (G.711 is announced with its first frame, and its AAC comes out a little later still, so audio often shows up
     * right after the first keyframe): no playlist names this segment's tracks yet, so the init segment is rewritten
     * or the muxer replaced (nothing has been muxed yet: TS segments are muxed when they finish) and the open
     * segment takes the track's samples, instead of cutting a discontinuity after the first segment.
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
        if (format == HlsFormat.FMP4)
        {
            final ByteBuf previous = initSegments.put(currentMapUri, Fmp4InitSegment.write(alloc, segmentTracks));
            initSegmentsChanged = true;
            if (previous != null)
            {
                previous.release();
            }
        }
        else
        {
            newTsMuxer();
        }
    }

    private boolean isRandomAccess(final AccessUnitEvent event)
    {
        if (event.format().isVideo())
        {
            return FrameFlags.isKeyframe(event.flags);
        }

        return formats[TrackFormat.VIDEO_TRACK] == null;
    }

    private boolean readyToStart(final AccessUnitEvent event)
    {
        if (event.format().isVideo())
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
                initSegmentsChanged = true;
            }
            else
            {
                newTsMuxer();
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
            tsSegment.reset();
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
            if (transcoder != null && !transcoder.isFlushed())
            {
                // Every law gives the same AAC track; a law change is handled (with a flush) by the next unit.
                return transcoder.outputFormat();
            }

            final G711AacTranscoder active = transcoderFor(stream, announced);
            return active == null ? null : active.outputFormat();
        }

        return null;
    }

    private void addSample(final AccessUnitEvent event)
    {
        final boolean keyframe = FrameFlags.isKeyframe(event.flags);
        if (!segmentTracks.contains(event.format()))
        {
            return;
        }

        lastIngestNanos = event.ingestNanos;
        if (!event.format().isVideo() && event.format().sampleRate() > 0)
        {
            lastAudioEndDts = event.dts + AAC_FRAME_SAMPLES * 90_000L / event.format().sampleRate();
        }

        if (format == HlsFormat.FMP4)
        {
            fragmentWriter.addSample(event.format(), event.dts + TIMESTAMP_OFFSET_TICKS,
                event.pts + TIMESTAMP_OFFSET_TICKS, keyframe, event.payload());
        }
        else
        {
            tsSegment.add(event.format(), event.dts + TIMESTAMP_OFFSET_TICKS, event.pts + TIMESTAMP_OFFSET_TICKS,
                keyframe, event.payload());
        }
    }

    private void closeSegment(final long endDts, final long nowNs)
    {
        open = false;
        final ByteBuf data = format == HlsFormat.FMP4 ? fragmentWriter.finishContiguous(segmentAlloc,
            endDts + TIMESTAMP_OFFSET_TICKS) :
            tsSegment.finish(tsMuxer, tsMuxerHasVideo, tsMuxerHasAudio, segmentAlloc);
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

    /**
     * Replaces the MPEG-TS muxer with one for the current formats (continuity counters start again: only at a
     * discontinuity, or before the first segment of the muxer is written).
     */
    private void newTsMuxer()
    {
        final TrackFormat video = formats[TrackFormat.VIDEO_TRACK];
        final TrackFormat audio = formats[TrackFormat.AUDIO_TRACK];
        tsMuxer = new TsMuxer(video, audio);
        tsMuxerHasVideo = video != null;
        tsMuxerHasAudio = audio != null;
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
        initSegmentsChanged |= initSegments.entrySet().removeIf(entry ->
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
        final ByteBuf media = alloc.directBuffer(HlsPlaylistWriter.estimateMediaPlaylistBytes(window.size()));
        final ByteBuf multivariant = alloc.directBuffer(256);
        try
        {
            HlsPlaylistWriter.writeMediaPlaylist(media, window, targetDurationSeconds, hiddenDiscontinuities, false);
            final TrackFormat video = formats[TrackFormat.VIDEO_TRACK];
            HlsPlaylistWriter.writeMultivariantPlaylist(multivariant, "stream.m3u8", peak + peak / 10, average,
                codecs(), video == null ? 0 : video.width(), video == null ? 0 : video.height(), 0);
        }
        catch (final RuntimeException ex)
        {
            media.release();
            multivariant.release();
            throw ex;
        }

        final HlsSnapshot previous = snapshot;
        if (initSegmentsChanged)
        {
            publishedInitSegments = Map.copyOf(initSegments);
            initSegmentsChanged = false;
        }

        // `all` and `data` are this segment's own: the snapshot takes them as they are.
        snapshot = HlsSnapshot.of(media, multivariant, all, data, publishedInitSegments,
            all.get(all.size() - 1).sequence());
        if (previous != null)
        {
            retirePlaylists(previous);
        }
    }

    /**
     * Keeps a replaced snapshot's playlists for {@link #PLAYLIST_GRACE} more snapshots (readers may still be
     * duplicating them), then releases them.
     */
    private void retirePlaylists(final HlsSnapshot replaced)
    {
        retiredPlaylists.add(replaced.mediaPlaylist());
        retiredPlaylists.add(replaced.multivariantPlaylist());
        while (retiredPlaylists.size() > 2 * PLAYLIST_GRACE)
        {
            retiredPlaylists.poll().release();
        }
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
        tsSegment.reset();
        final HlsSnapshot last = snapshot;
        snapshot = null;
        if (last != null)
        {
            last.mediaPlaylist().release();
            last.multivariantPlaylist().release();
        }

        for (final ByteBuf playlist : retiredPlaylists)
        {
            playlist.release();
        }

        retiredPlaylists.clear();
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
        initSegmentsChanged = true;
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
