package com.cococam.server.config;

/**
 * Transport used to pull a camera's RTSP {@code source}, as named by the {@code cameras.NAME.transport} key.
 * <p>
 * Thread safety: immutable.
 */
public enum RtspTransport
{
    /**
     * Try UDP first and fall back to TCP interleaving when no UDP packets arrive.
     */
    AUTO("auto"),

    /**
     * RTP over UDP only.
     */
    UDP("udp"),

    /**
     * RTP interleaved on the RTSP TCP connection only.
     */
    TCP("tcp");

    private final String configName;

    RtspTransport(final String configName)
    {
        this.configName = configName;
    }

    /**
     * The spelling used in the configuration file.
     *
     * @return the lower-case name, for example {@code auto}.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * Finds the transport with the given configuration spelling.
     *
     * @param name the name as written in the configuration; matched exactly.
     * @return the transport, or {@code null} when none has that name.
     */
    public static RtspTransport fromConfigName(final String name)
    {
        for (final RtspTransport transport : values())
        {
            if (transport.configName.equals(name))
            {
                return transport;
            }
        }

        return null;
    }
}
