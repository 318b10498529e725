package com.cococam.protocols.rtsp.sdp;

import com.cococam.protocols.rtsp.NptRange;
import com.cococam.protocols.rtsp.RtspErrorCode;
import com.cococam.protocols.rtsp.RtspHeaderNames;
import com.cococam.protocols.rtsp.RtspMessage;
import com.cococam.protocols.rtsp.RtspProtocolException;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SDP session description (RFC 8866): the session part and its media sections, parsed leniently and written
 * back in RFC 8866 line order.
 *
 * <p>Parsing tolerates what cameras send: LF-only line ends, trailing spaces, runs of spaces in {@code m=} lines,
 * missing {@code v=}/{@code o=}/{@code s=}/{@code t=}/{@code c=} lines (even an SDP that starts with
 * {@code m=}), unknown attributes and line types (kept in order), vendor media such as
 * {@code m=application 0 RTP/AVP 107} with {@code vnd.onvif.metadata}, and blank or malformed lines (skipped and
 * counted in {@link #ignoredLines()}). Only an {@code m=} line without type, port and protocol, or with a port
 * that is not a number, is an error.
 *
 * <p>Writing: {@link #format()} emits CRLF line ends; a parsed description formats to an equivalent one (same
 * fields and attributes, canonical order and spacing).
 *
 * <p>Control URLs follow RFC 2326 appendix C.1.1 as real clients apply it: see {@link #resolveControl}.
 *
 * <p>Thread safety: immutable.
 */
public final class Sdp
{
    private final int version;
    private final String origin;
    private final String sessionName;
    private final String connection;
    private final List<String> bandwidths;
    private final List<String> timings;
    private final List<SdpLine> otherLines;
    private final List<SdpAttribute> attributes;
    private final List<SdpMedia> media;
    private final int ignoredLines;

    /**
     * @param version      {@code v=} value, or -1 when absent.
     * @param origin       {@code o=} value, or null.
     * @param sessionName  {@code s=} value, or null.
     * @param connection   session {@code c=} value, or null.
     * @param bandwidths   session {@code b=} values.
     * @param timings      {@code t=} values.
     * @param otherLines   other session lines in order.
     * @param attributes   session attributes in order.
     * @param media        media sections in order.
     * @param ignoredLines lines skipped while parsing.
     */
    public Sdp(
        final int version,
        final String origin,
        final String sessionName,
        final String connection,
        final List<String> bandwidths,
        final List<String> timings,
        final List<SdpLine> otherLines,
        final List<SdpAttribute> attributes,
        final List<SdpMedia> media,
        final int ignoredLines)
    {
        this.version = version;
        this.origin = origin;
        this.sessionName = sessionName;
        this.connection = connection;
        this.bandwidths = List.copyOf(bandwidths);
        this.timings = List.copyOf(timings);
        this.otherLines = List.copyOf(otherLines);
        this.attributes = List.copyOf(attributes);
        this.media = List.copyOf(media);
        this.ignoredLines = ignoredLines;
    }

    /**
     * @return a builder for the description a server announces, preset with {@code v=0}, {@code t=0 0}.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Parses a body as UTF-8 (the RFC 8866 default charset).
     *
     * @param body bytes from its reader index to its writer index; not modified, not released.
     * @return the description.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_SDP} on a malformed {@code m=} line.
     */
    public static Sdp parse(final ByteBuf body)
    {
        return parse(body.toString(StandardCharsets.UTF_8));
    }

    /**
     * @param text SDP text.
     * @return the description.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_SDP} on a malformed {@code m=} line.
     */
    public static Sdp parse(final String text)
    {
        final Parser parser = new Parser();
        for (final String raw : text.split("\n"))
        {
            parser.line(stripEnd(raw));
        }

        return parser.finish();
    }

    /**
     * @return {@code v=} value, or -1.
     */
    public int version()
    {
        return version;
    }

    /**
     * @return {@code o=} value, or null.
     */
    public String origin()
    {
        return origin;
    }

    /**
     * @return {@code s=} value, or null.
     */
    public String sessionName()
    {
        return sessionName;
    }

    /**
     * @return session {@code c=} value, or null.
     */
    public String connection()
    {
        return connection;
    }

    /**
     * @return session {@code b=} values.
     */
    public List<String> bandwidths()
    {
        return bandwidths;
    }

    /**
     * @return {@code t=} values.
     */
    public List<String> timings()
    {
        return timings;
    }

    /**
     * @return session lines without structure, in order.
     */
    public List<SdpLine> otherLines()
    {
        return otherLines;
    }

    /**
     * @return session attributes in order.
     */
    public List<SdpAttribute> attributes()
    {
        return attributes;
    }

    /**
     * @return media sections in order.
     */
    public List<SdpMedia> media()
    {
        return media;
    }

    /**
     * @return lines skipped while parsing (blank, no {@code x=} form).
     */
    public int ignoredLines()
    {
        return ignoredLines;
    }

    /**
     * @param name attribute name, any case.
     * @return first session attribute value of that name ({@code ""} for a flag), or null.
     */
    public String attribute(final String name)
    {
        return attribute(attributes, name);
    }

    /**
     * @return session {@code a=control}, or null.
     */
    public String control()
    {
        return attribute("control");
    }

    /**
     * @param baseUrl base URL, see {@link #baseUrl}.
     * @return the aggregate control URL, resolved with {@link #resolveControl}.
     */
    public String sessionControlUrl(final String baseUrl)
    {
        return resolveControl(baseUrl, control());
    }

    /**
     * @return session {@code a=range}, or null when absent or not an npt range.
     */
    public NptRange range()
    {
        return range(attributes);
    }

    /**
     * @param bwType bandwidth type, e.g. {@code AS}.
     * @return session bandwidth in kbps, or -1.
     */
    public long bandwidthKbps(final String bwType)
    {
        return bandwidth(bandwidths, bwType);
    }

    /**
     * @return the description text with CRLF line ends.
     */
    public String format()
    {
        final StringBuilder out = new StringBuilder(512);
        if (version >= 0)
        {
            out.append("v=").append(version).append("\r\n");
        }

        appendLine(out, 'o', origin);
        appendLine(out, 's', sessionName);
        writeOther(out, otherLines, "iuep");
        appendLine(out, 'c', connection);
        for (final String bandwidth : bandwidths)
        {
            appendLine(out, 'b', bandwidth);
        }

        for (final String timing : timings)
        {
            appendLine(out, 't', timing);
        }

        writeOther(out, otherLines, null);
        for (final SdpAttribute attribute : attributes)
        {
            appendLine(out, 'a', attribute.format());
        }

        for (final SdpMedia section : media)
        {
            section.format(out);
        }

        return out.toString();
    }

    @Override
    public String toString()
    {
        return "Sdp[s=" + sessionName + ", media=" + media + ']';
    }

    /**
     * Picks the base URL for relative controls (RFC 2326 appendix C.1.1): Content-Base, else Content-Location,
     * else the request URL.
     *
     * @param describeResponse the DESCRIBE response.
     * @param requestUrl       the URL the DESCRIBE was sent to.
     * @return the base URL.
     */
    public static String baseUrl(final RtspMessage describeResponse, final String requestUrl)
    {
        return baseUrl(describeResponse.headers().get(RtspHeaderNames.CONTENT_BASE),
            describeResponse.headers().get(RtspHeaderNames.CONTENT_LOCATION), requestUrl);
    }

    /**
     * @param contentBase     Content-Base value, or null.
     * @param contentLocation Content-Location value, or null.
     * @param requestUrl      request URL.
     * @return the first of them that is not blank, trimmed.
     */
    public static String baseUrl(final String contentBase, final String contentLocation, final String requestUrl)
    {
        if (contentBase != null && !contentBase.isBlank())
        {
            return contentBase.trim();
        }

        if (contentLocation != null && !contentLocation.isBlank())
        {
            return contentLocation.trim();
        }

        return requestUrl;
    }

    /**
     * Resolves an {@code a=control} value against a base URL the way cameras expect (and ffmpeg and live555 do),
     * which differs from RFC 3986 reference resolution for relative controls:
     * <ul>
     *   <li>absent, empty or {@code *}: the base URL itself;</li>
     *   <li>absolute ({@code rtsp://...}, any scheme): the control as is;</li>
     *   <li>starting with {@code /}: scheme and authority of the base plus the control;</li>
     *   <li>otherwise appended to the whole base, query string included, with one {@code /} between them
     *       (Dahua's {@code ...?channel=1&subtype=1&proto=Onvif/} + {@code trackID=0} gives
     *       {@code ...proto=Onvif/trackID=0}; RFC 3986 would drop the last path segment and the query, which
     *       these servers reject).</li>
     * </ul>
     *
     * @param baseUrl base URL.
     * @param control control value, or null.
     * @return the resolved URL.
     */
    public static String resolveControl(final String baseUrl, final String control)
    {
        if (control == null || control.isBlank() || "*".equals(control.trim()))
        {
            return baseUrl;
        }

        final String value = control.trim();
        if (isAbsoluteUrl(value) || baseUrl == null)
        {
            return value;
        }

        if (value.startsWith("/"))
        {
            final int scheme = baseUrl.indexOf("://");
            if (scheme > 0)
            {
                final int pathStart = baseUrl.indexOf('/', scheme + 3);
                final String authority = pathStart < 0 ? baseUrl : baseUrl.substring(0, pathStart);
                final int query = authority.indexOf('?');
                return (query < 0 ? authority : authority.substring(0, query)) + value;
            }
        }

        return baseUrl.endsWith("/") || value.startsWith("/") ? baseUrl + value : baseUrl + '/' + value;
    }

    static boolean isAbsoluteUrl(final String value)
    {
        final int colon = value.indexOf(':');
        if (colon <= 0 || !Character.isLetter(value.charAt(0)))
        {
            return false;
        }

        for (int i = 1; i < colon; i++)
        {
            final char c = value.charAt(i);
            if (!Character.isLetterOrDigit(c) && c != '+' && c != '-' && c != '.')
            {
                return false;
            }
        }

        return value.startsWith("//", colon + 1);
    }

    static String attribute(final List<SdpAttribute> attributes, final String name)
    {
        for (final SdpAttribute attribute : attributes)
        {
            if (attribute.name().equalsIgnoreCase(name))
            {
                return attribute.value() == null ? "" : attribute.value();
            }
        }

        return null;
    }

    static List<String> attributeValues(final List<SdpAttribute> attributes, final String name)
    {
        final List<String> values = new ArrayList<>(2);
        for (final SdpAttribute attribute : attributes)
        {
            if (attribute.name().equalsIgnoreCase(name))
            {
                values.add(attribute.value() == null ? "" : attribute.value());
            }
        }

        return values;
    }

    static double framerate(final List<SdpAttribute> attributes)
    {
        for (final String value : attributeValues(attributes, "framerate"))
        {
            try
            {
                final double fps = Double.parseDouble(value.trim());
                if (fps > 0 && fps < 1000)
                {
                    return fps;
                }
            }
            catch (final NumberFormatException ex)
            {
                // "0S" and the like: try the next one.
            }
        }

        return Double.NaN;
    }

    static NptRange range(final List<SdpAttribute> attributes)
    {
        final String value = attribute(attributes, "range");
        if (value == null)
        {
            return null;
        }

        try
        {
            return NptRange.parse(value);
        }
        catch (final RtspProtocolException ex)
        {
            return null;
        }
    }

    static long bandwidth(final List<String> bandwidths, final String bwType)
    {
        for (final String bandwidth : bandwidths)
        {
            final int colon = bandwidth.indexOf(':');
            if (colon > 0 && bandwidth.substring(0, colon).trim().equalsIgnoreCase(bwType))
            {
                return parseInt(bandwidth.substring(colon + 1).trim(), Integer.MAX_VALUE);
            }
        }

        return -1;
    }

    static String direction(final List<SdpAttribute> attributes)
    {
        for (final SdpAttribute attribute : attributes)
        {
            final String name = attribute.name().toLowerCase(Locale.ROOT);
            if (attribute.value() == null &&
                ("sendrecv".equals(name) || "sendonly".equals(name) || "recvonly".equals(name) ||
                "inactive".equals(name)))
            {
                return name;
            }
        }

        return null;
    }

    /**
     * @param text decimal digits.
     * @param max  largest accepted value.
     * @return the value, or -1 when not a number in 0 to max.
     */
    static int parseInt(final String text, final int max)
    {
        if (text == null || text.isEmpty() || text.length() > 10)
        {
            return -1;
        }

        long result = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }

            result = result * 10 + (c - '0');
        }

        return result > max ? -1 : (int)result;
    }

    static long parseHex(final String text)
    {
        if (text.isEmpty() || text.length() > 15)
        {
            return -1;
        }

        long result = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0)
            {
                return -1;
            }

            result = result * 16 + digit;
        }

        return result;
    }

    /**
     * Writes the other lines whose type is in {@code types}, or, when {@code types} is null, those whose type is
     * not one written earlier ({@code i u e p} for a session, {@code i} for media).
     */
    static void writeOther(final StringBuilder out, final List<SdpLine> lines, final String types)
    {
        for (final SdpLine line : lines)
        {
            final boolean early = "iuep".indexOf(line.type()) >= 0;
            if (types == null ? !early : types.indexOf(line.type()) >= 0)
            {
                appendLine(out, line.type(), line.value());
            }
        }
    }

    static void checkText(final String text)
    {
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0)
        {
            throw new IllegalArgumentException("sdp text: holds CR or LF");
        }
    }

    private static void appendLine(final StringBuilder out, final char type, final String value)
    {
        if (value != null)
        {
            out.append(type).append('=').append(value).append("\r\n");
        }
    }

    private static String stripEnd(final String line)
    {
        int end = line.length();
        while (end > 0 && Character.isWhitespace(line.charAt(end - 1)))
        {
            end--;
        }

        return line.substring(0, end);
    }

    private static final class Parser
    {
        private int version = -1;
        private String origin;
        private String sessionName;
        private String connection;
        private final List<String> bandwidths = new ArrayList<>(1);
        private final List<String> timings = new ArrayList<>(1);
        private final List<SdpLine> otherLines = new ArrayList<>(2);
        private final List<SdpAttribute> attributes = new ArrayList<>(8);
        private final List<SdpMedia> media = new ArrayList<>(3);
        private int ignoredLines;

        private String[] mediaLine;
        private String mediaConnection;
        private final List<String> mediaBandwidths = new ArrayList<>(1);
        private final List<SdpLine> mediaOther = new ArrayList<>(1);
        private final List<SdpAttribute> mediaAttributes = new ArrayList<>(8);

        void line(final String line)
        {
            if (line.length() < 2 || line.charAt(1) != '=' || !Character.isLetter(line.charAt(0)))
            {
                if (!line.isEmpty())
                {
                    ignoredLines++;
                }

                return;
            }

            final char type = line.charAt(0);
            final String value = line.substring(2).trim();
            if (type == 'm')
            {
                finishMedia();
                mediaLine = value.split("\\s+");
                if (mediaLine.length < 3)
                {
                    throw new RtspProtocolException(RtspErrorCode.BAD_SDP, "sdp: short m= line");
                }

                return;
            }

            if (mediaLine != null)
            {
                mediaLine(type, value);
            }
            else
            {
                sessionLine(type, value);
            }
        }

        private void sessionLine(final char type, final String value)
        {
            switch (type)
            {
                case 'v' -> version = parseInt(value, Integer.MAX_VALUE);
                case 'o' -> origin = value;
                case 's' -> sessionName = value;
                case 'c' -> connection = value;
                case 'b' -> bandwidths.add(value);
                case 't' -> timings.add(value);
                case 'a' -> attributes.add(attributeOf(value));
                default -> otherLines.add(new SdpLine(type, value));
            }
        }

        private void mediaLine(final char type, final String value)
        {
            switch (type)
            {
                case 'c' -> mediaConnection = value;
                case 'b' -> mediaBandwidths.add(value);
                case 'a' -> mediaAttributes.add(attributeOf(value));
                default -> mediaOther.add(new SdpLine(type, value));
            }
        }

        private static SdpAttribute attributeOf(final String value)
        {
            final int colon = value.indexOf(':');
            return colon < 0 ? new SdpAttribute(value, null) :
                new SdpAttribute(value.substring(0, colon).trim(), value.substring(colon + 1).trim());
        }

        private void finishMedia()
        {
            if (mediaLine == null)
            {
                return;
            }

            final String portText = mediaLine[1];
            final int slash = portText.indexOf('/');
            final int port = parseInt(slash < 0 ? portText : portText.substring(0, slash), 65535);
            final int portCount = slash < 0 ? -1 : parseInt(portText.substring(slash + 1), 65535);
            if (port < 0 || (slash >= 0 && portCount < 0))
            {
                throw new RtspProtocolException(RtspErrorCode.BAD_SDP, "sdp: bad m= port");
            }

            final List<String> formats = new ArrayList<>(mediaLine.length - 3);
            for (int i = 3; i < mediaLine.length; i++)
            {
                formats.add(mediaLine[i]);
            }

            media.add(new SdpMedia(mediaLine[0], port, portCount, mediaLine[2], formats, mediaConnection,
                mediaBandwidths, mediaOther, mediaAttributes));
            mediaLine = null;
            mediaConnection = null;
            mediaBandwidths.clear();
            mediaOther.clear();
            mediaAttributes.clear();
        }

        Sdp finish()
        {
            finishMedia();
            return new Sdp(version, origin, sessionName, connection, bandwidths, timings, otherLines, attributes,
                media, ignoredLines);
        }
    }

    /**
     * Builds the description a server announces.
     *
     * <p>Thread safety: not thread safe.
     */
    public static final class Builder
    {
        private String origin = "- 0 0 IN IP4 0.0.0.0";
        private String sessionName = "-";
        private String connection;
        private final List<String> bandwidths = new ArrayList<>(1);
        private final List<SdpLine> otherLines = new ArrayList<>(1);
        private final List<SdpAttribute> attributes = new ArrayList<>(4);
        private final List<SdpMedia> media = new ArrayList<>(2);

        Builder()
        {
        }

        /**
         * @param origin {@code o=} value (default {@code - 0 0 IN IP4 0.0.0.0}).
         * @return this.
         */
        public Builder origin(final String origin)
        {
            checkText(origin);
            this.origin = origin;
            return this;
        }

        /**
         * @param sessionName {@code s=} value (default {@code -}).
         * @return this.
         */
        public Builder sessionName(final String sessionName)
        {
            checkText(sessionName);
            this.sessionName = sessionName;
            return this;
        }

        /**
         * @param connection session {@code c=} value, e.g. {@code IN IP4 0.0.0.0}.
         * @return this.
         */
        public Builder connection(final String connection)
        {
            checkText(connection);
            this.connection = connection;
            return this;
        }

        /**
         * @param bwType bandwidth type.
         * @param kbps   value.
         * @return this.
         */
        public Builder bandwidth(final String bwType, final long kbps)
        {
            bandwidths.add(bwType + ':' + kbps);
            return this;
        }

        /**
         * @param type  line type, e.g. {@code 'i'}.
         * @param value value.
         * @return this.
         */
        public Builder line(final char type, final String value)
        {
            checkText(value);
            otherLines.add(new SdpLine(type, value));
            return this;
        }

        /**
         * @param name  attribute name.
         * @param value value, or null for a flag.
         * @return this.
         */
        public Builder attribute(final String name, final String value)
        {
            checkText(name);
            if (value != null)
            {
                checkText(value);
            }

            attributes.add(new SdpAttribute(name, value));
            return this;
        }

        /**
         * @param section media section.
         * @return this.
         */
        public Builder media(final SdpMedia section)
        {
            media.add(section);
            return this;
        }

        /**
         * @return the description.
         */
        public Sdp build()
        {
            return new Sdp(0, origin, sessionName, connection, bandwidths, List.of("0 0"), otherLines, attributes,
                media, 0);
        }
    }
}
