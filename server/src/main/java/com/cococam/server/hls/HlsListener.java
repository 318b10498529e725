package com.cococam.server.hls;

import com.cococam.protocols.hls.HlsSegmentInfo;

/**
 * Told about each completed segment (for metrics). Called on the live worker; must not block.
 */
public interface HlsListener
{
    /** A listener that does nothing. */
    HlsListener NONE = (segment, listingDelayNs) ->
    {
    };

    /**
     * @param segment        the new segment.
     * @param listingDelayNs time from the arrival of its last frame to its listing in the playlist.
     */
    void onSegment(HlsSegmentInfo segment, long listingDelayNs);
}
