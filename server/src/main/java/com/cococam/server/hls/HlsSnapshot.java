package com.cococam.server.hls;

import com.cococam.protocols.hls.HlsSegmentInfo;
import io.netty.buffer.ByteBuf;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Immutable view of one path's HLS output, replaced as a whole each time a segment completes, so HTTP threads
 * read it without locks.
 *
 * <p>Buffers: every buffer here (rendered playlists, segments, init segments) is one contiguous pooled buffer owned
 * by the packager. A segment is released only some segments after it left the playlist, a playlist some snapshots
 * after it was replaced. A reader never moves their indexes: it serves a {@code retainedDuplicate()} (or one
 * {@code retainedSlice()} for a byte range) and treats an {@link io.netty.util.IllegalReferenceCountException} as
 * "gone" (404).
 *
 * @param mediaPlaylist        rendered media playlist (US-ASCII).
 * @param multivariantPlaylist rendered multivariant playlist (US-ASCII).
 * @param segments             every segment still held (the listed window plus a short grace), oldest first.
 * @param segmentData          segment URI to its bytes.
 * @param initSegments         init segment URI to its bytes (empty for MPEG-TS).
 * @param lastSequence         media sequence number of the newest segment.
 */
public record HlsSnapshot(
    ByteBuf mediaPlaylist,
    ByteBuf multivariantPlaylist,
    List<HlsSegmentInfo> segments,
    Map<String, ByteBuf> segmentData,
    Map<String, ByteBuf> initSegments,
    long lastSequence)
{
    /**
     * Makes a snapshot without copying the per-segment collections, which the packager builds afresh for each one.
     *
     * @param media        media playlist bytes (ownership stays with the caller).
     * @param multivariant multivariant playlist bytes (ownership stays with the caller).
     * @param segments     held segments; handed over: the caller never changes the list again (shown read-only).
     * @param segmentData  segment bytes by URI; handed over like {@code segments}.
     * @param initSegments init bytes by URI; copied unless already immutable ({@link Map#copyOf} returns such a map
     *                     as it is, so a caller that keeps an immutable copy between changes pays no copy).
     * @param lastSequence newest sequence number.
     * @return the snapshot.
     */
    public static HlsSnapshot of(
        final ByteBuf media,
        final ByteBuf multivariant,
        final List<HlsSegmentInfo> segments,
        final Map<String, ByteBuf> segmentData,
        final Map<String, ByteBuf> initSegments,
        final long lastSequence)
    {
        return new HlsSnapshot(media, multivariant, Collections.unmodifiableList(segments),
            Collections.unmodifiableMap(segmentData), Map.copyOf(initSegments), lastSequence);
    }
}
