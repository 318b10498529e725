package com.cococam.protocols.rtsp;

import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every real camera response in shared/samples decodes through the Netty decoder, whole, split at every byte
 * boundary and byte by byte, to the same message, which matches the Check line of SAMPLES.md.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RtspSamplesTest
{
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    @AfterEach
    void shouldHaveReleasedEveryBuffer()
    {
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    @Test
    void shouldDecodeEverySampleResponseWholeAndSplitAtEveryByteBoundary()
    {
        final Map<String, Map<String, String>> checks = RtspTestSupport.checkLines();
        final List<String> names = RtspTestSupport.sampleNames("rtsp_", ".txt");
        assertEquals(29, names.size(), "rtsp_*.txt samples");

        int accepted = 0;
        for (final String name : names)
        {
            final byte[] bytes = RtspTestSupport.sampleBytes(name);
            final List<String> whole = RtspTestSupport.describeAndRelease(
                RtspTestSupport.decode(new RtspDecoder(), alloc, bytes));
            assertEquals(1, whole.size(), name + ": one message");

            for (int split = 1; split < bytes.length; split++)
            {
                assertEquals(whole, RtspTestSupport.describeAndRelease(
                    RtspTestSupport.decode(new RtspDecoder(), alloc, bytes, split)), name + " split at " + split);
            }

            assertEquals(whole, RtspTestSupport.describeAndRelease(
                RtspTestSupport.decodeByteByByte(new RtspDecoder(), alloc, bytes)), name + " byte by byte");

            final List<Object> decoded = RtspTestSupport.decode(new RtspDecoder(), alloc, bytes);
            try
            {
                assertMatchesCheck(name, (RtspResponse)decoded.get(0), checks.get(name), bytes);
            }
            finally
            {
                RtspTestSupport.releaseAll(decoded);
            }

            accepted++;
        }

        System.out.println("[rtsp samples] accepted " + accepted + " of " + names.size() + " rtsp_*.txt responses");
        assertEquals(names.size(), accepted);
    }

    private static void assertMatchesCheck(
        final String name,
        final RtspResponse response,
        final Map<String, String> check,
        final byte[] bytes)
    {
        assertNotNull(check, name + ": SAMPLES.md has a Check line");
        final String firstLine = new String(bytes, 0, indexOf(bytes, (byte)'\r'), StandardCharsets.ISO_8859_1);
        assertEquals('"' + firstLine + '"', check.get("first line"), name);
        final String[] status = firstLine.split(" ", 3);
        assertEquals(status[0], response.version(), name);
        assertEquals(Integer.parseInt(status[1]), response.statusCode(), name);
        assertEquals(status[2], response.reason(), name);
        assertEquals(List.of(check.get("headers").split(",")), response.headers().names(), name + " header names");
        assertTrue(response.cseq() > 0, name + " cseq");

        final String contentLength = response.headers().get(RtspHeaderNames.CONTENT_LENGTH);
        assertEquals(contentLength == null ? 0 : Integer.parseInt(contentLength), response.content().readableBytes(),
            name + " body length");

        if (check.containsKey("m-lines"))
        {
            final Sdp sdp = Sdp.parse(response.content());
            assertSdpMatchesCheck(name, sdp, check);
        }
    }

    /**
     * Checks m-lines and rtpmaps of a parsed SDP against a SAMPLES.md Check line.
     */
    static void assertSdpMatchesCheck(final String name, final Sdp sdp, final Map<String, String> check)
    {
        final List<String> mLines = new ArrayList<>();
        final List<String> rtpMaps = new ArrayList<>();
        for (final SdpMedia media : sdp.media())
        {
            mLines.add(media.type() + ' ' + media.port() + ' ' + media.proto() + ' ' + String.join(" ", media.formats()));
            rtpMaps.addAll(media.attributeValues("rtpmap"));
        }

        assertEquals(List.of(check.get("m-lines").split(" \\| ")), mLines, name + " m-lines");
        assertEquals(List.of(check.get("rtpmap").split(", ")), rtpMaps, name + " rtpmaps");
    }

    private static int indexOf(final byte[] bytes, final byte value)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (bytes[i] == value)
            {
                return i;
            }
        }

        return bytes.length;
    }

    @Test
    void shouldDecodeAllSampleResponsesBackToBackInOneStream()
    {
        final List<String> names = RtspTestSupport.sampleNames("rtsp_", ".txt");
        final java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        final List<String> expected = new ArrayList<>();
        for (final String name : names)
        {
            final byte[] bytes = RtspTestSupport.sampleBytes(name);
            stream.writeBytes(bytes);
            expected.addAll(RtspTestSupport.describeAndRelease(
                RtspTestSupport.decode(new RtspDecoder(), alloc, bytes)));
        }

        final RtspDecoder decoder = new RtspDecoder();
        final List<Object> decoded = RtspTestSupport.decode(decoder, alloc, stream.toByteArray(), 7, 500, 501, 4000);

        assertEquals(expected, RtspTestSupport.describeAndRelease(decoded));
        assertEquals(names.size(), decoder.decodedMessages());
        assertEquals(0, decoder.skippedBytes());
        assertEquals(0, decoder.resyncCount());
    }

    @Test
    void shouldDecodeTheLongseChallengeWithItsTrailingSpaceTrimmed()
    {
        final List<Object> decoded = RtspTestSupport.decode(new RtspDecoder(), alloc,
            RtspTestSupport.sampleBytes("rtsp_longse_401_unauthorized.txt"));
        try
        {
            final RtspResponse response = assertInstanceOf(RtspResponse.class, decoded.get(0));
            assertEquals(401, response.statusCode());
            assertEquals("Unauthorized", response.reason());
            assertEquals("1", response.headers().get("cseq"));
            assertEquals(1, response.cseq());
            assertEquals("Rtsp Server 1920*1080*20*2048", response.headers().get(RtspHeaderNames.SERVER));
            assertEquals(List.of("Digest realm=\"Surveillance Server\", nonce=\"98481030\""),
                response.headers().getAll(RtspHeaderNames.WWW_AUTHENTICATE));
        }
        finally
        {
            RtspTestSupport.releaseAll(decoded);
        }
    }
}
