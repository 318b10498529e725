package com.cococam.bench.load;

import org.HdrHistogram.Histogram;

import java.util.Locale;

/**
 * Results of one load run: the summary table and the JSON line.
 *
 * <p>Thread safety: filled by one thread at a time (the collector), then read by the main thread.
 */
final class LoadReport
{
    final Histogram deliveryLagUs = new Histogram(LoopContext.MAX_US, 3);
    final Histogram hlsLagUs = new Histogram(LoopContext.MAX_US, 3);
    final Histogram publishSendLagUs = new Histogram(LoopContext.MAX_US, 3);
    final Histogram rtspLagUs = new Histogram(LoopContext.MAX_US, 3);
    long rtspWireBytes;
    long rtspPlayersPlaying;
    long rtspPlayersFullRate;
    long rtspFramesReceived;
    long rtspFramesExpected;
    long rtspUnanchoredFrames;
    long rtspUnmatchedFrames;
    long rtspBadPackets;
    long playerWireBytes;
    long publisherWireBytes;
    long hlsWireBytes;
    long earlyFrames;
    long unmatchedFrames;
    long playersPlaying;
    long playersFullRate;
    long framesReceived;
    long framesExpected;
    long expectedFramesPerStream;
    long hlsSegments;
    long connectFailures;
    long refused;
    long closedEarly;
    long protocolErrors;
    long hlsHttpErrors;
    long hlsUnanchored;
    long publishersBehind;
    boolean epoll;
    double serverCpuCores;
    double serverSystemCores;
    long serverPeakRssKb;
    double toolCpuCores;
    double toolAllocBytesPerS;
    long toolGcCount;
    long toolRssKb;

    private final LoadOptions options;
    private final FlvClip clip;
    private final double seconds;

    LoadReport(final LoadOptions options, final FlvClip clip, final long measuredNs)
    {
        this.options = options;
        this.clip = clip;
        this.seconds = measuredNs / 1e9;
    }

    double mbps(final long bytes)
    {
        return bytes * 8.0 / seconds / 1e6;
    }

    long errors()
    {
        return connectFailures + refused + closedEarly + protocolErrors + hlsHttpErrors + publishersBehind;
    }

    /**
     * @return server CPU milliseconds per megabit moved (RTMP and RTSP delivered + HLS delivered + ingested).
     */
    double serverCpuMsPerMbit()
    {
        final double mbit = mbps(playerWireBytes + rtspWireBytes + hlsWireBytes + publisherWireBytes) * seconds;
        return mbit <= 0 || Double.isNaN(serverCpuCores) ? Double.NaN : serverCpuCores * seconds * 1000.0 / mbit;
    }

    double fullRateShare()
    {
        return options.players == 0 ? Double.NaN : playersFullRate / (double)options.players;
    }

    double rtspFullRateShare()
    {
        return options.rtspPlayers == 0 ? Double.NaN : rtspPlayersFullRate / (double)options.rtspPlayers;
    }

