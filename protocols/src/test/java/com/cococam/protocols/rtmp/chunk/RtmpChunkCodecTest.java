package com.cococam.protocols.rtmp.chunk;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import com.cococam.protocols.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtmpChunkCodecTest
{
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    /**
     * @param csid    chunk stream id.
     * @param type    message type.
     * @param msid    message stream id.
     * @param ts      timestamp.
     * @param length  body length (seeded random content).
     */
    record Spec(int csid, int type, int msid, long ts, int length)
    {
    }

    @AfterEach
    void shouldHaveReleasedEveryBuffer()
    {
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    @Test
    void shouldRoundTripMessagesAcrossChunkStreamIdsSizesAndTimestamps()
    {
        final List<Spec> specs = List.of(
            new Spec(3, 20, 0, 0, 0),
            new Spec(3, 20, 0, 0, 1),
            new Spec(5, 9, 1, 40, 128),
            new Spec(5, 9, 1, 80, 129),
            new Spec(5, 9, 1, 120, 129),
            new Spec(5, 9, 1, 160, 129),
            new Spec(5, 9, 1, 100, 5000),
            new Spec(63, 8, 1, 0xFF_FFFEL, 300),
            new Spec(64, 8, 1, 0xFF_FFFFL, 300),
            new Spec(319, 8, 1, 0x100_0000L, 300),
            new Spec(320, 8, 1, 0xFFFF_FFFFL, 1000),
            new Spec(65_599, 18, 1, 7, 70_000),
            new Spec(5, 9, 2, 200, 10));

        final List<RtmpMessage> decoded = roundTrip(specs, new int[0]);

        assertEquals(specs.size(), decoded.size());
        for (int i = 0; i < specs.size(); i++)
        {
            assertMessage(specs.get(i), i, decoded.get(i));
        }
    }

    @Test
    void shouldRoundTripAfterChangingOurChunkSize()
    {
        final RtmpChunkEncoder chunks = new RtmpChunkEncoder();
        final EmbeddedChannel encoder = new EmbeddedChannel(chunks);
        encoder.config().setAllocator(alloc);
        final List<Spec> specs = List.of(new Spec(6, 9, 1, 10, 9000), new Spec(6, 9, 1, 50, 9000));

        encoder.writeOutbound(new RtmpMessage(2, RtmpMessageTypes.SET_CHUNK_SIZE, 0, 0,
            alloc.heapBuffer().writeInt(4096)));
        final List<RtmpMessage> decoded = roundTripWith(encoder, specs);

        assertEquals(4096, chunks.chunkSize());
        assertEquals(2, decoded.size());
        assertMessage(specs.get(0), 0, decoded.get(0));
        assertMessage(specs.get(1), 1, decoded.get(1));
    }

    @Test
    void shouldCompressHeadersOnOneChunkStream()
    {
        final EmbeddedChannel encoder = new EmbeddedChannel(new RtmpChunkEncoder());
        encoder.config().setAllocator(alloc);
        final int[] firstBytes = new int[5];
        final long[] timestamps = {0, 40, 80, 120, 130};
        final int[] lengths = {10, 10, 10, 10, 11};

        for (int i = 0; i < timestamps.length; i++)
        {
            encoder.writeOutbound(message(new Spec(6, 9, 1, timestamps[i], lengths[i]), i));
            final ByteBuf out = encoder.readOutbound();
            firstBytes[i] = out.getUnsignedByte(0) >>> 6;
            out.release();
        }

        assertEquals(List.of(0, 2, 3, 3, 1), List.of(firstBytes[0], firstBytes[1], firstBytes[2], firstBytes[3],
            firstBytes[4]), "fmt per message: new, delta, same delta, same delta, new length");
        encoder.finishAndReleaseAll();
    }

    @Test
    void shouldRefuseReservedChunkStreamIdInEncoder()
    {
        final EmbeddedChannel encoder = new EmbeddedChannel(new RtmpChunkEncoder(4, 6));
        encoder.config().setAllocator(alloc);

        assertThrows(EncoderException.class, () -> encoder.writeOutbound(message(new Spec(6, 9, 1, 0, 10), 0)));

        encoder.finishAndReleaseAll();
    }

    @Test
    void shouldSumDeltasModulo32Bits()
    {
        final EmbeddedChannel decoder = decoder(new RtmpChunkDecoder());

        decoder.writeInbound(bytes("03 ffffff 000001 14 00000000 fffffff0 aa" + "83 000020 bb"));

        final RtmpMessage first = decoder.readInbound();
        final RtmpMessage second = decoder.readInbound();
        assertEquals(0xFFFF_FFF0L, first.timestamp32Ms());
        assertEquals(0x10L, second.timestamp32Ms(), "0xfffffff0 + 0x20 wraps");
        assertEquals("bb", ByteBufUtil.hexDump(second.payload()));
        first.release();
        second.release();
        decoder.finishAndReleaseAll();
    }

    @Test
    void shouldAcceptExtendedTimestampRepeatedOnContinuationChunks()
    {
        final EmbeddedChannel decoder = decoder(new RtmpChunkDecoder());
        final String body = "11".repeat(128) + "22".repeat(72);

        decoder.writeInbound(bytes("04 ffffff 0000c8 09 01000000 01000000" + body.substring(0, 256)
            + "c4 01000000" + body.substring(256)));

        final RtmpMessage message = decoder.readInbound();
        assertEquals(0x0100_0000L, message.timestamp32Ms());
        assertEquals(body, ByteBufUtil.hexDump(message.payload()));
        message.release();
        decoder.finishAndReleaseAll();
    }

    @Test
    void shouldAcceptExtendedTimestampOmittedOnContinuationChunks()
    {
        final EmbeddedChannel decoder = decoder(new RtmpChunkDecoder());
        final String body = "11".repeat(128) + "22".repeat(72);

        decoder.writeInbound(bytes("04 ffffff 0000c8 09 01000000 01000000" + body.substring(0, 256)
            + "c4" + body.substring(256)));

        final RtmpMessage message = decoder.readInbound();
        assertEquals(0x0100_0000L, message.timestamp32Ms());
        assertEquals(body, ByteBufUtil.hexDump(message.payload()));
        message.release();
        decoder.finishAndReleaseAll();
    }

    @Test
    void shouldDropPartialMessageOnAbort()
    {
        final EmbeddedChannel decoder = decoder(new RtmpChunkDecoder());

        decoder.writeInbound(bytes("04 000000 0000c8 09 01000000" + "33".repeat(128)
            + "02 000000 000004 02 00000000 00000004"
            + "04 000010 000003 09 01000000 010203"));

        final RtmpMessage message = decoder.readInbound();
        assertEquals("010203", ByteBufUtil.hexDump(message.payload()));
        assertEquals(0x10, message.timestamp32Ms());
        assertNull(decoder.readInbound());
        message.release();
        decoder.finishAndReleaseAll();
    }

    @Test
    void shouldApplyPeerChunkSizeAndSendAcknowledgementWhenWindowIsCrossed()
    {
        final RtmpChunkDecoder chunks = new RtmpChunkDecoder();
        final EmbeddedChannel decoder = decoder(chunks);

        decoder.writeInbound(bytes("02 000000 000004 01 00000000 00001000" + "02 000000 000004 05 00000000 00000064"));
        assertEquals(4096, chunks.chunkSize());
        assertEquals(100, chunks.windowAckSize());
        assertNull(decoder.readOutbound(), "32 bytes received: under the window");
        decoder.writeInbound(bytes("03 000000 0000c8 14 00000000" + "44".repeat(200)));

        final RtmpMessage whole = decoder.readInbound();
        assertEquals(200, whole.payload().readableBytes(), "one chunk at the new chunk size");
        whole.release();
        final RtmpMessage ack = decoder.readOutbound();
        assertNotNull(ack);
        assertEquals(RtmpMessageTypes.ACKNOWLEDGEMENT, ack.typeId());
        assertEquals(chunks.bytesReceived(), ack.payload().getUnsignedInt(0));
        assertEquals(244, chunks.bytesReceived());
        ack.release();
        decoder.finishAndReleaseAll();
    }

    @Test
    void shouldPassUserControlAndPeerBandwidthUp()
    {
        final EmbeddedChannel decoder = decoder(new RtmpChunkDecoder());

        decoder.writeInbound(bytes("02 000000 000006 04 00000000 0006 0000abcd"
            + "02 000000 000005 06 00000000 00001000 02"
            + "02"));

        final RtmpMessage ping = decoder.readInbound();
        final RtmpMessage bandwidth = decoder.readInbound();
        assertEquals(RtmpMessageTypes.USER_CONTROL, ping.typeId());
        assertEquals(RtmpMessageTypes.SET_PEER_BANDWIDTH, bandwidth.typeId());
        ping.release();
        bandwidth.release();
        decoder.finishAndReleaseAll();
    }

    @Test
    void shouldRejectChunkSizeOverBound()
    {
        assertDecoderError(new RtmpChunkDecoder(), "02 000000 000004 01 00000000 00011171", RtmpErrorCode.CHUNK_SIZE);
    }

    @Test
    void shouldRejectZeroChunkSize()
    {
        assertDecoderError(new RtmpChunkDecoder(), "02 000000 000004 01 00000000 00000000", RtmpErrorCode.CHUNK_SIZE);
    }

    @Test
    void shouldRejectMessageLengthOverBound()
    {
        assertDecoderError(new RtmpChunkDecoder(65_536, 1000, 64, 256), "03 000000 0003e9 09 01000000 00",
            RtmpErrorCode.MESSAGE_LENGTH);
    }

    @Test
    void shouldRejectTooManyChunkStreams()
    {
        assertDecoderError(new RtmpChunkDecoder(65_536, 1000, 2, 256),
            "03 000000 000001 14 00000000 05" + "04 000000 000001 14 00000000 05" + "05 000000 000001 14 00000000 05",
            RtmpErrorCode.CHUNK_STREAMS);
    }

    @Test
    void shouldRejectCompressedHeaderOnNewChunkStream()
    {
        assertDecoderError(new RtmpChunkDecoder(), "43 000000 000001 14 05", RtmpErrorCode.CHUNK_HEADER);
    }

    @Test
    void shouldRejectNewHeaderInsideIncompleteMessageAndReleaseThePartialBuffer()
    {
        assertDecoderError(new RtmpChunkDecoder(), "03 000000 0000c8 09 01000000" + "55".repeat(128)
            + "03 000000 000001 09 01000000 05", RtmpErrorCode.CHUNK_HEADER);
    }

    @Test
    void shouldRejectTruncatedControlMessage()
    {
        assertDecoderError(new RtmpChunkDecoder(), "02 000000 000002 01 00000000 0010", RtmpErrorCode.CONTROL_MESSAGE);
    }

    @Test
    void shouldPreEncodeMediaIntoOneBufferThatDecodesBack()
    {
        final ByteBuf body = seeded(10_000, 99);
        final long timestamp = 0x0123_4567L;

        final ByteBuf encoded = RtmpChunkWriter.preEncode(alloc, 4096, 6, 1, RtmpMessageTypes.VIDEO, timestamp, body);

        assertEquals(0, body.readerIndex(), "body not consumed");
        assertEquals(RtmpChunkWriter.encodedLength(4096, 6, timestamp, 10_000), encoded.readableBytes());
        assertEquals(1 + 11 + 4 + 10_000 + 2 * (1 + 4), encoded.readableBytes(), "type 0 + two type 3 with ext");
        final RtmpChunkDecoder chunks = new RtmpChunkDecoder();
        final EmbeddedChannel decoder = decoder(chunks);
        decoder.writeInbound(bytes("02 000000 000004 01 00000000 00001000"));
        decoder.writeInbound(encoded.retainedDuplicate());
        decoder.writeInbound(encoded);
        for (int i = 0; i < 2; i++)
        {
            final RtmpMessage message = decoder.readInbound();
            assertEquals(6, message.chunkStreamId());
            assertEquals(RtmpMessageTypes.VIDEO, message.typeId());
            assertEquals(1, message.messageStreamId());
            assertEquals(timestamp, message.timestamp32Ms());
            assertTrue(ByteBufUtil.equals(body, message.payload()));
            message.release();
        }

        body.release();
        decoder.finishAndReleaseAll();
    }

    private void assertDecoderError(final RtmpChunkDecoder chunks, final String hex, final RtmpErrorCode code)
    {
        final EmbeddedChannel decoder = decoder(chunks);

        final Exception error = assertThrows(Exception.class, () -> decoder.writeInbound(bytes(hex)));

        final RtmpProtocolException typed = RtmpProtocolException.find(error);
        assertTrue(typed instanceof RtmpChunkException, String.valueOf(error));
        assertEquals(code, typed.code(), typed.getMessage());
        RtmpMessage before;
        while ((before = decoder.readInbound()) != null)
        {
            before.release();
        }

        decoder.writeInbound(bytes("03 000000 000001 14 00000000 05"));
        assertNull(decoder.readInbound(), "input after the error is discarded");
        assertFalse(decoder.finishAndReleaseAll());
    }

    private List<RtmpMessage> roundTrip(final List<Spec> specs, final int[] reserved)
    {
        final EmbeddedChannel encoder = new EmbeddedChannel(new RtmpChunkEncoder(reserved));
        encoder.config().setAllocator(alloc);
        return roundTripWith(encoder, specs);
    }

    private List<RtmpMessage> roundTripWith(final EmbeddedChannel encoder, final List<Spec> specs)
    {
        for (int i = 0; i < specs.size(); i++)
        {
            encoder.writeOutbound(message(specs.get(i), i));
        }

        final EmbeddedChannel decoder = decoder(new RtmpChunkDecoder());
        ByteBuf out;
        final Random split = new Random(5);
        while ((out = encoder.readOutbound()) != null)
        {
            // Deliver in random slices so headers and payloads straddle reads.
            while (out.isReadable())
            {
                final int length = Math.min(out.readableBytes(), 1 + split.nextInt(700));
                decoder.writeInbound(out.readRetainedSlice(length));
            }

            out.release();
        }

        final List<RtmpMessage> decoded = new ArrayList<>();
        RtmpMessage message;
        while ((message = decoder.readInbound()) != null)
        {
            decoded.add(message);
        }

        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
        return decoded;
    }

    private void assertMessage(final Spec spec, final int seed, final RtmpMessage message)
    {
        try
        {
            assertEquals(spec.csid(), message.chunkStreamId());
            assertEquals(spec.type(), message.typeId());
            assertEquals(spec.msid(), message.messageStreamId());
            assertEquals(spec.ts(), message.timestamp32Ms(), "timestamp of " + spec);
            final ByteBuf expected = seeded(spec.length(), seed);
            assertTrue(ByteBufUtil.equals(expected, message.payload()), "payload of " + spec);
            expected.release();
        }
        finally
        {
            message.release();
        }
    }

    private RtmpMessage message(final Spec spec, final int seed)
    {
        return new RtmpMessage(spec.csid(), spec.type(), spec.msid(), spec.ts(), seeded(spec.length(), seed));
    }

    private ByteBuf seeded(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return alloc.heapBuffer(length).writeBytes(bytes);
    }

    private EmbeddedChannel decoder(final RtmpChunkDecoder chunks)
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(chunks);
        return channel;
    }

    private ByteBuf bytes(final String hex)
    {
        return alloc.heapBuffer().writeBytes(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }
}
