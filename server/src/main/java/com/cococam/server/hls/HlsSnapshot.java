package com.cococam.server.hls;

import com.cococam.protocols.hls.HlsSegmentInfo;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Immutable view of one path's HLS output, replaced as a whole each time a segment completes, so HTTP threads
 * read it without locks.
 *
 * <p>Buffers: the segment and init buffers are owned by the packager, which releases a segment only some
 * segments after it left the playlist; a reader writes {@code retainedDuplicate()}s and treats an
 * {@link io.netty.util.IllegalReferenceCountException} as "gone" (404).
 *
 * @param mediaPlaylist        rendered media playlist.
 * @param multivariantPlaylist rendered multivariant playlist.
 * @param segments             every segment still held (the listed window plus a short grace), oldest first.
 * @param segmentData          segment URI to its bytes.
 * @param initSegments         init segment URI to its bytes (empty for MPEG-TS).
 * @param lastSequence         media sequence number of the newest segment.
 */
public record HlsSnapshot(
    byte[] mediaPlaylist,
    byte[] multivariantPlaylist,
    List<HlsSegmentInfo> segments,
    Map<String, ByteBuf> segmentData,
    Map<String, ByteBuf> initSegments,
    long lastSequence)
{
    /**
     * @param media        media playlist text.
     * @param multivariant multivariant playlist text.
     * @param segments     held segments.
     * @param segmentData  segment bytes by URI.
     * @param initSegments init bytes by URI.
     * @param lastSequence newest sequence number.
     * @return the snapshot.
     */
    public static HlsSnapshot of(
        final String media,
        final String multivariant,
        final List<HlsSegmentInfo> segments,
        final Map<String, ByteBuf> segmentData,
        final Map<String, ByteBuf> initSegments,
        final long lastSequence)
    {
        return new HlsSnapshot(media.getBytes(StandardCharsets.UTF_8),
            multivariant.getBytes(StandardCharsets.UTF_8), List.copyOf(segments), Map.copyOf(segmentData),
            Map.copyOf(initSegments), lastSequence);
    }
}
