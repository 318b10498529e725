package com.cococam.server.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole validated server configuration, as produced by {@link ConfigLoader}.
 * <p>
 * Thread safety: immutable and safe to share. Value-comparable: two loads of the same settings are
 * {@code equals}, and each {@link CameraConfig} compares on its own, so a reload can keep every stream whose
 * camera entry did not change.
 *
 * @param rtmp      RTMP listener settings.
 * @param rtsp      RTSP listener settings.
 * @param http      HTTP listener settings.
 * @param storage   storage directory.
 * @param hls       HLS packager settings.
 * @param stream    stream hub settings.
 * @param recording recorder settings.
 * @param cameras   cameras by name, in the order they were declared; unmodifiable.
 */
public record ServerConfig(
    RtmpConfig rtmp,
    RtspConfig rtsp,
    HttpConfig http,
    StorageConfig storage,
    HlsConfig hls,
    StreamConfig stream,
    RecordingConfig recording,
    Map<String, CameraConfig> cameras)
{
    /**
     * Checks for nulls, that each camera is filed under its own name, and takes an ordered unmodifiable copy
     * of the cameras.
     *
     * @throws NullPointerException     when a section is null.
     * @throws IllegalArgumentException when a camera is filed under another name.
     */
    public ServerConfig
    {
        Objects.requireNonNull(rtmp, "rtmp");
        Objects.requireNonNull(rtsp, "rtsp");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(hls, "hls");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(recording, "recording");
        final LinkedHashMap<String, CameraConfig> copy = new LinkedHashMap<>();
        for (final Map.Entry<String, CameraConfig> entry : cameras.entrySet())
        {
            if (!entry.getKey().equals(entry.getValue().name()))
            {
                throw new IllegalArgumentException("camera filed under another name: name=" + entry.getKey());
            }

            copy.put(entry.getKey(), entry.getValue());
        }

        cameras = Collections.unmodifiableMap(copy);
    }

    /**
     * Every key at its built-in default and no cameras (so nobody can publish).
     *
     * @return a new instance.
     */
    public static ServerConfig defaults()
    {
        return new ServerConfig(
            RtmpConfig.defaults(),
            RtspConfig.defaults(),
            HttpConfig.defaults(),
            StorageConfig.defaults(),
            HlsConfig.defaults(),
            StreamConfig.defaults(),
            RecordingConfig.defaults(),
            Map.of());
    }

    /**
     * Looks a camera up by the name in its path.
     *
     * @param name camera name, as in {@code live/<name>}.
     * @return the camera, or {@code null} when none has that name.
     */
    public CameraConfig camera(final String name)
    {
        return cameras.get(name);
    }

    /**
     * A copy with other cameras.
     *
     * @param newCameras cameras by name; order is kept.
     * @return a new instance, other sections unchanged.
     */
    public ServerConfig withCameras(final Map<String, CameraConfig> newCameras)
    {
        return new ServerConfig(rtmp, rtsp, http, storage, hls, stream, recording, newCameras);
    }
}
