package com.cococam.protocols.rtsp.client;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class RtspUrlTest
{
    @Test
    void shouldSplitCredentialsHostPortAndPath()
    {
        final RtspUrl url = RtspUrl.parse("rtsp://admin:p%40ss:word@10.0.0.5:8554/Streaming/Channels/101?x=1");
        assertEquals("10.0.0.5", url.host());
        assertEquals(8554, url.port());
        assertEquals("rtsp://10.0.0.5:8554/Streaming/Channels/101?x=1", url.requestUrl());
        assertEquals("admin", url.credentials().username());
        assertEquals("p@ss:word", url.credentials().password());
        assertEquals("rtsp://***@10.0.0.5:8554/Streaming/Channels/101?x=1", url.toString());
    }

    @Test
    void shouldDefaultThePortAndAcceptIpv6()
    {
        final RtspUrl url = RtspUrl.parse("RTSP://[::1]/cam");
        assertEquals("::1", url.host());
        assertEquals(554, url.port());
        assertNull(url.credentials());
        assertEquals("rtsp://[::1]:554/cam", url.requestUrl());
    }

    @Test
    void shouldMaskCredentialsInAnyText()
    {
        final String masked = RtspUrl.mask("connect rtsp://u:secret@h:554/a failed; rtsps://x@y/b");
        assertFalse(masked.contains("secret"), masked);
        assertTrue(masked.contains("rtsp://***@h:554/a") && masked.contains("rtsps://***@y/b"), masked);
    }

    @Test
    void shouldRejectBadUrlsWithoutEchoingTheirCredentials()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> RtspUrl.parse("rtsp://u:secret@host:99999/x"));
        assertFalse(ex.getMessage().contains("secret"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RtspUrl.parse("http://host/x"));
    }
}
