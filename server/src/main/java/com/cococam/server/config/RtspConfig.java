package com.cococam.server.config;

import java.util.Objects;

/**
 * Settings of the RTSP listener that cameras and encoders publish to (ANNOUNCE/RECORD) and players play from
 * (DESCRIBE/PLAY).
 * <p>
 * Thread safety: immutable; equal settings compare equal.
 * <p>
 * Note: the constructor checks only structural limits (port 0..65535 so tests can ask for an ephemeral port);
 * {@link ConfigLoader} applies the operator-facing ranges documented on each key.
 *
 * @param host                  address to bind, see {@link #HOST_KEY}.
 * @param port                  TCP port to bind, see {@link #PORT_KEY}.
 * @param sessionTimeoutSeconds session timeout, see {@link #SESSION_TIMEOUT_SECONDS_KEY}.
 * @param udpPortMin            lowest UDP port for RTP/RTCP, see {@link #UDP_PORT_MIN_KEY}; 0 with
 *                              {@code udpPortMax} 0 for ports the system picks.
 * @param udpPortMax            highest UDP port for RTP/RTCP, see {@link #UDP_PORT_MAX_KEY}.
 */
public record RtspConfig(String host, int port, int sessionTimeoutSeconds, int udpPortMin, int udpPortMax)
{
    /**
     * Address the RTSP listener (and its RTP/RTCP UDP socket pair) binds: an IP literal or a host name.
     */
    public static final String HOST_KEY = "rtsp.host";

    /**
     * Default for {@link #HOST_KEY}: every IPv4 interface.
     */
    public static final String HOST_DEFAULT = "0.0.0.0";

    /**
     * TCP port of the RTSP listener, 1..65535.
     */
    public static final String PORT_KEY = "rtsp.port";

    /**
     * Default for {@link #PORT_KEY}: the usual unprivileged RTSP port.
     */
    public static final int PORT_DEFAULT = 8554;

    /**
     * Seconds an RTSP session may go without a request, an interleaved frame or (over UDP) an RTCP packet from its
     * client before it is closed; announced in {@code Session: id;timeout=N}. 1..3600.
     */
    public static final String SESSION_TIMEOUT_SECONDS_KEY = "rtsp.sessionTimeoutSeconds";

    /**
     * Default for {@link #SESSION_TIMEOUT_SECONDS_KEY}: the RFC 2326 default.
     */
    public static final int SESSION_TIMEOUT_SECONDS_DEFAULT = 60;

    /**
     * Lowest UDP port (even) of the range the server's RTP/RTCP port pair and the camera pullers' client port
     * pairs are bound in; 0 (with {@link #UDP_PORT_MAX_KEY} 0) lets the system pick ports. 0 or 1024..65534.
     */
    public static final String UDP_PORT_MIN_KEY = "rtsp.udpPortMin";

    /**
     * Highest UDP port (odd) of that range; 0 or 1025..65535, above {@link #UDP_PORT_MIN_KEY}.
     */
    public static final String UDP_PORT_MAX_KEY = "rtsp.udpPortMax";

    /**
     * Default for both UDP range keys: 0, ports picked by the system.
     */
    public static final int UDP_PORT_DEFAULT = 0;

    /**
     * Checks structural limits.
     *
     * @throws IllegalArgumentException when the port is out of range, the timeout is not positive, or the UDP
     *                                  range is not 0-0 or an even..odd range of at least one pair.
     * @throws NullPointerException     when {@code host} is null.
     */
    public RtspConfig
    {
        Objects.requireNonNull(host, "host");
        Limits.requirePort(PORT_KEY, port);
        if (sessionTimeoutSeconds <= 0)
        {
            throw new IllegalArgumentException(SESSION_TIMEOUT_SECONDS_KEY + " must be positive");
        }

        final String rangeProblem = udpRangeProblem(udpPortMin, udpPortMax);
        if (rangeProblem != null)
        {
            throw new IllegalArgumentException(rangeProblem);
        }
    }

    /**
     * @param min {@link #UDP_PORT_MIN_KEY}.
     * @param max {@link #UDP_PORT_MAX_KEY}.
     * @return why the pair of values is not a usable range, or null when it is (0-0 included).
     */
    public static String udpRangeProblem(final int min, final int max)
    {
        if (min == 0 && max == 0)
        {
            return null;
        }

        if (min <= 0 || max <= 0)
        {
            return UDP_PORT_MIN_KEY + " and " + UDP_PORT_MAX_KEY + " must both be 0 (system-picked ports) or both set";
        }

        if ((min & 1) != 0 || (max & 1) == 0 || max <= min || max > 65535)
        {
            return UDP_PORT_MIN_KEY + " must be even and " + UDP_PORT_MAX_KEY + " odd and above it (RTP even, " +
                "RTCP the next port), got " + min + ".." + max;
        }

        return null;
    }

    /**
     * @return whether a UDP port range is set (else the system picks ports).
     */
    public boolean hasUdpPortRange()
    {
        return udpPortMin > 0;
    }

    /**
     * The settings with every key at its default.
     *
     * @return a new instance.
     */
    public static RtspConfig defaults()
    {
        return new RtspConfig(HOST_DEFAULT, PORT_DEFAULT, SESSION_TIMEOUT_SECONDS_DEFAULT, UDP_PORT_DEFAULT,
            UDP_PORT_DEFAULT);
    }
}
