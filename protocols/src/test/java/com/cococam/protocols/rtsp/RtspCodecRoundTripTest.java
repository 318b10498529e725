package com.cococam.protocols.rtsp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Encode then decode: requests, responses and interleaved frames come back identical; every sample response,
 * decoded then encoded, gives its original bytes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RtspCodecRoundTripTest
{
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    @AfterEach
    void shouldHaveReleasedEveryBuffer()
    {
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    @Test
    void shouldRoundTripRequestsResponsesAndFrames()
    {
        final List<Object> messages = new ArrayList<>();
        final RtspRequest options = new RtspRequest(RtspMethods.OPTIONS, "rtsp://127.0.0.1:8554/cam1");
        options.headers().add(RtspHeaderNames.CSEQ, "1").add(RtspHeaderNames.USER_AGENT, "cococam");
        messages.add(options);
        final RtspRequest announce = new RtspRequest(RtspMethods.ANNOUNCE, "rtsp://127.0.0.1:8554/cam1",
            RtspMessage.RTSP_1_0, new RtspHeaders(), text("v=0\r\ns=x\r\n"));
        announce.headers().add(RtspHeaderNames.CSEQ, "2").add(RtspHeaderNames.CONTENT_TYPE, "application/sdp");
        messages.add(announce);
        final RtspResponse unauthorized = new RtspResponse(401, "Unauthorized");
        unauthorized.headers().add(RtspHeaderNames.CSEQ, "2")
            .add(RtspHeaderNames.WWW_AUTHENTICATE, "Digest realm=\"a\", nonce=\"1\", algorithm=SHA-256")
            .add(RtspHeaderNames.WWW_AUTHENTICATE, "Digest realm=\"a\", nonce=\"1\"");
        messages.add(unauthorized);
        final Random random = new Random(99);
        for (final int length : new int[] {0, 1, 12, 1400, 65_535})
        {
            final ByteBuf payload = alloc.buffer(length);
            for (int i = 0; i < length; i++)
            {
                payload.writeByte(random.nextInt(256));
            }

            messages.add(new InterleavedFrame(length % 256, payload));
        }

        messages.add(new RtspResponse(200, "OK"));

        final List<String> expected = new ArrayList<>();
        for (final Object message : messages)
        {
            expected.add(RtspTestSupport.describe(message));
        }

        // The encoder adds Content-Length for the body it was not told about.
        expected.set(1, expected.get(1).replace("application/sdp\n", "application/sdp\nContent-Length: 10\n"));

        final EmbeddedChannel encoder = new EmbeddedChannel(new RtspEncoder());
        encoder.config().setAllocator(alloc);
        for (final Object message : messages)
        {
            encoder.writeOutbound(message);
        }

        final CompositeByteBuf wire = alloc.compositeBuffer(64);
        ByteBuf out;
        while ((out = encoder.readOutbound()) != null)
        {
            wire.addComponent(true, out);
        }

        encoder.finish();
        final byte[] bytes = new byte[wire.readableBytes()];
        wire.readBytes(bytes);
        wire.release();

        assertEquals(expected, RtspTestSupport.describeAndRelease(RtspTestSupport.decode(new RtspDecoder(), alloc,
            bytes, 3, 100, 2000)));
    }

    @Test
    void shouldEncodeEverySampleResponseBackToItsOriginalBytes()
    {
        for (final String name : RtspTestSupport.sampleNames("rtsp_", ".txt"))
        {
            final byte[] original = RtspTestSupport.sampleBytes(name);
            final List<Object> decoded = RtspTestSupport.decode(new RtspDecoder(), alloc, original);
            final EmbeddedChannel encoder = new EmbeddedChannel(new RtspEncoder());
            encoder.config().setAllocator(alloc);
            encoder.writeOutbound(decoded.get(0));
            final CompositeByteBuf wire = alloc.compositeBuffer();
            ByteBuf out;
            while ((out = encoder.readOutbound()) != null)
            {
                wire.addComponent(true, out);
            }

            encoder.finish();
            final String encoded = wire.toString(StandardCharsets.ISO_8859_1);
            wire.release();
            // Samples pad values ("Session:        7083...", "CSeq: 1 "): the decoder trims them, the encoder
            // writes one space.
            assertEquals(normalise(new String(original, StandardCharsets.ISO_8859_1)), encoded, name);
        }
    }

    @Test
    void shouldRefuseToEncodeALyingContentLengthOrHeaderInjection()
    {
        final EmbeddedChannel encoder = new EmbeddedChannel(new RtspEncoder());
        encoder.config().setAllocator(alloc);
        final RtspResponse lying = new RtspResponse(200, "OK", RtspMessage.RTSP_1_0, new RtspHeaders(), text("abc"));
        lying.headers().add(RtspHeaderNames.CONTENT_LENGTH, "10");

        assertEquals(RtspErrorCode.ENCODE, RtspTestSupport.errorCode(() -> encoder.writeOutbound(lying)));
        assertEquals(RtspErrorCode.ENCODE, RtspTestSupport.errorCode(
            () -> encoder.writeOutbound(new RtspRequest("PLAY", "rtsp://x/ RTSP/1.0\r\nX: y"))));
        assertThrows(IllegalArgumentException.class, () -> new RtspHeaders().add("X-Evil", "a\r\nInjected: 1"));
        assertThrows(IllegalArgumentException.class, () -> new RtspHeaders().add("Bad Name", "1"));
        encoder.finishAndReleaseAll();
    }

    @Test
    void shouldKeepHeaderOrderRepeatsAndSpellingWhileLookingUpCaseInsensitively()
    {
        final RtspHeaders headers = new RtspHeaders()
            .add("Cseq", "3")
            .add("WWW-Authenticate", "Digest a")
            .add("www-authenticate", "Basic b")
            .add("Authorization", "secret-token");

        assertEquals("3", headers.get("CSeq"));
        assertEquals(List.of("Digest a", "Basic b"), headers.getAll("WWW-AUTHENTICATE"));
        assertEquals(List.of("Cseq", "WWW-Authenticate", "www-authenticate", "Authorization"), headers.names());
        assertEquals("[Cseq: 3, WWW-Authenticate: Digest a, www-authenticate: Basic b, Authorization: <redacted>]",
            headers.toString());
        headers.set("www-AUTHENTICATE", "Digest c");
        assertEquals(List.of("Cseq", "www-AUTHENTICATE", "Authorization"), headers.names());
        assertEquals(1, headers.remove("authorization"));
        assertEquals(2, headers.size());
    }

    private static String normalise(final String raw)
    {
        final StringBuilder out = new StringBuilder();
        final int split = raw.indexOf("\r\n\r\n");
        final String[] lines = raw.substring(0, split).split("\r\n");
        out.append(lines[0]).append("\r\n");
        for (int i = 1; i < lines.length; i++)
        {
            final int colon = lines[i].indexOf(':');
            out.append(lines[i], 0, colon).append(": ").append(lines[i].substring(colon + 1).trim()).append("\r\n");
        }

        return out.append("\r\n").append(raw.substring(split + 4)).toString();
    }

    private ByteBuf text(final String value)
    {
        final ByteBuf buf = alloc.buffer();
        buf.writeCharSequence(value, StandardCharsets.US_ASCII);
        return buf;
    }
}
