package com.cococam.server.record;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.MediaType;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The recording journal of one camera: every record is appended to the camera's own Chronicle Queue in
 * {@code <storageDir>/<camera>/}, rolling one file per cycle, with a keyframe index per cycle in
 * {@code <storageDir>/<camera>/keyframes/<cycle>.kfi} so that a wall-clock time maps to a journal position
 * without a scan (see {@link KeyframeIndexFile}).
 *
 * <p>Records are laid out as in {@link RecordLayout}. An indexed keyframe record embeds the formats of every known
 * track, so each index entry is a self-contained random access point. After {@link #open open} on an existing
 * journal the writer recovers the last formats from the journal tail and embeds the format of each track in the
 * first access unit of that track it appends (unless {@link #appendFormat} or an indexed keyframe came first), so
 * a reader never sees an access unit of a track before its format.
 *
 * <p>Recovery on open (after a clean close or kill -9): for each cycle the valid prefix of its index is kept (a
 * torn tail is truncated, entries beyond the journal are dropped), then the journal is replayed from the last
 * indexed record to the end of the cycle (at most about one GOP), which adds missing entries and restores the
 * cycle's byte total, last access unit time and the writer state. A missing index is rebuilt by replaying its whole
 * cycle. Orphan index files of deleted cycles are removed.
 *
 * <p>Thread safety: one writer thread calls {@code append*} (the recorder worker; it may differ from the thread that
 * opened the journal). {@link #createReader() Readers} are each used by one thread of their own. {@link #spans()},
 * {@link #gaps()}, the delete methods and {@link #close()} may be called from any thread: the in-memory cycle
 * summaries and index files are guarded by one lock that the writer takes briefly per record.
 *
 * <p>Buffer ownership: payload {@link ByteBuf}s passed to {@link #appendAccessUnit} are read between their reader
 * and writer index without changing either; they are never retained or released here (the caller owns them).
 *
 * <p>Allocation: appending an access unit allocates nothing in steady state (the payload is copied straight from
 * the buffer's memory address, its backing array, or through a fixed scratch array for composite buffers).
 * Appending a format, rolling to a new cycle, opening and the query methods allocate.
 *
 * <p>Note: the roll cycle is decided by the injected {@link JournalClock}, the index by the wall-clock time passed
 * with each record; they are expected to be the same clock. Index times are made non-decreasing (a clock stepping
 * back is clamped to the previous entry). Byte order is the platform's (little-endian on x86-64 and AArch64).
 * Each cycle keeps its index file open (one descriptor per cycle per camera).
 */
public final class CameraJournal implements AutoCloseable
{
    static
    {
        if (System.getProperty("chronicle.analytics.disable") == null)
        {
            System.setProperty("chronicle.analytics.disable", "true");
        }
    }

    /**
     * "No time": no such record.
     */
    public static final long NO_TIME = Long.MIN_VALUE;

    /**
     * Name of the folder inside the camera's journal folder holding the keyframe index files.
     */
    public static final String INDEX_DIRECTORY = "keyframes";

    /**
     * Suffix of a keyframe index file; the name before it is the decimal cycle number.
     */
    public static final String INDEX_SUFFIX = ".kfi";

    private static final String QUEUE_SUFFIX = ".cq4";
    private static final long DISK_CHECK_INTERVAL_MS = 1_000;
    private static final int COPY_SCRATCH_LENGTH = 16 * 1024;
    /** Fixed fields of a record (see writeRecord) plus Chronicle's 4-byte document header. */
    private static final int RECORD_HEADER_BYTES = 4 + 4 + 8 + 8 + 8 + 4 + 4;
    private static final int FIRST_ACCESS_UNIT_SEARCH_LIMIT = 64;

    private final String camera;
    private final Path directory;
    private final Path indexDirectory;
    private final JournalClock clock;
    private final JournalOptions options;
    private final RollCycle rollCycle;
    private final SingleChronicleQueue queue;
    private final FileStore fileStore;
    private final DateTimeFormatter cycleFileFormat;
    private final Object lock = new Object();
    private final TreeMap<Integer, CycleState> cycles = new TreeMap<>();
    private final ByteBuffer searchBuffer =
        ByteBuffer.allocateDirect(KeyframeIndexFile.ENTRY_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    private final TrackFormat[] formats = new TrackFormat[RecordLayout.MAX_TRACKS];
    private final byte[][] encodedFormats = new byte[RecordLayout.MAX_TRACKS][];
    private final byte[] copyScratch = new byte[COPY_SCRATCH_LENGTH];
    private ExcerptAppender appender;
    private CycleState current;
    private int knownFormatMask;
    private int videoFormatMask;
    private int pendingFormatMask;
    private long lastAccessUnitWallClockMs = NO_TIME;
    private long lastKeyframeEntryWallClockMs = NO_TIME;
    private long lastEntryWallClockMs = NO_TIME;
    private long nextDiskCheckMs = NO_TIME;
    private boolean diskLow;
    private volatile boolean closed;

    private CameraJournal(
        final String camera,
        final Path directory,
        final JournalClock clock,
        final JournalOptions options,
        final SingleChronicleQueue queue,
        final FileStore fileStore)
    {
        this.camera = camera;
        this.directory = directory;
        this.indexDirectory = directory.resolve(INDEX_DIRECTORY);
        this.clock = clock;
        this.options = options;
        this.rollCycle = options.rollCycle();
        this.queue = queue;
        this.fileStore = fileStore;
        this.cycleFileFormat = DateTimeFormatter.ofPattern(rollCycle.format()).withZone(ZoneOffset.UTC);
    }

    /**
     * Opens (creating if needed) a camera's journal with default options but the given roll cycle.
     *
     * @see #open(Path, String, JournalClock, JournalOptions)
     */
    public static CameraJournal open(
        final Path storageDir,
        final String camera,
        final JournalClock clock,
        final RollCycle rollCycle)
    {
        return open(storageDir, camera, clock, JournalOptions.defaults().withRollCycle(rollCycle));
    }

    /**
     * Opens (creating if needed) a camera's journal in {@code storageDir/camera} and recovers its index and
     * summaries (see the class comment). Blocking file IO; allocates.
     *
     * @param storageDir the recordings root folder.
     * @param camera     the camera name: one path segment of letters, digits, '.', '_' or '-', not "." or "..".
     * @param clock      decides roll cycles; tests inject one and advance it.
     * @param options    the tuning.
     * @return the open journal; close it when done.
     * @throws IllegalArgumentException on a bad camera name.
     * @throws JournalException         when the folder cannot be created or written, or the journal not opened.
     */
    public static CameraJournal open(
        final Path storageDir,
        final String camera,
        final JournalClock clock,
        final JournalOptions options)
    {
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(options, "options");
        checkCameraName(camera);

        final Path directory = storageDir.resolve(camera);
        final FileStore fileStore;
        try
        {
            Files.createDirectories(directory.resolve(INDEX_DIRECTORY));
            fileStore = Files.getFileStore(directory);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new JournalException("journal: cannot create directory camera=" + camera + " dir=" + directory, ex);
        }

        if (!Files.isWritable(directory) || !Files.isWritable(directory.resolve(INDEX_DIRECTORY)))
        {
            throw new JournalException("journal: directory not writable camera=" + camera + " dir=" + directory);
        }

        final SingleChronicleQueue queue;
        try
        {
            queue = SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(options.rollCycle())
                .blockSize(options.blockSizeBytes())
                .timeProvider(clock::currentTimeMillis)
                .build();
        }
        catch (final RuntimeException ex)
        {
            throw new JournalException("journal: cannot open queue camera=" + camera + " dir=" + directory, ex);
        }

        final CameraJournal journal = new CameraJournal(camera, directory, clock, options, queue, fileStore);
        try
        {
            journal.recover();
            journal.appender = queue.createAppender();
            journal.appender.singleThreadedCheckDisabled(true);
        }
        catch (final RuntimeException ex)
        {
            queue.close();
            journal.closeIndexes();
            throw ex instanceof JournalException ? ex :
                new JournalException("journal: recovery failed camera=" + camera + " dir=" + directory, ex);
        }

        return journal;
    }

    /**
     * @return the camera name.
     */
    public String camera()
    {
        return camera;
    }

    /**
     * @return the camera's journal folder.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the options it was opened with.
     */
    public JournalOptions options()
    {
        return options;
    }

    /**
     * Appends a format record for one track (call on every new sequence header). Writer thread only. Allocates
     * the encoded format once.
     *
     * @param format      the format; its track id must be in [0, 8).
     * @param wallClockMs wall-clock time of the change.
     * @throws IllegalArgumentException on a track id out of range or an oversize config.
     * @throws JournalWriteException    when the record could not be written.
     */
    public void appendFormat(final TrackFormat format, final long wallClockMs)
    {
        final int trackId = format.trackId();
        checkTrack(trackId);
        final byte[] encoded = RecordLayout.encodeFormat(format);
        checkWritable();

        final int length = writeRecord(RecordLayout.TYPE_FORMAT, trackId, 0, 0, 0, 0, wallClockMs, null, encoded);
        account(appender.lastIndexAppended(), length, false, wallClockMs);
        rememberFormat(format, encoded);
        pendingFormatMask &= ~(1 << trackId);
    }

    /**
     * Appends one access unit; a keyframe of the video track (or any audio frame when no video format is known)
     * at least {@link JournalOptions#minIndexIntervalMs()} after the previous indexed one is added to the index.
     * Writer thread only. Allocation-free in steady state.
     *
     * @param trackId     the track, in [0, 8).
     * @param flags       {@link FrameFlags} bits.
     * @param dts90k      decode timestamp, 90 kHz.
     * @param pts90k      presentation timestamp, 90 kHz.
     * @param wallClockMs wall-clock time the access unit was received.
     * @param payload     the bytes between reader and writer index; not modified, retained or released.
     * @throws IllegalArgumentException on a track id out of range.
     * @throws JournalWriteException    when the record or its index entry could not be written.
     */
    public void appendAccessUnit(
        final int trackId,
        final int flags,
        final long dts90k,
        final long pts90k,
        final long wallClockMs,
        final ByteBuf payload)
    {
        checkTrack(trackId);
        checkWritable();

        final int kind = entryKind(trackId, flags, wallClockMs);
        final int embedMask = (kind & KeyframeIndexFile.KIND_KEYFRAME) != 0 ?
            knownFormatMask : pendingFormatMask & (1 << trackId);
        final int length = writeRecord(RecordLayout.TYPE_ACCESS_UNIT, trackId, embedMask, flags, dts90k, pts90k,
            wallClockMs, payload, null);
        final long index = appender.lastIndexAppended();
        final long bytesBefore = account(index, length, true, wallClockMs);
        pendingFormatMask &= ~embedMask;
        final long previousWallClockMs = lastAccessUnitWallClockMs;
        lastAccessUnitWallClockMs = wallClockMs;
        if (kind != 0)
        {
            addEntry(wallClockMs, index, previousWallClockMs, bytesBefore, kind);
        }
    }

    /**
     * Creates a reader positioned at the start of the journal. Allocates.
     *
     * @return a reader for one thread; close it before the journal.
     */
    public JournalReader createReader()
    {
        checkOpen();

        return new JournalReader(this, queue.createTailer());
    }

    /**
     * The recorded spans, oldest first, from the in-memory cycle summaries (no file access). Allocates the list.
     * Any thread.
     *
     * @return the spans; empty when nothing was recorded.
     */
    public List<RecordingSpan> spans()
    {
        final List<RecordingSpan> spans = new ArrayList<>();
        synchronized (lock)
        {
            long start = NO_TIME;
            long end = NO_TIME;
            long bytes = 0;
            for (final CycleState cycle : cycles.values())
            {
                long attributed = 0;
                if (cycle.firstAccessUnitWallClockMs == NO_TIME)
                {
                    bytes += cycle.bytes;
                    continue;
                }

                if (start == NO_TIME)
                {
                    start = cycle.firstAccessUnitWallClockMs;
                }

                for (int i = 0; i < cycle.breakCount(); i++)
                {
                    final long previousMs = cycle.breakPreviousWallClockMs(i);
                    final long before = cycle.breakBytesBefore(i);
                    if (previousMs >= start)
                    {
                        spans.add(new RecordingSpan(start, previousMs, bytes + before - attributed));
                        bytes = 0;
                        attributed = before;
                        start = cycle.breakWallClockMs(i);
                    }
                }

                bytes += cycle.bytes - attributed;
                end = cycle.lastAccessUnitWallClockMs;
            }

            if (start != NO_TIME)
            {
                spans.add(new RecordingSpan(start, end, bytes));
            }
        }

        return spans;
    }

    /**
     * The gaps between consecutive {@link #spans()}. Allocates. Any thread.
     *
     * @return the gaps, oldest first.
     */
    public List<RecordingGap> gaps()
    {
        final List<RecordingSpan> spans = spans();
        final List<RecordingGap> gaps = new ArrayList<>(Math.max(0, spans.size() - 1));
        for (int i = 1; i < spans.size(); i++)
        {
            gaps.add(new RecordingGap(spans.get(i - 1).endWallClockMs(), spans.get(i).startWallClockMs()));
        }

        return gaps;
    }

    /**
     * @return the cycles held, oldest first. Allocates. Any thread.
     */
    public int[] cycles()
    {
        synchronized (lock)
        {
            return cycles.keySet().stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * @param cycle a cycle number.
     * @return the end of the cycle's time range: the later of its nominal end and its last access unit.
     */
    public long cycleEndWallClockMs(final int cycle)
    {
        synchronized (lock)
        {
            final CycleState state = cycles.get(cycle);
            final long nominalEndMs = cycleStartMs(cycle) + rollCycle.lengthInMillis();

            return state == null ? nominalEndMs : Math.max(nominalEndMs, state.lastAccessUnitWallClockMs);
        }
    }

    /**
     * Deletes every cycle (journal file and index) whose whole time range ended at or before {@code cutoffMs},
     * never the newest cycle nor the clock's current one. Safe while the writer and readers are running: a reader
     * inside a deleted cycle finishes it and moves on to the next one. Any thread; blocking file IO.
     *
     * @param cutoffMs wall-clock cutoff.
     * @return number of cycles deleted.
     * @throws JournalException when a file could not be deleted (cycles before it are gone).
     */
    public int deleteCyclesEndingBefore(final long cutoffMs)
    {
        checkOpen();
        int deleted = 0;
        synchronized (lock)
        {
            final List<Integer> expired = new ArrayList<>();
            for (final Map.Entry<Integer, CycleState> entry : cycles.entrySet())
            {
                if (deletable(entry.getKey()) && cycleEndWallClockMs(entry.getKey()) <= cutoffMs)
                {
                    expired.add(entry.getKey());
                }
            }

            try
            {
                for (final Integer cycle : expired)
                {
                    deleteCycleLocked(cycle);
                    deleted++;
                }
            }
            finally
            {
                if (deleted > 0)
                {
                    queue.refreshDirectoryListing();
                }
            }
        }

        return deleted;
    }

    /**
     * Deletes one cycle (journal file and index), for owner-initiated deletes. Refuses the newest cycle and the
     * clock's current one. Any thread; blocking file IO.
     *
     * @param cycle the cycle.
     * @return whether it was deleted (false: unknown or current).
     * @throws JournalException when a file could not be deleted.
     */
    public boolean deleteCycle(final int cycle)
    {
        checkOpen();
        synchronized (lock)
        {
            if (!cycles.containsKey(cycle) || !deletable(cycle))
            {
                return false;
            }

            try
            {
                deleteCycleLocked(cycle);
            }
            finally
            {
                queue.refreshDirectoryListing();
            }
        }

        return true;
    }

    /**
     * Closes the queue and index files; idempotent. Readers must be closed first (they fail afterwards).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }

        closed = true;
        synchronized (lock)
        {
            queue.close();
            closeIndexes();
        }
    }

    /**
     * @return whether {@link #close()} was called.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Finds the random access point for a time: the last indexed keyframe at or before it, else the first indexed
     * keyframe. Any thread; no allocation.
     *
     * @param wallClockMs the time.
     * @param found       receives the keyframe's index time at [0].
     * @return the Chronicle index of the keyframe record, or -1 when nothing is indexed.
     */
    long findKeyframe(final long wallClockMs, final long[] found)
    {
        synchronized (lock)
        {
            checkOpen();
            try
            {
                for (final CycleState cycle : cycles.descendingMap().values())
                {
                    if (cycle.firstKeyframeWallClockMs != NO_TIME && cycle.firstKeyframeWallClockMs <= wallClockMs &&
                        cycle.index.floorKeyframe(wallClockMs, searchBuffer) >= 0)
                    {
                        found[0] = searchBuffer.getLong(0);
                        return searchBuffer.getLong(8);
                    }
                }

                for (final CycleState cycle : cycles.values())
                {
                    if (cycle.firstKeyframeWallClockMs != NO_TIME && cycle.index.firstKeyframe(searchBuffer) >= 0)
                    {
                        found[0] = searchBuffer.getLong(0);
                        return searchBuffer.getLong(8);
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new JournalException("journal: index read failed camera=" + camera, ex);
            }
        }

        return -1;
    }

    void checkOpen()
    {
        if (closed)
        {
            throw new JournalException("journal: closed camera=" + camera);
        }
    }

    private boolean deletable(final int cycle)
    {
        return cycle != cycles.lastKey() && cycle < queue.cycle();
    }

    private void deleteCycleLocked(final int cycle)
    {
        final CycleState state = cycles.remove(cycle);
        try
        {
            state.index.delete();
            Files.deleteIfExists(queueFile(cycle));
        }
        catch (final IOException ex)
        {
            throw new JournalException("journal: cannot delete cycle camera=" + camera + " cycle=" + cycle, ex);
        }
    }

    private Path queueFile(final int cycle)
    {
        return directory.resolve(cycleFileFormat.format(Instant.ofEpochMilli(cycleStartMs(cycle))) + QUEUE_SUFFIX);
    }

    private long cycleStartMs(final int cycle)
    {
        return queue.epoch() + (long)cycle * rollCycle.lengthInMillis();
    }

    private void checkTrack(final int trackId)
    {
        if (trackId < 0 || trackId >= RecordLayout.MAX_TRACKS)
        {
            throw new IllegalArgumentException("journal: trackId=" + trackId);
        }
    }

    private void checkWritable()
    {
        if (closed)
        {
            throw new JournalWriteException("journal: closed camera=" + camera);
        }

        final long nowMs = clock.currentTimeMillis();
        if (nextDiskCheckMs == NO_TIME || nowMs >= nextDiskCheckMs || nowMs < nextDiskCheckMs - DISK_CHECK_INTERVAL_MS)
        {
            nextDiskCheckMs = nowMs + DISK_CHECK_INTERVAL_MS;
            try
            {
                diskLow = fileStore.getUsableSpace() < options.minFreeBytes();
            }
            catch (final IOException ex)
            {
                diskLow = false;
            }
        }

        if (diskLow)
        {
            throw new JournalWriteException("journal: disk space below minFreeBytes=" + options.minFreeBytes() +
                " camera=" + camera);
        }
    }

    private int entryKind(final int trackId, final int flags, final long wallClockMs)
    {
        final int bit = 1 << trackId;
        final boolean candidate = videoFormatMask != 0 ?
            (videoFormatMask & bit) != 0 && FrameFlags.isKeyframe(flags) :
            FrameFlags.isKeyframe(flags) || (knownFormatMask & bit) != 0;
        final boolean spaced = lastKeyframeEntryWallClockMs == NO_TIME ||
            wallClockMs - lastKeyframeEntryWallClockMs >= options.minIndexIntervalMs() ||
            wallClockMs < lastKeyframeEntryWallClockMs;
        final boolean gap = lastAccessUnitWallClockMs != NO_TIME &&
            wallClockMs - lastAccessUnitWallClockMs > options.gapThresholdMs();

        return (candidate && (spaced || gap) ? KeyframeIndexFile.KIND_KEYFRAME : 0) |
            (gap ? KeyframeIndexFile.KIND_BREAK : 0);
    }

    private int writeRecord(
        final byte type,
        final int trackId,
        final int embedMask,
        final int flags,
        final long dts90k,
        final long pts90k,
        final long wallClockMs,
        final ByteBuf payload,
        final byte[] singleFormat)
    {
        final int payloadLength = payload == null ? 0 : payload.readableBytes();
        final int formatCount = singleFormat != null ? 1 : Integer.bitCount(embedMask);
        long formatBytes = singleFormat != null ? singleFormat.length : 0;
        for (int mask = embedMask; mask != 0; mask &= mask - 1)
        {
            formatBytes += encodedFormats[Integer.numberOfTrailingZeros(mask)].length;
        }

        if (RECORD_HEADER_BYTES + formatBytes + payloadLength > options.maxRecordBytes())
        {
            // Checked before Chronicle is asked: its own overflow would surface as a failed write of the block.
            throw new JournalWriteException("journal: record of " + (RECORD_HEADER_BYTES + formatBytes +
                payloadLength) + " bytes is over the largest the journal holds (" + options.maxRecordBytes() +
                " bytes, a quarter of its block: raise recording.blockSizeMb) camera=" + camera + " track=" + trackId);
        }

        int length = 0;
        try (DocumentContext dc = appender.writingDocument())
        {
            try
            {
                final Bytes<?> bytes = dc.wire().bytes();
                final long start = bytes.writePosition();
                bytes.writeByte(type);
                bytes.writeByte(RecordLayout.VERSION);
                bytes.writeByte((byte)trackId);
                bytes.writeByte((byte)formatCount);
                bytes.writeInt(flags);
                bytes.writeLong(dts90k);
                bytes.writeLong(pts90k);
                bytes.writeLong(wallClockMs);
                bytes.writeInt(payloadLength);
                if (singleFormat != null)
                {
                    bytes.write(singleFormat);
                }

                for (int mask = embedMask; mask != 0; mask &= mask - 1)
                {
                    bytes.write(encodedFormats[Integer.numberOfTrailingZeros(mask)]);
                }

                if (payloadLength > 0)
                {
                    writePayload(bytes, payload, payloadLength);
                }

                length = (int)(bytes.writePosition() - start);
            }
            catch (final RuntimeException | Error ex)
            {
                dc.rollbackOnClose();
                throw ex;
            }
        }
        catch (final RuntimeException | InternalError ex)
        {
            // InternalError: the JVM's report of a fault in a memory-mapped write (e.g. the file system filled up)
            throw new JournalWriteException("journal: append failed camera=" + camera, ex);
        }

        return length;
    }

    private void writePayload(final Bytes<?> bytes, final ByteBuf payload, final int length)
    {
        final int readerIndex = payload.readerIndex();
        if (payload.hasMemoryAddress())
        {
            bytes.unsafeWrite(payload.memoryAddress() + readerIndex, length);
        }
        else if (payload.hasArray())
        {
            bytes.write(payload.array(), payload.arrayOffset() + readerIndex, length);
        }
        else
        {
            for (int done = 0; done < length; )
            {
                final int chunk = Math.min(copyScratch.length, length - done);
                payload.getBytes(readerIndex + done, copyScratch, 0, chunk);
                bytes.write(copyScratch, 0, chunk);
                done += chunk;
            }
        }
    }

    private long account(final long index, final int length, final boolean accessUnit, final long wallClockMs)
    {
        final int cycle = rollCycle.toCycle(index);
        synchronized (lock)
        {
            if (current == null || current.cycle != cycle)
            {
                current = openCycleState(cycle);
            }

            final long bytesBefore = current.bytes;
            current.onRecord(length, accessUnit, wallClockMs);

            return bytesBefore;
        }
    }

    private CycleState openCycleState(final int cycle)
    {
        final CycleState existing = cycles.get(cycle);
        if (existing != null)
        {
            return existing;
        }

        final CycleState state = new CycleState(cycle);
        try
        {
            state.index = KeyframeIndexFile.open(indexFile(cycle), cycle, (w, q, p, b, k) -> false);
        }
        catch (final IOException ex)
        {
            throw new JournalWriteException("journal: cannot create index camera=" + camera + " cycle=" + cycle, ex);
        }

        cycles.put(cycle, state);

        return state;
    }

    private void addEntry(
        final long wallClockMs,
        final long index,
        final long previousWallClockMs,
        final long bytesBefore,
        final int kind)
    {
        final long entryWallClockMs = Math.max(wallClockMs, lastEntryWallClockMs);
        lastEntryWallClockMs = entryWallClockMs;
        if ((kind & KeyframeIndexFile.KIND_KEYFRAME) != 0)
        {
            lastKeyframeEntryWallClockMs = wallClockMs;
        }

        synchronized (lock)
        {
            try
            {
                current.index.append(entryWallClockMs, index, previousWallClockMs, bytesBefore, kind);
            }
            catch (final IOException ex)
            {
                throw new JournalWriteException("journal: index write failed camera=" + camera, ex);
            }

            current.onEntry(entryWallClockMs, previousWallClockMs, bytesBefore, kind, options.gapThresholdMs());
        }
    }

    private void rememberFormat(final TrackFormat format, final byte[] encoded)
    {
        final int trackId = format.trackId();
        final int bit = 1 << trackId;
        formats[trackId] = format;
        encodedFormats[trackId] = encoded;
        knownFormatMask |= bit;
        videoFormatMask = format.mediaType() == MediaType.VIDEO ? videoFormatMask | bit : videoFormatMask & ~bit;
    }

    private Path indexFile(final int cycle)
    {
        return indexDirectory.resolve(cycle + INDEX_SUFFIX);
    }

    private void closeIndexes()
    {
        for (final CycleState state : cycles.values())
        {
            if (state.index != null)
            {
                state.index.close();
            }
        }
    }

    private void recover()
    {
        final ExcerptTailer tailer = queue.createTailer();
        try
        {
            final int firstCycle = queue.firstCycle();
            final int lastCycle = queue.lastCycle();
            final NavigableSet<Long> present = firstCycle > lastCycle ?
                Collections.emptyNavigableSet() : queue.listCyclesBetween(firstCycle, lastCycle);
            for (final Long cycle : present)
            {
                recoverCycle(tailer, cycle.intValue());
            }

            removeOrphanIndexes();
        }
        catch (final IOException ex)
        {
            throw new JournalException("journal: index recovery failed camera=" + camera, ex);
        }
        finally
        {
            tailer.close();
        }

        current = cycles.isEmpty() ? null : cycles.lastEntry().getValue();
        pendingFormatMask = knownFormatMask;
    }

    private void recoverCycle(final ExcerptTailer tailer, final int cycle) throws IOException
    {
        final long excerpts = tailer.excerptsInCycle(cycle);
        final CycleState state = new CycleState(cycle);
        final long[] last = {-1, NO_TIME, NO_TIME, 0, 0};
        state.index = KeyframeIndexFile.open(indexFile(cycle), cycle, (wallMs, queueIndex, previousMs, before, kind) ->
        {
            if (rollCycle.toCycle(queueIndex) != cycle || rollCycle.toSequenceNumber(queueIndex) >= excerpts)
            {
                return false;
            }

            state.onEntry(wallMs, previousMs, before, kind, options.gapThresholdMs());
            last[0] = queueIndex;
            last[1] = wallMs;
            last[2] = previousMs;
            last[3] = before;
            last[4] = kind;

            return true;
        });
        cycles.put(cycle, state);
        if (excerpts <= 0)
        {
            return;
        }

        state.firstAccessUnitWallClockMs = firstAccessUnitWallClockMs(tailer, cycle);
        final long startIndex;
        if (last[0] >= 0)
        {
            startIndex = last[0];
            state.bytes = last[3];
            lastAccessUnitWallClockMs = last[2];
            lastEntryWallClockMs = Math.max(lastEntryWallClockMs, last[1]);
            if (state.lastKeyframeWallClockMs != NO_TIME)
            {
                lastKeyframeEntryWallClockMs = state.lastKeyframeWallClockMs;
            }
        }
        else
        {
            startIndex = rollCycle.toIndex(cycle, 0);
        }

        if (tailer.moveToIndex(startIndex))
        {
            replay(tailer, state, last[0]);
        }
    }

    private long firstAccessUnitWallClockMs(final ExcerptTailer tailer, final int cycle)
    {
        if (!tailer.moveToIndex(rollCycle.toIndex(cycle, 0)))
        {
            return NO_TIME;
        }

        for (int i = 0; i < FIRST_ACCESS_UNIT_SEARCH_LIMIT; i++)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent() || rollCycle.toCycle(dc.index()) != cycle)
                {
                    return NO_TIME;
                }

                final Bytes<?> bytes = dc.wire().bytes();
                if (bytes.readRemaining() >= RecordLayout.HEADER_LENGTH &&
                    bytes.readByte(bytes.readPosition()) == RecordLayout.TYPE_ACCESS_UNIT)
                {
                    return bytes.readLong(bytes.readPosition() + 24);
                }
            }
        }

        return NO_TIME;
    }

    private void replay(final ExcerptTailer tailer, final CycleState state, final long indexedQueueIndex)
        throws IOException
    {
        current = state;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent() || rollCycle.toCycle(dc.index()) != state.cycle)
                {
                    return;
                }

                replayRecord(state, dc.wire().bytes(), dc.index(), dc.index() == indexedQueueIndex);
            }
        }
    }

    private void replayRecord(final CycleState state, final Bytes<?> bytes, final long index, final boolean indexed)
        throws IOException
    {
        final int length = (int)bytes.readRemaining();
        if (length < RecordLayout.HEADER_LENGTH)
        {
            state.bytes += length;
            return;
        }

        final byte type = bytes.readByte();
        bytes.readByte();
        final int trackId = bytes.readUnsignedByte();
        final int formatCount = bytes.readUnsignedByte();
        final int flags = bytes.readInt();
        bytes.readSkip(16);
        final long wallClockMs = bytes.readLong();
        bytes.readInt();
        for (int i = 0; i < formatCount; i++)
        {
            final int bodyLength = bytes.readInt();
            final byte[] block = new byte[4 + bodyLength];
            ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).putInt(bodyLength);
            bytes.read(block, 4, bodyLength);
            rememberFormat(RecordLayout.decodeFormat(block, block.length), block);
        }

        if (type != RecordLayout.TYPE_ACCESS_UNIT || trackId >= RecordLayout.MAX_TRACKS)
        {
            state.onRecord(length, false, wallClockMs);
            return;
        }

        final int kind = entryKind(trackId, flags, wallClockMs);
        final long bytesBefore = state.bytes;
        state.onRecord(length, true, wallClockMs);
        final long previousWallClockMs = lastAccessUnitWallClockMs;
        lastAccessUnitWallClockMs = wallClockMs;
        if (!indexed && kind != 0)
        {
            addEntry(wallClockMs, index, previousWallClockMs, bytesBefore, kind);
        }
    }

    private void removeOrphanIndexes() throws IOException
    {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(indexDirectory, "*" + INDEX_SUFFIX))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                final String number = name.substring(0, name.length() - INDEX_SUFFIX.length());
                final boolean known;
                try
                {
                    known = cycles.containsKey(Integer.parseInt(number));
                }
                catch (final NumberFormatException ex)
                {
                    continue;
                }

                if (!known)
                {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void checkCameraName(final String camera)
    {
        if (camera == null || camera.isEmpty() || camera.length() > 128 || ".".equals(camera) || "..".equals(camera))
        {
            throw new IllegalArgumentException("journal: camera=" + camera);
        }

        for (int i = 0; i < camera.length(); i++)
        {
            final char c = camera.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-') || c > 0x7F)
            {
                throw new IllegalArgumentException("journal: camera=" + camera);
            }
        }
    }
}
