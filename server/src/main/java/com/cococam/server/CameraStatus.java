package com.cococam.server;

import com.cococam.server.config.CameraConfig;
import com.cococam.server.config.ServerConfig;
import com.cococam.server.http.Json;
import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.CameraPullers;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.PublishSession;
import com.cococam.server.stream.StreamHub;

/**
 * The {@code /api/v1/cameras} document: each configured camera with its live state. Never shows keys.
 */
final class CameraStatus
{
    private CameraStatus()
    {
    }

    static String json(final ServerConfig config, final StreamHub hub)
    {
        final StringBuilder out = new StringBuilder("{\"cameras\":[");
        boolean first = true;
        for (final CameraConfig camera : config.cameras().values())
        {
            final LiveStream stream = hub.find(camera.path());
            final PublishSession publisher = stream == null ? null : stream.publisher();
            final boolean live = publisher != null && publisher.isActive();
            if (!first)
            {
                out.append(',');
            }

            first = false;
            out.append("{\"name\":").append(Json.quote(camera.name()))
                .append(",\"path\":").append(Json.quote(camera.path()))
                .append(",\"live\":").append(live)
                .append(",\"publisher\":").append(live ? Json.quote(publisher.description()) : "null")
                .append(",\"record\":").append(camera.record())
                .append(",\"retentionDays\":").append(camera.retentionDays())
                .append(",\"viewers\":").append(stream == null ? 0 : stream.metrics().viewers.get())
                .append(",\"hls\":").append(Json.quote("/" + camera.path() + "/index.m3u8"))
                .append('}');
        }

        return out.append("]}").toString();
    }

    /**
     * One camera: the fields of {@link #json} plus {@code pull} (the RTSP puller's state, or null when the camera
     * has no source).
     */
    static String cameraJson(final ServerConfig config, final StreamHub hub, final CameraPullers pullers,
        final String name)
    {
        final CameraConfig camera = config.cameras().get(name);
        if (camera == null)
        {
            return null;
        }

        final LiveStream stream = hub.find(camera.path());
        final PublishSession publisher = stream == null ? null : stream.publisher();
        final boolean live = publisher != null && publisher.isActive();
        final CameraPuller puller = pullers == null ? null : pullers.find(name);
        return "{\"name\":" + Json.quote(camera.name()) +
            ",\"path\":" + Json.quote(camera.path()) +
            ",\"live\":" + live +
            ",\"publisher\":" + (live ? Json.quote(publisher.description()) : "null") +
            ",\"record\":" + camera.record() +
            ",\"retentionDays\":" + camera.retentionDays() +
            ",\"viewers\":" + (stream == null ? 0 : stream.metrics().viewers.get()) +
            ",\"hls\":" + Json.quote("/" + camera.path() + "/index.m3u8") +
            ",\"pull\":" + (puller == null ? "null" : puller.json()) +
            "}";
    }
}
