package com.cococam.server.record;

import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;

/**
 * Receives the records a {@link JournalReader} reads, in journal order, on the reader's thread.
 */
public interface JournalRecordHandler
{
    /**
     * A track's format, delivered before the first access unit of that track after a seek or the start of a read
     * session, and again whenever it changes. An unchanged format repeated in the journal is not delivered twice.
     *
     * @param format         the format; immutable, the handler may keep it.
     * @param wallClockMs    wall-clock time stored with the record.
     */
    void onFormat(TrackFormat format, long wallClockMs);

    /**
     * One recorded access unit.
     *
     * @param trackId     the track.
     * @param flags       {@link com.cococam.codec.media.FrameFlags} bits.
     * @param dts90k      decode timestamp, 90 kHz.
     * @param pts90k      presentation timestamp, 90 kHz.
     * @param wallClockMs wall-clock time stored with the record.
     * @param payload     the payload bytes between reader and writer index; a view owned by the reader that is
     *                    valid only during this call: do not retain, release or keep it (copy what you need).
     */
    void onAccessUnit(int trackId, int flags, long dts90k, long pts90k, long wallClockMs, ByteBuf payload);
}
