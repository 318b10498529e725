package com.cococam.server.record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The keyframe index of one roll cycle: a file of fixed-size entries sorted by wall-clock time, searched by
 * binary search with positional reads.
 *
 * <pre>
 *  header (16 bytes): int magic 'CKFI', int version, int cycle, int entry length
 *  entry (40 bytes):
 *  +---------------------------------------------------------------+
 *  |  wallClockMs (long): of the record, never below the previous  |
 *  |  entry's value, so the file stays sorted if the clock steps   |
 *  +---------------------------------------------------------------+
 *  |  queueIndex (long): Chronicle index of the record             |
 *  +---------------------------------------------------------------+
 *  |  previousWallClockMs (long): the access unit before it, or    |
 *  |  {@link CameraJournal#NO_TIME}                                 |
 *  +---------------------------------------------------------------+
 *  |  bytesBefore (long): journal bytes of the cycle before it     |
 *  +-------------------------------+-------------------------------+
 *  |  kind (int): KEYFRAME|BREAK   |  check (int) over the above   |
 *  +-------------------------------+-------------------------------+
 * </pre>
 *
 * <p>An entry is written with one positional write after its record is in the journal, so after a kill -9 the
 * file can only be behind the journal (the journal rebuilds the missing tail) or end in a torn entry, which
 * fails its check and is truncated on open.
 *
 * <p>Thread safety: not thread safe; {@link CameraJournal} guards every instance with its lock.
 */
final class KeyframeIndexFile
{
    static final int KIND_KEYFRAME = 1;
    static final int KIND_BREAK = 2;
    static final int ENTRY_LENGTH = 40;
    static final int HEADER_LENGTH = 16;

    private static final int MAGIC = 0x49464B43;
    private static final int VERSION = 1;
    private static final int READ_BATCH_ENTRIES = 1024;

    private final Path file;
    private final int cycle;
    private final FileChannel channel;
    private final ByteBuffer entryBuffer = ByteBuffer.allocateDirect(ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private long entryCount;

    private KeyframeIndexFile(final Path file, final int cycle, final FileChannel channel, final long entryCount)
    {
        this.file = file;
        this.cycle = cycle;
        this.channel = channel;
        this.entryCount = entryCount;
    }

    /**
     * Opens or creates the index of a cycle, keeps the valid prefix of entries and truncates the rest.
     *
     * @param file    the index file.
     * @param cycle   the Chronicle cycle it indexes.
     * @param visitor called for each valid entry in order (allocation-free visitor recommended).
     * @return the open index.
     * @throws IOException when the file cannot be opened or written.
     */
    static KeyframeIndexFile open(final Path file, final int cycle, final EntryVisitor visitor) throws IOException
    {
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        try
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH || !headerValid(channel, cycle))
            {
                channel.truncate(0);
                writeHeader(channel, cycle);

                return new KeyframeIndexFile(file, cycle, channel, 0);
            }

            final long valid = scanEntries(channel, (size - HEADER_LENGTH) / ENTRY_LENGTH, visitor);
            if (channel.size() != HEADER_LENGTH + valid * ENTRY_LENGTH)
            {
                channel.truncate(HEADER_LENGTH + valid * ENTRY_LENGTH);
            }

            return new KeyframeIndexFile(file, cycle, channel, valid);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * @return the cycle this file indexes.
     */
    int cycle()
    {
        return cycle;
    }

    /**
     * @return the file.
     */
    Path file()
    {
        return file;
    }

    /**
     * @return number of valid entries.
     */
    long entryCount()
    {
        return entryCount;
    }

    /**
     * Appends one entry with a single positional write; no allocation.
     *
     * @throws IOException on a write error (the entry count is not advanced).
     */
    void append(
        final long wallClockMs,
        final long queueIndex,
        final long previousWallClockMs,
        final long bytesBefore,
        final int kind) throws IOException
    {
        fillEntry(entryBuffer, wallClockMs, queueIndex, previousWallClockMs, bytesBefore, kind);
        final long position = HEADER_LENGTH + entryCount * ENTRY_LENGTH;
        long written = 0;
        while (entryBuffer.hasRemaining())
        {
            written += channel.write(entryBuffer, position + written);
        }

        entryCount++;
    }

    /**
     * Drops entries from {@code count} onwards.
     *
     * @param count entries to keep.
     * @throws IOException on a write error.
     */
    void truncateTo(final long count) throws IOException
    {
        channel.truncate(HEADER_LENGTH + count * ENTRY_LENGTH);
        entryCount = count;
    }

    /**
     * Reads entry {@code position} into the buffer. No allocation.
     *
     * @param position entry number, below {@link #entryCount()}.
     * @param buffer   a buffer of at least {@link #ENTRY_LENGTH} bytes, little-endian; filled from 0.
     * @throws IOException on a read error.
     */
    void read(final long position, final ByteBuffer buffer) throws IOException
    {
        buffer.clear().limit(ENTRY_LENGTH);
        final long offset = HEADER_LENGTH + position * ENTRY_LENGTH;
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer, offset + buffer.position()) < 0)
            {
                throw new IOException("index: short read file=" + file);
            }
        }
    }

    /**
     * Binary search: the last keyframe entry whose wall-clock time is at or before {@code wallClockMs}.
     *
     * @param wallClockMs the time looked for.
     * @param buffer      scratch buffer of {@link #ENTRY_LENGTH} bytes; holds the found entry on return.
     * @return the entry number, or -1 when no keyframe entry is at or before the time.
     * @throws IOException on a read error.
     */
    long floorKeyframe(final long wallClockMs, final ByteBuffer buffer) throws IOException
    {
        long low = 0;
        long high = entryCount - 1;
        long found = -1;
        while (low <= high)
        {
            final long mid = (low + high) >>> 1;
            read(mid, buffer);
            if (buffer.getLong(0) <= wallClockMs)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }

        for (long position = found; position >= 0; position--)
        {
            read(position, buffer);
            if ((buffer.getInt(32) & KIND_KEYFRAME) != 0)
            {
                return position;
            }
        }

        return -1;
    }

    /**
     * The first keyframe entry.
     *
     * @param buffer scratch buffer of {@link #ENTRY_LENGTH} bytes; holds the found entry on return.
     * @return the entry number, or -1 when there is none.
     * @throws IOException on a read error.
     */
    long firstKeyframe(final ByteBuffer buffer) throws IOException
    {
        for (long position = 0; position < entryCount; position++)
        {
            read(position, buffer);
            if ((buffer.getInt(32) & KIND_KEYFRAME) != 0)
            {
                return position;
            }
        }

        return -1;
    }

    /**
     * Closes the file; idempotent.
     */
    void close()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignore)
        {
            // closing a file we only read and positional-wrote: nothing left to flush or report
        }
    }

    /**
     * Closes and deletes the file.
     *
     * @throws IOException when the delete fails.
     */
    void delete() throws IOException
    {
        close();
        Files.deleteIfExists(file);
    }

    static void fillEntry(
        final ByteBuffer buffer,
        final long wallClockMs,
        final long queueIndex,
        final long previousWallClockMs,
        final long bytesBefore,
        final int kind)
    {
        buffer.clear();
        buffer.putLong(0, wallClockMs);
        buffer.putLong(8, queueIndex);
        buffer.putLong(16, previousWallClockMs);
        buffer.putLong(24, bytesBefore);
        buffer.putInt(32, kind);
        buffer.putInt(36, check(wallClockMs, queueIndex, previousWallClockMs, bytesBefore, kind));
        buffer.limit(ENTRY_LENGTH);
    }

    static boolean entryValid(final ByteBuffer buffer, final int offset)
    {
        final int kind = buffer.getInt(offset + 32);
        if ((kind & (KIND_KEYFRAME | KIND_BREAK)) == 0 || (kind & ~(KIND_KEYFRAME | KIND_BREAK)) != 0)
        {
            return false;
        }

        return buffer.getInt(offset + 36) == check(buffer.getLong(offset), buffer.getLong(offset + 8),
            buffer.getLong(offset + 16), buffer.getLong(offset + 24), kind);
    }

    private static int check(
        final long wallClockMs,
        final long queueIndex,
        final long previousWallClockMs,
        final long bytesBefore,
        final int kind)
    {
        long hash = 0x9E3779B97F4A7C15L;
        hash = mix(hash ^ wallClockMs);
        hash = mix(hash ^ queueIndex);
        hash = mix(hash ^ previousWallClockMs);
        hash = mix(hash ^ bytesBefore);
        hash = mix(hash ^ kind);

        return (int)(hash ^ (hash >>> 32));
    }

    private static long mix(final long value)
    {
        long z = value * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;

        return z ^ (z >>> 31);
    }

    private static boolean headerValid(final FileChannel channel, final int cycle) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        while (header.hasRemaining())
        {
            if (channel.read(header, header.position()) < 0)
            {
                return false;
            }
        }

        return header.getInt(0) == MAGIC && header.getInt(4) == VERSION && header.getInt(8) == cycle &&
            header.getInt(12) == ENTRY_LENGTH;
    }

    private static void writeHeader(final FileChannel channel, final int cycle) throws IOException
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putInt(VERSION).putInt(cycle).putInt(ENTRY_LENGTH).flip();
        while (header.hasRemaining())
        {
            channel.write(header, header.position());
        }
    }

    private static long scanEntries(final FileChannel channel, final long candidates, final EntryVisitor visitor)
        throws IOException
    {
        final ByteBuffer batch = ByteBuffer.allocateDirect(READ_BATCH_ENTRIES * ENTRY_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
        long valid = 0;
        long previousWallClockMs = Long.MIN_VALUE;
        while (valid < candidates)
        {
            final int wanted = (int)Math.min(READ_BATCH_ENTRIES, candidates - valid);
            batch.clear().limit(wanted * ENTRY_LENGTH);
            final long offset = HEADER_LENGTH + valid * ENTRY_LENGTH;
            while (batch.hasRemaining())
            {
                if (channel.read(batch, offset + batch.position()) < 0)
                {
                    return valid;
                }
            }

            for (int i = 0; i < wanted; i++)
            {
                final int at = i * ENTRY_LENGTH;
                final long wallClockMs = batch.getLong(at);
                if (!entryValid(batch, at) || wallClockMs < previousWallClockMs)
                {
                    return valid;
                }

                if (!visitor.onEntry(wallClockMs, batch.getLong(at + 8), batch.getLong(at + 16),
                    batch.getLong(at + 24), batch.getInt(at + 32)))
                {
                    return valid;
                }

                previousWallClockMs = wallClockMs;
                valid++;
            }
        }

        return valid;
    }

    /**
     * Receives index entries while a file is opened.
     */
    @FunctionalInterface
    interface EntryVisitor
    {
        /**
         * @return false to treat this entry and all after it as invalid (they are truncated).
         */
        boolean onEntry(long wallClockMs, long queueIndex, long previousWallClockMs, long bytesBefore, int kind);
    }
}
