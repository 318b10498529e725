package com.cococam.codec.flv;

import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * FLV inputs for the container tests: files made once per JVM by the bundled ffmpeg, the shared samples, and a
 * helper that reads a file through {@link FlvFileReader} and {@link FlvTagParser}.
 */
public final class FlvInputs
{
    /**
     * Video frames in the generated files (4 s at 25 fps).
     */
    public static final int GENERATED_VIDEO_FRAMES = 100;

    private static Path dir;
    private static Path h264;
    private static Path h265;

    private FlvInputs()
    {
    }

    /**
     * One file read through the parser.
     *
     * @param sink    what the parser delivered.
     * @param results count of each parse result.
     * @param tags    every tag (type, timestamp, body copy), for re-use.
     */
    public record Parsed(CollectingSink sink, Map<FlvParseResult, Integer> results, List<Tag> tags)
    {
        /**
         * @param result a result.
         * @return how many tags gave it.
         */
        public int count(final FlvParseResult result)
        {
            return results.getOrDefault(result, 0);
        }
    }

    /**
     * A tag of a file.
     *
     * @param type        tag type.
     * @param timestampMs timestamp.
     * @param body        body copy.
     */
    public record Tag(int type, long timestampMs, byte[] body)
    {
    }

    /**
     * @return an H.264 (High, 2 B-frames, GOP 50) + AAC 48 kHz FLV, 640x360, 4 s.
     */
    public static synchronized Path h264Flv()
    {
        if (h264 == null)
        {
            h264 = generate("h264.flv", "libx264", "-bf", "2", "-g", "50");
        }

        return h264;
    }

    /**
     * @return an H.265 (Enhanced RTMP, B-frames, GOP 50) + AAC 48 kHz FLV, 640x360, 4 s.
     */
    public static synchronized Path h265Flv()
    {
        if (h265 == null)
        {
            h265 = generate("h265.flv", "libx265", "-preset", "fast", "-x265-params", "log-level=error:bframes=2",
                "-g", "50");
        }

        return h265;
    }

    /**
     * @return a private temp folder kept for the JVM's life.
     */
    public static synchronized Path tempDir()
    {
        if (dir == null)
        {
            try
            {
                dir = Files.createTempDirectory("cococam-containers");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }

        return dir;
    }

    private static Path generate(final String name, final String encoder, final String... videoOptions)
    {
        final Path out = tempDir().resolve(name);
        final List<String> command = new ArrayList<>(List.of(Peers.ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", "4", "-threads", "2", "-c:v", encoder));
        command.addAll(List.of(videoOptions));
        command.addAll(List.of("-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", out.toString()));
        final Peers.Result result = Peers.run(Duration.ofSeconds(120), command);
        if (result.exitCode() != 0)
        {
            throw new AssertionError("ffmpeg failed: " + result.stderr());
        }

        return out;
    }

    /**
     * Reads a whole FLV file from a pooled buffer through {@link FlvFileReader} and a fresh {@link FlvTagParser}.
     *
     * @param file the file.
     * @return what came out.
     */
    public static Parsed parse(final Path file)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        final ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        try
        {
            buf.writeBytes(bytes);
            final CollectingSink sink = new CollectingSink();
            final FlvTagParser parser = new FlvTagParser(sink);
            final Map<FlvParseResult, Integer> results = new EnumMap<>(FlvParseResult.class);
            final List<Tag> tags = new ArrayList<>();
            final FlvFileReader reader = new FlvFileReader(buf);
            if (reader.readHeader() != FlvFileReader.Step.TAG)
            {
                throw new AssertionError("bad flv header: " + file);
            }

            FlvFileReader.Step step;
            int guard = 0;
            while ((step = reader.next()) == FlvFileReader.Step.TAG && guard++ < 1_000_000)
            {
                final ByteBuf body = reader.body();
                final byte[] copy = new byte[body.readableBytes()];
                body.getBytes(body.readerIndex(), copy);
                tags.add(new Tag(reader.tagType(), reader.timestampMs(), copy));
                final FlvParseResult result = parser.parse(reader.tagType(), reader.timestampMs(), 0, body);
                results.merge(result, 1, Integer::sum);
            }

            if (step != FlvFileReader.Step.END_OF_FILE)
            {
                throw new AssertionError("file did not end cleanly: " + step + " " + file);
            }

            return new Parsed(sink, results, tags);
        }
        finally
        {
            buf.release();
        }
    }

    /**
     * @param file a media file.
     * @return per stream index: codec_name, nb_read_packets, nb_read_frames, width, height, sample_rate.
     */
    public static Map<String, String> probeStreams(final Path file)
    {
        return Peers.ffprobeFlat(Duration.ofSeconds(120), "-count_frames", "-count_packets", "-show_entries",
            "stream=codec_name,codec_type,nb_read_packets,nb_read_frames,width,height,sample_rate,channels",
            file.toString());
    }

    /**
     * @param file a media file.
     * @return ffmpeg's error output when decoding it fully with {@code -xerror}, or "" when clean.
     */
    public static String decodeErrors(final Path file)
    {
        final Peers.Result result = Peers.run(Duration.ofSeconds(120), Peers.ffmpeg(), "-v", "error", "-xerror",
            "-i", file.toString(), "-f", "null", "-");
        return result.exitCode() == 0 ? result.stderr().trim() : "exit " + result.exitCode() + ": " + result.stderr();
    }

    /**
     * @param file    a media file.
     * @param streams stream selector, e.g. {@code v:0}.
     * @return pts_time of every packet of that stream, in file order.
     */
    public static List<Double> packetPts(final Path file, final String streams)
    {
        final Map<String, String> flat = Peers.ffprobeFlat(Duration.ofSeconds(120), "-select_streams", streams,
            "-show_entries", "packet=pts_time", file.toString());
        final List<Double> list = new ArrayList<>();
        for (int i = 0; ; i++)
        {
            final String value = flat.get("packets.packet." + i + ".pts_time");
            if (value == null)
            {
                return list;
            }

            list.add(Double.parseDouble(value));
        }
    }
}
