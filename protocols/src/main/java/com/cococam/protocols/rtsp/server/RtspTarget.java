package com.cococam.protocols.rtsp.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stream a request names: the path of its URL without the leading slash and without a trailing
 * {@code /trackID=N}-style control, and its query parameters.
 *
 * <p>{@code rtsp://host:8554/live/cam1?key=abc} gives path {@code live/cam1} and query {@code {key=abc}}.
 *
 * <p>Thread safety: immutable.
 *
 * @param path  path without leading or trailing slashes; may be empty.
 * @param query decoded query parameters in order; unmodifiable.
 */
public record RtspTarget(String path, Map<String, String> query)
{
    /**
     * Copies the query map.
     */
    public RtspTarget
    {
        query = Map.copyOf(query);
    }

    /**
     * Parses a request URL. Lenient: an absolute {@code rtsp://} URL or a bare path, a missing or bad query.
     *
     * @param uri the request URI.
     * @return the target; never null.
     */
    public static RtspTarget parse(final String uri)
    {
        String rest = uri;
        final int scheme = rest.indexOf("://");
        if (scheme >= 0)
        {
            final int slash = rest.indexOf('/', scheme + 3);
            rest = slash < 0 ? "" : rest.substring(slash);
        }

        String queryText = "";
        final int q = rest.indexOf('?');
        if (q >= 0)
        {
            queryText = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }

        int start = 0;
        int end = rest.length();
        while (start < end && rest.charAt(start) == '/')
        {
            start++;
        }

        while (end > start && rest.charAt(end - 1) == '/')
        {
            end--;
        }

        final Map<String, String> query = new LinkedHashMap<>();
        for (final String pair : queryText.split("&"))
        {
            if (pair.isEmpty())
            {
                continue;
            }

            final int eq = pair.indexOf('=');
            final String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            final String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (name != null && value != null && !name.isEmpty())
            {
                // A control such as "trackID=1" appended after the query lands in the last value: cut it off.
                final int slash = value.indexOf('/');
                query.putIfAbsent(name, slash < 0 ? value : value.substring(0, slash));
            }
        }

        return new RtspTarget(rest.substring(start, end), query);
    }

    /**
     * @param segments how many leading path segments make the stream name (2 for {@code live/cam1}).
     * @return the first {@code segments} segments of the path joined by {@code /}, or the whole path if shorter.
     */
    public String streamPath(final int segments)
    {
        int index = -1;
        for (int i = 0; i < segments; i++)
        {
            index = path.indexOf('/', index + 1);
            if (index < 0)
            {
                return path;
            }
        }

        return path.substring(0, index);
    }

    private static String decode(final String text)
    {
        try
        {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }
}
