package com.cococam.codec.rtp;

import com.cococam.codec.aac.AdtsHeader;
import com.cococam.codec.aac.AudioSpecificConfig;
import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.media.FrameFlags;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AAC over RTP: RFC 3640 mpeg4-generic (case table shared by the packetizer and depacketizer, other AU header
 * layouts decoded, round trips on the ADTS samples with loss) and RFC 6416 MP4A-LATM (cpresent 0 and 1).
 */
@Timeout(120)
class AacRtpTest
{
    private static final String HBR = "mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1210";
    private static final String THIRTY = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D";

    static Stream<Arguments> hbrCases()
    {
        return Stream.of(
            Arguments.of("one frame", 1400, "211A2B", List.of("0010 0018 211A2B")),
            Arguments.of("fragmented frame", 16, THIRTY, List.of("0010 00F0 000102030405060708090A0B",
                "0010 00F0 0C0D0E0F1011121314151617", "0010 00F0 18191A1B1C1D")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hbrCases")
    void shouldPacketizeHbrTable(final String name, final int maxPayload, final String frame,
        final List<String> payloads)
    {
        final Mpeg4GenericPacketizer packetizer = new Mpeg4GenericPacketizer(RtpFixtures.ALLOC,
            new RtpStreamWriter(97, 1, 0), maxPayload);
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();

        assertEquals(payloads.size(), packetizer.packetize(Unpooled.wrappedBuffer(hex(frame)), 4096, packets));

        for (int i = 0; i < payloads.size(); i++)
        {
            final byte[] packet = packets.list.get(i);
            assertArrayEquals(hex(payloads.get(i)), Arrays.copyOfRange(packet, 12, packet.length));
            assertEquals(i == payloads.size() - 1, (packet[1] & 0x80) != 0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hbrCases")
    void shouldDepacketizeHbrTable(final String name, final int maxPayload, final String frame,
        final List<String> payloads)
    {
        final List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++)
        {
            packets.add(NalRtpGoldenTest.packet(i, 4096, i == payloads.size() - 1, payloads.get(i)));
        }

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final Mpeg4GenericDepacketizer depacketizer = generic(HBR, collector);

        assertTrue(RtpFixtures.feed(depacketizer, packets).stream().allMatch(r -> r == DepacketizeResult.OK));

        assertEquals(1, collector.units.size());
        assertArrayEquals(hex(frame), collector.units.get(0).bytes());
        assertEquals(4096, collector.units.get(0).timestamp());
        assertTrue(FrameFlags.isKeyframe(collector.units.get(0).flags()));
        assertEquals(44100, depacketizer.currentFormat().sampleRate());
        assertEquals(2, depacketizer.currentFormat().channels());
    }

    static Stream<Arguments> layouts()
    {
        return Stream.of(
            // RFC 3640 3.3.6 AAC-hbr: three 16-bit AU headers, then the AUs back to back.
            Arguments.of("hbr three frames", HBR, "0030 0008 0010 0008 11 2233 44", List.of("11", "2233", "44")),
            // RFC 3640 3.3.5 AAC-lbr: 6-bit size, 2-bit index (delta).
            Arguments.of("lbr two frames", "mode=AAC-lbr;sizelength=6;indexlength=2;indexdeltalength=2;config=1210",
                "0010 0C 08 AABBCC DDEE", List.of("AABBCC", "DDEE")),
            Arguments.of("odd lengths 7/5/1 in 20 bits", "sizelength=7;indexlength=5;indexdeltalength=1;config=1210",
                "0014 040020 AABB CC", List.of("AABB", "CC")),
            Arguments.of("cts dts rap fields skipped", "sizelength=13;indexlength=3;indexdeltalength=3;" +
                "ctsdeltalength=4;dtsdeltalength=4;randomaccessindication=1;config=1210", "0017 001056 AABB",
                List.of("AABB")),
            Arguments.of("auxiliary section skipped", "sizelength=13;indexlength=3;indexdeltalength=3;" +
                "auxiliarydatasizelength=8;config=1210", "0010 0010 10 FFEE AABB", List.of("AABB")),
            Arguments.of("headerless constant size", "constantsize=2;config=1210", "AABB CCDD", List.of("AABB", "CCDD"))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layouts")
    void shouldDepacketizeAuHeaderLayouts(final String name, final String fmtp, final String payload,
        final List<String> frames)
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final Mpeg4GenericDepacketizer depacketizer = generic(fmtp, collector);

        final List<DepacketizeResult> results =
            RtpFixtures.feed(depacketizer, List.of(NalRtpGoldenTest.packet(0, 0xFFFF_FC00L, true, payload)));

        assertEquals(List.of(DepacketizeResult.OK), results);
        assertEquals(frames.size(), collector.units.size());
        for (int i = 0; i < frames.size(); i++)
        {
            assertArrayEquals(hex(frames.get(i)), collector.units.get(i).bytes());
            assertEquals((0xFFFF_FC00L + 1024L * i) & 0xFFFF_FFFFL, collector.units.get(i).timestamp());
        }
    }

    static Stream<Arguments> badGeneric()
    {
        return Stream.of(
            Arguments.of("interleaved index", "0010 0009 AA", DepacketizeResult.UNSUPPORTED),
            Arguments.of("headers length past end", "0020 0008 AA", DepacketizeResult.MALFORMED),
            Arguments.of("headers length not whole headers", "0011 0008 00 AA", DepacketizeResult.MALFORMED),
            Arguments.of("last fragment short", "0010 0018 AA", DepacketizeResult.MALFORMED),
            Arguments.of("sizes past end", "0020 0008 0010 AA", DepacketizeResult.MALFORMED),
            Arguments.of("one byte", "00", DepacketizeResult.MALFORMED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badGeneric")
    void shouldCountBadGenericPayloads(final String name, final String payload, final DepacketizeResult expected)
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final Mpeg4GenericDepacketizer depacketizer = generic(HBR, collector);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, List.of(
            NalRtpGoldenTest.packet(0, 0, true, payload), NalRtpGoldenTest.packet(1, 1024, true, "0010 0008 77")));

        assertEquals(List.of(expected, DepacketizeResult.OK), results);
        assertEquals(1, collector.units.size());
        assertArrayEquals(hex("77"), collector.units.get(0).bytes());
    }

    @Test
    void shouldRejectImpossibleConfigurations()
    {
        assertThrows(IllegalArgumentException.class, () -> Mpeg4GenericConfig.fromFmtp(RtpFmtp.parse("mode=x")));
        assertThrows(IllegalArgumentException.class,
            () -> Mpeg4GenericConfig.fromFmtp(RtpFmtp.parse("sizelength=33")));
        assertThrows(IllegalArgumentException.class,
            () -> Mpeg4GenericConfig.fromFmtp(RtpFmtp.parse("sizelength=13;config=12G0")));
        assertNull(generic("sizelength=13;config=00", new RtpFixtures.Collector()).currentFormat());
        assertEquals(HBR.toLowerCase(), Mpeg4GenericConfig.aacHbr(hex("1210")).toFmtp().toLowerCase()
            .replace("streamtype=5;profile-level-id=1;", ""));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"aac_androidx_sample.adts", "aac_androidx_with_id3.adts", "aac_srs_avatar.adts"})
    void shouldRoundTripEveryAdtsFrameForEveryPayloadSize(final String name)
    {
        final byte[] adts = CodecSamples.bytes(name);
        final List<byte[]> frames = RtpFixtures.adtsFrames(adts);
        final AdtsHeader header = RtpFixtures.firstAdtsHeader(adts);
        final byte[] asc = header.toAudioSpecificConfig().raw();
        for (final int payloadSize : new int[] {100, 200, 1200, 1400})
        {
            final List<byte[]> packets = new ArrayList<>();
            final List<Integer> owners = new ArrayList<>();
            final Mpeg4GenericPacketizer packetizer = new Mpeg4GenericPacketizer(RtpFixtures.ALLOC,
                new RtpStreamWriter(97, 9, 40_000), payloadSize);
            for (int i = 0; i < frames.size(); i++)
            {
                final RtpFixtures.Packets out = new RtpFixtures.Packets();
                final int count = packetizer.packetize(Unpooled.wrappedBuffer(frames.get(i)), 1024L * i, out);
                assertEquals(out.list.size(), count);
                packets.addAll(out.list);
                for (int k = 0; k < count; k++)
                {
                    owners.add(i);
                }
            }

            final RtpFixtures.Collector collector = new RtpFixtures.Collector();
            final Mpeg4GenericDepacketizer depacketizer = new Mpeg4GenericDepacketizer(
                Mpeg4GenericConfig.aacHbr(asc), RtpFixtures.ALLOC, collector, 1 << 16);
            RtpFixtures.feed(depacketizer, packets);

            assertEquals(frames.size(), collector.units.size(), name + " " + payloadSize);
            for (int i = 0; i < frames.size(); i++)
            {
                assertArrayEquals(frames.get(i), collector.units.get(i).bytes());
                assertEquals(1024L * i, collector.units.get(i).timestamp());
            }

            assertEquals(header.sampleRate(), depacketizer.currentFormat().sampleRate());
            lossyRun(name + " " + payloadSize, frames, packets, owners, asc);
        }
    }

    private static void lossyRun(final String label, final List<byte[]> frames, final List<byte[]> packets,
        final List<Integer> owners, final byte[] asc)
    {
        final Random random = new Random(label.hashCode());
        final boolean[] lost = new boolean[packets.size()];
        final List<byte[]> arrival = new ArrayList<>();
        for (int p = 0; p < packets.size(); p++)
        {
            lost[p] = p > 0 && p < packets.size() - 1 && random.nextInt(100) < 5;
            if (!lost[p])
            {
                arrival.add(packets.get(p));
            }
        }

        final boolean[] dropped = new boolean[frames.size()];
        for (int p = 0; p < packets.size(); p++)
        {
            final int frame = owners.get(p);
            final boolean first = p == 0 || owners.get(p - 1) != frame;
            final boolean fragmented = p + 1 < packets.size() && owners.get(p + 1) == frame || !first;
            dropped[frame] |= lost[p] || first && fragmented && p > 0 && lost[p - 1];
        }

        final List<byte[]> expected = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++)
        {
            if (!dropped[i])
            {
                expected.add(frames.get(i));
            }
        }

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final Mpeg4GenericDepacketizer depacketizer = new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.aacHbr(asc),
            RtpFixtures.ALLOC, collector, 1 << 16);
        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, arrival);

        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), label + " " + results);
        assertEquals(expected.size(), collector.units.size(), label);
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), collector.units.get(i).bytes(), label + " frame " + i);
        }
    }

    @Test
    void shouldParseTheLatmConfigOfAStereo44kStream()
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final LatmDepacketizer depacketizer = LatmDepacketizer.fromFmtp(
            RtpFmtp.parse("profile-level-id=15;object=2;cpresent=0;config=400024203FC0"), RtpFixtures.ALLOC,
            collector);

        assertArrayEquals(hex("1210"), depacketizer.audioSpecificConfig());
        assertEquals(44100, depacketizer.currentFormat().sampleRate());
        assertEquals(2, depacketizer.currentFormat().channels());
        assertThrows(IllegalArgumentException.class, () -> LatmDepacketizer.fromFmtp(RtpFmtp.parse("cpresent=0"),
            RtpFixtures.ALLOC, collector));
        assertThrows(IllegalArgumentException.class, () -> LatmDepacketizer.fromFmtp(
            RtpFmtp.parse("cpresent=0;config=4000"), RtpFixtures.ALLOC, collector));
    }

    @Test
    void shouldAcceptGstreamersShortLatmConfig()
    {
        // What GStreamer's rtpmp4apay puts in the SDP for 48 kHz stereo AAC-LC: the StreamMuxConfig stops right
        // after the AudioSpecificConfig (no frameLengthType, buffer fullness, other data or CRC fields).
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final LatmDepacketizer depacketizer = LatmDepacketizer.fromFmtp(
            RtpFmtp.parse("cpresent=0;config=40002320"), RtpFixtures.ALLOC, collector);

        assertArrayEquals(hex("1190"), depacketizer.audioSpecificConfig());
        assertEquals(48000, depacketizer.currentFormat().sampleRate());
        assertEquals(2, depacketizer.currentFormat().channels());
        depacketizer.close();
    }

    @ParameterizedTest(name = "cpresent={0}")
    @ValueSource(booleans = {false, true})
    void shouldRoundTripAdtsFramesThroughLatm(final boolean inBand)
    {
        final byte[] adts = CodecSamples.bytes("aac_srs_avatar.adts");
        final List<byte[]> frames = RtpFixtures.adtsFrames(adts);
        final AudioSpecificConfig asc = RtpFixtures.firstAdtsHeader(adts).toAudioSpecificConfig();
        final byte[] config = streamMuxConfig(asc);
        final List<byte[]> packets = new ArrayList<>();
        int seq = 0;
        for (int i = 0; i < frames.size(); i++)
        {
            final byte[] element = audioMuxElement(inBand, i % 50 == 0, config, frames.get(i));
            // Elements over 200 bytes go in fragments; only the last carries the marker (RFC 6416 3.2).
            for (int off = 0; off < element.length; off += 200)
            {
                final int end = Math.min(element.length, off + 200);
                packets.add(NalRtpGoldenTest.packet(seq++, 1024L * i, end == element.length,
                    ByteBufUtil.hexDump(element, off, end - off)));
            }
        }

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final LatmDepacketizer depacketizer = new LatmDepacketizer(inBand, inBand ? null : config, RtpFixtures.ALLOC,
            collector, LatmDepacketizer.DEFAULT_MAX_ELEMENT_SIZE);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);

        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK));
        assertEquals(frames.size(), collector.units.size());
        for (int i = 0; i < frames.size(); i++)
        {
            assertArrayEquals(frames.get(i), collector.units.get(i).bytes(), "frame " + i);
            assertEquals(1024L * i, collector.units.get(i).timestamp());
        }

        assertArrayEquals(asc.raw(), depacketizer.audioSpecificConfig());
        assertEquals(1, collector.formats.size());
        assertEquals(44100, collector.formats.get(0).sampleRate());
        assertEquals(2, collector.formats.get(0).channels());
    }

    @Test
    void shouldMatchTheKnownLatmConfigBytes()
    {
        assertArrayEquals(hex("400024203FC0"), streamMuxConfig(AudioSpecificConfig.of(2, 44100, 2)));
    }

    static Mpeg4GenericDepacketizer generic(final String fmtp, final RtpFixtures.Collector collector)
    {
        return new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.fromFmtp(RtpFmtp.parse(fmtp)), RtpFixtures.ALLOC,
            collector, Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE);
    }

    /**
     * StreamMuxConfig, audioMuxVersion 0, one subframe, one program and layer, frameLengthType 0.
     */
    static byte[] streamMuxConfig(final AudioSpecificConfig asc)
    {
        final Bits bits = new Bits();
        writeStreamMuxConfig(bits, asc);
        return bits.toBytes();
    }

    private static void writeStreamMuxConfig(final Bits bits, final AudioSpecificConfig asc)
    {
        bits.put(0, 1).put(1, 1).put(0, 6).put(0, 4).put(0, 3);
        bits.put(asc.objectType(), 5).put(asc.samplingFrequencyIndex(), 4).put(asc.channelConfiguration(), 4)
            .put(0, 3);
        bits.put(0, 3).put(0xFF, 8).put(0, 1).put(0, 1);
    }

    static byte[] audioMuxElement(final boolean inBand, final boolean sendConfig, final byte[] config,
        final byte[] frame)
    {
        final Bits bits = new Bits();
        if (inBand)
        {
            bits.put(sendConfig ? 0 : 1, 1);
            if (sendConfig)
            {
                writeStreamMuxConfig(bits, AudioSpecificConfig.parse(hex("1210")));
            }
        }

        int left = frame.length;
        while (left >= 255)
        {
            bits.put(255, 8);
            left -= 255;
        }

        bits.put(left, 8);
        for (final byte b : frame)
        {
            bits.put(b & 0xFF, 8);
        }

        return bits.toBytes();
    }

    /**
     * Writes bits, most significant first.
     */
    static final class Bits
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private int current;
        private int count;

        Bits put(final long value, final int bitCount)
        {
            for (int i = bitCount - 1; i >= 0; i--)
            {
                current = (current << 1) | (int)((value >>> i) & 1);
                if (++count == 8)
                {
                    out.write(current);
                    current = 0;
                    count = 0;
                }
            }

            return this;
        }

        byte[] toBytes()
        {
            if (count > 0)
            {
                out.write(current << (8 - count));
                current = 0;
                count = 0;
            }

            return out.toByteArray();
        }
    }
}
