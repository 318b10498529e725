package com.cococam.protocols.rtmp;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A name with an optional query string, as clients send stream names ({@code cam1?key=KEY}) and apps
 * ({@code live?key=KEY}).
 *
 * @param name  the part before {@code ?}, trailing {@code /} removed.
 * @param query parameters after {@code ?}, percent-decoded, in order; the last of repeated keys wins; a key
 *              without {@code =} maps to the empty string. Never null, unmodifiable.
 */
public record RtmpStreamName(String name, Map<String, String> query)
{
    /** Most query parameters kept; the rest are ignored. */
    public static final int MAX_QUERY_PARAMETERS = 64;

    /**
     * @param raw the text as the client sent it; null reads as empty.
     * @return the split name and query.
     */
    public static RtmpStreamName parse(final String raw)
    {
        final String text = raw == null ? "" : raw;
        final int question = text.indexOf('?');
        String name = question < 0 ? text : text.substring(0, question);
        while (name.endsWith("/"))
        {
            name = name.substring(0, name.length() - 1);
        }

        if (question < 0)
        {
            return new RtmpStreamName(name, Collections.emptyMap());
        }

        final Map<String, String> query = new LinkedHashMap<>();
        int count = 0;
        for (final String pair : text.substring(question + 1).split("&"))
        {
            if (pair.isEmpty() || ++count > MAX_QUERY_PARAMETERS)
            {
                continue;
            }

            final int eq = pair.indexOf('=');
            final String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            query.put(key, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }

        return new RtmpStreamName(name, Collections.unmodifiableMap(query));
    }

    private static String decode(final String text)
    {
        try
        {
            // Only percent escapes: a '+' in a stream key is a plus, not a space.
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            // Malformed percent escapes: keep the text as sent rather than refusing the client.
            return text;
        }
    }
}
