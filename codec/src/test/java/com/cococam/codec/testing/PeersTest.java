package com.cococam.codec.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class PeersTest
{
    @Test
    void bundledFfprobeReadsASample()
    {
        final var flat = Peers.ffprobeFlat(Duration.ofSeconds(60), "-show_entries", "stream=codec_name",
            Peers.sample("flv_srs_avatar_h264_aac.flv").toString());

        assertEquals("h264", flat.get("streams.stream.0.codec_name"));
        assertEquals("aac", flat.get("streams.stream.1.codec_name"));
    }

    @Test
    void bundledFfmpegHasLibx264AndLibx265()
    {
        final Peers.Result result = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-hide_banner", "-encoders");

        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stdout().contains("libx264"), "libx264 missing");
        assertTrue(result.stdout().contains("libx265"), "libx265 missing");
    }
}
