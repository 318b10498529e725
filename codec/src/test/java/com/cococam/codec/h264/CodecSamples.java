package com.cococam.codec.h264;

import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Test fixtures drawn from the shared samples: Annex-B files, their NAL units, SDP sprop parameter sets, MP4
 * configuration boxes and the verification lines of SAMPLES.md. Shared by the h264, h265 and media tests.
 */
public final class CodecSamples
{
    private static final Pattern SPROP = Pattern.compile("sprop-parameter-sets=([A-Za-z0-9+/=,]+)");
    private static final Pattern TRACE = Pattern.compile(
        "sprop SPS \\(trace_headers\\): profile_idc=(\\d+) level_idc=(\\d+) (\\d+)x(\\d+)");

    private CodecSamples()
    {
    }

    /**
     * @param prefix file name prefix, e.g. {@code h264_}.
     * @return the sample names starting with it, sorted.
     */
    public static List<String> names(final String prefix)
    {
        try (Stream<Path> files = Files.list(Peers.samplesDir()))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param name a sample name.
     * @return its bytes.
     */
    public static byte[] bytes(final String name)
    {
        try
        {
            return Files.readAllBytes(Peers.sample(name));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param annexB an Annex-B byte stream.
     * @return copies of its NAL units, in order.
     */
    public static List<byte[]> nals(final byte[] annexB)
    {
        final List<byte[]> out = new ArrayList<>();
        final ByteBuf buf = Unpooled.wrappedBuffer(annexB);
        NalUnits.forEachAnnexB(buf, (b, offset, length) -> out.add(NalUnits.copy(b, offset, length)));
        return out;
    }

    /**
     * @param name a sample name.
     * @return its SAMPLES.md section (from its heading to the next), empty if absent.
     */
    public static String samplesMdSection(final String name)
    {
        try
        {
            final String md = Files.readString(Peers.samplesDir().resolve("SAMPLES.md"), StandardCharsets.UTF_8);
            final int start = md.indexOf("### `" + name + "`");
            if (start < 0)
            {
                return "";
            }

            final int end = md.indexOf("\n### ", start + 4);
            return md.substring(start, end < 0 ? md.length() : end);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param name a sample name.
     * @return the "NAL types: t:n, ..." counts of its SAMPLES.md entry (empty map if absent).
     */
    public static Map<Integer, Integer> documentedNalTypeCounts(final String name)
    {
        final Map<Integer, Integer> counts = new TreeMap<>();
        final Matcher line = Pattern.compile("NAL types: ([0-9:, ]+)").matcher(samplesMdSection(name));
        if (line.find())
        {
            for (final String pair : line.group(1).split(","))
            {
                final String[] parts = pair.trim().split(":");
                counts.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
            }
        }

        return counts;
    }

    /**
     * One SDP's H.264 parameter sets and what ffmpeg's trace_headers said about its SPS (from SAMPLES.md).
     *
     * @param file      sample name.
     * @param nals      the base64-decoded sprop-parameter-sets entries, as sent (may hold start codes).
     * @param profile   documented profile_idc.
     * @param level     documented level_idc.
     * @param width     documented width.
     * @param height    documented height.
     */
    public record Sprop(String file, List<byte[]> nals, int profile, int level, int width, int height)
    {
        @Override
        public String toString()
        {
            return file;
        }
    }

    /**
     * @return every sprop-parameter-sets found in the rtsp_* and sdp_* samples, with its SAMPLES.md values.
     */
    public static List<Sprop> sprops()
    {
        final List<Sprop> out = new ArrayList<>();
        for (final String name : names(""))
        {
            if (!(name.startsWith("rtsp_") || name.startsWith("sdp_")) || name.endsWith(".rtsp"))
            {
                continue;
            }

            final Matcher sprop = SPROP.matcher(new String(bytes(name), StandardCharsets.ISO_8859_1));
            if (!sprop.find())
            {
                continue;
            }

            final List<byte[]> nals = new ArrayList<>();
            for (final String part : sprop.group(1).split(","))
            {
                nals.add(Base64.getDecoder().decode(part));
            }

            final Matcher trace = TRACE.matcher(samplesMdSection(name));
            if (!trace.find())
            {
                throw new AssertionError("no trace_headers line in SAMPLES.md for " + name);
            }

            out.add(new Sprop(name, nals, Integer.parseInt(trace.group(1)), Integer.parseInt(trace.group(2)),
                Integer.parseInt(trace.group(3)), Integer.parseInt(trace.group(4))));
        }

        return out;
    }

    /**
     * Finds the body of the first box of a type in an MP4 file by scanning for its four-character code.
     *
     * @param file MP4 bytes.
     * @param type e.g. {@code avcC}.
     * @return the box body, or null if not found.
     */
    public static byte[] boxBody(final byte[] file, final String type)
    {
        final byte[] code = type.getBytes(StandardCharsets.US_ASCII);
        for (int i = 4; i + 4 <= file.length; i++)
        {
            if (file[i] == code[0] && file[i + 1] == code[1] && file[i + 2] == code[2] && file[i + 3] == code[3])
            {
                final int size = ((file[i - 4] & 0xFF) << 24) | ((file[i - 3] & 0xFF) << 16) |
                    ((file[i - 2] & 0xFF) << 8) | (file[i - 1] & 0xFF);
                if (size >= 8 && i - 4 + size <= file.length)
                {
                    return java.util.Arrays.copyOfRange(file, i + 4, i - 4 + size);
                }
            }
        }

        return null;
    }

    /**
     * Remuxes an elementary stream sample into MP4 with the bundled ffmpeg (stream copy) and returns the file.
     *
     * @param name   sample name.
     * @param format ffmpeg input format ({@code h264} or {@code hevc}).
     * @param dir    folder for the output.
     * @return the MP4 bytes.
     */
    public static byte[] remuxToMp4(final String name, final String format, final Path dir)
    {
        final Path out = dir.resolve(name + ".mp4");
        final Peers.Result result = Peers.run(java.time.Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error",
            "-y", "-f", format, "-i", Peers.sample(name).toString(), "-c", "copy", "-tag:v",
            "h264".equals(format) ? "avc1" : "hvc1", out.toString());
        if (result.exitCode() != 0)
        {
            throw new AssertionError("ffmpeg failed: " + result.stderr());
        }

        try
        {
            return Files.readAllBytes(out);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @param hex hex digits, spaces allowed.
     * @return the bytes.
     */
    public static byte[] hex(final String hex)
    {
        final String clean = hex.replace(" ", "");
        final byte[] out = new byte[clean.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (byte)Integer.parseInt(clean.substring(2 * i, 2 * i + 2), 16);
        }

        return out;
    }

    /**
     * @param bitString '0' and '1' characters, spaces allowed; padded with zero bits to whole bytes.
     * @return the bytes.
     */
    public static byte[] bits(final String bitString)
    {
        final String clean = bitString.replace(" ", "");
        final byte[] out = new byte[(clean.length() + 7) / 8];
        for (int i = 0; i < clean.length(); i++)
        {
            if (clean.charAt(i) == '1')
            {
                out[i / 8] |= (byte)(0x80 >>> (i % 8));
            }
        }

        return out;
    }
}
