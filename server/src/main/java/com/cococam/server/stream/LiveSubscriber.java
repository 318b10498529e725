package com.cococam.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IovArray;
import io.netty.channel.unix.UnixChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * A viewer that the server pushes frames to (RTMP and RTSP play, later WebRTC), with its own bounded backlog.
 *
 * <p>The stream's fan-out encodes each frame once per protocol and hands it to the viewer's event loop once
 * for all the viewers there ({@link LoopViewers}); the loop calls {@link #deliver} on each viewer, which writes a
 * duplicate of the shared bytes while the channel is writable and otherwise holds the frame in its backlog, written
 * when the channel drains. The backlog is the bytes held here plus the bytes Netty still holds for the socket.
 * Past {@code skipBytes} the viewer stops receiving frames until the next random access point (skip to the next
 * keyframe: the frames held here are dropped; what Netty holds is left to finish, so the stream stays decodable);
 * past {@code maxBytes}, or after {@code maxConsecutiveSkips} keyframes that still found it behind, it is
 * disconnected. Both are counted in the stream's metrics. The publisher and the other viewers never wait for it.
 *
 * <p>Thread safety: everything but {@link #close}, {@link #stop} and the getters runs on the channel's event loop,
 * so the per-frame path has no atomic operation of its own. Allocation: none per frame (duplicates and outbound
 * entries are recycled; the backlog's array grows once to its high-water mark).
 */
public final class LiveSubscriber
{
    private static final Logger LOG = LoggerFactory.getLogger(LiveSubscriber.class);
    /**
     * Frames a viewer may hold: a whole cached GOP (a joiner gets it at once) and about 16 s of a 25 fps camera with
     * audio. A full backlog skips to the next keyframe like a byte backlog does.
     */
    static final int MAX_HELD_FRAMES = LiveFanout.MAX_GOP_UNITS;

    private final Channel channel;
    private final ChannelOutboundInvoker writer;
    private final String description;
    private final long skipBytes;
    private final long maxBytes;
    private final int maxConsecutiveSkips;
    private final Runnable onStreamEnd;
    private final FileDescriptor socket;
    private final ArrayDeque<OutFrame> held = new ArrayDeque<>();
    private final OutFrame[] headers = new OutFrame[4];
    private long heldBytes;
    private int headerCount;
    private boolean lastDeliveryWasMedia;
    private boolean written;
    private boolean endPending;
    private volatile boolean closed;
    private StreamMetrics metrics;
    private BatchLatencyRecorder latency;
    private boolean waitingForRandomAccess;
    private boolean skipped;
    private int consecutiveSkips;
    private long framesSent;
    private long directFrames;
    private long cutFrames;

    /**
     * @param channel             the viewer's connection.
     * @param description         for logs, e.g. {@code rtmp 127.0.0.1:50123}.
     * @param skipBytes           backlog past which the viewer skips to the next keyframe.
     * @param maxBytes            backlog past which the viewer is disconnected.
     * @param maxConsecutiveSkips keyframes in a row that may find the viewer still behind before it is dropped.
     * @param onStreamEnd         run on the channel's event loop, after the held frames, when the publisher ends.
     */
    public LiveSubscriber(
        final Channel channel,
        final String description,
        final long skipBytes,
        final long maxBytes,
        final int maxConsecutiveSkips,
        final Runnable onStreamEnd)
    {
        this(channel, channel, false, description, skipBytes, maxBytes, maxConsecutiveSkips, onStreamEnd);
    }

    /**
     * @param channel             the viewer's connection.
     * @param writer              where frames enter the outbound pipeline: the channel (the whole pipeline), or the
     *                            context of a handler the frames must skip (e.g. the RTMP chunk encoder: frames
     *                            are already chunked, so they start just below it and don't walk the handlers
     *                            above). Writes and flushes go there.
     * @param directWrites        whether frames may go straight to the socket while Netty holds nothing for it
     *                            (epoll only): only when no outbound handler lies between {@code writer} and the
     *                            socket, since the direct path passes none.
     * @param description         for logs, e.g. {@code rtmp 127.0.0.1:50123}.
     * @param skipBytes           backlog past which the viewer skips to the next keyframe.
     * @param maxBytes            backlog past which the viewer is disconnected.
     * @param maxConsecutiveSkips keyframes in a row that may find the viewer still behind before it is dropped.
     * @param onStreamEnd         run on the channel's event loop, after the held frames, when the publisher ends.
     */
    public LiveSubscriber(
        final Channel channel,
        final ChannelOutboundInvoker writer,
        final boolean directWrites,
        final String description,
        final long skipBytes,
        final long maxBytes,
        final int maxConsecutiveSkips,
        final Runnable onStreamEnd)
    {
        this.onStreamEnd = onStreamEnd;
        this.channel = channel;
        this.writer = writer;
        this.description = description;
        this.skipBytes = skipBytes;
        this.maxBytes = maxBytes;
        this.maxConsecutiveSkips = maxConsecutiveSkips;
        this.socket = directWrites && channel instanceof UnixChannel unix ? unix.fd() : null;
    }

    /**
     * @return the viewer's channel.
     */
    public Channel channel()
    {
        return channel;
    }

    /**
     * @return for logs.
     */
    public String description()
    {
        return description;
    }

    /**
     * @return whether the viewer was closed or stopped.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * @return frames written to the socket so far (event loop's count, racy read).
     */
    public long framesSent()
    {
        return framesSent;
    }

    /**
     * @return whether frames may go straight to the socket (an epoll channel that asked for it).
     */
    boolean writesDirect()
    {
        return socket != null;
    }

    /**
     * @return frames written whole straight to the socket (event loop's count, racy read).
     */
    long directFrames()
    {
        return directFrames;
    }

    /**
     * @return frames whose direct write the socket cut short, the rest going through Netty (racy read).
     */
    long cutFrames()
    {
        return cutFrames;
    }

    void attach(final StreamMetrics metrics, final BatchLatencyRecorder latency, final boolean startWithoutRandomAccess)
    {
        this.metrics = metrics;
        this.latency = latency;
        this.waitingForRandomAccess = startWithoutRandomAccess;
    }

    /**
     * @return backlog in bytes: held here plus pending in the channel's outbound buffer. Event loop.
     */
    long backlogBytes()
    {
        final ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        return heldBytes + (outbound == null ? 0 : outbound.totalPendingWriteBytes());
    }

    /**
     * Gives the viewer one frame: written at once when the channel takes it, held otherwise, skipped when the viewer
     * is behind. Event loop.
     *
     * @param frame  the shared frame (not consumed: retained if held).
     * @param header whether it is a header (metadata, sequence header) that must never be skipped.
     * @param nowNs  {@link System#nanoTime()} of this drain.
     */
    void deliver(final OutFrame frame, final boolean header, final long nowNs)
    {
        if (!channel.isActive())
        {
            closed = true;
            releaseBacklog();
            return;
        }

        final long backlog = backlogBytes();
        if (backlog > maxBytes)
        {
            disconnect("backlog " + backlog + " bytes over " + maxBytes);
            return;
        }

        if (header)
        {
            rememberHeader(frame);
        }
        else if (!admit(frame, backlog))
        {
            metrics.viewerSkippedFrames.increment();
            return;
        }

        lastDeliveryWasMedia = !header;
        send(frame, nowNs);
    }

    /**
     * Gives the viewer a batch of media frames in one gathering write straight to its socket, when nothing stands
     * in the way: the direct path applies, the viewer is not skipping, holds nothing, and Netty holds nothing for
     * the socket (so no backlog limit can be reached). What the socket does not take goes through Netty's path.
     * Event loop.
     *
     * @param frames media frames (no headers), not consumed.
     * @param count  how many of {@code frames}.
     * @param iov    the frames' bytes, described for {@code writev}.
     * @param nowNs  {@link System#nanoTime()} of this drain.
     * @return false (nothing done) when the frames must go one by one through {@link #deliver}.
     */
    boolean deliverDirect(final OutFrame[] frames, final int count, final IovArray iov, final long nowNs)
    {
        if (socket == null || waitingForRandomAccess || !held.isEmpty() || !channel.isActive())
        {
            return false;
        }

        final ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        if (outbound == null || outbound.totalPendingWriteBytes() != 0)
        {
            return false;
        }

        long sent;
        try
        {
            sent = socket.writevAddresses(iov.memoryAddress(0), iov.count());
        }
        catch (final IOException | RuntimeException ex)
        {
            // The peer is gone: the frame-by-frame path meets the same error through Netty, which closes.
            return false;
        }

        for (int i = 0; i < count; i++)
        {
            final OutFrame frame = frames[i];
            final ByteBuf data = frame.data();
            final int size = data.readableBytes();
            if (sent >= size)
            {
                sent -= size;
                directFrames++;
            }
            else
            {
                final int done = (int)sent;
                sent = 0;
                cutFrames += done > 0 ? 1 : 0;
                writer.write(done == 0 ? data.retainedDuplicate() :
                    data.retainedSlice(data.readerIndex() + done, size - done), channel.voidPromise());
                written = true;
            }

            if (frame.isLive())
            {
                latency.record(nowNs - frame.ingestNanos());
            }

            framesSent++;
        }

        lastDeliveryWasMedia = true;
        return true;
    }

    /**
     * Decides whether a media frame goes to the viewer, entering or leaving skip mode.
     */
    private boolean admit(final OutFrame frame, final long backlog)
    {
        if (!waitingForRandomAccess)
        {
            if (backlog > skipBytes)
            {
                skipToRandomAccess();
                return false;
            }

            return true;
        }

        if (!frame.isRandomAccess())
        {
            return false;
        }

        if (backlog > skipBytes / 2)
        {
            if (++consecutiveSkips > maxConsecutiveSkips)
            {
                disconnect("still " + backlog + " bytes behind after " + maxConsecutiveSkips + " keyframes");
            }

            return false;
        }

        waitingForRandomAccess = false;
        consecutiveSkips = 0;
        if (skipped)
        {
            // The dropped backlog may have held the sequence headers: send them again before the keyframe.
            skipped = false;
            for (int i = 0; i < headerCount; i++)
            {
                send(headers[i], 0);
            }
        }

        return true;
    }

    private void send(final OutFrame frame, final long nowNs)
    {
        if (held.isEmpty() && channel.isWritable())
        {
            write(frame, nowNs);
            return;
        }

        if (held.size() >= MAX_HELD_FRAMES)
        {
            skipToRandomAccess();
            return;
        }

        held.add(frame.retain());
        heldBytes += frame.size();
    }

    private void write(final OutFrame frame, final long nowNs)
    {
        final ByteBuf data = frame.data();
        final int sent = socket != null ? writeDirect(data) : 0;
        if (sent < data.readableBytes())
        {
            writer.write(sent == 0 ? data.retainedDuplicate() :
                data.retainedSlice(data.readerIndex() + sent, data.readableBytes() - sent), channel.voidPromise());
            written = true;
            cutFrames += sent > 0 ? 1 : 0;
        }
        else
        {
            directFrames++;
        }

        if (nowNs != 0 && frame.isLive())
        {
            latency.record(nowNs - frame.ingestNanos());
        }

        framesSent++;
    }

    /**
     * The direct path: while Netty holds nothing for the socket, the frame's bytes go to the socket in one
     * {@code write(2)} from the shared buffer, with no outbound entry, duplicate or flush. What the socket does not
     * take (its buffer is full) is left to the caller for Netty's path, which queues it and waits for the socket to
     * drain; later frames then take that path too, behind it, until Netty's queue is empty again.
     *
     * @return bytes the socket took; 0 when the direct path does not apply or the socket took nothing.
     */
    private int writeDirect(final ByteBuf data)
    {
        final ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        // Open checked here, on the event loop that alone closes the channel: a closed descriptor's number may
        // already belong to another connection.
        if (outbound == null || outbound.totalPendingWriteBytes() != 0 || !data.hasMemoryAddress() ||
            !channel.isOpen())
        {
            return 0;
        }

        try
        {
            return socket.writeAddress(data.memoryAddress(), data.readerIndex(), data.writerIndex());
        }
        catch (final IOException | RuntimeException ex)
        {
            // The peer is gone (EPIPE, ECONNRESET): Netty's own write will meet the same error and close the
            // channel; let it, so the close takes its usual path.
            return 0;
        }
    }

    /**
     * Flushes if this drain wrote anything. Event loop.
     */
    void flushIfWritten()
    {
        if (written)
        {
            written = false;
            writer.flush();
        }
    }

    /**
     * Enters skip mode: the frames held here are dropped, and nothing more is sent until the next random access
     * point. Event loop.
     */
    void skipToRandomAccess()
    {
        if (metrics == null || closed)
        {
            return;
        }

        metrics.viewerSkips.increment();
        waitingForRandomAccess = true;
        skipped = true;
        OutFrame frame;
        while ((frame = held.poll()) != null)
        {
            metrics.viewerSkippedFrames.increment();
            frame.release();
        }

        heldBytes = 0;
    }

    private void rememberHeader(final OutFrame frame)
    {
        if (lastDeliveryWasMedia || headerCount == headers.length)
        {
            releaseHeaders();
        }

        headers[headerCount++] = frame.retain();
    }

    private void releaseHeaders()
    {
        for (int i = 0; i < headerCount; i++)
        {
            headers[i].release();
            headers[i] = null;
        }

        headerCount = 0;
    }

    /**
     * The publisher ended: once the frames held are written, the protocol tells the viewer. Event loop. The viewer
     * stays subscribed, so it gets the next publisher's stream (starting at a keyframe).
     */
    void onStreamEnd()
    {
        waitingForRandomAccess = true;
        consecutiveSkips = 0;
        endPending = true;
        writeHeld();
    }

    /**
     * Resumes writing the held frames after the channel became writable again. Event loop.
     */
    public void onWritabilityChanged()
    {
        if (channel.isWritable())
        {
            writeHeld();
        }
    }

    private void writeHeld()
    {
        if (closed || latency == null || !channel.isActive())
        {
            return;
        }

        final long nowNs = System.nanoTime();
        final long latencyToken = latency.begin();
        OutFrame frame;
        while (channel.isWritable() && (frame = held.poll()) != null)
        {
            heldBytes -= frame.size();
            write(frame, nowNs);
            frame.release();
        }

        latency.end(latencyToken);

        flushIfWritten();
        if (endPending && held.isEmpty())
        {
            endPending = false;
            onStreamEnd.run();
        }
    }

    private void disconnect(final String reason)
    {
        if (closed)
        {
            return;
        }

        metrics.viewerDisconnects.increment();
        LOG.info("[viewer {}] disconnected: too slow ({})", description, reason);
        close();
    }

    /**
     * Closes the viewer: drops its backlog and closes the channel. Any thread; idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }

        closed = true;
        runOnEventLoop(() ->
        {
            releaseBacklog();
            channel.close();
        });
    }

    /**
     * Stops delivery and drops the backlog but leaves the connection to its protocol (RTSP TEARDOWN, RTMP
     * closeStream: the client may still talk on it). Any thread; idempotent.
     */
    public void stop()
    {
        if (closed)
        {
            return;
        }

        closed = true;
        runOnEventLoop(this::releaseBacklog);
    }

    /**
     * The fan-out dropped this viewer: nothing more is delivered, and the event loop frees what it holds. Fan-out
     * owner.
     */
    void onRemoved()
    {
        closed = true;
        runOnEventLoop(this::releaseBacklog);
    }

    private void runOnEventLoop(final Runnable task)
    {
        try
        {
            channel.eventLoop().execute(task);
        }
        catch (final RejectedExecutionException ex)
        {
            // The event loop has terminated (server stop: the hub closes after the loops), so nothing else touches
            // the backlog any more: free it here instead of leaking it.
            task.run();
        }
    }

    /**
     * Frees the held frames and the remembered headers. Event loop (or the closing thread once the loop is gone).
     */
    void releaseBacklog()
    {
        OutFrame frame;
        while ((frame = held.poll()) != null)
        {
            frame.release();
        }

        heldBytes = 0;
        releaseHeaders();
    }
}
