package com.cococam.server.http;

/**
 * What the HTTP server needs from the rest of the application, besides HLS.
 */
public interface HttpRoutes
{
    /**
     * @return the Prometheus text exposition of all metrics.
     */
    String metrics();

    /**
     * @param camera a camera name.
     * @return the JSON document of the camera's recorded spans, or null for an unknown camera.
     */
    String recordingsJson(String camera);

    /**
     * @return the JSON list of cameras with their state.
     */
    String camerasJson();
}
