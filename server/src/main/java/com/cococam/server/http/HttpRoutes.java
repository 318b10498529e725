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

    /**
     * The {@code /api/v1/cameras/NAME} document: one camera with its live and pull state.
     *
     * @param camera the camera name from the URL.
     * @return JSON, or null for an unknown camera (404). The default knows no camera.
     */
    default String cameraJson(final String camera)
    {
        return null;
    }
}
