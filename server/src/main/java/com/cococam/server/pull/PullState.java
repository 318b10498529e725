package com.cococam.server.pull;

import java.util.Locale;

/**
 * Where a pulled camera stands.
 */
public enum PullState
{
    /** Connecting or negotiating (first attempt, or right after a transport fallback). */
    CONNECTING,
    /** PLAY accepted: the camera is publishing on its path. */
    ONLINE,
    /** The last attempt failed or the camera went away; the next attempt is scheduled. */
    RETRYING,
    /** Not pulling: stopped, or the source URL is unusable. */
    OFFLINE;

    /**
     * @return the lower-case name used in JSON.
     */
    public String jsonName()
    {
        return name().toLowerCase(Locale.ROOT);
    }
}
