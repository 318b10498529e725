package com.cococam.protocols.rtsp;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One transport specification of an RTSP {@code Transport} header (RFC 2326 section 12.39), e.g.
 * {@code RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=30A98EE7;mode="PLAY"}. A header holds a comma separated list
 * of them in order of preference: {@link #parseList(String)} and {@link #formatList(List)}.
 *
 * <p>Tolerated: any parameter order ({@code ssrc} first, no {@code unicast}), extra spaces, a quoted or lower case
 * {@code mode} (stored upper case, unquoted), {@code interleaved=0} with one id ({@link Range#last()} is -1), a
 * bare {@code interleaved} (no ids: {@link #interleaved()} null, lower transport TCP), {@code ssrc} with fewer
 * than 8 hex digits. Unknown parameters are kept verbatim in {@link #extensions()}.
 *
 * <p>Thread safety: immutable.
 *
 * @param protocol       transport protocol, upper case, e.g. {@code RTP}.
 * @param profile        profile, upper case, e.g. {@code AVP} or {@code SAVP}.
 * @param lowerTransport UDP unless the spec says TCP.
 * @param delivery       unicast, multicast or unspecified.
 * @param destination    {@code destination} address, or null.
 * @param source         {@code source} address, or null.
 * @param interleaved    {@code interleaved} channel ids (0 to 255), or null.
 * @param clientPort     {@code client_port}, or null.
 * @param serverPort     {@code server_port}, or null.
 * @param port           multicast {@code port}, or null.
 * @param ssrc           {@code ssrc} as an unsigned 32-bit value, or -1.
 * @param ttl            multicast {@code ttl}, or -1.
 * @param mode           {@code mode} upper case without quotes (e.g. {@code PLAY}, {@code RECORD}), or null.
 * @param append         whether {@code append} is present.
 * @param extensions     other parameters verbatim ({@code name} or {@code name=value}), in order.
 */
public record Transport(
    String protocol,
    String profile,
    LowerTransport lowerTransport,
    Delivery delivery,
    String destination,
    String source,
    Range interleaved,
    Range clientPort,
    Range serverPort,
    Range port,
    long ssrc,
    int ttl,
    String mode,
    boolean append,
    List<String> extensions)
{
    /**
     * Lower transport of a transport spec.
     */
    public enum LowerTransport
    {
        /** RTP over UDP (the default when the spec has no third part). */
        UDP,
        /** RTP interleaved in the RTSP TCP connection. */
        TCP
    }

    /**
     * Delivery parameter of a transport spec.
     */
    public enum Delivery
    {
        /** Neither {@code unicast} nor {@code multicast} given. */
        UNSPECIFIED,
        /** {@code unicast}. */
        UNICAST,
        /** {@code multicast}. */
        MULTICAST
    }

    /**
     * A port or channel pair such as {@code 5000-5001}, or a single value.
     *
     * @param first first value (RTP).
     * @param last  second value (RTCP), or -1 when only one was given.
     */
    public record Range(int first, int last)
    {
        /**
         * @return {@link #last()} when given, else {@link #first()} + 1 (the RFC 2326 convention for RTCP).
         */
        public int second()
        {
            return last >= 0 ? last : first + 1;
        }

        @Override
        public String toString()
        {
            return last >= 0 ? first + "-" + last : Integer.toString(first);
        }
    }

    /**
     * Compact constructor: copies the extension list.
     */
    public Transport
    {
        extensions = List.copyOf(extensions);
    }

    /**
     * @param channels interleaved ids.
     * @return an {@code RTP/AVP/TCP;unicast;interleaved=a-b} spec, e.g. for a SETUP reply.
     */
    public static Transport tcpInterleaved(final Range channels)
    {
        return new Transport("RTP", "AVP", LowerTransport.TCP, Delivery.UNICAST, null, null, channels,
            null, null, null, -1, -1, null, false, List.of());
    }

    /**
     * @param clientPort client RTP/RTCP ports.
     * @param serverPort server RTP/RTCP ports, or null.
     * @return an {@code RTP/AVP;unicast;client_port=..;server_port=..} spec.
     */
    public static Transport udpUnicast(final Range clientPort, final Range serverPort)
    {
        return new Transport("RTP", "AVP", LowerTransport.UDP, Delivery.UNICAST, null, null, null,
            clientPort, serverPort, null, -1, -1, null, false, List.of());
    }

    /**
     * @param ssrc new ssrc, unsigned 32 bits, or -1.
     * @return a copy with that ssrc.
     */
    public Transport withSsrc(final long ssrc)
    {
        return new Transport(protocol, profile, lowerTransport, delivery, destination, source, interleaved,
            clientPort, serverPort, port, ssrc, ttl, mode, append, extensions);
    }

    /**
     * @param serverPort server ports, or null.
     * @return a copy with those server ports.
     */
    public Transport withServerPort(final Range serverPort)
    {
        return new Transport(protocol, profile, lowerTransport, delivery, destination, source, interleaved,
            clientPort, serverPort, port, ssrc, ttl, mode, append, extensions);
    }

    /**
     * @param interleaved interleaved ids, or null.
     * @return a copy with those interleaved ids.
     */
    public Transport withInterleaved(final Range interleaved)
    {
        return new Transport(protocol, profile, lowerTransport, delivery, destination, source, interleaved,
            clientPort, serverPort, port, ssrc, ttl, mode, append, extensions);
    }

    /**
     * @return whether this is an RTP/AVP or RTP/AVP/UDP or RTP/AVP/TCP spec (the ones a plain server serves).
     */
    public boolean isRtpAvp()
    {
        return "RTP".equals(protocol) && "AVP".equals(profile);
    }

    /**
     * Parses a whole Transport header value.
     *
     * @param value header value; comma separated specs.
     * @return the specs in order; never empty.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_TRANSPORT} when a spec does not parse or
     *                               there is none.
     */
    public static List<Transport> parseList(final String value)
    {
        final List<Transport> specs = new ArrayList<>(2);
        for (final String part : value.split(","))
        {
            if (!part.isBlank())
            {
                specs.add(parse(part));
            }
        }

        if (specs.isEmpty())
        {
            throw new RtspProtocolException(RtspErrorCode.BAD_TRANSPORT, "transport: empty");
        }

        return specs;
    }

    /**
     * Parses one transport spec.
     *
     * @param spec one spec, without commas.
     * @return the spec.
     * @throws RtspProtocolException code {@link RtspErrorCode#BAD_TRANSPORT} when it does not parse.
     */
    public static Transport parse(final String spec)
    {
        // Limit -1: a spec of separators only (";;;") must still give an (empty) first element.
        final String[] params = spec.split(";", -1);
        final String[] kind = params[0].trim().toUpperCase(Locale.ROOT).split("/");
        if (kind.length < 2 || kind.length > 3 || kind[0].isEmpty() || kind[1].isEmpty())
        {
            throw bad("transport: bad protocol/profile");
        }

        LowerTransport lower = LowerTransport.UDP;
        if (kind.length == 3)
        {
            if ("TCP".equals(kind[2]))
            {
                lower = LowerTransport.TCP;
            }
            else if (!"UDP".equals(kind[2]))
            {
                throw bad("transport: bad lower transport");
            }
        }

        final Builder b = new Builder(kind[0], kind[1], lower);
        for (int i = 1; i < params.length; i++)
        {
            final String param = params[i].trim();
            if (!param.isEmpty())
            {
                b.param(param);
            }
        }

        return b.build();
    }

    /**
     * @param specs specs in order of preference; not empty.
     * @return a Transport header value.
     */
    public static String formatList(final List<Transport> specs)
    {
        final StringBuilder text = new StringBuilder(64 * specs.size());
        for (final Transport spec : specs)
        {
            if (text.length() > 0)
            {
                text.append(',');
            }

            text.append(spec.format());
        }

        return text.toString();
    }

    /**
     * @return this spec as header text, e.g. {@code RTP/AVP/TCP;unicast;interleaved=0-1}.
     */
    public String format()
    {
        final StringBuilder text = new StringBuilder(64).append(protocol).append('/').append(profile);
        if (lowerTransport == LowerTransport.TCP)
        {
            text.append("/TCP");
        }

        if (delivery != Delivery.UNSPECIFIED)
        {
            text.append(';').append(delivery == Delivery.UNICAST ? "unicast" : "multicast");
        }

        appendParam(text, "destination", destination);
        appendParam(text, "source", source);
        appendParam(text, "interleaved", interleaved);
        appendParam(text, "ttl", ttl >= 0 ? Integer.toString(ttl) : null);
        appendParam(text, "port", port);
        appendParam(text, "client_port", clientPort);
        appendParam(text, "server_port", serverPort);
        appendParam(text, "ssrc", ssrc >= 0 ? String.format(Locale.ROOT, "%08X", ssrc) : null);
        appendParam(text, "mode", mode == null ? null : '"' + mode + '"');
        if (append)
        {
            text.append(";append");
        }

        for (final String extension : extensions)
        {
            text.append(';').append(extension);
        }

        return text.toString();
    }

    private static void appendParam(final StringBuilder text, final String name, final Object value)
    {
        if (value != null)
        {
            text.append(';').append(name).append('=').append(value);
        }
    }

    private static RtspProtocolException bad(final String message)
    {
        return new RtspProtocolException(RtspErrorCode.BAD_TRANSPORT, message);
    }

    private static final class Builder
    {
        private final String protocol;
        private final String profile;
        private LowerTransport lower;
        private Delivery delivery = Delivery.UNSPECIFIED;
        private String destination;
        private String source;
        private Range interleaved;
        private Range clientPort;
        private Range serverPort;
        private Range port;
        private long ssrc = -1;
        private int ttl = -1;
        private String mode;
        private boolean append;
        private final List<String> extensions = new ArrayList<>(0);

        Builder(final String protocol, final String profile, final LowerTransport lower)
        {
            this.protocol = protocol;
            this.profile = profile;
            this.lower = lower;
        }

        void param(final String param)
        {
            final int eq = param.indexOf('=');
            final String name = (eq < 0 ? param : param.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
            final String value = eq < 0 ? "" : unquote(param.substring(eq + 1).trim());
            switch (name)
            {
                case "unicast" -> delivery = Delivery.UNICAST;
                case "multicast" -> delivery = Delivery.MULTICAST;
                case "destination" -> destination = value.isEmpty() ? null : value;
                case "source" -> source = value.isEmpty() ? null : value;
                case "interleaved" ->
                {
                    // A bare "interleaved" asks the server to pick the channels; it implies TCP.
                    lower = LowerTransport.TCP;
                    interleaved = value.isEmpty() ? null : range(value, 255);
                }
                case "client_port" -> clientPort = range(value, 65535);
                case "server_port" -> serverPort = range(value, 65535);
                case "port" -> port = range(value, 65535);
                case "ttl" -> ttl = (int)number(value, 10, 255);
                case "ssrc" -> ssrc = number(value, 16, 0xFFFF_FFFFL);
                case "mode" -> mode = value.toUpperCase(Locale.ROOT);
                case "append" -> append = true;
                default -> extensions.add(param);
            }
        }

        Transport build()
        {
            return new Transport(protocol, profile, lower, delivery, destination, source, interleaved, clientPort,
                serverPort, port, ssrc, ttl, mode, append, extensions);
        }

        private static String unquote(final String value)
        {
            if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"')
            {
                return value.substring(1, value.length() - 1).trim();
            }

            return value;
        }

        private static Range range(final String value, final int max)
        {
            final int dash = value.indexOf('-');
            if (dash < 0)
            {
                return new Range((int)number(value, 10, max), -1);
            }

            return new Range((int)number(value.substring(0, dash), 10, max),
                (int)number(value.substring(dash + 1), 10, max));
        }

        private static long number(final String value, final int radix, final long max)
        {
            final String digits = value.trim();
            if (digits.isEmpty() || digits.length() > (radix == 16 ? 8 : 10))
            {
                throw bad("transport: bad number");
            }

            long result = 0;
            for (int i = 0; i < digits.length(); i++)
            {
                final int digit = Character.digit(digits.charAt(i), radix);
                if (digit < 0)
                {
                    throw bad("transport: bad number");
                }

                result = result * radix + digit;
            }

            if (result > max)
            {
                throw bad("transport: number out of range");
            }

            return result;
        }
    }
}
