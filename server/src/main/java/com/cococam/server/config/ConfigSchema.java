package com.cococam.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every key the configuration knows, with its default and the parser that turns text into a typed value.
 * <p>
 * Values arrive as text from all origins (YAML scalars, environment, command line), so one parser per key
 * gives the same rules and messages everywhere.
 */
final class ConfigSchema
{
    /**
     * A value that cannot be used; the message is the part after {@code key: }.
     */
    static final class BadValue extends Exception
    {
        private static final long serialVersionUID = 1L;

        BadValue(final String message)
        {
            super(message, null, false, false);
        }
    }

    /**
     * Turns the text of a value into its typed form.
     */
    @FunctionalInterface
    interface Parser
    {
        Object parse(String text) throws BadValue;
    }

    /**
     * One key: {@code name} is the full path for fixed keys and the field name for camera fields.
     * {@code nullable} keys take their default from a YAML null; others report a missing value.
     */
    record KeyDef(String name, Object defaultValue, String defaultText, Parser parser, boolean nullable,
        boolean secret, String help)
    {
    }

    static final Map<String, KeyDef> FIXED;
    static final Map<String, KeyDef> CAMERA_FIELDS;
    static final Set<String> SECTIONS;

    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:%\\[\\]-]{1,253}");
    private static final Pattern ORIGIN = Pattern.compile(
        "https?://([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

    static
    {
        final Map<String, KeyDef> fixed = new LinkedHashMap<>();
        add(fixed, RtmpConfig.HOST_KEY, RtmpConfig.HOST_DEFAULT, host(), "address the RTMP listener binds");
        add(fixed, RtmpConfig.PORT_KEY, RtmpConfig.PORT_DEFAULT, intRange(1, 65535), "RTMP TCP port");
        add(fixed, RtmpConfig.CHUNK_SIZE_KEY, RtmpConfig.CHUNK_SIZE_DEFAULT, intRange(128, 16_777_215),
            "outgoing RTMP chunk size in bytes");
        add(fixed, RtmpConfig.MAX_MESSAGE_BYTES_KEY, RtmpConfig.MAX_MESSAGE_BYTES_DEFAULT,
            intRange(65_536, 16_777_215), "largest RTMP message accepted, bytes");
        add(fixed, RtmpConfig.HANDSHAKE_TIMEOUT_MS_KEY, RtmpConfig.HANDSHAKE_TIMEOUT_MS_DEFAULT,
            intRange(100, 600_000), "time allowed for the RTMP handshake");
        add(fixed, RtspConfig.HOST_KEY, RtspConfig.HOST_DEFAULT, host(), "address the RTSP listener binds");
        add(fixed, RtspConfig.PORT_KEY, RtspConfig.PORT_DEFAULT, intRange(1, 65535), "RTSP TCP port");
        add(fixed, RtspConfig.SESSION_TIMEOUT_SECONDS_KEY, RtspConfig.SESSION_TIMEOUT_SECONDS_DEFAULT,
            intRange(1, 3600), "seconds an RTSP session may stay silent before it is closed");
        add(fixed, RtspConfig.UDP_PORT_MIN_KEY, RtspConfig.UDP_PORT_DEFAULT, intRange(0, 65534),
            "lowest RTP/RTCP UDP port (even), 0 = system-picked");
        add(fixed, RtspConfig.UDP_PORT_MAX_KEY, RtspConfig.UDP_PORT_DEFAULT, intRange(0, 65535),
            "highest RTP/RTCP UDP port (odd), 0 = system-picked");
        add(fixed, HttpConfig.HOST_KEY, HttpConfig.HOST_DEFAULT, host(), "address the HTTP listener binds");
        add(fixed, HttpConfig.PORT_KEY, HttpConfig.PORT_DEFAULT, intRange(1, 65535), "HTTP TCP port");
        add(fixed, HttpConfig.CORS_ORIGIN_KEY, HttpConfig.CORS_ORIGIN_DEFAULT, corsOrigin(),
            "Access-Control-Allow-Origin: *, one origin, or empty for none");
        add(fixed, StorageConfig.DIR_KEY, Path.of(StorageConfig.DIR_DEFAULT), StorageConfig.DIR_DEFAULT, path(),
            "directory for recordings and generated keys");
        add(fixed, HlsConfig.SEGMENT_DURATION_MS_KEY, HlsConfig.SEGMENT_DURATION_MS_DEFAULT,
            intRange(200, 60_000), "target HLS segment duration");
        add(fixed, HlsConfig.WINDOW_SEGMENTS_KEY, HlsConfig.WINDOW_SEGMENTS_DEFAULT, intRange(3, 1000),
            "segments listed in the live playlist");
        add(fixed, HlsConfig.FORMAT_KEY, HlsConfig.FORMAT_DEFAULT, HlsConfig.FORMAT_DEFAULT.configName(),
            hlsFormat(), "segment container: fmp4 or mpegts");
        add(fixed, StreamConfig.RING_SIZE_KEY, StreamConfig.RING_SIZE_DEFAULT, powerOfTwo(16, 1 << 20),
            "ring entries per stream, a power of two");
        add(fixed, StreamConfig.TAKEOVER_IDLE_MS_KEY, StreamConfig.TAKEOVER_IDLE_MS_DEFAULT,
            intRange(0, 86_400_000), "publisher idle time before another may take its path");
        add(fixed, StreamConfig.SUBSCRIBER_SKIP_BYTES_KEY, StreamConfig.SUBSCRIBER_SKIP_BYTES_DEFAULT,
            longRange(65_536, 1L << 30), "viewer backlog that skips to the next keyframe");
        add(fixed, StreamConfig.SUBSCRIBER_MAX_BYTES_KEY, StreamConfig.SUBSCRIBER_MAX_BYTES_DEFAULT,
            longRange(65_536, 1L << 30), "viewer backlog that disconnects the viewer");
        add(fixed, StreamConfig.WORKERS_KEY, StreamConfig.WORKERS_DEFAULT, intRange(0, 1024),
            "stream worker threads, 0 = one per core");
        add(fixed, RecordingConfig.GAP_MS_KEY, RecordingConfig.GAP_MS_DEFAULT, intRange(100, 3_600_000),
            "silence that closes a recording file");
        add(fixed, RecordingConfig.RETENTION_CHECK_MS_KEY, RecordingConfig.RETENTION_CHECK_MS_DEFAULT,
            intRange(1000, 86_400_000), "period of the retention sweep");
        add(fixed, RecordingConfig.BLOCK_SIZE_MB_KEY, RecordingConfig.BLOCK_SIZE_MB_DEFAULT, intRange(1, 1024),
            "MiB of a camera journal mapped at a time; a quarter of it is the largest recordable frame");
        FIXED = Collections.unmodifiableMap(fixed);

        final Map<String, KeyDef> camera = new LinkedHashMap<>();
        camera.put(CameraConfig.PUBLISH_KEY_FIELD, new KeyDef(CameraConfig.PUBLISH_KEY_FIELD, "", "(generated)",
            publishKey(), true, true, "key publishers put in ?key=; leave out to generate one"));
        camera.put(CameraConfig.RECORD_FIELD, new KeyDef(CameraConfig.RECORD_FIELD, CameraConfig.RECORD_DEFAULT,
            String.valueOf(CameraConfig.RECORD_DEFAULT), bool(), false, false, "record this camera"));
        camera.put(CameraConfig.RETENTION_DAYS_FIELD, new KeyDef(CameraConfig.RETENTION_DAYS_FIELD,
            CameraConfig.RETENTION_DAYS_DEFAULT, String.valueOf(CameraConfig.RETENTION_DAYS_DEFAULT),
            retentionDays(), false, false, "days recordings are kept: 7, 14 or 30"));
        camera.put(CameraConfig.SOURCE_FIELD, new KeyDef(CameraConfig.SOURCE_FIELD, Optional.empty(), "(none)",
            source(), true, true, "rtsp:// URL to pull from instead of waiting for a publisher"));
        camera.put(CameraConfig.TRANSPORT_FIELD, new KeyDef(CameraConfig.TRANSPORT_FIELD,
            CameraConfig.TRANSPORT_DEFAULT, CameraConfig.TRANSPORT_DEFAULT.configName(), transport(), false,
            false, "RTSP transport for source: auto, udp or tcp"));
        CAMERA_FIELDS = Collections.unmodifiableMap(camera);

        final Set<String> sections = new LinkedHashSet<>();
        for (final String key : FIXED.keySet())
        {
            sections.add(key.substring(0, key.indexOf('.')));
        }

        sections.add(CameraConfig.CAMERAS_KEY);
        SECTIONS = Collections.unmodifiableSet(sections);
    }

    private ConfigSchema()
    {
    }

    private static void add(
        final Map<String, KeyDef> into,
        final String key,
        final Object defaultValue,
        final Parser parser,
        final String help)
    {
        add(into, key, defaultValue, String.valueOf(defaultValue), parser, help);
    }

    private static void add(
        final Map<String, KeyDef> into,
        final String key,
        final Object defaultValue,
        final String defaultText,
        final Parser parser,
        final String help)
    {
        into.put(key, new KeyDef(key, defaultValue, defaultText, parser, false, false, help));
    }

    /**
     * The closest known name to a misspelt one, for a "did you mean" hint.
     *
     * @param wrong      the name as given.
     * @param candidates the names it may have meant.
     * @return {@code " (did you mean 'x'?)"}, or an empty string when nothing is close.
     */
    static String hint(final String wrong, final Iterable<String> candidates)
    {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : candidates)
        {
            final String a = wrong.toLowerCase(Locale.ROOT);
            final String b = candidate.toLowerCase(Locale.ROOT);
            // A truncated key ("retention" for "retentionDays") is as good a guess as a one-letter typo.
            final int distance = a.equals(b) ? 0 : b.startsWith(a) && a.length() > 3 ? 1 : distance(a, b);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        final int allowed = Math.max(1, Math.min(3, wrong.length() / 4));

        return best != null && bestDistance <= allowed ? " (did you mean '" + best + "'?)" : "";
    }

    /**
     * The fixed keys of one section, for hints.
     *
     * @param section section name, for example {@code rtmp}.
     * @return the full key paths in that section.
     */
    static List<String> keysOf(final String section)
    {
        return FIXED.keySet().stream().filter((k) -> k.startsWith(section + ".")).collect(Collectors.toList());
    }

    /**
     * All key paths an override may name, with {@code NAME} standing for a camera, for hints.
     *
     * @param camera the camera name to put in the camera keys.
     * @return the key paths.
     */
    static List<String> allKeys(final String camera)
    {
        final List<String> keys = new ArrayList<>(FIXED.keySet());
        keys.addAll(cameraKeys(camera));

        return keys;
    }

    /**
     * The key paths of one camera's fields, for hints.
     *
     * @param camera the camera name.
     * @return {@code cameras.<camera>.<field>} for every field.
     */
    static List<String> cameraKeys(final String camera)
    {
        final List<String> keys = new ArrayList<>();
        for (final String field : CAMERA_FIELDS.keySet())
        {
            keys.add(CameraConfig.CAMERAS_KEY + "." + camera + "." + field);
        }

        return keys;
    }

    private static int distance(final String a, final String b)
    {
        // Edit distance where swapping two neighbours counts as one edit, the commonest typo in key names.
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++)
        {
            d[i][0] = i;
        }

        for (int j = 0; j <= b.length(); j++)
        {
            d[0][j] = j;
        }

        for (int i = 1; i <= a.length(); i++)
        {
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }

                d[i][j] = best;
            }
        }

        return d[a.length()][b.length()];
    }

    static long parseLong(final String text, final long min, final long max) throws BadValue
    {
        if (!INTEGER.matcher(text).matches())
        {
            throw new BadValue("not an integer");
        }

        final long value;
        try
        {
            value = Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new BadValue("must be " + min + ".." + max + ", got " + text);
        }

        if (value < min || value > max)
        {
            throw new BadValue("must be " + min + ".." + max + ", got " + value);
        }

        return value;
    }

    static Parser intRange(final int min, final int max)
    {
        return (text) -> (int)parseLong(text, min, max);
    }

    static Parser longRange(final long min, final long max)
    {
        return (text) -> parseLong(text, min, max);
    }

    static Parser powerOfTwo(final int min, final int max)
    {
        return (text) ->
        {
            final String rule = "must be a power of two in " + min + ".." + max;
            final long value;
            try
            {
                value = parseLong(text, min, max);
            }
            catch (final BadValue ex)
            {
                throw "not an integer".equals(ex.getMessage()) ? ex : new BadValue(rule + ", got " + text);
            }

            if (Long.bitCount(value) != 1)
            {
                throw new BadValue(rule + ", got " + value);
            }

            return (int)value;
        };
    }

    static Parser bool()
    {
        return (text) ->
        {
            switch (text.toLowerCase(Locale.ROOT))
            {
                case "true":
                case "yes":
                case "on":
                    return Boolean.TRUE;
                case "false":
                case "no":
                case "off":
                    return Boolean.FALSE;
                default:
                    throw new BadValue("not a boolean (use true or false), got '" + text + "'");
            }
        };
    }

    static Parser host()
    {
        return (text) ->
        {
            if (!HOST.matcher(text).matches())
            {
                throw new BadValue("not a host name or IP address: '" + text + "'");
            }

            return text;
        };
    }

    static Parser path()
    {
        return (text) ->
        {
            if (text.isBlank())
            {
                throw new BadValue("must not be empty");
            }

            try
            {
                return Path.of(text);
            }
            catch (final InvalidPathException ex)
            {
                throw new BadValue("not a valid path: " + ex.getReason());
            }
        };
    }

    static Parser corsOrigin()
    {
        return (text) ->
        {
            if (!text.isEmpty() && !"*".equals(text) && !ORIGIN.matcher(text).matches())
            {
                throw new BadValue("must be *, an origin such as https://example.com, or empty, got '" + text + "'");
            }

            return text;
        };
    }

    static Parser hlsFormat()
    {
        return (text) ->
        {
            final HlsFormat format = HlsFormat.fromConfigName(text);
            if (format == null)
            {
                throw new BadValue("must be fmp4 or mpegts, got '" + text + "'");
            }

            return format;
        };
    }

    static Parser transport()
    {
        return (text) ->
        {
            final RtspTransport transport = RtspTransport.fromConfigName(text);
            if (transport == null)
            {
                throw new BadValue("must be auto, udp or tcp, got '" + text + "'");
            }

            return transport;
        };
    }

    static Parser retentionDays()
    {
        return (text) ->
        {
            final long days = parseLong(text, Integer.MIN_VALUE, Integer.MAX_VALUE);
            if (!CameraConfig.RETENTION_DAYS_ALLOWED.contains((int)days))
            {
                throw new BadValue("must be one of 7, 14 or 30 (the retention plans on sale), got " + days);
            }

            return (int)days;
        };
    }

    static Parser publishKey()
    {
        // The value is never echoed: it is a secret, and messages end up in logs.
        return (text) ->
        {
            if (!CameraConfig.isValidPublishKey(text))
            {
                throw new BadValue("must be at most " + CameraConfig.PUBLISH_KEY_MAX_LENGTH +
                    " characters from A-Z a-z 0-9 - . _ ~ (it is sent in the publish URL)");
            }

            return text;
        };
    }

    static Parser source()
    {
        // May carry credentials (rtsp://user:pass@host), so it is never echoed either.
        return (text) ->
        {
            if (text.isEmpty())
            {
                return Optional.empty();
            }

            try
            {
                final URI uri = new URI(text);
                final String scheme = uri.getScheme();
                if (("rtsp".equalsIgnoreCase(scheme) || "rtsps".equalsIgnoreCase(scheme)) && uri.getHost() != null)
                {
                    return Optional.of(text);
                }
            }
            catch (final URISyntaxException ex)
            {
                throw new BadValue("not a valid URL: " + ex.getReason());
            }

            throw new BadValue("must be an rtsp:// or rtsps:// URL with a host");
        };
    }
}
