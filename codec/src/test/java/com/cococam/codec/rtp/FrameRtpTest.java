package com.cococam.codec.rtp;

import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.media.FrameFlags;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * G.711 (RFC 3551) and Opus (RFC 7587): one frame per packet, round trips on the G.711 payload samples, and one
 * golden case table shared by the packetizer and the depacketizer: RTP headers written out byte by byte.
 */
@Timeout(60)
class FrameRtpTest
{
    private static final long SSRC = 0x0C0C_CA11L;

    /**
     * One golden case: a frame given to the packetizer at {@code timestamp} with sequence numbers from 1, and the
     * 12-byte RTP headers (hex) of the packets that must come out, each followed by its part of the frame.
     */
    record Golden(
        String name,
        FramePayloadFormat format,
        int payloadType,
        int maxPayload,
        long timestamp,
        byte[] frame,
        List<String> headers,
        List<Integer> payloadSizes)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    static Stream<Arguments> goldenCases()
    {
        return Stream.of(
            // RFC 3551 4.5.14 and table 4: PCMU is static payload type 0 at 8000 Hz, one octet per sample; 20 ms is
            // 160 octets. RTP version 2 (0x80), no marker: 80 00.
            new Golden("pcmu 20 ms, pt 0", FramePayloadFormat.PCMU, 0, 1400, 8000, ramp(160, 0x10),
                List.of("80000001" + "00001F40" + "0C0CCA11"), List.of(160)),
            // PCMA is static payload type 8. A 40 ms frame over a 160-octet payload: two packets, the second one's
            // timestamp 160 samples later (RFC 3551 4.2: the timestamp counts samples).
            new Golden("pcma 40 ms split in two, pt 8", FramePayloadFormat.PCMA, 8, 160, 0xFFFF_FFC0L,
                ramp(320, 0xD5), List.of("80080001" + "FFFFFFC0" + "0C0CCA11", "80080002" + "00000060" + "0C0CCA11"),
                List.of(160, 160)),
            new Golden("pcma 250 samples over 100-octet payloads", FramePayloadFormat.PCMA, 8, 100, 240,
                ramp(250, 0x55), List.of("80080001" + "000000F0" + "0C0CCA11", "80080002" + "00000154" + "0C0CCA11",
                "80080003" + "000001B8" + "0C0CCA11"), List.of(100, 100, 50)),
            // RFC 7587 4.1/4.2: a dynamic payload type, one Opus packet per RTP packet, the timestamp on a 48 kHz
            // clock whatever the coded bandwidth. TOC 0x08: config 1 (SILK narrowband, 20 ms), code 0 (one frame):
            // 20 ms is 960 ticks although narrowband audio has 8000 samples a second.
            new Golden("opus SILK NB 20 ms, pt 111", FramePayloadFormat.OPUS, 111, 1400, 960,
                cat(hex("08"), ramp(37, 0x40)), List.of("806F0001" + "000003C0" + "0C0CCA11"), List.of(38)),
            // TOC 0x0B: config 1, code 3 (arbitrary frame count); frame count byte 0x03: three 20 ms frames, still one
            // RTP packet, never split.
            new Golden("opus code 3, three frames in one packet", FramePayloadFormat.OPUS, 111, 1400, 2880,
                cat(hex("0B03"), ramp(90, 0x01)), List.of("806F0001" + "00000B40" + "0C0CCA11"), List.of(92))
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void shouldPacketizeToTheGoldenBytes(final Golden golden)
    {
        final FrameRtpPacketizer packetizer = new FrameRtpPacketizer(golden.format(), RtpFixtures.ALLOC,
            new RtpStreamWriter(golden.payloadType(), SSRC, 1), golden.maxPayload());
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();

        final int count = packetizer.packetize(Unpooled.wrappedBuffer(golden.frame()), golden.timestamp(), packets);

        assertEquals(golden.headers().size(), count);
        assertEquals(golden.headers().size(), packets.list.size());
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            final byte[] packet = packets.list.get(i);
            final int size = golden.payloadSizes().get(i);
            assertEquals(golden.headers().get(i), HexFormat.of().withUpperCase().formatHex(packet, 0, 12),
                "header of packet " + i);
            assertArrayEquals(Arrays.copyOfRange(golden.frame(), offset, offset + size),
                Arrays.copyOfRange(packet, 12, packet.length), "payload of packet " + i);
            offset += size;
        }

        assertEquals(golden.frame().length, offset);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenCases")
    void shouldDepacketizeTheGoldenBytes(final Golden golden)
    {
        final List<byte[]> packets = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < golden.headers().size(); i++)
        {
            final int size = golden.payloadSizes().get(i);
            packets.add(cat(hex(golden.headers().get(i)), Arrays.copyOfRange(golden.frame(), offset, offset + size)));
            offset += size;
        }

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final FrameRtpDepacketizer depacketizer = new FrameRtpDepacketizer(golden.format(), RtpFixtures.ALLOC,
            collector, FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);

        assertEquals(packets.size(), results.size());
        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), results.toString());
        assertEquals(packets.size(), collector.units.size(), "one unit per RTP packet");
        offset = 0;
        for (int i = 0; i < packets.size(); i++)
        {
            final RtpFixtures.Unit unit = collector.units.get(i);
            final int size = golden.payloadSizes().get(i);
            final long headerTimestamp = Long.parseLong(golden.headers().get(i).substring(8, 16), 16);
            assertEquals(headerTimestamp, unit.timestamp());
            // G.711: each packet starts `offset` samples after the frame; Opus: the packet's own time.
            assertEquals((golden.timestamp() + offset) & 0xFFFF_FFFFL, unit.timestamp());
            assertTrue(FrameFlags.isKeyframe(unit.flags()));
            assertArrayEquals(Arrays.copyOfRange(golden.frame(), offset, offset + size), unit.bytes());
            offset += size;
        }

