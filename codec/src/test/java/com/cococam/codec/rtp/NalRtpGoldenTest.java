package com.cococam.codec.rtp;

import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One case table for the H.264 (RFC 6184) and H.265 (RFC 7798) payload formats, shared by the packetizer and the
 * depacketizer tests: bytes laid out as in the RFCs' figures (RFC 6184 5.7.1 STAP-A, 5.8 FU-A; RFC 7798 4.4.2 AP,
 * 4.4.3 FU).
 */
@Timeout(60)
class NalRtpGoldenTest
{
    private static final String THIRTY = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D";
    private static final String TWENTY_SIX = "000102030405060708090A0B0C0D0E0F10111213141516171819";

    record Case(String name, boolean hevc, int maxPayload, boolean aggregate, List<String> nals, List<String> payloads)
    {
        @Override
        public String toString()
        {
            return name;
        }

        byte[] accessUnit()
        {
            final ByteBuf au = Unpooled.buffer();
            for (final String nal : nals)
            {
                final byte[] bytes = hex(nal);
                au.writeInt(bytes.length).writeBytes(bytes);
            }

            return ByteBufUtil.getBytes(au);
        }
    }

    static Stream<Arguments> cases()
    {
        return Stream.of(
            new Case("h264 single nal unit", false, 1400, false, List.of("658884AA"), List.of("658884AA")),
            new Case("h264 stap-a of sps pps idr", false, 1400, true,
                List.of("6742001E", "68CE3C80", "658884AA"),
                List.of("78 0004 6742001E 0004 68CE3C80 0004 658884AA")),
            new Case("h264 no aggregation when off", false, 1400, false,
                List.of("6742001E", "68CE3C80", "658884AA"), List.of("6742001E", "68CE3C80", "658884AA")),
            new Case("h264 fu-a in three", false, 16, false, List.of("65" + THIRTY),
                List.of("7C85 000102030405060708090A0B0C0D", "7C05 0E0F101112131415161718191A1B", "7C45 1C1D")),
            new Case("h264 stap-a then fu-a", false, 16, true, List.of("6742001E", "68CE3C80", "41" + THIRTY),
                List.of("78 0004 6742001E 0004 68CE3C80", "5C81 000102030405060708090A0B0C0D",
                    "5C01 0E0F101112131415161718191A1B", "5C41 1C1D")),
            new Case("h264 stap-a nri is the highest", false, 1400, true, List.of("06050102", "21AABB"),
                List.of("38 0004 06050102 0003 21AABB")),
            new Case("h265 single nal unit", true, 1400, false, List.of("2601AF09"), List.of("2601AF09")),
            new Case("h265 ap of vps sps pps", true, 1400, true, List.of("40010C01", "42010101", "4401C172"),
                List.of("6001 0004 40010C01 0004 42010101 0004 4401C172")),
            new Case("h265 fu in two", true, 16, false, List.of("2601" + TWENTY_SIX),
                List.of("6201 93 000102030405060708090A0B0C", "6201 53 0D0E0F10111213141516171819")),
            new Case("h265 ap then fu", true, 20, true, List.of("40010C01", "4401C172", "0201" + TWENTY_SIX),
                List.of("6001 0004 40010C01 0004 4401C172", "6201 81 000102030405060708090A0B0C0D0E0F10",
                    "6201 41 1112131415161718 19"))
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldPacketizeTable(final Case c)
    {
        final RtpStreamWriter writer = new RtpStreamWriter(96, 7, 100);
        final NalRtpPacketizer packetizer = c.hevc() ?
            new H265RtpPacketizer(RtpFixtures.ALLOC, writer, c.maxPayload(), c.aggregate()) :
            new H264RtpPacketizer(RtpFixtures.ALLOC, writer, c.maxPayload(), c.aggregate());
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();
        final ByteBuf au = Unpooled.wrappedBuffer(c.accessUnit());

        final int count = packetizer.packetize(au, 90_000, packets);

        assertEquals(c.payloads().size(), count);
        assertEquals(0, au.readerIndex());
        final RtpPacket view = new RtpPacket();
        for (int i = 0; i < count; i++)
        {
            final byte[] packet = packets.list.get(i);
            assertEquals(RtpWrapResult.OK, view.wrap(Unpooled.wrappedBuffer(packet)));
            assertArrayEquals(hex(c.payloads().get(i)), Arrays.copyOfRange(packet, 12, packet.length), "packet " + i);
            assertEquals(i == count - 1, view.marker());
            assertEquals(100 + i, view.sequenceNumber());
            assertEquals(90_000, view.timestamp());
            assertEquals(96, view.payloadType());
            assertEquals(7, view.ssrc());
        }

        assertEquals(count, writer.packetCount());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldDepacketizeTable(final Case c)
    {
        final List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < c.payloads().size(); i++)
        {
            packets.add(packet(i, 90_000, i == c.payloads().size() - 1, c.payloads().get(i)));
        }

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final VideoRtpDepacketizer depacketizer = c.hevc() ?
            new H265RtpDepacketizer(RtpFixtures.ALLOC, collector, 1 << 20, false) :
            new H264RtpDepacketizer(RtpFixtures.ALLOC, collector, 1 << 20, false);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);
        depacketizer.flush();

        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), results.toString());
        assertEquals(1, collector.units.size());
        assertArrayEquals(c.accessUnit(), collector.units.get(0).bytes());
        assertEquals(90_000, collector.units.get(0).timestamp());
    }

    static Stream<Arguments> badPayloads()
    {
        return Stream.of(
            Arguments.of("h264 stap-b", false, "19 0000 0004 65AABBCC", DepacketizeResult.UNSUPPORTED),
            Arguments.of("h264 mtap16", false, "1A 0000 0008 00 0000 65AABBCC", DepacketizeResult.UNSUPPORTED),
            Arguments.of("h264 mtap24", false, "1B 0000 0009 00 000000 65AABBCC", DepacketizeResult.UNSUPPORTED),
            Arguments.of("h264 fu-b", false, "1D 85 0000 AABB", DepacketizeResult.UNSUPPORTED),
            Arguments.of("h264 type 0", false, "00AABB", DepacketizeResult.MALFORMED),
            Arguments.of("h264 type 30", false, "1EAABB", DepacketizeResult.MALFORMED),
            Arguments.of("h264 type 31", false, "1FAABB", DepacketizeResult.MALFORMED),
            Arguments.of("h264 stap-a empty", false, "78", DepacketizeResult.MALFORMED),
            Arguments.of("h264 stap-a size past end", false, "78 0009 6742001E", DepacketizeResult.MALFORMED),
            Arguments.of("h264 stap-a size zero", false, "78 0000 0004 6742001E", DepacketizeResult.MALFORMED),
            Arguments.of("h264 stap-a odd tail", false, "78 0004 6742001E 00", DepacketizeResult.MALFORMED),
            Arguments.of("h264 fu-a without header", false, "7C", DepacketizeResult.MALFORMED),
            Arguments.of("h264 fu-a middle without start", false, "7C05 AABB", DepacketizeResult.MALFORMED),
            Arguments.of("h265 one byte", true, "26", DepacketizeResult.MALFORMED),
            Arguments.of("h265 paci", true, "6401 AABBCC", DepacketizeResult.UNSUPPORTED),
            Arguments.of("h265 type 55", true, "6E01 AABBCC", DepacketizeResult.MALFORMED),
            Arguments.of("h265 ap size one", true, "6001 0001 40", DepacketizeResult.MALFORMED),
            Arguments.of("h265 ap size past end", true, "6001 0009 40010C01", DepacketizeResult.MALFORMED),
            Arguments.of("h265 fu without header", true, "6201", DepacketizeResult.MALFORMED),
            Arguments.of("h265 fu end without start", true, "6201 53 AABB", DepacketizeResult.MALFORMED)
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPayloads")
    void shouldCountBadPayloadsAndResumeAtTheNextKeyframe(final String name, final boolean hevc, final String payload,
        final DepacketizeResult expected)
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final VideoRtpDepacketizer depacketizer = depacketizer(hevc, collector, 1 << 20);
        final String idr = hevc ? "2601AF09" : "658884AA";
        final String slice = hevc ? "0201AF09" : "418884AA";

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, List.of(
            packet(0, 0, true, idr), packet(1, 3000, true, payload), packet(2, 6000, true, slice),
            packet(3, 9000, true, idr)));

        assertEquals(List.of(DepacketizeResult.OK, expected, DepacketizeResult.OK, DepacketizeResult.OK), results);
        assertEquals(List.of(0L, 9000L), collector.units.stream().map(RtpFixtures.Unit::timestamp).toList());
        assertEquals(1, depacketizer.brokenAccessUnits());
        assertEquals(1, depacketizer.skippedAccessUnits());
        assertEquals(1, expected == DepacketizeResult.MALFORMED ? depacketizer.malformedPackets() :
            depacketizer.unsupportedPackets());
    }

    @Test
    void shouldEndAccessUnitsOnTimestampChangeWhenTheMarkerIsMissing()
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final VideoRtpDepacketizer depacketizer = depacketizer(false, collector, 1 << 20);

        RtpFixtures.feed(depacketizer, List.of(packet(0, 0, false, "6742001E"), packet(1, 0, false, "658884AA"),
            packet(2, 3000, false, "41AA"), packet(3, 3000, false, "41BB"), packet(4, 6000, false, "41CC")));
        assertEquals(2, collector.units.size());
        depacketizer.flush();

        assertEquals(3, collector.units.size());
        assertArrayEquals(hex("00000004 6742001E 00000004 658884AA"), collector.units.get(0).bytes());
        assertTrue(FrameFlags.isKeyframe(collector.units.get(0).flags()));
        assertArrayEquals(hex("00000002 41AA 00000002 41BB"), collector.units.get(1).bytes());
        assertEquals(0, collector.units.get(1).flags());
        assertEquals(6000, collector.units.get(2).timestamp());
    }

    @Test
    void shouldDropAnOversizeAccessUnitAndCountIt()
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final VideoRtpDepacketizer depacketizer = depacketizer(false, collector, 40);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, List.of(
            packet(0, 0, false, "7C85 000102030405060708090A0B0C0D"),
            packet(1, 0, false, "7C05 000102030405060708090A0B0C0D"),
            packet(2, 0, true, "7C45 000102030405060708090A0B0C0D"),
            packet(3, 3000, true, "658884AA")));

        assertEquals(DepacketizeResult.OVERSIZE, results.get(2));
        assertEquals(1, depacketizer.oversizeAccessUnits());
        assertEquals(1, depacketizer.brokenAccessUnits());
        assertEquals(List.of(3000L), collector.units.stream().map(RtpFixtures.Unit::timestamp).toList());
    }

    @Test
    void shouldDropAFragmentedNalUnitWhoseEndNeverCame()
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final VideoRtpDepacketizer depacketizer = depacketizer(false, collector, 1 << 20);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, List.of(
            packet(0, 0, false, "7C85 0001"), packet(1, 0, false, "7C85 0203"), packet(2, 0, true, "7C45 0405"),
            packet(3, 3000, false, "7C85 0001"), packet(4, 3000, true, "658884AA"),
            packet(5, 6000, true, "7C85 0001 02")));
        depacketizer.flush();

        assertEquals(DepacketizeResult.MALFORMED, results.get(1));
        assertEquals(DepacketizeResult.MALFORMED, results.get(4), "a whole NAL unit inside an open fragment " + results);
        assertEquals(3, depacketizer.brokenAccessUnits());
        assertEquals(0, collector.units.size());
    }

    @Test
    void shouldAnnounceTheInBandFormatOnceBeforeTheUnitThatCarriesIt()
    {
        final List<byte[]> nals = CodecSamples.nals(CodecSamples.bytes("h264_huawei_ipc_1080p_9slices_gop1.h264"));
        final String sps = hexOf(nals.stream().filter(n -> (n[0] & 0x1F) == 7).findFirst().orElseThrow());
        final String pps = hexOf(nals.stream().filter(n -> (n[0] & 0x1F) == 8).findFirst().orElseThrow());
        final String stap = "78 " + String.format("%04X", sps.length() / 2) + sps + " " +
            String.format("%04X", pps.length() / 2) + pps + " 0004 658884AA";
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final H264RtpDepacketizer depacketizer = new H264RtpDepacketizer(RtpFixtures.ALLOC, collector);

        RtpFixtures.feed(depacketizer, List.of(packet(0, 0, true, stap), packet(1, 3000, true, "41AA"),
            packet(2, 6000, true, stap)));

        assertEquals(3, collector.units.size());
        assertEquals(1, collector.formats.size());
        assertEquals(1920, collector.formats.get(0).width());
        assertEquals(1080, collector.formats.get(0).height());
        assertEquals(TrackFormats.h264(AvcDecoderConfigurationRecord.of(List.of(hex(sps)), List.of(hex(pps)))
            .encode()), depacketizer.currentFormat());
    }

    private static String hexOf(final byte[] bytes)
    {
        return ByteBufUtil.hexDump(bytes);
    }

    static VideoRtpDepacketizer depacketizer(final boolean hevc, final RtpFixtures.Collector collector,
        final int maxSize)
    {
        return hevc ? new H265RtpDepacketizer(RtpFixtures.ALLOC, collector, maxSize, true) :
            new H264RtpDepacketizer(RtpFixtures.ALLOC, collector, maxSize, true);
    }

    static byte[] packet(final int seq, final long ts, final boolean marker, final String payloadHex)
    {
        final ByteBuf buf = Unpooled.buffer();
        RtpPacket.writeHeader(buf, marker, 96, seq, ts, 0x55);
        buf.writeBytes(hex(payloadHex));
        return ByteBufUtil.getBytes(buf);
    }
}
