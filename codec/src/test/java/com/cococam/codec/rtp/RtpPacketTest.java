package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Random;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class RtpPacketTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // name, packet hex, marker, pt, seq, ts, ssrc, csrc count, ext profile, payload hex
        "plain, 80E0 4C22 231223C3 CC1D107A AABBCC, true, 96, 19490, 588391363, 3424456826, 0, -1, AABBCC",
        "pcma no marker, 8008 FFFF FFFFFFFF 00000001 D5D5, false, 8, 65535, 4294967295, 1, 0, -1, D5D5",
        "two csrc, 8260 0001 00000064 00000002 00000011 00000022 0102, false, 96, 1, 100, 2, 2, -1, 0102",
        "extension one word, 9060 0002 00000000 00000003 BEDE0001 10FF0000 0A0B, false, 96, 2, 0, 3, 0, 48862, 0A0B",
        "padding three, A060 0003 00000000 00000004 0C0D 000003, false, 96, 3, 0, 4, 0, -1, 0C0D",
        "all of it, B1E1 0004 00000005 00000006 00000007 1000 0000 EE 0002, true, 97, 4, 5, 6, 1, 4096, EE",
        "empty payload, 8060 0005 00000000 00000000, false, 96, 5, 0, 0, 0, -1, ''",
    })
    void shouldParseHeaderTable(final String name, final String packetHex, final boolean marker, final int pt,
        final int seq, final long ts, final long ssrc, final int csrcCount, final int extensionProfile,
        final String payloadHex)
    {
        final byte[] bytes = hex(packetHex);
        final ByteBuf buf = Unpooled.buffer().writeByte(0x55).writeBytes(bytes).writeByte(0x66);
        buf.readerIndex(1).writerIndex(1 + bytes.length);
        final RtpPacket packet = new RtpPacket();

        assertEquals(RtpWrapResult.OK, packet.wrap(buf));

        assertEquals(2, packet.version());
        assertEquals(marker, packet.marker());
        assertEquals(pt, packet.payloadType());
        assertEquals(seq, packet.sequenceNumber());
        assertEquals(ts, packet.timestamp());
        assertEquals(ssrc, packet.ssrc());
        assertEquals(csrcCount, packet.csrcCount());
        assertEquals(extensionProfile, packet.extensionProfile());
        assertArrayEquals(hex(payloadHex), ByteBufUtil.getBytes(buf, packet.payloadOffset(), packet.payloadLength()));
        assertArrayEquals(hex(payloadHex), ByteBufUtil.getBytes(packet.payload()));
        assertEquals(1, buf.readerIndex());
        assertEquals(1 + bytes.length, buf.writerIndex());
    }

    @Test
    void shouldExposeCsrcAndExtensionData()
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(hex("9260 0001 00000064 00000002 00000011 00000022 " +
            "BEDE0002 11223344 55667788 0102"));
        final RtpPacket packet = new RtpPacket();

        assertEquals(RtpWrapResult.OK, packet.wrap(buf));

        assertEquals(0x11, packet.csrc(0));
        assertEquals(0x22, packet.csrc(1));
        assertEquals(8, packet.extensionDataLength());
        assertEquals(0x11223344, buf.getInt(packet.extensionDataOffset()));
        assertEquals(2, packet.payloadLength());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "empty, '', TRUNCATED_HEADER",
        "eleven bytes, 80600001 00000000 000000, TRUNCATED_HEADER",
        "version 1, 40600001 00000000 00000000 AA, BAD_VERSION",
        "version 0, 00600001 00000000 00000000 AA, BAD_VERSION",
        "version 3, C0600001 00000000 00000000 AA, BAD_VERSION",
        "csrc count lies, 83600001 00000000 00000000 00000001 00000002, BAD_CSRC_COUNT",
        "extension head cut, 90600001 00000000 00000000 BEDE, BAD_EXTENSION_LENGTH",
        "extension length lies, 90600001 00000000 00000000 BEDE0002 00000000, BAD_EXTENSION_LENGTH",
        "padding count zero, A0600001 00000000 00000000 AABB00, BAD_PADDING",
        "padding count too large, A0600001 00000000 00000000 AABB04, BAD_PADDING",
        "padding without payload, A0600001 00000000 00000000, BAD_PADDING",
        "padding eats the extension, B0600001 00000000 00000000 BEDE0000 05, BAD_PADDING",
    })
    void shouldRejectMalformedTable(final String name, final String packetHex, final RtpWrapResult expected)
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(hex(packetHex));

        assertEquals(expected, new RtpPacket().wrap(buf));
        assertEquals(0, buf.readerIndex());
    }

    @Test
    void shouldAcceptPaddingThatFillsThePayloadExactly()
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(hex("A0600001 00000000 00000000 000004"));
        final ByteBuf four = Unpooled.wrappedBuffer(hex("A0600001 00000000 00000000 00000004"));
        final RtpPacket packet = new RtpPacket();

        assertEquals(RtpWrapResult.BAD_PADDING, packet.wrap(buf));
        assertEquals(RtpWrapResult.OK, packet.wrap(four));
        assertEquals(0, packet.payloadLength());
        assertEquals(4, packet.paddingLength());
    }

    @Test
    void shouldWriteTheHeaderItParses()
    {
        final ByteBuf buf = Unpooled.buffer();
        RtpPacket.writeHeader(buf, true, 111, 0x1_2345, 0x1_8000_0001L, 0xDEADBEEFL);
        buf.writeBytes(hex("0102"));
        final RtpPacket packet = new RtpPacket();

        assertArrayEquals(hex("80EF 2345 80000001 DEADBEEF 0102"), ByteBufUtil.getBytes(buf));
        assertEquals(RtpWrapResult.OK, packet.wrap(buf));
        assertTrue(packet.marker());
        assertEquals(111, packet.payloadType());
        assertEquals(0x2345, packet.sequenceNumber());
        assertEquals(0x8000_0001L, packet.timestamp());
        assertEquals(0xDEADBEEFL, packet.ssrc());
    }

    @Test
    void shouldNeverThrowOnGarbageOrTruncations()
    {
        final Random random = new Random(3550);
        final RtpPacket packet = new RtpPacket();
        final byte[] valid = hex("B1E1 0004 00000005 00000006 00000007 1000 0001 EEEEEEEE 0102 02");
        int ok = 0;
        for (int round = 0; round < 20_000; round++)
        {
            final byte[] bytes;
            if (round % 2 == 0)
            {
                bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
            }
            else
            {
                bytes = java.util.Arrays.copyOf(valid, random.nextInt(valid.length + 1));
                if (bytes.length > 0 && random.nextBoolean())
                {
                    bytes[random.nextInt(bytes.length)] ^= (byte)(1 << random.nextInt(8));
                }
            }

            final RtpWrapResult result = packet.wrap(Unpooled.wrappedBuffer(bytes));
            assertNotNull(result);
            if (result == RtpWrapResult.OK)
            {
                ok++;
                assertTrue(packet.payloadOffset() >= RtpPacket.FIXED_HEADER_SIZE);
                assertTrue(packet.payloadLength() >= 0);
                assertTrue(packet.payloadOffset() + packet.payloadLength() <= bytes.length);
            }
        }

        assertTrue(ok > 0);
        assertFalse(packet.wrap(Unpooled.wrappedBuffer(valid)) != RtpWrapResult.OK);
    }
}
