package com.cococam.protocols.rtsp.auth;

import com.cococam.protocols.rtsp.RtspErrorCode;
import com.cococam.protocols.rtsp.RtspProtocolException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One parsed challenge ({@code WWW-Authenticate}) or credentials ({@code Authorization}) value, RFC 7235
 * section 2.1: a scheme, then either a token68 or comma separated {@code name=value} / {@code name="quoted"}
 * parameters.
 *
 * <p>A single {@code WWW-Authenticate} value may hold several challenges ({@code Digest ..., Basic ...}):
 * {@link #parseChallenges(String)} splits them.
 *
 * <p>{@link #toString()} prints the scheme and parameter names only (values may be secrets such as a
 * {@code response} or a Basic token68).
 *
 * <p>Thread safety: immutable.
 *
 * @param scheme  auth scheme as sent, e.g. {@code Digest}; compare ignoring case.
 * @param params  parameters with lower case names, values unquoted and unescaped, in order.
 * @param token68 the token68 form (Basic credentials), or null.
 */
public record AuthHeader(String scheme, Map<String, String> params, String token68)
{
    /**
     * Compact constructor: copies the parameters.
     */
    public AuthHeader
    {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    /**
     * @param name parameter name, any case.
     * @return its value, or null.
     */
    public String param(final String name)
    {
        return params.get(name.toLowerCase(Locale.ROOT));
    }

    /**
     * @param scheme a scheme name.
     * @return whether this header uses it (ignoring case).
     */
    public boolean is(final String scheme)
    {
        return this.scheme.equalsIgnoreCase(scheme);
    }

    /**
     * @param value one WWW-Authenticate value.
     * @return its challenges in order; never empty.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_AUTH_HEADER} when it does not parse.
     */
    public static List<AuthHeader> parseChallenges(final String value)
    {
        final Cursor cursor = new Cursor(value);
        final List<AuthHeader> challenges = new ArrayList<>(2);
        while (true)
        {
            cursor.skipSeparators();
            if (cursor.atEnd())
            {
                break;
            }

            challenges.add(cursor.challenge());
        }

        if (challenges.isEmpty())
        {
            throw bad();
        }

        return challenges;
    }

    /**
     * @param value an Authorization value.
     * @return the credentials.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_AUTH_HEADER} when it does not parse or holds
     *                               more than one scheme.
     */
    public static AuthHeader parseCredentials(final String value)
    {
        final List<AuthHeader> all = parseChallenges(value);
        if (all.size() != 1)
        {
            throw bad();
        }

        return all.get(0);
    }

    @Override
    public String toString()
    {
        return "AuthHeader[" + scheme + ", params=" + params.keySet() + (token68 != null ? ", token68" : "") + ']';
    }

    /**
     * @param value a parameter value.
     * @return it as a quoted-string, with {@code "} and {@code \} escaped.
     */
    static String quote(final String value)
    {
        final StringBuilder text = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '"' || c == '\\')
            {
                text.append('\\');
            }

            text.append(c);
        }

        return text.append('"').toString();
    }

    private static RtspProtocolException bad()
    {
        return new RtspProtocolException(RtspErrorCode.BAD_AUTH_HEADER, "auth header: malformed");
    }

    private static final class Cursor
    {
        private final String text;
        private int pos;

        Cursor(final String text)
        {
            this.text = text;
        }

        boolean atEnd()
        {
            return pos >= text.length();
        }

        void skipSpaces()
        {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t'))
            {
                pos++;
            }
        }

        void skipSeparators()
        {
            while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t' ||
                text.charAt(pos) == ','))
            {
                pos++;
            }
        }

        String token()
        {
            final int start = pos;
            while (pos < text.length() && isTokenChar(text.charAt(pos)))
            {
                pos++;
            }

            return text.substring(start, pos);
        }

        AuthHeader challenge()
        {
            final String scheme = token();
            if (scheme.isEmpty())
            {
                throw bad();
            }

            final Map<String, String> params = new LinkedHashMap<>();
            skipSpaces();
            final String token68 = token68();
            if (token68 != null)
            {
                return new AuthHeader(scheme, params, token68);
            }

            while (true)
            {
                skipSeparators();
                final int mark = pos;
                final String name = token();
                skipSpaces();
                if (name.isEmpty() || atEnd() || text.charAt(pos) != '=')
                {
                    // Not "name=": the start of the next challenge (or the end).
                    pos = mark;
                    return new AuthHeader(scheme, params, null);
                }

                pos++;
                skipSpaces();
                params.put(name.toLowerCase(Locale.ROOT), value());
            }
        }

        /**
         * A token68 is the whole rest of one challenge when it is not followed by "=" plus a value; it may end
         * with "=" padding.
         */
        String token68()
        {
            final int start = pos;
            while (pos < text.length() && isToken68Char(text.charAt(pos)))
            {
                pos++;
            }

            if (pos == start)
            {
                return null;
            }

            int end = pos;
            while (end < text.length() && text.charAt(end) == '=')
            {
                end++;
            }

            int after = end;
            while (after < text.length() && (text.charAt(after) == ' ' || text.charAt(after) == '\t'))
            {
                after++;
            }

            if (after >= text.length() || text.charAt(after) == ',')
            {
                pos = end;
                return text.substring(start, end);
            }

            pos = start;
            return null;
        }

        String value()
        {
            if (pos < text.length() && text.charAt(pos) == '"')
            {
                pos++;
                final StringBuilder value = new StringBuilder(32);
                while (pos < text.length())
                {
                    final char c = text.charAt(pos++);
                    if (c == '"')
                    {
                        return value.toString();
                    }

                    if (c == '\\' && pos < text.length())
                    {
                        value.append(text.charAt(pos++));
                    }
                    else
                    {
                        value.append(c);
                    }
                }

                throw bad();
            }

            final int start = pos;
            while (pos < text.length() && text.charAt(pos) != ',' && text.charAt(pos) != ' ' &&
                text.charAt(pos) != '\t')
            {
                pos++;
            }

            return text.substring(start, pos);
        }

        private static boolean isTokenChar(final char c)
        {
            return c > 32 && c < 127 && "()<>@,;:\\\"/[]?={} ".indexOf(c) < 0;
        }

        private static boolean isToken68Char(final char c)
        {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
        }
    }
}
