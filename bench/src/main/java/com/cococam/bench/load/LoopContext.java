package com.cococam.bench.load;

import io.netty.channel.EventLoop;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the connections of one event loop share: their histograms and window counters (written only on that
 * loop, so no synchronisation), and a 1 ms tick that paces the loop's publishers and HLS fetchers.
 *
 * <p>Thread safety: everything but the constructor and {@link #startTick} runs on {@link #loop}; the collector
 * reads the fields from a task it submits to the loop.
 */
final class LoopContext
{
    /** Highest value the microsecond histograms track: 120 s. */
    static final long MAX_US = 120_000_000L;

    final EventLoop loop;
    final LoadWindow window;
    final Histogram deliveryLagUs = new Histogram(MAX_US, 3);
    final Histogram hlsLagUs = new Histogram(MAX_US, 3);
    final Histogram publishSendLagUs = new Histogram(MAX_US, 3);
    final Histogram rtspLagUs = new Histogram(MAX_US, 3);
    final List<Publisher> publishers = new ArrayList<>();
    final List<RtspPublisher> rtspPublishers = new ArrayList<>();
    final List<HlsFetcher> fetchers = new ArrayList<>();
    final List<Player> players = new ArrayList<>();
    final List<RtspPlayer> rtspPlayers = new ArrayList<>();
    long playerWireBytes;
    long publisherWireBytes;
    long hlsWireBytes;
    long rtspWireBytes;
    long rtspUnanchoredFrames;
    long rtspUnmatchedFrames;
    long rtspBadPackets;
    long earlyFrames;
    long unmatchedFrames;

    LoopContext(final EventLoop loop, final LoadWindow window)
    {
        this.loop = loop;
        this.window = window;
    }

    void startTick()
    {
        loop.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.MILLISECONDS);
    }

    private void tick()
    {
        final long nowNs = System.nanoTime();
        for (int i = 0, n = publishers.size(); i < n; i++)
        {
            publishers.get(i).pump(nowNs);
        }

        for (int i = 0, n = rtspPublishers.size(); i < n; i++)
        {
            rtspPublishers.get(i).pump(nowNs);
        }

        for (int i = 0, n = fetchers.size(); i < n; i++)
        {
            fetchers.get(i).poll(nowNs);
        }
    }

    static void recordUs(final Histogram histogram, final long valueNs)
    {
        histogram.recordValue(Math.min(MAX_US, Math.max(0, valueNs / 1000)));
    }
}
