package com.cococam.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ServerConfigTest
{
    @Test
    void shouldKeepCamerasInDeclarationOrderAndUnmodifiable()
    {
        final Map<String, CameraConfig> cameras = new LinkedHashMap<>();
        cameras.put("zeta", CameraConfig.defaults("zeta"));
        cameras.put("alpha", CameraConfig.defaults("alpha"));

        final ServerConfig config = ServerConfig.defaults().withCameras(cameras);
        cameras.clear();

        assertEquals(List.of("zeta", "alpha"), List.copyOf(config.cameras().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> config.cameras().remove("zeta"));
    }

    @Test
    void shouldRejectStructurallyInvalidRecords()
    {
        assertThrows(IllegalArgumentException.class, () -> new StreamConfig(1000, 0, 1, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new StreamConfig(1024, 0, 2, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new HttpConfig("h", 65536, "*"));
        assertThrows(IllegalArgumentException.class,
            () -> new CameraConfig("cam1", "", true, 10, Optional.empty(), RtspTransport.AUTO));
        assertThrows(IllegalArgumentException.class, () -> CameraConfig.defaults("Cam1"));
        assertThrows(IllegalArgumentException.class, () -> CameraConfig.defaults("cam1").withPublishKey("a&b"));
        assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.defaults().withCameras(Map.of("a", CameraConfig.defaults("b"))));
    }

    @Test
    void shouldAllowAnEphemeralPortWhenBuiltInCode()
    {
        assertEquals(0, new RtmpConfig("127.0.0.1", 0, 4096, 65536, 1000).port());
    }

    @Test
    void shouldResolveAutomaticWorkersFromTheCoreCount()
    {
        assertEquals(8, StreamConfig.defaults().resolvedWorkers(8));
        assertEquals(1, StreamConfig.defaults().resolvedWorkers(0));
        assertEquals(3, new StreamConfig(4096, 0, 1, 2, 3).resolvedWorkers(8));
    }
}
