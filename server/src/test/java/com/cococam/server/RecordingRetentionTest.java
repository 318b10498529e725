package com.cococam.server;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import com.cococam.server.config.ConfigLoader;
import com.cococam.server.config.ServerConfig;
import com.cococam.server.record.CameraJournal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention by plan, with an injected clock: each camera keeps its own number of days.
 */
@Timeout(60)
class RecordingRetentionTest
{
    private static final long DAY_MS = TimeUnit.DAYS.toMillis(1);
    // 2026-01-01T12:00:00Z, mid-day so one write per day lands in one daily cycle.
    private static final long START_MS = 1_767_268_800_000L;

    @TempDir
    Path storage;

    @Test
    void shouldDeleteOnlyDaysOlderThanEachCamerasPlan() throws Exception
    {
        final ServerConfig config = ConfigLoader.fromYaml("""
            cameras:
              week:
                publishKey: k1
                retentionDays: 7
              month:
                publishKey: k2
                retentionDays: 30
            """, "test.yaml", new String[] {"--storage.dir=" + storage}, Map.of());
        final AtomicLong now = new AtomicLong(START_MS);

        try (Recording recording = new Recording(config, now::get))
        {
            recording.start();
            for (int day = 0; day < 12; day++)
            {
                now.set(START_MS + day * DAY_MS);
                appendOneSecond(recording.journal("week"), now.get());
                appendOneSecond(recording.journal("month"), now.get());
            }

            assertEquals(12, recording.journal("week").spans().size());
            now.set(START_MS + 12 * DAY_MS);

            final long deleted = recording.sweepRetention();

            // week keeps days 5..11 (12 - 7 = 5 days deleted: days 0..4); month keeps all 12.
            assertEquals(5, deleted);
            assertEquals(7, recording.journal("week").spans().size());
            assertEquals(12, recording.journal("month").spans().size());
            assertTrue(recording.journal("week").spans().get(0).startWallClockMs() >= START_MS + 5 * DAY_MS);
            assertTrue(recording.spansJson("week").contains("\"retentionDays\":7"), recording.spansJson("week"));
            assertEquals(0, recording.sweepRetention(), "a second sweep has nothing left to delete");
        }
    }

    private static void appendOneSecond(final CameraJournal journal, final long wallMs)
    {
        final TrackFormat format = TrackFormats.aac(new byte[] {0x11, (byte)0x90});
        journal.appendFormat(format, wallMs);
        final ByteBuf payload = Unpooled.wrappedBuffer(new byte[200]);
        try
        {
            for (int i = 0; i < 47; i++)
            {
                journal.appendAccessUnit(TrackFormat.AUDIO_TRACK, FrameFlags.KEYFRAME, i * 1920L, i * 1920L,
                    wallMs + i * 21L, payload);
            }
        }
        finally
        {
            payload.release();
        }
    }
}
