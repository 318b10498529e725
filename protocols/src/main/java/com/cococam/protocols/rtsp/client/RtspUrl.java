package com.cococam.protocols.rtsp.client;

import com.cococam.protocols.rtsp.auth.Credentials;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An {@code rtsp://[user[:password]@]host[:port][/path]} URL split into what a client needs: where to connect,
 * the request URL without credentials, and the credentials.
 * <p>
 * Thread safety: immutable. {@link #toString()} never shows the credentials.
 *
 * @param host        host name or IPv4/IPv6 literal (brackets removed).
 * @param port        TCP port, {@value #DEFAULT_PORT} when the URL gives none.
 * @param requestUrl  the URL to put in request lines: scheme, host, port and path, no user info.
 * @param credentials user name and password (percent-decoded), or null when the URL has none.
 */
public record RtspUrl(String host, int port, String requestUrl, Credentials credentials)
{
    /**
     * Port used when the URL names none.
     */
    public static final int DEFAULT_PORT = 554;

    private static final Pattern USER_INFO = Pattern.compile("(?i)(rtsps?://)[^/@\\s]*@");

    /**
     * Parses a URL.
     *
     * @param url the URL; scheme {@code rtsp} (case-insensitive).
     * @return the parts.
     * @throws IllegalArgumentException when the scheme is not rtsp, the host is missing or the port is not a
     *                                  number from 1 to 65535; the message never contains the credentials.
     */
    public static RtspUrl parse(final String url)
    {
        final String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("rtsp://"))
        {
            throw new IllegalArgumentException("not an rtsp:// URL: " + mask(url));
        }

        final String rest = url.substring("rtsp://".length());
        int pathStart = rest.indexOf('/');
        if (pathStart < 0)
        {
            pathStart = rest.length();
        }

        String authority = rest.substring(0, pathStart);
        final String path = pathStart < rest.length() ? rest.substring(pathStart) : "/";
        Credentials credentials = null;
        final int at = authority.lastIndexOf('@');
        if (at >= 0)
        {
            final String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            final int colon = userInfo.indexOf(':');
            final String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            final String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
            credentials = new Credentials(user, password);
        }

        String host;
        int port = DEFAULT_PORT;
        if (authority.startsWith("["))
        {
            final int close = authority.indexOf(']');
            if (close < 0)
            {
                throw new IllegalArgumentException("bad IPv6 host in " + mask(url));
            }

            host = authority.substring(1, close);
            if (authority.length() > close + 1 && authority.charAt(close + 1) == ':')
            {
                port = port(authority.substring(close + 2), url);
            }
        }
        else
        {
            final int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            if (colon >= 0)
            {
                port = port(authority.substring(colon + 1), url);
            }
        }

        if (host.isEmpty())
        {
            throw new IllegalArgumentException("no host in " + mask(url));
        }

        final String shownHost = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return new RtspUrl(host, port, "rtsp://" + shownHost + ":" + port + path, credentials);
    }

    /**
     * Replaces any user info of rtsp/rtsps URLs in a text with {@code ***}, for logs and the API.
     *
     * @param text any text, or null.
     * @return the text with credentials masked; null for null.
     */
    public static String mask(final String text)
    {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }

    @Override
    public String toString()
    {
        return credentials == null ? requestUrl : requestUrl.replaceFirst("rtsp://", "rtsp://***@");
    }

    private static int port(final String text, final String url)
    {
        try
        {
            final int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65_535)
            {
                return port;
            }
        }
        catch (final NumberFormatException ex)
        {
            // reported below
        }

        throw new IllegalArgumentException("bad port in " + mask(url));
    }

    private static String decode(final String text)
    {
        try
        {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        }
        catch (final IllegalArgumentException ex)
        {
            return text;
        }
    }
}
