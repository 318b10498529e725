package com.cococam.server.hls;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The HLS packager of each live path, for the HTTP side to find.
 *
 * <p>Thread safety: concurrent map.
 */
public final class HlsRegistry
{
    private final ConcurrentMap<String, HlsPackager> packagers = new ConcurrentHashMap<>();

    /**
     * @param path     the stream path.
     * @param packager its packager.
     */
    public void register(final String path, final HlsPackager packager)
    {
        packagers.put(path, packager);
    }

    /**
     * @param path the stream path.
     * @return its packager or null.
     */
    public HlsPackager find(final String path)
    {
        return packagers.get(path);
    }

    /**
     * @param path the stream path.
     */
    public void remove(final String path)
    {
        packagers.remove(path);
    }
}
