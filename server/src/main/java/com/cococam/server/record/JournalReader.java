package com.cococam.server.record;

import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.util.Arrays;

/**
 * Reads a {@link CameraJournal} forwards from a position, delivering records to a {@link JournalRecordHandler}.
 *
 * <p>Formats are delivered before the first access unit of their track in a read session (a session starts at
 * creation, {@link #toStart()} and every {@link #seek}) and again only when they change. An access unit whose
 * track has had no format in the session is skipped and counted ({@link #skippedAccessUnits()}); that happens only
 * when reading from the start of a journal whose oldest cycles were deleted, never after a seek.
 *
 * <p>Thread safety: one thread per reader. The writer may append concurrently; the reader sees complete records
 * only.
 *
 * <p>Buffer ownership: the payload passed to the handler is a reader-owned heap buffer, overwritten by the next
 * record; the handler must not retain, release or write it.
 *
 * <p>Allocation: none per record in steady state; the scratch buffers grow to the largest payload seen, and a
 * changed format allocates the decoded {@link TrackFormat}.
 */
public final class JournalReader implements AutoCloseable
{
    /**
     * Default count of records one {@link #readAll} step reads.
     */
    private static final int READ_ALL_BATCH = 1024;

    private final CameraJournal journal;
    private final ExcerptTailer tailer;
    private final byte[][] deliveredFormats = new byte[RecordLayout.MAX_TRACKS][];
    private final long[] found = new long[1];
    private int deliveredMask;
    private byte[] blockScratch = new byte[512];
    private byte[] payloadScratch = new byte[64 * 1024];
    private ByteBuf payloadView = Unpooled.wrappedBuffer(payloadScratch);
    private long skippedAccessUnits;
    private long malformedRecords;
    private boolean closed;

    JournalReader(final CameraJournal journal, final ExcerptTailer tailer)
    {
        this.journal = journal;
        this.tailer = tailer;
        tailer.singleThreadedCheckDisabled(true);
    }

    /**
     * Positions the reader at the last indexed keyframe at or before {@code wallClockMs} (the first indexed one
     * when the time is earlier than all), using the index: no scan. Starts a new read session.
     *
     * @param wallClockMs the time.
     * @return the index time of the keyframe landed on, or {@link CameraJournal#NO_TIME} when the journal has no
     *         indexed keyframe (the position is then unchanged).
     * @throws JournalException on an index read error or a closed journal.
     */
    public long seek(final long wallClockMs)
    {
        checkOpen();
        final long index = journal.findKeyframe(wallClockMs, found);
        if (index < 0 || !tailer.moveToIndex(index))
        {
            return CameraJournal.NO_TIME;
        }

        resetSession();

        return found[0];
    }

    /**
     * Positions the reader at the oldest record held and starts a new read session.
     */
    public void toStart()
    {
        checkOpen();
        tailer.toStart();
        resetSession();
    }

    /**
     * Reads up to {@code maxRecords} records and delivers them.
     *
     * @param handler    receives the records on this thread.
     * @param maxRecords upper bound of records read (formats-only records count).
     * @return records read; 0 when no further record is available now.
     */
    public int read(final JournalRecordHandler handler, final int maxRecords)
    {
        checkOpen();
        int count = 0;
        while (count < maxRecords)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }

