package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ffprobe/ffmpeg checks shared by the VLC tests: what one media file holds, stream by stream.
 */
final class VlcChecks
{
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(20);

    private VlcChecks()
    {
    }

    /**
     * What ffprobe found in one file.
     *
     * @param video flat keys of the video stream without the {@code streams.stream.N.} prefix.
     * @param audio same for the audio stream, null when there is none.
     * @param all   the whole flat output.
     */
    record Probe(Map<String, String> video, Map<String, String> audio, Map<String, String> all)
    {
        int videoFrames()
        {
            return Integer.parseInt(video.get("nb_read_frames"));
        }

        int audioFrames()
        {
            return Integer.parseInt(audio.get("nb_read_frames"));
        }

        double videoStartSec()
        {
            return Double.parseDouble(video.get("start_time"));
        }

        double audioStartSec()
        {
            return Double.parseDouble(audio.get("start_time"));
        }

        @Override
        public String toString()
        {
            return "video " + video + ", audio " + audio;
        }
    }

    /**
     * Counts decoded frames of every top-level stream of a file (HLS/TS files list streams twice: under the
     * program and at top level; only the top level is read).
     *
     * @param file the file.
     * @return the video and audio streams; fails if there is no video stream.
     */
    static Probe probe(final Path file)
    {
        final Map<String, String> all = Peers.ffprobeFlat(PROBE_TIMEOUT, "-count_frames", "-show_entries",
            "stream=codec_type,codec_name,profile,width,height,sample_rate,channels,start_time,duration,"
                + "nb_read_frames", file.toString());
        Map<String, String> video = null;
        Map<String, String> audio = null;
        for (int index = 0; index < 8; index++)
        {
            final String prefix = "streams.stream." + index + ".";
            final String type = all.get(prefix + "codec_type");
            if (type == null)
            {
                break;
            }

            final Map<String, String> stream = new LinkedHashMap<>();
            for (final Map.Entry<String, String> entry : all.entrySet())
            {
                if (entry.getKey().startsWith(prefix))
                {
                    stream.put(entry.getKey().substring(prefix.length()), entry.getValue());
                }
            }

            if (type.equals("video") && video == null)
            {
                video = stream;
            }
            else if (type.equals("audio") && audio == null)
            {
                audio = stream;
            }
        }

        assertNotNull(video, "no video stream in " + file + ": " + all);
        return new Probe(video, audio, all);
    }

    /**
     * Decodes the video of a file with {@code -xerror}: the decoder must not report anything.
     *
     * @param file the file.
     */
    static void assertVideoDecodesCleanly(final Path file)
    {
        final Peers.Result decode = Peers.run(PROBE_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            file.toString(), "-map", "0:v:0", "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "video decoder complained: " + decode.stderr());
    }

    /**
     * Decodes the whole file (video and audio) with {@code -xerror}: the decoders must not report anything.
     *
     * @param file the file.
     */
    static void assertDecodesCleanly(final Path file)
    {
        final Peers.Result decode = Peers.run(PROBE_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained: " + decode.stderr());
    }

    /**
     * @param file a file.
     * @return the flags of its first video packet (e.g. {@code K__} for a keyframe).
     */
    static String firstVideoPacketFlags(final Path file)
    {
        final Peers.Result packets = Peers.run(PROBE_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            "v:0", "-read_intervals", "%+#1", "-show_entries", "packet=flags", "-of", "csv=p=0", file.toString());
        assertEquals(0, packets.exitCode(), packets.stderr());
        final List<String> lines = packets.stdout().lines().filter(l -> !l.isBlank()).toList();
        assertTrue(!lines.isEmpty(), "no video packet in " + file);
        return lines.get(0).strip();
    }

    /**
     * Generates an H.264 (High, B-frames, a keyframe every second) + AAC (48 kHz mono) test clip in MP4.
     *
     * @param out     the clip.
     * @param seconds its duration.
     */
    static void generateClip(final Path out, final int seconds)
    {
        final Peers.Result result = Peers.run(Duration.ofSeconds(30), Peers.ffmpeg(), "-hide_banner", "-v", "error",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", Integer.toString(seconds),
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-bf", "2", "-g", "25",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", "-y", out.toString());
        assertEquals(0, result.exitCode(), result.stderr());
    }
}
