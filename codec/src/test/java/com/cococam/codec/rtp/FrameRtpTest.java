package com.cococam.codec.rtp;

import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.media.FrameFlags;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * G.711 (RFC 3551) and Opus (RFC 7587): one frame per packet, round trips on the G.711 payload samples.
 */
@Timeout(60)
class FrameRtpTest
{
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