                deliver(dc.wire().bytes(), handler);
            }

            count++;
        }

        return count;
    }

    /**
     * Reads until no further record is available now.
     *
     * @param handler receives the records on this thread.
     * @return records read.
     */
    public long readAll(final JournalRecordHandler handler)
    {
        long total = 0;
        int count;
        while ((count = read(handler, READ_ALL_BATCH)) > 0)
        {
            total += count;
        }

        return total;
    }

    /**
     * @return access units skipped because their track had no format yet in the session.
     */
    public long skippedAccessUnits()
    {
        return skippedAccessUnits;
    }

    /**
     * @return records skipped because they were too short or carried a bad format block.
     */
    public long malformedRecords()
    {
        return malformedRecords;
    }

    /**
     * Closes the tailer; idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            payloadView.release();
            if (!journal.isClosed())
            {
                tailer.close();
            }
        }
    }

    private void deliver(final Bytes<?> bytes, final JournalRecordHandler handler)
    {
        if (bytes.readRemaining() < RecordLayout.HEADER_LENGTH)
        {
            malformedRecords++;
            return;
        }

        final byte type = bytes.readByte();
        bytes.readByte();
        final int trackId = bytes.readUnsignedByte();
        final int formatCount = bytes.readUnsignedByte();
        final int flags = bytes.readInt();
        final long dts90k = bytes.readLong();
        final long pts90k = bytes.readLong();
        final long wallClockMs = bytes.readLong();
        final int payloadLength = bytes.readInt();
        for (int i = 0; i < formatCount; i++)
        {
            if (!deliverFormat(bytes, handler, wallClockMs))
            {
                malformedRecords++;
                return;
            }
        }

        if (type != RecordLayout.TYPE_ACCESS_UNIT)
        {
            return;
        }

        if (trackId >= RecordLayout.MAX_TRACKS || payloadLength < 0 || payloadLength > bytes.readRemaining())
        {
            malformedRecords++;
            return;
        }

        if ((deliveredMask & (1 << trackId)) == 0)
        {
            skippedAccessUnits++;
            return;
        }

        ensurePayloadCapacity(payloadLength);
        bytes.read(payloadScratch, 0, payloadLength);
        payloadView.setIndex(0, payloadLength);
        handler.onAccessUnit(trackId, flags, dts90k, pts90k, wallClockMs, payloadView);
    }

    private boolean deliverFormat(final Bytes<?> bytes, final JournalRecordHandler handler, final long wallClockMs)
    {
        if (bytes.readRemaining() < 4)
        {
            return false;
        }

        final int bodyLength = bytes.readInt();
        if (bodyLength < 2 || bodyLength > bytes.readRemaining())
        {
            return false;
        }

        final int blockLength = 4 + bodyLength;
        if (blockScratch.length < blockLength)
        {
            blockScratch = new byte[Math.max(blockLength, blockScratch.length * 2)];
        }

        blockScratch[0] = (byte)bodyLength;
        blockScratch[1] = (byte)(bodyLength >>> 8);
        blockScratch[2] = (byte)(bodyLength >>> 16);
        blockScratch[3] = (byte)(bodyLength >>> 24);
        bytes.read(blockScratch, 4, bodyLength);
        final int trackId = RecordLayout.trackIdOf(blockScratch);
        if (trackId < 0 || trackId >= RecordLayout.MAX_TRACKS)
        {
            return false;
        }

        final byte[] delivered = deliveredFormats[trackId];
        if ((deliveredMask & (1 << trackId)) != 0 &&
            Arrays.equals(delivered, 0, delivered.length, blockScratch, 0, blockLength))
        {
            return true;
        }

        final TrackFormat format;
        try
        {
            format = RecordLayout.decodeFormat(blockScratch, blockLength);
        }
        catch (final JournalException ex)
        {
            return false;
        }

        deliveredFormats[trackId] = Arrays.copyOf(blockScratch, blockLength);
        deliveredMask |= 1 << trackId;
        handler.onFormat(format, wallClockMs);

        return true;
    }

    private void ensurePayloadCapacity(final int length)
    {
        if (payloadScratch.length < length)
        {
            payloadView.release();
            payloadScratch = new byte[Math.max(length, payloadScratch.length * 2)];
            payloadView = Unpooled.wrappedBuffer(payloadScratch);
        }
    }

    private void resetSession()
    {
        deliveredMask = 0;
        Arrays.fill(deliveredFormats, null);
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new JournalException("journal: reader closed camera=" + journal.camera());
        }

        journal.checkOpen();
    }
}
