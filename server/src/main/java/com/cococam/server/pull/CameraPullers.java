package com.cococam.server.pull;

import com.cococam.server.NettyTransport;
import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.ServerConfig;
import com.cococam.server.metrics.PrometheusText;
import com.cococam.server.stream.StreamHub;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One {@link CameraPuller} per configured camera that has a {@code source}: started and stopped with the
 * server.
 *
 * <p>Thread safety: {@link #start()} and {@link #close()} from the server's lifecycle thread; the lookups and
 * {@link #metricsText()} from any thread.
 */
public final class CameraPullers implements AutoCloseable
{
    /** Silence after PLAY that ends a session (the camera is then retried). */
    public static final long NO_MEDIA_TIMEOUT_MS = 5_000;

    private static final long STOP_WAIT_MS = 3_000;

    private final Map<String, CameraPuller> pullers = new LinkedHashMap<>();

    /**
     * @param config     the configuration.
     * @param hub        the stream hub.
     * @param eventLoops the server's I/O event loops (of {@link NettyTransport}'s transport).
     * @param backoff    reconnect delays.
     */
    public CameraPullers(
        final ServerConfig config,
        final StreamHub hub,
        final EventLoopGroup eventLoops,
        final Backoff backoff)
    {
        final Class<? extends SocketChannel> socketClass = NettyTransport.socketChannel();
        final Class<? extends DatagramChannel> datagramClass = NettyTransport.datagramChannel();
        for (final CameraConfig camera : config.cameras().values())
        {
            if (camera.source().isPresent())
            {
                pullers.put(camera.name(), new CameraPuller(camera, hub, eventLoops.next(), socketClass,
                    datagramClass, backoff, NO_MEDIA_TIMEOUT_MS, config.rtsp().udpPortMin(),
                    config.rtsp().udpPortMax()));
            }
        }
    }

    /**
     * Starts every puller.
     *
     * @return this.
     */
    public CameraPullers start()
    {
        for (final CameraPuller puller : pullers.values())
        {
            puller.start();
        }

        return this;
    }

    /**
     * @param name a camera name.
     * @return its puller, or null when the camera is not pulled.
     */
    public CameraPuller find(final String name)
    {
        return pullers.get(name);
    }

    /**
     * @return every puller.
     */
    public Collection<CameraPuller> all()
    {
        return pullers.values();
    }

    /**
     * Prometheus text for the pulled cameras: {@code cococam_camera_up} (0/1), {@code cococam_camera_state} (one
     * sample per {@link PullState}, 1 for the current one), {@code cococam_camera_last_error_timestamp_seconds}
     * (0 before any error), and the counters of reconnects, RTP packets, lost packets, bad RTP packets and
     * interleaved resyncs. Cold path (a scrape): allocates the text.
     *
     * @return the text, empty when no camera is pulled.
     */
    public String metricsText()
    {
        if (pullers.isEmpty())
        {
            return "";
        }

        final StringBuilder out = new StringBuilder(256 + 256 * pullers.size());
        PrometheusText.header(out, "cococam_camera_up", "gauge",
            "Whether a pulled camera is streaming (1) or not (0).");
        for (final CameraPuller puller : pullers.values())
        {
            sample(out, "cococam_camera_up", puller, puller.state() == PullState.ONLINE ? 1 : 0);
        }

        PrometheusText.header(out, "cococam_camera_state", "gauge",
            "State of a pulled camera: 1 for the state it is in, 0 for the others.");
        for (final CameraPuller puller : pullers.values())
        {
            final PullState current = puller.state();
            for (final PullState state : PullState.values())
            {
                out.append("cococam_camera_state{camera=\"").append(puller.camera().name()).append("\",state=\"")
                    .append(state.jsonName()).append("\"} ").append(state == current ? 1 : 0).append('\n');
            }
        }

        PrometheusText.header(out, "cococam_camera_last_error_timestamp_seconds", "gauge",
            "Unix time of a pulled camera's last error (0: none yet).");
        for (final CameraPuller puller : pullers.values())
        {
            final long atMs = puller.lastErrorAtMs();
            out.append("cococam_camera_last_error_timestamp_seconds{camera=\"").append(puller.camera().name())
                .append("\"} ").append(atMs / 1_000).append('.')
                .append(String.format(Locale.ROOT, "%03d", atMs % 1_000)).append('\n');
        }

        PrometheusText.header(out, "cococam_camera_reconnects_total", "counter",
            "Times a pulled camera came back online after a session that had delivered media.");
        for (final CameraPuller puller : pullers.values())
        {
            sample(out, "cococam_camera_reconnects_total", puller, puller.reconnects());
        }

        PrometheusText.header(out, "cococam_camera_rtp_packets_total", "counter",
            "RTP packets received from a pulled camera.");
        for (final CameraPuller puller : pullers.values())
        {
            sample(out, "cococam_camera_rtp_packets_total", puller, puller.packets());
        }

        PrometheusText.header(out, "cococam_camera_rtp_lost_total", "counter",
            "RTP packets lost from a pulled camera (the running session counted every second).");
        for (final CameraPuller puller : pullers.values())
        {
            sample(out, "cococam_camera_rtp_lost_total", puller, puller.lostPackets());
        }

        PrometheusText.header(out, "cococam_camera_rtp_bad_packets_total", "counter",
            "RTP packets from a pulled camera that were refused (not RTP, an unexpected payload type, or UDP from"
                + " another address than the camera's).");
        for (final CameraPuller puller : pullers.values())
        {
            sample(out, "cococam_camera_rtp_bad_packets_total", puller, puller.badRtpPackets());
        }

        PrometheusText.header(out, "cococam_camera_interleaved_resyncs_total", "counter",
            "Times a pulled camera's interleaved TCP stream lost its framing and was resynchronised.");
        for (final CameraPuller puller : pullers.values())
        {
            sample(out, "cococam_camera_interleaved_resyncs_total", puller, puller.resyncs());
        }

        return out.toString();
    }

    private static void sample(final StringBuilder out, final String name, final CameraPuller puller,
        final long value)
    {
        out.append(name).append("{camera=\"").append(puller.camera().name()).append("\"} ").append(value)
            .append('\n');
    }

    /**
     * Stops every puller (TEARDOWN) and waits up to {@value #STOP_WAIT_MS} ms in all for them.
     */
    @Override
    public void close()
    {
        for (final CameraPuller puller : pullers.values())
        {
            puller.stop();
        }

        final long deadline = System.currentTimeMillis() + STOP_WAIT_MS;
        for (final CameraPuller puller : pullers.values())
        {
            try
            {
                puller.awaitStopped(Math.max(1, deadline - System.currentTimeMillis()));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