    String table()
    {
        final StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "== %s  server=%s scenario=%s (%s, %d loop threads)%n", options.label,
            options.server, options.scenario, epoll ? "epoll" : "nio", options.threads));
        out.append(String.format(Locale.ROOT,
            "  publishers %d, players %d (%d playing), HLS fetchers %d; clip %.2f Mbit/s, window %.1f s%n",
            options.publishers, options.players, playersPlaying, options.fetchers, clip.bitrateBps() / 1e6,
            seconds));
        out.append(String.format(Locale.ROOT,
            "  delivered RTMP %.1f Mbit/s, HLS %.1f Mbit/s (%d segments), ingested %.1f Mbit/s%n",
            mbps(playerWireBytes), mbps(hlsWireBytes), hlsSegments, mbps(publisherWireBytes)));
        out.append("  video delivery lag p50 / p99 / p99.9 / max: ").append(LoadMain.quantiles(deliveryLagUs))
            .append('\n');
        if (options.rtspPlayers > 0)
        {
            out.append(String.format(Locale.ROOT,
                "  RTSP players %d (%d playing): delivered %.1f Mbit/s; at full rate %d of %d (%.1f%%);"
                    + " frames %d of %d expected%n",
                options.rtspPlayers, rtspPlayersPlaying, mbps(rtspWireBytes), rtspPlayersFullRate,
                options.rtspPlayers, 100.0 * rtspFullRateShare(), rtspFramesReceived, rtspFramesExpected));
            out.append("  RTSP video delivery lag p50 / p99 / p99.9 / max: ").append(LoadMain.quantiles(rtspLagUs))
                .append('\n');
            out.append(String.format(Locale.ROOT,
                "  RTSP unanchored frames %d, unmatched frames %d, packets refused by the depacketizers %d%n",
                rtspUnanchoredFrames, rtspUnmatchedFrames, rtspBadPackets));
        }

        out.append("  HLS segment availability lag:               ").append(LoadMain.quantiles(hlsLagUs))
            .append('\n');
        out.append("  publisher send lag (tool side):             ").append(LoadMain.quantiles(publishSendLagUs))
            .append('\n');
        out.append(String.format(Locale.ROOT,
            "  players at full rate (>=95%% frames and bytes): %d of %d (%.1f%%); frames %d of %d expected%n",
            playersFullRate, options.players, 100.0 * fullRateShare(), framesReceived, framesExpected));
        out.append(String.format(Locale.ROOT,
            "  errors %d: connect %d, refused %d, closed %d, protocol %d, HLS HTTP %d, publishers behind %d;"
                + " HLS unanchored %d, early frames %d, unmatched frames %d%n",
            errors(), connectFailures, refused, closedEarly, protocolErrors, hlsHttpErrors, publishersBehind,
            hlsUnanchored, earlyFrames, unmatchedFrames));
        out.append(String.format(Locale.ROOT,
            "  server CPU %.1f%% of one core (%.1f%% in the kernel), %.3f CPU ms per Mbit, peak RSS %.1f MB%n",
            100 * serverCpuCores, 100 * serverSystemCores, serverCpuMsPerMbit(), serverPeakRssKb / 1024.0));
        out.append(String.format(Locale.ROOT,
            "  tool CPU %.1f%% of one core, allocation %.2f MB/s, %d GCs, peak RSS %.1f MB%n",
            100 * toolCpuCores, toolAllocBytesPerS / 1e6, toolGcCount, toolRssKb / 1024.0));
        return out.toString();
    }

    String json()
    {
        final StringBuilder out = new StringBuilder(1024);
        out.append('{');
        field(out, "label", options.label).append(',');
        field(out, "server", options.server).append(',');
        field(out, "scenario", options.scenario).append(',');
        out.append("\"publishers\":").append(options.publishers).append(',');
        out.append("\"players\":").append(options.players).append(',');
        out.append("\"playersPlaying\":").append(playersPlaying).append(',');
        out.append("\"hlsFetchers\":").append(options.fetchers).append(',');
        out.append("\"rtspPlayers\":").append(options.rtspPlayers).append(',');
        out.append("\"rtspPlayersPlaying\":").append(rtspPlayersPlaying).append(',');
        number(out, "rtspDeliveredMbps", mbps(rtspWireBytes)).append(',');
        histogram(out, "rtspLagMs", rtspLagUs).append(',');
        out.append("\"rtspPlayersFullRate\":").append(rtspPlayersFullRate).append(',');
        number(out, "rtspFullRateShare", rtspFullRateShare()).append(',');
        out.append("\"rtspFramesReceived\":").append(rtspFramesReceived).append(',');
        out.append("\"rtspFramesExpected\":").append(rtspFramesExpected).append(',');
        out.append("\"rtspUnanchoredFrames\":").append(rtspUnanchoredFrames).append(',');
        out.append("\"rtspUnmatchedFrames\":").append(rtspUnmatchedFrames).append(',');
        out.append("\"rtspBadPackets\":").append(rtspBadPackets).append(',');
        number(out, "windowS", seconds).append(',');
        number(out, "clipMbps", clip.bitrateBps() / 1e6).append(',');
        number(out, "deliveredMbps", mbps(playerWireBytes)).append(',');
        number(out, "hlsMbps", mbps(hlsWireBytes)).append(',');
        number(out, "ingestMbps", mbps(publisherWireBytes)).append(',');
        out.append("\"hlsSegments\":").append(hlsSegments).append(',');
        histogram(out, "lagMs", deliveryLagUs).append(',');
        histogram(out, "hlsLagMs", hlsLagUs).append(',');
        histogram(out, "publishSendLagMs", publishSendLagUs).append(',');
        out.append("\"playersFullRate\":").append(playersFullRate).append(',');
        number(out, "fullRateShare", fullRateShare()).append(',');
        out.append("\"framesReceived\":").append(framesReceived).append(',');
        out.append("\"framesExpected\":").append(framesExpected).append(',');
        out.append("\"errors\":").append(errors()).append(',');
        out.append("\"errorDetail\":{\"connect\":").append(connectFailures).append(",\"refused\":").append(refused)
            .append(",\"closed\":").append(closedEarly).append(",\"protocol\":").append(protocolErrors)
            .append(",\"hlsHttp\":").append(hlsHttpErrors).append(",\"publishersBehind\":").append(publishersBehind)
            .append(",\"hlsUnanchored\":").append(hlsUnanchored).append(",\"earlyFrames\":").append(earlyFrames)
            .append(",\"unmatchedFrames\":").append(unmatchedFrames)
            .append("},");
        number(out, "serverCpuPct", 100 * serverCpuCores).append(',');
        number(out, "serverSysCpuPct", 100 * serverSystemCores).append(',');
        number(out, "serverCpuMsPerMbit", serverCpuMsPerMbit()).append(',');
        number(out, "serverPeakRssMb", serverPeakRssKb / 1024.0).append(',');
        number(out, "toolCpuPct", 100 * toolCpuCores).append(',');
        number(out, "toolAllocMBps", toolAllocBytesPerS / 1e6).append(',');
        out.append("\"toolGcCount\":").append(toolGcCount).append(',');
        number(out, "toolRssMb", toolRssKb / 1024.0).append(',');
        out.append("\"threads\":").append(options.threads).append(',');
        out.append("\"epoll\":").append(epoll);
        out.append('}');
        return out.toString();
    }

    private static StringBuilder field(final StringBuilder out, final String key, final String value)
    {
        out.append('"').append(key).append("\":\"");
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                out.append('\\').append(c);
            }
            else if (c >= 0x20)
            {
                out.append(c);
            }
        }

        return out.append('"');
    }

    private static StringBuilder number(final StringBuilder out, final String key, final double value)
    {
        out.append('"').append(key).append("\":");
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return out.append("null");
        }

        return out.append(String.format(Locale.ROOT, "%.4f", value));
    }

    private static StringBuilder histogram(final StringBuilder out, final String key, final Histogram histogram)
    {
        out.append('"').append(key).append("\":");
        if (histogram.getTotalCount() == 0)
        {
            return out.append("null");
        }

        out.append("{\"p50\":").append(ms(histogram.getValueAtPercentile(50)))
            .append(",\"p99\":").append(ms(histogram.getValueAtPercentile(99)))
            .append(",\"p999\":").append(ms(histogram.getValueAtPercentile(99.9)))
            .append(",\"max\":").append(ms(histogram.getMaxValue()))
            .append(",\"count\":").append(histogram.getTotalCount()).append('}');
        return out;
    }

    private static String ms(final long us)
    {
        return String.format(Locale.ROOT, "%.3f", us / 1000.0);
    }
}
