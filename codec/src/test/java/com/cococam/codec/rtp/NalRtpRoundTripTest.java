package com.cococam.codec.rtp;

import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.h264.H264;
import com.cococam.codec.h264.NalUnits;
import com.cococam.codec.h265.H265;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Packetizer to depacketizer round trips on every H.264 and H.265 elementary stream sample, for several payload
 * sizes, with and without aggregation, then with lost and reordered packets against a model of what must be
 * dropped.
 */
@Timeout(300)
class NalRtpRoundTripTest
{
    private static final int[] PAYLOAD_SIZES = {200, 1200, 1400};
    private static final long TICKS_PER_UNIT = 3600;

    record Sample(String name, boolean hevc, List<byte[]> units)
    {
        @Override
        public String toString()
        {
            return name;
        }

        boolean keyframe(final int i)
        {
            final ByteBuf au = Unpooled.wrappedBuffer(units.get(i));
            return hevc ? H265.isKeyframe(au) : H264.isKeyframe(au);
        }

        boolean resumePoint(final int i)
        {
            final ByteBuf au = Unpooled.wrappedBuffer(units.get(i));
            final boolean[] recovery = new boolean[1];
            NalUnits.forEachLengthPrefixed(au, (b, offset, length) ->
            {
                final boolean sei = hevc ? H265.nalType(b.getByte(offset)) == H265.NAL_SEI_PREFIX :
                    H264.nalType(b.getByte(offset)) == H264.NAL_SEI;
                recovery[0] |= sei && VideoRtpDepacketizer.hasRecoveryPointSei(b, offset + (hevc ? 2 : 1),
                    offset + length);
            });
            return keyframe(i) || recovery[0];
        }
    }

    static Stream<Arguments> samples()
    {
        final List<Arguments> out = new ArrayList<>();
        for (final String name : CodecSamples.names("h26"))
        {
            final boolean hevc = name.startsWith("h265_");
            final byte[] bytes = CodecSamples.bytes(name);
            out.add(Arguments.of(new Sample(name, hevc,
                hevc ? RtpFixtures.h265AccessUnits(bytes) : RtpFixtures.h264AccessUnits(bytes))));
        }

        return out.stream();
    }

    /**
     * Packets of one stream and which access unit each belongs to.
     */
    record Packetized(List<byte[]> packets, int[] unitOfPacket)
    {
    }

    static Packetized packetize(final Sample stream, final int payloadSize, final boolean aggregate)
    {
        final RtpStreamWriter writer = new RtpStreamWriter(96, 0x1234_5678L, 65_000);
        final NalRtpPacketizer packetizer = stream.hevc() ?
            new H265RtpPacketizer(RtpFixtures.ALLOC, writer, payloadSize, aggregate) :
            new H264RtpPacketizer(RtpFixtures.ALLOC, writer, payloadSize, aggregate);
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();
        final List<Integer> owners = new ArrayList<>();
        for (int i = 0; i < stream.units().size(); i++)
        {
            final ByteBuf au = RtpFixtures.ALLOC.buffer().writeBytes(stream.units().get(i));
            try
            {
                final int count = packetizer.packetize(au, 1000 + i * TICKS_PER_UNIT, packets);
                assertTrue(count > 0, "unit " + i);
                for (int k = 0; k < count; k++)
                {
                    owners.add(i);
                }
            }
            finally
            {
                au.release();
            }
        }

        return new Packetized(packets.list, owners.stream().mapToInt(Integer::intValue).toArray());
    }

