package com.cococam.server.record;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Shared helpers of the journal tests: a settable clock, deterministic payloads, formats and a handler that
 * copies what it reads.
 */
final class JournalFixtures
{
    static final long BASE_MS = 1_700_000_000_000L;

    static final TrackFormat H264 = new TrackFormat(TrackFormat.VIDEO_TRACK, CodecId.H264, 1280, 720, 0, 0,
        new byte[]{1, 0x64, 0, 0x1f, (byte)0xff, (byte)0xe1, 0, 4, 0x67, 0x64, 0, 0x1f}, "avc1.64001f");
    static final TrackFormat H264_1080 = new TrackFormat(TrackFormat.VIDEO_TRACK, CodecId.H264, 1920, 1080, 0, 0,
        new byte[]{1, 0x64, 0, 0x28, (byte)0xff, (byte)0xe1, 0, 4, 0x67, 0x64, 0, 0x28}, "avc1.640028");
    static final TrackFormat AAC = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.AAC, 0, 0, 48_000, 2,
        new byte[]{0x11, (byte)0x90}, "mp4a.40.2");

    private JournalFixtures()
    {
    }

    /**
     * A clock tests set and advance.
     */
    static final class TestClock implements JournalClock
    {
        final AtomicLong nowMs = new AtomicLong(BASE_MS);

        @Override
        public long currentTimeMillis()
        {
            return nowMs.get();
        }

        void set(final long ms)
        {
            nowMs.set(ms);
        }
    }

    /**
     * Fills {@code length} bytes deterministically from a seed.
     */
    static void fill(final ByteBuf buffer, final long seed, final int length)
    {
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < length; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            buffer.writeByte((int)x);
        }
    }

    static byte[] expected(final long seed, final int length)
    {
        final ByteBuf buffer = io.netty.buffer.Unpooled.buffer(length);
        try
        {
            fill(buffer, seed, length);
            final byte[] bytes = new byte[length];
            buffer.getBytes(0, bytes);
            return bytes;
        }
        finally
        {
            buffer.release();
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }

        Files.walkFileTree(root, new SimpleFileVisitor<>()
        {
            @Override
            public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
            {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException
            {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * One record as read back.
     */
    record Read(boolean format, TrackFormat trackFormat, int trackId, int flags, long dts90k, long pts90k,
        long wallClockMs, byte[] payload)
    {
    }

    /**
     * Copies every record it is given.
     */
    static final class Collector implements JournalRecordHandler
    {
        final List<Read> records = new ArrayList<>();

        @Override
        public void onFormat(final TrackFormat format, final long wallClockMs)
        {
            records.add(new Read(true, format, format.trackId(), 0, 0, 0, wallClockMs, null));
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
            final byte[] bytes = new byte[payload.readableBytes()];
            payload.getBytes(payload.readerIndex(), bytes);
            records.add(new Read(false, null, trackId, flags, dts90k, pts90k, wallClockMs, bytes));
        }

        List<Read> accessUnits()
        {
            return records.stream().filter(r -> !r.format()).toList();
        }

        List<Read> formats()
        {
            return records.stream().filter(Read::format).toList();
        }
    }
}
