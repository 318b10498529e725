package com.cococam.protocols.rtsp;

import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the RTSP tests: sample files, SAMPLES.md check lines, feeding bytes through a decoder in
 * chunks, and a canonical text form of decoded messages for comparisons.
 */
public final class RtspTestSupport
{
    private static final Pattern ENTRY = Pattern.compile("^### `([^`]+)`$");
    private static final Pattern CHECK = Pattern.compile("^- Check: `(.*)`$");

    private RtspTestSupport()
    {
    }

    public static byte[] sampleBytes(final String name)
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

    public static List<String> sampleNames(final String prefix, final String suffix)
    {
        try (Stream<Path> files = Files.list(Peers.samplesDir()))
        {
            return files.map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith(prefix) && n.endsWith(suffix))
                .sorted()
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * @return file name to its Check line parsed into "key: value" parts (first line, headers, m-lines, ...).
     */
    public static Map<String, Map<String, String>> checkLines()
    {
        final Map<String, Map<String, String>> checks = new LinkedHashMap<>();
        try
        {
            String current = null;
            for (final String line : Files.readAllLines(Peers.samplesDir().resolve("SAMPLES.md")))
            {
                final Matcher entry = ENTRY.matcher(line);
                if (entry.matches())
                {
                    current = entry.group(1);
                    continue;
                }

                final Matcher check = CHECK.matcher(line);
                if (check.matches() && current != null)
                {
                    checks.put(current, splitCheck(check.group(1)));
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        return checks;
    }

    private static Map<String, String> splitCheck(final String check)
    {
        final Map<String, String> parts = new LinkedHashMap<>();
        for (final String part : check.split("; "))
        {
            final int colon = part.indexOf(": ");
            if (colon > 0)
            {
                parts.put(part.substring(0, colon), part.substring(colon + 2));
            }
        }

        return parts;
    }

    /**
     * Feeds bytes in chunks that end at the given split points, then closes the input.
     *
     * @return decoded messages; the caller releases them.
     */
    public static List<Object> decode(
        final RtspDecoder decoder,
        final ByteBufAllocator alloc,
        final byte[] bytes,
        final int... splits)
    {
        final EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.config().setAllocator(alloc);
        int from = 0;
        for (final int split : splits)
        {
            write(channel, alloc, bytes, from, split);
            from = split;
        }

        write(channel, alloc, bytes, from, bytes.length);
        channel.finish();
        final List<Object> out = new ArrayList<>();
        Object message;
        while ((message = channel.readInbound()) != null)
        {
            out.add(message);
        }

        return out;
    }

    public static void write(
        final EmbeddedChannel channel,
        final ByteBufAllocator alloc,
        final byte[] bytes,
        final int from,
        final int to)
    {
        if (to > from)
        {
            final ByteBuf chunk = alloc.buffer(to - from);
            chunk.writeBytes(bytes, from, to - from);
            channel.writeInbound(chunk);
        }
    }

    /**
     * Feeds one byte at a time.
     */
    public static List<Object> decodeByteByByte(final RtspDecoder decoder, final ByteBufAllocator alloc, final byte[] bytes)
    {
        final int[] splits = new int[Math.max(0, bytes.length - 1)];
        for (int i = 0; i < splits.length; i++)
        {
            splits[i] = i + 1;
        }

        return decode(decoder, alloc, bytes, splits);
    }

    /**
     * @return a canonical text of a decoded message: start line, headers, body hex.
     */
    public static String describe(final Object message)
    {
        if (message instanceof InterleavedFrame)
        {
            final InterleavedFrame frame = (InterleavedFrame)message;
            return "$" + frame.channel() + ":" + ByteBufUtil.hexDump(frame.content());
        }

        final StringBuilder text = new StringBuilder();
        if (message instanceof RtspResponse)
        {
            final RtspResponse response = (RtspResponse)message;
            text.append(response.version()).append(' ').append(response.statusCode()).append(' ')
                .append(response.reason());
        }
        else
        {
            final RtspRequest request = (RtspRequest)message;
            text.append(request.method()).append(' ').append(request.uri()).append(' ').append(request.version());
        }

        final RtspHeaders headers = ((RtspMessage)message).headers();
        for (int i = 0; i < headers.size(); i++)
        {
            text.append('\n').append(headers.name(i)).append(": ").append(headers.value(i));
        }

        return text.append("\n\n").append(ByteBufUtil.hexDump(((RtspMessage)message).content())).toString();
    }

    public static List<String> describeAndRelease(final List<Object> messages)
    {
        final List<String> texts = new ArrayList<>(messages.size());
        for (final Object message : messages)
        {
            texts.add(describe(message));
            ReferenceCountUtil.release(message);
        }

        return texts;
    }

    public static void releaseAll(final List<Object> messages)
    {
        for (final Object message : messages)
        {
            ReferenceCountUtil.release(message);
        }
    }

    public static RtspErrorCode errorCode(final Runnable action)
    {
        try
        {
            action.run();
        }
        catch (final RuntimeException ex)
        {
            final RtspProtocolException error = RtspProtocolException.find(ex);
            assertNotNull(error, "expected an RtspProtocolException in the cause chain, got " + ex);
            return error.code();
        }

        return fail("expected an RtspProtocolException");
    }

    public static String body(final RtspMessage message)
    {
        return message.content().toString(StandardCharsets.UTF_8);
    }
}
