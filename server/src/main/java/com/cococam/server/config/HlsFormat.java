package com.cococam.server.config;

/**
 * Container used for HLS media segments, as named by the {@code hls.format} key.
 * <p>
 * Thread safety: immutable.
 */
public enum HlsFormat
{
    /**
     * Fragmented MP4 (CMAF style) segments with an initialisation segment; needed for HEVC in most players.
     */
    FMP4("fmp4"),

    /**
     * MPEG-2 transport stream segments; the widest player support for H.264 and AAC.
     */
    MPEGTS("mpegts");

    private final String configName;

    HlsFormat(final String configName)
    {
        this.configName = configName;
    }

    /**
     * The spelling used in the configuration file.
     *
     * @return the lower-case name, for example {@code fmp4}.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * Finds the format with the given configuration spelling.
     *
     * @param name the name as written in the configuration; matched exactly.
     * @return the format, or {@code null} when no format has that name.
     */
    public static HlsFormat fromConfigName(final String name)
    {
        for (final HlsFormat format : values())
        {
            if (format.configName.equals(name))
            {
                return format;
            }
        }

        return null;
    }
}
