package com.cococam.server.pull;

import com.cococam.protocols.rtsp.Transport;
import com.cococam.protocols.rtsp.client.RtpMediaAssembler;
import com.cococam.protocols.rtsp.client.RtspClient;
import com.cococam.protocols.rtsp.client.RtspClientError;
import com.cococam.protocols.rtsp.client.RtspClientListener;
import com.cococam.protocols.rtsp.client.RtspTrack;
import com.cococam.protocols.rtsp.client.RtspUrl;
import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.RtspTransport;
import com.cococam.server.http.Json;
import com.cococam.server.stream.PublishRefusedException;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.stream.StreamHub;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Pulls one camera's {@code source} over RTSP and publishes it on the camera's path, reconnecting for ever
 * with {@link Backoff} until {@link #stop()}.
 *
 * <p>Transport: {@code tcp} and {@code udp} are used as configured; {@code auto} starts with UDP and falls
 * back to TCP (for the rest of the puller's life) when SETUP is answered 461 or no packet arrives within
 * {@value #UDP_PROBE_MS} ms of PLAY; the fallback is immediate, not a backoff, and its reason stays in the
 * status ({@code udpFallback}).
 *
 * <p>Status: besides state and errors, per-track counters of the running session (packets, units, dropped
 * units, lost packets), refreshed every {@value #STATS_PERIOD_MS} ms on the loop, and whether the audio was
 * aligned to the video by RTCP sender reports. Lifetime counters (lost packets, bad RTP packets, interleaved
 * resyncs, units) add the finished sessions to the running one's last refresh.
 *
 * <p>End of a session: the video frames still held in the assembler's reorder window are delivered before the
 * publish session closes, so a camera that stops (or is stopped) loses no complete frame.
 *
 * <p>Thread safety: everything runs on one event loop; the status getters and {@link #json()} may be read
 * from any thread (volatile fields, a snapshot that may mix two instants). Credentials never appear in logs or
 * in the status: {@link RtspUrl#toString()} and {@link RtspUrl#mask} hide them.
 */
public final class CameraPuller
{
    /** How long UDP may stay silent after PLAY before {@code auto} falls back to TCP. */
    public static final long UDP_PROBE_MS = 3_000;
    /** Period of the status refresh (per-track counters of the running session). */
    public static final long STATS_PERIOD_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(CameraPuller.class);

    private final CameraConfig camera;
    private final StreamHub hub;
    private final EventLoop loop;
    private final Class<? extends SocketChannel> socketClass;
    private final Class<? extends DatagramChannel> datagramClass;
    private final RetrySchedule retries;
    private final long noMediaTimeoutMs;
    private final RtspUrl url;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private RtspClient client;
    private RtpMediaAssembler assembler;
    private PublishSession session;
    private boolean fellBackToTcp;
    private boolean stopRequested;
    /** Whether a session delivered media: only after one does coming online again count as a reconnect. */
    private boolean everStreamed;
    private long sessionPackets;
    private List<RtspTrack> sessionTracks = List.of();
    private ScheduledFuture<?> statsTimer;

    private volatile PullState state = PullState.CONNECTING;
    private volatile String lastError;
    private volatile long sinceMs = System.currentTimeMillis();
    private volatile long lastErrorAtMs;
    private volatile long reconnects;
    private volatile long attempts;
    private volatile String transportInUse;
    private volatile long packets;
    private volatile long lostPackets;
    private volatile long droppedUnits;
    private volatile long emittedUnits;
    private volatile long resyncs;
    private volatile long badRtpPackets;
    private volatile long sessionResyncs;
    private volatile long sessionBadRtpPackets;
    private volatile boolean bFrames;
    private volatile long nextAttemptAtMs;
    private volatile String tracksJson = "[]";
    private volatile String udpFallback;
    private volatile boolean audioSynced;
    private volatile long syncShiftMs;
    private volatile long sessionLostPackets;
    private volatile long sessionDroppedUnits;
    private volatile long sessionEmittedUnits;
    private final int udpPortMin;
    private final int udpPortMax;

    /**
     * @param camera           the camera; {@code source()} must be present.
     * @param hub              the stream hub.
     * @param loop             the event loop this puller and its channels use.
     * @param socketClass      TCP channel class of the loop's transport.
     * @param datagramClass    UDP channel class of the loop's transport.
     * @param backoff          reconnect delays.
     * @param noMediaTimeoutMs silence after which a playing session is considered dead.
     */
    public CameraPuller(
        final CameraConfig camera,
        final StreamHub hub,
        final EventLoop loop,
        final Class<? extends SocketChannel> socketClass,
        final Class<? extends DatagramChannel> datagramClass,
        final Backoff backoff,
        final long noMediaTimeoutMs)
    {
        this(camera, hub, loop, socketClass, datagramClass, backoff, noMediaTimeoutMs, 0, 0);
    }

    /**
     * @param camera           the camera; {@code source()} must be present.
     * @param hub              the stream hub.
     * @param loop             the event loop this puller and its channels use.
     * @param socketClass      TCP channel class of the loop's transport.
     * @param datagramClass    UDP channel class of the loop's transport.
     * @param backoff          reconnect delays.
     * @param noMediaTimeoutMs silence after which a playing session is considered dead.
     * @param udpPortMin       lowest local UDP port (even) for RTP/RTCP over UDP, 0 for system-picked ports
     *                         ({@code rtsp.udpPortMin}).
     * @param udpPortMax       highest one (odd), 0 for system-picked ports ({@code rtsp.udpPortMax}).
     */
    public CameraPuller(
        final CameraConfig camera,
        final StreamHub hub,
        final EventLoop loop,
        final Class<? extends SocketChannel> socketClass,
        final Class<? extends DatagramChannel> datagramClass,
        final Backoff backoff,
        final long noMediaTimeoutMs,
        final int udpPortMin,
        final int udpPortMax)
    {
        this.udpPortMin = udpPortMin;
        this.udpPortMax = udpPortMax;
        this.camera = camera;
        this.hub = hub;
        this.loop = loop;
        this.socketClass = socketClass;
        this.datagramClass = datagramClass;
        this.retries = new RetrySchedule(backoff, () -> ThreadLocalRandom.current().nextDouble(),
            System::currentTimeMillis);
        this.noMediaTimeoutMs = noMediaTimeoutMs;
        RtspUrl parsed = null;
        try
        {
            parsed = RtspUrl.parse(camera.source().orElseThrow());
        }
        catch (final RuntimeException ex)
        {
            lastError = "bad source URL: " + RtspUrl.mask(ex.getMessage());
            state = PullState.OFFLINE;
        }

        this.url = parsed;
    }

    /**
     * Starts pulling; returns at once.
     */
    public void start()
    {
        if (url == null)
        {
            LOG.warn("[camera {}] not pulled: {}", camera.name(), lastError);
            stopped.countDown();
            return;
        }

        loop.execute(this::connect);
    }

    /**
     * Stops pulling: TEARDOWN, close, end of the publish session. Returns at once; see {@link #awaitStopped}.
     */
    public void stop()
    {
        loop.execute(() ->
        {
            stopRequested = true;
            if (client != null)
            {
                client.stop();
            }
            else
            {
                state = PullState.OFFLINE;
                stopped.countDown();
            }
        });
    }

    /**
     * @param timeoutMs how long to wait.
     * @return whether the puller stopped in time.
     * @throws InterruptedException if interrupted.
     */
    public boolean awaitStopped(final long timeoutMs) throws InterruptedException
    {
        return stopped.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    private Transport.LowerTransport transportToTry()
    {
        if (camera.transport() == RtspTransport.TCP || fellBackToTcp)
        {
            return Transport.LowerTransport.TCP;
        }

        return Transport.LowerTransport.UDP;
    }

    private void connect()
    {
        if (stopRequested)
        {
            state = PullState.OFFLINE;
            stopped.countDown();
            return;
        }

        final Transport.LowerTransport transport = transportToTry();
        final boolean probing = camera.transport() == RtspTransport.AUTO && transport == Transport.LowerTransport.UDP;
        final RtspClient.Options defaults = RtspClient.Options.defaults(transport);
        final RtspClient.Options options = new RtspClient.Options(transport, defaults.connectTimeoutMs(),
            defaults.requestTimeoutMs(), probing ? Math.min(UDP_PROBE_MS, noMediaTimeoutMs) : noMediaTimeoutMs,
            defaults.receiverReportIntervalMs(), "cococam", udpPortMin, udpPortMax);
        attempts++;
        sessionPackets = 0;
        client = new RtspClient(loop, socketClass, datagramClass, url, options, new Listener());
        client.start();
    }

    private void onPlaying(final List<RtspTrack> tracks, final Transport.LowerTransport transport)
    {
        try
        {
            session = hub.startPublish(camera.path(), "rtsp " + url, () -> loop.execute(() ->
            {
                if (client != null)
                {
                    client.stop();
                }
            }));
        }
        catch (final PublishRefusedException ex)
        {
            lastError = "publish refused: " + ex.getMessage();
            client.stop();
            return;
        }

        assembler = new RtpMediaAssembler(PooledByteBufAllocator.DEFAULT, session);
        assembler.configure(tracks);
        sessionTracks = List.copyOf(tracks);
        refreshStats();
        statsTimer = loop.scheduleAtFixedRate(this::refreshStats, STATS_PERIOD_MS, STATS_PERIOD_MS,
            TimeUnit.MILLISECONDS);
        transportInUse = transport == Transport.LowerTransport.TCP ? "tcp" : "udp";
        if (everStreamed)
        {
            reconnects++;
        }

        state = PullState.ONLINE;
        sinceMs = System.currentTimeMillis();
        LOG.info("[camera {}] online: {} over {} ({} tracks: {})", camera.name(), url, transportInUse, tracks.size(),
            tracks);
    }

    private void onClosed(final RtspClientError error, final String detail)
    {
        if (statsTimer != null)
        {
            statsTimer.cancel(false);
            statsTimer = null;
        }

        if (assembler != null)
        {
            assembler.flush();
            refreshStats();
            // Folded under the lock the counters' readers take, so a scrape never sees a session's counts in
            // neither place (a dip, which Prometheus would read as a counter reset) or in both.
            synchronized (this)
            {
                sessionLostPackets = 0;
                sessionDroppedUnits = 0;
                sessionEmittedUnits = 0;
                sessionBadRtpPackets = 0;
                lostPackets += assembler.lostPackets();
                droppedUnits += assembler.droppedUnits();
                emittedUnits += assembler.emittedUnits();
                badRtpPackets += assembler.badPackets() + client.strayDatagrams();
            }

            bFrames |= assembler.reordering();
            assembler.close();
            assembler = null;
        }

        synchronized (this)
        {
            sessionResyncs = 0;
            resyncs += client.resyncs();
        }
        if (session != null)
        {
            session.onClose();
            session = null;
        }

        client = null;
        transportInUse = null;
        // A UDP probe that never got a packet was not streaming: the TCP session after the fallback is no reconnect.
        everStreamed |= sessionPackets > 0;
        if (stopRequested || error == RtspClientError.STOPPED && stopRequested)
        {
            state = PullState.OFFLINE;
            sinceMs = System.currentTimeMillis();
            LOG.info("[camera {}] pull stopped", camera.name());
            stopped.countDown();
            return;
        }

        lastError = error.name().toLowerCase(java.util.Locale.ROOT) + ": " + detail;
        lastErrorAtMs = System.currentTimeMillis();
        final boolean wasOnline = state == PullState.ONLINE;
        if (wasOnline || state != PullState.RETRYING)
        {
            sinceMs = lastErrorAtMs;
        }

        final boolean silentUdp = error == RtspClientError.NO_MEDIA && sessionPackets == 0;
        if (camera.transport() == RtspTransport.AUTO && !fellBackToTcp &&
            (error == RtspClientError.UNSUPPORTED_TRANSPORT || silentUdp))
        {
            fellBackToTcp = true;
            udpFallback = lastError;
            state = PullState.CONNECTING;
            LOG.info("[camera {}] UDP did not work ({}): falling back to TCP", camera.name(), lastError);
            loop.execute(this::connect);
            return;
        }

        if (sessionPackets > 0)
        {
            retries.onSuccess();
        }

        final long delayMs = retries.nextDelayMs();
        nextAttemptAtMs = retries.nextAttemptAtMs();
        state = PullState.RETRYING;
        LOG.warn("[camera {}] {}; retrying in {} ms", camera.name(), lastError, delayMs);
        loop.schedule(this::connect, delayMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Copies the running session's counters into the status fields (on the loop, every
     * {@value #STATS_PERIOD_MS} ms and at the end of a session; allocates one small string).
     */
    private void refreshStats()
    {
        final RtpMediaAssembler current = assembler;
        if (current == null)
        {
            return;
        }

        final StringBuilder out = new StringBuilder(96 * sessionTracks.size() + 2).append('[');
        for (final RtspTrack track : sessionTracks)
        {
            final long[] counters = current.trackCounters(track);
            if (out.length() > 1)
            {
                out.append(',');
            }

            out.append("{\"type\":").append(Json.quote(track.type()))
                .append(",\"codec\":").append(Json.quote(track.encodingName()))
                .append(",\"packets\":").append(counters[0])
                .append(",\"units\":").append(counters[1])
                .append(",\"droppedUnits\":").append(counters[2])
                .append(",\"lostPackets\":").append(counters[3])
                .append('}');
        }

        tracksJson = out.append(']').toString();
        sessionResyncs = client == null ? 0 : client.resyncs();
        sessionBadRtpPackets = current.badPackets() + (client == null ? 0 : client.strayDatagrams());
        sessionLostPackets = current.lostPackets();
        sessionDroppedUnits = current.droppedUnits();
        sessionEmittedUnits = current.emittedUnits();
        bFrames |= current.reordering();
        audioSynced = current.synced();
        syncShiftMs = current.syncShift90k() / 90;
    }

    /**
     * @return the camera.
     */
    public CameraConfig camera()
    {
        return camera;
    }

    /**
     * @return the current state.
     */
    public PullState state()
    {
        return state;
    }

    /**
     * @return times the camera came back online after a session that had delivered media (a silent UDP session
     *         followed by the fallback to TCP does not count).
     */
    public long reconnects()
    {
        return reconnects;
    }

    /**
     * @return the last error (masked), or null.
     */
    public String lastError()
    {
        return lastError;
    }

    /**
     * @return the transport of the current session ({@code udp}/{@code tcp}), or null when not online.
     */
    public String transportInUse()
    {
        return transportInUse;
    }

    /**
     * @return RTP packets received over the puller's life.
     */
    public long packets()
    {
        return packets;
    }

    /**
     * @return RTP packets lost over finished sessions plus the current one (approximate while running).
     */
    public synchronized long lostPackets()
    {
        return lostPackets + sessionLostPackets;
    }

    /**
     * @return times the interleaved TCP stream lost its framing and was resynchronised, over finished sessions plus
     *         the running one (as of its last refresh).
     */
    public synchronized long resyncs()
    {
        return resyncs + sessionResyncs;
    }

    /**
     * @return RTP packets the assembler refused (not RTP version 2, truncated, or of a payload type the track does
     *         not use) and UDP datagrams from an address other than the camera's, over finished sessions plus the
     *         running one (as of its last refresh).
     */
    public synchronized long badRtpPackets()
    {
        return badRtpPackets + sessionBadRtpPackets;
    }

    /**
     * @return wall-clock time of the last error in ms since the epoch, 0 when there was none.
     */
    public long lastErrorAtMs()
    {
        return lastErrorAtMs;
    }

    /**
     * @return the status as a JSON object (no credentials).
     */
    public synchronized String json()
    {
        final String error = lastError;
        final String transport = transportInUse;
        return "{\"state\":" + Json.quote(state.jsonName()) +
            ",\"source\":" + (url == null ? "null" : Json.quote(url.toString())) +
            ",\"configuredTransport\":" + Json.quote(camera.transport().configName()) +
            ",\"transport\":" + (transport == null ? "null" : Json.quote(transport)) +
            ",\"udpFallback\":" + (udpFallback == null ? "null" : Json.quote(udpFallback)) +
            ",\"since\":" + Json.quote(Instant.ofEpochMilli(sinceMs).toString()) +
            ",\"lastError\":" + (error == null ? "null" : Json.quote(error)) +
            ",\"lastErrorAt\":" + (lastErrorAtMs == 0 ? "null" : Json.quote(Instant.ofEpochMilli(lastErrorAtMs)
                .toString())) +
            ",\"nextAttemptAt\":" + (state == PullState.RETRYING ? Json.quote(Instant.ofEpochMilli(nextAttemptAtMs)
                .toString()) : "null") +
            ",\"reconnects\":" + reconnects +
            ",\"attempts\":" + attempts +
            ",\"packets\":" + packets +
            ",\"lostPackets\":" + (lostPackets + sessionLostPackets) +
            ",\"droppedUnits\":" + (droppedUnits + sessionDroppedUnits) +
            ",\"units\":" + (emittedUnits + sessionEmittedUnits) +
            ",\"resyncs\":" + resyncs() +
            ",\"badRtpPackets\":" + badRtpPackets() +
            ",\"bFrames\":" + bFrames +
            ",\"audioSynced\":" + audioSynced +
            ",\"audioSyncShiftMs\":" + syncShiftMs +
            ",\"tracks\":" + tracksJson +
            "}";
    }

    /**
     * The client's listener: runs on the loop.
     */
    private final class Listener implements RtspClientListener
    {
        @Override
        public void onPlaying(final List<RtspTrack> tracks, final Transport.LowerTransport transport)
        {
            CameraPuller.this.onPlaying(tracks, transport);
        }

        @Override
        public void onRtp(final RtspTrack track, final ByteBuf packet)
        {
            sessionPackets++;
            packets++;
            if (assembler != null)
            {
                assembler.onRtp(track, packet);
            }
        }

        @Override
        public void onSenderReport(final RtspTrack track, final long ntpTimestamp, final long rtpTimestamp)
        {
            if (assembler != null)
            {
                assembler.onSenderReport(track, ntpTimestamp, rtpTimestamp);
            }
        }

        @Override
        public void onClosed(final RtspClientError error, final String detail)
        {
            CameraPuller.this.onClosed(error, detail);
        }
    }
}
