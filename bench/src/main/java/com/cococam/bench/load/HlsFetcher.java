package com.cococam.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One HLS client on a keep-alive HTTP/1.1 connection: polls the media playlist about every {@code pollMs} (each
 * gap drawn uniformly from 0.5 to 1.5 times it), fetches each
 * segment that is new since the last poll (on the first poll only the newest), and records each segment's
 * availability lag: {@code fetch complete - intended send time of the segment's last frame}.
 *
 * <p>The segment's media end time is tracked from the playlist: the first segment listed in the first playlist
 * starts at media time 0 (the fetcher starts with the publisher, before the first segment can leave the window),
 * and each following media sequence number ends one EXTINF later. A segment after a gap in the sequence numbers
 * cannot be placed and is counted as unanchored. The intended send time of its last frame is the publisher's
 * start plus that end minus one video frame interval.
 *
 * <p>Thread safety: the channel's event loop only. Allocation: per request (request object, playlist text),
 * a few per second; none per received chunk of a segment.
 */
final class HlsFetcher extends ChannelInboundHandlerAdapter
{
    private static final int MAX_PLAYLIST_BYTES = 1 << 20;

    private final int publisher;
    private final String hostHeader;
    private final String playlistPath;
    private final String directory;
    private final long pollNs;
    private final long frameIntervalMs;
    private final LoopContext context;
    private final LoadWindow window;
    private final ArrayDeque<long[]> pendingSeqEnd = new ArrayDeque<>();
    private final ArrayDeque<String> pendingPath = new ArrayDeque<>();
    private final ByteBuf playlist = Unpooled.buffer(4096);
    private Channel channel;
    private boolean busy;
    private boolean fetchingSegment;
    private boolean everOk;
    private boolean okStatus;
    private long nextPollNs;
    private long currentEndMs;
    private long lastSeq = -1;
    private double lastEndMs;
    private long fetchedSeq = -1;
    private long segmentsFetched;

    HlsFetcher(
        final int publisher,
        final String hostHeader,
        final String playlistPath,
        final long pollMs,
        final long frameIntervalMs,
        final LoopContext context)
    {
        this.publisher = publisher;
        this.hostHeader = hostHeader;
        this.playlistPath = playlistPath;
        this.directory = playlistPath.substring(0, playlistPath.lastIndexOf('/') + 1);
        this.pollNs = pollMs * 1_000_000L;
        this.frameIntervalMs = frameIntervalMs;
        this.context = context;
        this.window = context.window;
    }

    long segmentsFetched()
    {
        return segmentsFetched;
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) throws Exception
    {
        channel = ctx.channel();
        context.fetchers.add(this);
        super.channelActive(ctx);
    }

    /**
     * Starts a playlist request when one is due and none is in flight.
     *
     * @param nowNs the tick's clock reading.
     */
    void poll(final long nowNs)
    {
        if (busy || nowNs < nextPollNs || channel == null || !channel.isActive())
        {
            return;
        }

        // Random spacing (0.5 to 1.5 poll intervals): a fixed period would lock the poll phase to the 2 s
        // segment cadence and make the measured lag depend on that phase rather than on the server.
        nextPollNs = nowNs + pollNs / 2 + ThreadLocalRandom.current().nextLong(pollNs);
        fetchingSegment = false;
        send(playlistPath);
    }

    private void send(final String path)
    {
        busy = true;
        final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
            Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.HOST, hostHeader);
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        channel.writeAndFlush(request, channel.voidPromise());
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg)
    {
        try
        {
            if (msg instanceof HttpResponse response)
            {
                okStatus = response.status().code() == 200;
                playlist.clear();
            }

            if (msg instanceof HttpContent content && okStatus && !fetchingSegment)
            {
                final ByteBuf data = content.content();
                if (playlist.readableBytes() + data.readableBytes() <= MAX_PLAYLIST_BYTES)
                {
                    playlist.writeBytes(data, data.readerIndex(), data.readableBytes());
                }
            }

            if (msg instanceof LastHttpContent)
            {
                onResponseEnd(System.nanoTime());
            }
        }
        finally
        {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseEnd(final long nowNs)
    {
        if (!okStatus)
        {
            if (everOk && !window.isStopping())
            {
                window.hlsHttpErrors.incrementAndGet();
            }
        }
        else if (fetchingSegment)
        {
            segmentsFetched++;
            recordLag(nowNs);
        }
        else
        {
            everOk = true;
            parsePlaylist(playlist.toString(StandardCharsets.US_ASCII));
        }

        if (!pendingPath.isEmpty())
        {
            currentEndMs = pendingSeqEnd.poll()[1];
            fetchingSegment = true;
            send(pendingPath.poll());
            return;
        }

        busy = false;
    }

    private void recordLag(final long nowNs)
    {
        final long startNs = window.publisherStartNs(publisher);
        if (currentEndMs < 0 || startNs == Long.MIN_VALUE)
        {
            return;
        }

        final long intendedNs = startNs + (currentEndMs - frameIntervalMs) * 1_000_000L;
        if (window.contains(intendedNs))
        {
            LoopContext.recordUs(context.hlsLagUs, nowNs - intendedNs);
        }
    }

    private void parsePlaylist(final String text)
    {
        final boolean initial = fetchedSeq < 0;
        long sequence = 0;
        double durationMs = 0;
        String newestPath = null;
        long newestEnd = -1;
        for (final String raw : text.split("\n"))
        {
            final String line = raw.trim();
            if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:"))
            {
                sequence = Long.parseLong(line.substring(22).trim());
            }
            else if (line.startsWith("#EXTINF:"))
            {
                final int comma = line.indexOf(',');
                durationMs = Double.parseDouble(line.substring(8, comma < 0 ? line.length() : comma)) * 1000.0;
            }
            else if (!line.isEmpty() && !line.startsWith("#"))
            {
                final long endMs = place(sequence, durationMs);
                if (sequence > fetchedSeq && !initial)
                {
                    pendingSeqEnd.add(new long[] {sequence, endMs});
                    pendingPath.add(resolve(line));
                }

                newestPath = resolve(line);
                newestEnd = endMs;
                sequence++;
            }
        }

        if (initial && newestPath != null)
        {
            pendingSeqEnd.add(new long[] {sequence - 1, newestEnd});
            pendingPath.add(newestPath);
        }

        if (newestPath != null)
        {
            fetchedSeq = Math.max(fetchedSeq, sequence - 1);
        }
    }

    /**
     * @return the segment's media end time in ms, or -1 when it cannot be placed.
     */
    private long place(final long sequence, final double durationMs)
    {
        if (lastSeq < 0)
        {
            lastSeq = sequence;
            lastEndMs = durationMs;
            return Math.round(lastEndMs);
        }

        if (sequence == lastSeq + 1)
        {
            lastSeq = sequence;
            lastEndMs = Double.isNaN(lastEndMs) ? Double.NaN : lastEndMs + durationMs;
        }
        else if (sequence > lastSeq + 1)
        {
            lastSeq = sequence;
            lastEndMs = Double.NaN;
            window.hlsUnanchored.incrementAndGet();
        }
        else
        {
            return -1;
        }

        return Double.isNaN(lastEndMs) ? -1 : Math.round(lastEndMs);
    }

    private String resolve(final String uri)
    {
        if (uri.startsWith("http://"))
        {
            final int slash = uri.indexOf('/', 7);
            return slash < 0 ? "/" : uri.substring(slash);
        }

        return uri.startsWith("/") ? uri : directory + uri;
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        if (!window.isStopping())
        {
            window.closedEarly.incrementAndGet();
        }

        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        if (!window.isStopping())
        {
            window.protocolErrors.incrementAndGet();
        }

        ctx.close();
    }
}