        assertEquals(golden.payloadType() == 111 ? 48_000 : 8000, golden.format().clockRate());
        assertEquals(golden.payloadType() == 111 ? -1 : golden.payloadType(), golden.format().staticPayloadType());
        assertEquals(0, depacketizer.sequence().lost());
    }

    private static byte[] ramp(final int length, final int first)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(first + i);
        }

        return bytes;
    }

    private static byte[] cat(final byte[] a, final byte[] b)
    {
        final byte[] joined = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
    @ParameterizedTest(name = "{0} {1} mtu {2}")
    @CsvSource({
        "g711a_sipp_payload_8k_mono.al, PCMA, 1200, 1",
        "g711a_sipp_payload_8k_mono.al, PCMA, 100, 2",
        "g711u_huawei_ipc_payload_8k_mono.ul, PCMU, 1400, 1",
        "g711u_huawei_ipc_payload_8k_mono.ul, PCMU, 64, 3",
    })
    void shouldRoundTripG711Payloads(final String sample, final FramePayloadFormat format, final int mtu,
        final int packetsPerFrame)
    {
        final byte[] audio = CodecSamples.bytes(sample);
        final FrameRtpPacketizer packetizer = new FrameRtpPacketizer(format, RtpFixtures.ALLOC,
            new RtpStreamWriter(format.staticPayloadType(), 3, 1), mtu);
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();
        for (int off = 0; off < audio.length; off += 160)
        {
            final int end = Math.min(audio.length, off + 160);
            final int count = packetizer.packetize(Unpooled.wrappedBuffer(audio, off, end - off), off, packets);
            assertEquals(end - off == 160 ? packetsPerFrame : count, count);
        }

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final FrameRtpDepacketizer depacketizer = new FrameRtpDepacketizer(format, RtpFixtures.ALLOC, collector,
            FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE);
        assertTrue(RtpFixtures.feed(depacketizer, packets.list).stream().allMatch(r -> r == DepacketizeResult.OK));

        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        long expectedTimestamp = 0;
        for (final RtpFixtures.Unit unit : collector.units)
        {
            assertEquals(expectedTimestamp, unit.timestamp());
            assertTrue(FrameFlags.isKeyframe(unit.flags()));
            joined.writeBytes(unit.bytes());
            expectedTimestamp += unit.bytes().length;
        }

        assertArrayEquals(audio, joined.toByteArray());
        assertEquals(8000, format.clockRate());
    }

    @Test
    void shouldCarryOpusPacketsWholeAndRefuseOnesOverThePayloadSize()
    {
        final FrameRtpPacketizer packetizer = new FrameRtpPacketizer(FramePayloadFormat.OPUS, RtpFixtures.ALLOC,
            new RtpStreamWriter(111, 3, 65_535), 100);
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            final byte[] frame = new byte[1 + i];
            Arrays.fill(frame, (byte)i);
            frame[0] = (byte)0x78;
            frames.add(frame);
            assertEquals(1, packetizer.packetize(Unpooled.wrappedBuffer(frame), 960L * i, packets));
        }

        assertEquals(-1, packetizer.packetize(Unpooled.wrappedBuffer(new byte[101]), 0, packets));
        assertEquals(-1, packetizer.packetize(Unpooled.wrappedBuffer(new byte[0]), 0, packets));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final FrameRtpDepacketizer depacketizer = new FrameRtpDepacketizer(FramePayloadFormat.OPUS,
            RtpFixtures.ALLOC, collector, 47);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets.list);
        final List<DepacketizeResult> bad = RtpFixtures.feed(depacketizer, List.of(
            NalRtpGoldenTest.packet(49, 0, false, ""), NalRtpGoldenTest.packet(50, 0, false, "78")));

        assertEquals(50, results.size());
        assertEquals(47, collector.units.size() - 1, "frames over 47 bytes are oversize");
        assertEquals(DepacketizeResult.OVERSIZE, results.get(49));
        assertEquals(List.of(DepacketizeResult.MALFORMED, DepacketizeResult.OK), bad);
        assertEquals(1, depacketizer.malformedPackets());
        for (int i = 0; i < 47; i++)
        {
            assertArrayEquals(frames.get(i), collector.units.get(i).bytes());
            assertEquals(960L * i, collector.units.get(i).timestamp());
        }

        assertEquals(3, depacketizer.oversizeAccessUnits());
        assertEquals(0, depacketizer.sequence().lost(), "the sequence wrapped from 65535 to 0 without loss");
        assertEquals(48000, FramePayloadFormat.OPUS.clockRate());
        assertArrayEquals(hex("78"), collector.units.get(47).bytes());
    }
}
