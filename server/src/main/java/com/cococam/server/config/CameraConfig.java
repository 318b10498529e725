package com.cococam.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One camera declared under {@code cameras.NAME}: who may publish to {@code live/NAME} and how it is recorded.
 * <p>
 * A camera whose file gives no {@code publishKey} (absent, null or empty) loads with an empty key, meaning
 * "generate one": {@link GeneratedKeys#resolveMissing(ServerConfig)} fills it from a key file that it creates
 * on first start. An empty key never authorises anybody ({@link #acceptsKey(String)}), so a camera that was
 * not resolved cannot be published to.
 * <p>
 * Thread safety: immutable; equal settings compare equal, so a reload can diff cameras by
 * {@code equals}.
 *
 * @param name          camera name, matching {@link #NAME_PATTERN}.
 * @param publishKey    key a publisher must present as {@code ?key=}; empty when it is to be generated.
 * @param record        whether the stream is recorded, see {@link #RECORD_FIELD}.
 * @param retentionDays days recordings are kept, one of {@link #RETENTION_DAYS_ALLOWED}.
 * @param source        RTSP URL to pull from, empty when the camera publishes to the server.
 * @param transport     RTSP transport for {@code source}.
 */
public record CameraConfig(
    String name,
    String publishKey,
    boolean record,
    int retentionDays,
    Optional<String> source,
    RtspTransport transport)
{
    /**
     * The section holding the cameras: key paths are {@code cameras.NAME.FIELD}.
     */
    public static final String CAMERAS_KEY = "cameras";

    /**
     * Allowed camera names: lower-case letters, digits, {@code _} and {@code -}, starting with a letter or
     * digit, 1..64 characters.
     */
    public static final Pattern NAME_PATTERN = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /**
     * Prefix of the stream path: a camera named {@code cam1} is published and watched at {@code live/cam1}.
     */
    public static final String PATH_PREFIX = "live/";

    /**
     * Field with the key a publisher must present as {@code ?key=...}: 1..128 characters from the URL
     * unreserved set (letters, digits, {@code - . _ ~}). Leave it out to have one generated.
     */
    public static final String PUBLISH_KEY_FIELD = "publishKey";

    /**
     * Field turning recording of the camera on or off.
     */
    public static final String RECORD_FIELD = "record";

    /**
     * Default for {@link #RECORD_FIELD}.
     */
    public static final boolean RECORD_DEFAULT = true;

    /**
     * Field with the number of days recordings are kept; one of {@link #RETENTION_DAYS_ALLOWED}.
     */
    public static final String RETENTION_DAYS_FIELD = "retentionDays";

    /**
     * Default for {@link #RETENTION_DAYS_FIELD}: the smallest plan.
     */
    public static final int RETENTION_DAYS_DEFAULT = 7;

    /**
     * The retention plans on sale, in days.
     */
    public static final List<Integer> RETENTION_DAYS_ALLOWED = List.of(7, 14, 30);

    /**
     * Optional field with an {@code rtsp://} or {@code rtsps://} URL the server pulls the camera from.
     */
    public static final String SOURCE_FIELD = "source";

    /**
     * Field with the RTSP transport for {@link #SOURCE_FIELD}: {@code auto}, {@code udp} or {@code tcp}.
     */
    public static final String TRANSPORT_FIELD = "transport";

    /**
     * Default for {@link #TRANSPORT_FIELD}.
     */
    public static final RtspTransport TRANSPORT_DEFAULT = RtspTransport.AUTO;

    /**
     * Longest accepted publish key.
     */
    public static final int PUBLISH_KEY_MAX_LENGTH = 128;

    private static final Pattern USER_INFO = Pattern.compile("://[^/@]*@");
    private static final Pattern KEY_PATTERN = Pattern.compile("[A-Za-z0-9._~-]{0," + PUBLISH_KEY_MAX_LENGTH + "}");

    /**
     * Checks the name, key alphabet and retention plan.
     *
     * @throws IllegalArgumentException when the name does not match {@link #NAME_PATTERN}, the key has
     *                                  characters outside the URL unreserved set, or the retention is not a
     *                                  plan on sale.
     * @throws NullPointerException     when a reference is null.
     */
    public CameraConfig
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(publishKey, "publishKey");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(transport, "transport");
        if (!NAME_PATTERN.matcher(name).matches())
        {
            throw new IllegalArgumentException("invalid camera name: name=" + name);
        }

        if (!isValidPublishKey(publishKey))
        {
            throw new IllegalArgumentException("invalid publish key: camera=" + name);
        }

        if (!RETENTION_DAYS_ALLOWED.contains(retentionDays))
        {
            throw new IllegalArgumentException("retention not on sale: retentionDays=" + retentionDays);
        }
    }

    /**
     * A camera with every field at its default: the key is to be generated.
     *
     * @param name the camera name.
     * @return a new instance.
     * @throws IllegalArgumentException when the name is invalid.
     */
    public static CameraConfig defaults(final String name)
    {
        return new CameraConfig(name, "", RECORD_DEFAULT, RETENTION_DAYS_DEFAULT, Optional.empty(), TRANSPORT_DEFAULT);
    }

    /**
     * The stream path of this camera.
     *
     * @return {@code live/<name>}.
     */
    public String path()
    {
        return PATH_PREFIX + name;
    }

    /**
     * Whether the key is still to be generated by {@link GeneratedKeys}.
     *
     * @return {@code true} when {@link #publishKey()} is empty.
     */
    public boolean needsGeneratedKey()
    {
        return publishKey.isEmpty();
    }

    /**
     * A copy with another publish key.
     *
     * @param key the key; empty to mark it "generate".
     * @return a new instance, other fields unchanged.
     * @throws IllegalArgumentException when the key is not valid.
     */
    public CameraConfig withPublishKey(final String key)
    {
        return new CameraConfig(name, key, record, retentionDays, source, transport);
    }

    /**
     * Checks a key presented by a publisher, in time independent of where the first difference is.
     *
     * @param presented the key from the publish URL; may be null.
     * @return {@code true} only when this camera has a non-empty key equal to {@code presented}.
     */
    public boolean acceptsKey(final String presented)
    {
        if (presented == null || publishKey.isEmpty())
        {
            return false;
        }

        return MessageDigest.isEqual(
            publishKey.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Whether a string may be used as a publish key.
     *
     * @param key the candidate.
     * @return {@code true} for 0..{@value #PUBLISH_KEY_MAX_LENGTH} URL unreserved characters (empty meaning
     *         "generate").
     */
    public static boolean isValidPublishKey(final String key)
    {
        return key != null && KEY_PATTERN.matcher(key).matches();
    }

    /**
     * Hides the key and any credentials in the source URL, so that configuration dumps and logs never leak
     * them.
     *
     * @return a description with secrets masked.
     */
    @Override
    public String toString()
    {
        final String shownSource = source.map((url) -> USER_INFO.matcher(url).replaceFirst("://***@")).orElse("");

        return "CameraConfig[name=" + name + ", publishKey=" + (publishKey.isEmpty() ? "<generate>" : "***") +
            ", record=" + record + ", retentionDays=" + retentionDays + ", source=" + shownSource +
            ", transport=" + transport.configName() + "]";
    }
}
