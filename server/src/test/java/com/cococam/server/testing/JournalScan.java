package com.cococam.server.testing;

import com.cococam.codec.media.TrackFormat;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.record.JournalReader;
import com.cococam.server.record.JournalRecordHandler;
import io.netty.buffer.ByteBuf;

/**
 * Reads a camera's whole journal for tests, handing each recorded access unit over with the format its track had
 * at that point (formats are records of their own in the journal). Test code; allocates freely.
 */
public final class JournalScan
{
    /**
     * One recorded access unit.
     */
    @FunctionalInterface
    public interface UnitVisitor
    {
        /**
         * @param format  the unit's track format at that point of the journal, or null before any.
         * @param trackId track id.
         * @param flags   {@link com.cococam.codec.media.FrameFlags}.
         * @param dts90k  decode time, 90 kHz.
         * @param payload the unit's bytes (valid during the call only).
         */
        void onUnit(TrackFormat format, int trackId, int flags, long dts90k, ByteBuf payload);
    }

    private JournalScan()
    {
    }

    /**
     * Visits every access unit of the journal, from its start.
     *
     * @param journal the camera's journal.
     * @param visitor called per unit, in journal order.
     */
    public static void forEachUnit(final CameraJournal journal, final UnitVisitor visitor)
    {
        final TrackFormat[] formats = new TrackFormat[2];
        try (JournalReader reader = journal.createReader())
        {
            reader.readAll(new JournalRecordHandler()
            {
                @Override
                public void onFormat(final TrackFormat format, final long wallClockMs)
                {
                    formats[format.trackId()] = format;
                }

                @Override
                public void onAccessUnit(
                    final int trackId,
                    final int flags,
                    final long dts90k,
                    final long pts90k,
                    final long wallClockMs,
                    final ByteBuf payload)
                {
                    visitor.onUnit(trackId >= 0 && trackId < formats.length ? formats[trackId] : null, trackId,
                        flags, dts90k, payload);
                }
            });
        }
    }
}
