package com.cococam.protocols.rtsp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The RTSP {@code Public} header (RFC 2326 section 12.28): the comma separated methods a server supports.
 *
 * <p>Thread safety: stateless.
 */
public final class PublicHeader
{
    private PublicHeader()
    {
    }

    /**
     * @param value header value, e.g. {@code OPTIONS, DESCRIBE, SETUP}.
     * @return the method tokens in order, trimmed, empty entries dropped.
     */
    public static List<String> parse(final String value)
    {
        final List<String> methods = new ArrayList<>(12);
        for (final String part : value.split(","))
        {
            final String method = part.trim();
            if (!method.isEmpty())
            {
                methods.add(method);
            }
        }

        return methods;
    }

    /**
     * @param methods method tokens.
     * @return the header value, methods joined with {@code ", "}.
     */
    public static String format(final Collection<String> methods)
    {
        return String.join(", ", methods);
    }
}