    static VideoRtpDepacketizer depacketizer(final Sample stream, final RtpFixtures.Collector collector)
    {
        return stream.hevc() ? new H265RtpDepacketizer(RtpFixtures.ALLOC, collector) :
            new H264RtpDepacketizer(RtpFixtures.ALLOC, collector);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldReturnEveryAccessUnitByteIdenticalForEveryPayloadSize(final Sample stream)
    {
        assertTrue(stream.keyframe(0), "samples start with a keyframe");
        for (final int payloadSize : PAYLOAD_SIZES)
        {
            for (final boolean aggregate : new boolean[] {false, true})
            {
                final Packetized packetized = packetize(stream, payloadSize, aggregate);
                final RtpFixtures.Collector collector = new RtpFixtures.Collector();
                final VideoRtpDepacketizer depacketizer = depacketizer(stream, collector);
                final String label = stream + " mtu " + payloadSize + " aggregate " + aggregate;

                final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packetized.packets());
                depacketizer.flush();

                assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), label);
                for (final byte[] packet : packetized.packets())
                {
                    assertTrue(packet.length <= RtpPacket.FIXED_HEADER_SIZE + payloadSize, label);
                }

                assertEquals(stream.units().size(), collector.units.size(), label);
                for (int i = 0; i < stream.units().size(); i++)
                {
                    final RtpFixtures.Unit unit = collector.units.get(i);
                    assertArrayEquals(stream.units().get(i), unit.bytes(), label + " unit " + i);
                    assertEquals(1000 + i * TICKS_PER_UNIT, unit.timestamp(), label);
                    assertEquals(stream.keyframe(i), FrameFlags.isKeyframe(unit.flags()), label + " unit " + i);
                }

                final TrackFormat format = depacketizer.currentFormat();
                assertNotNull(format, label);
                assertEquals(stream.hevc() ? "hvc1" : "avc1", format.codecsString().substring(0, 4));
                assertTrue(format.width() > 0 && format.height() > 0, label);
                assertEquals(format, collector.formats.get(collector.formats.size() - 1));
                assertEquals(0, depacketizer.brokenAccessUnits() + depacketizer.skippedAccessUnits(), label);
                assertEquals(0, depacketizer.sequence().lost(), label);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void shouldDropBrokenUnitsAndResumeAtTheNextKeyframeAfterLossAndReordering(final Sample stream)
    {
        for (final int payloadSize : new int[] {200, 1200})
        {
            final Packetized packetized = packetize(stream, payloadSize, true);
            final int n = packetized.packets().size();
            final Random random = new Random(stream.name().hashCode() + payloadSize);
            final boolean[] lost = new boolean[n];
            final List<byte[]> arrival = new ArrayList<>();
            for (int p = 0; p < n; p++)
            {
                final int roll = p == 1 ? 3 : random.nextInt(100);
                if (roll < 2 && p > 0 && p < n - 1)
                {
                    lost[p] = true;
                }
                else if (roll < 3 && p + 1 < n && p > 0)
                {
                    // Swapped with its successor: it arrives late, after its gap was declared, and is dropped.
                    lost[p] = true;
                    arrival.add(packetized.packets().get(p + 1));
                    arrival.add(packetized.packets().get(p));
                    p++;
                    continue;
                }
                else if (roll < 4)
                {
                    arrival.add(packetized.packets().get(p));
                }

                if (!lost[p])
                {
                    arrival.add(packetized.packets().get(p));
                }
            }

            final Expectation expected = expect(stream, packetized.unitOfPacket(), lost);
            final RtpFixtures.Collector collector = new RtpFixtures.Collector();
            final VideoRtpDepacketizer depacketizer = depacketizer(stream, collector);
            final String label = stream + " mtu " + payloadSize;

            RtpFixtures.feed(depacketizer, arrival);
            depacketizer.flush();

            final List<Integer> emitted = new ArrayList<>();
            for (final RtpFixtures.Unit unit : collector.units)
            {
                final int index = (int)((unit.timestamp() - 1000) / TICKS_PER_UNIT);
                assertArrayEquals(stream.units().get(index), unit.bytes(), label + " unit " + index);
                emitted.add(index);
            }

            assertEquals(expected.emitted(), emitted, label);
            assertEquals(expected.broken(), depacketizer.brokenAccessUnits(), label);
            assertEquals(expected.skipped(), depacketizer.skippedAccessUnits(), label);
            int lostCount = 0;
            for (final boolean l : lost)
            {
                lostCount += l ? 1 : 0;
            }

            assertEquals(lostCount, depacketizer.sequence().lost() + depacketizer.sequence().late(), label);
            assertTrue(depacketizer.sequence().duplicates() > 0, label);
            assertTrue(expected.broken() > 0 || n < 100, label);
        }
    }

    record Expectation(List<Integer> emitted, long broken, long skipped)
    {
    }

    /**
     * The documented policy, computed from the packet-to-unit map: a unit is hit when one of its packets is lost
     * or when the packet before its first delivered packet was lost; a hit unit with a delivered packet counts as
     * broken; after a hit, units are skipped until a keyframe that is not hit.
     */
    static Expectation expect(final Sample stream, final int[] unitOfPacket, final boolean[] lost)
    {
        final int units = stream.units().size();
        final boolean[] hit = new boolean[units];
        final boolean[] seen = new boolean[units];
        for (int p = 0; p < lost.length; p++)
        {
            final int unit = unitOfPacket[p];
            if (lost[p])
            {
                hit[unit] = true;
            }
            else
            {
                seen[unit] = true;
                if (p > 0 && lost[p - 1])
                {
                    hit[unit] = true;
                }
            }
        }

        final List<Integer> emitted = new ArrayList<>();
        long broken = 0;
        long skipped = 0;
        boolean waiting = false;
        for (int u = 0; u < units; u++)
        {
            if (hit[u])
            {
                broken += seen[u] ? 1 : 0;
                waiting = true;
            }
            else if (waiting && !stream.resumePoint(u))
            {
                skipped++;
            }
            else
            {
                waiting = false;
                emitted.add(u);
            }
        }

        return new Expectation(emitted, broken, skipped);
    }
}
