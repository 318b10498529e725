package com.cococam.codec.rtp;

import com.cococam.codec.h264.CodecSamples;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random garbage, truncations and bit flips of real packets for every depacketizer: every packet gets a result,
 * nothing throws, the input is not touched, and no buffer leaks (the suite runs with paranoid leak detection and
 * fails on any report).
 */
@Timeout(120)
class RtpDepacketizerFuzzTest
{
    record Target(String name, Function<RtpAccessUnitHandler, RtpDepacketizer> factory, List<byte[]> seeds)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    static Stream<Arguments> targets()
    {
        final List<byte[]> h264 = RtpFixtures.interleaved(CodecSamples.bytes("rtsp_wowza_bunny_interleaved_tcp.rtsp"))
            .get(2).subList(0, 60);
        final List<byte[]> aac = RtpFixtures.rtpJsonPackets(
            RtpFixtures.ascii(CodecSamples.bytes("rtpjson_androidx_aac_6ch_dump.json"))).subList(130, 160);
        final List<byte[]> h265 = NalRtpRoundTripTest.packetize(new NalRtpRoundTripTest.Sample("h265", true,
            RtpFixtures.h265AccessUnits(CodecSamples.bytes("h265_mp4ff_nallister.265")).subList(0, 5)), 300, true)
            .packets();
        final List<byte[]> latm = new ArrayList<>();
        final byte[] config = AacRtpTest.streamMuxConfig(com.cococam.codec.aac.AudioSpecificConfig.of(2, 44100, 2));
        final List<byte[]> frames = RtpFixtures.adtsFrames(CodecSamples.bytes("aac_srs_avatar.adts"));
        for (int i = 0; i < 20; i++)
        {
            latm.add(NalRtpGoldenTest.packet(i, 1024L * i, true,
                ByteBufUtil.hexDump(AacRtpTest.audioMuxElement(true, i % 5 == 0, config, frames.get(i)))));
        }

        final List<byte[]> pcma = RtpFixtures.pcapUdpPayloads(CodecSamples.bytes("pcap_pcma_rtp.pcap")).subList(0, 10);
        return Stream.of(
            new Target("h264", h -> new H264RtpDepacketizer(RtpFixtures.ALLOC, h, 1 << 16, false), h264),
            new Target("h265", h -> new H265RtpDepacketizer(RtpFixtures.ALLOC, h, 1 << 16, false), h265),
            new Target("mpeg4-generic hbr", h -> new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.fromFmtp(
                RtpFmtp.parse("sizelength=13;indexlength=3;indexdeltalength=3;config=11B056E500")),
                RtpFixtures.ALLOC, h, 4096), aac),
            new Target("mpeg4-generic odd lengths", h -> new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.fromFmtp(
                RtpFmtp.parse("sizelength=5;indexlength=7;indexdeltalength=1;ctsdeltalength=3;" +
                    "randomaccessindication=1;auxiliarydatasizelength=4;config=1210")), RtpFixtures.ALLOC, h, 4096),
                aac),
            new Target("latm in-band", h -> new LatmDepacketizer(true, null, RtpFixtures.ALLOC, h, 4096), latm),
            new Target("latm out-of-band", h -> new LatmDepacketizer(false, config, RtpFixtures.ALLOC, h, 4096),
                latm),
            new Target("pcma", h -> new FrameRtpDepacketizer(FramePayloadFormat.PCMA, RtpFixtures.ALLOC, h, 200),
                pcma)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void shouldSurviveGarbageTruncationsAndBitFlips(final Target target)
    {
        final Random random = new Random(target.name().hashCode());
        final long[] emitted = new long[1];
        final RtpDepacketizer depacketizer = target.factory().apply((ts, flags, au) ->
        {
            assertTrue(au.readableBytes() > 0);
            emitted[0]++;
        });
        final RtpPacket view = new RtpPacket();
        int wrapped = 0;
        int seq = 0;
        for (int round = 0; round < 8_000; round++)
        {
            final byte[] bytes = mutate(random, target.seeds().get(random.nextInt(target.seeds().size())), round);
            final ByteBuf buf = RtpFixtures.ALLOC.buffer(bytes.length + 1).writeBytes(bytes);
            if (random.nextInt(4) != 0)
            {
                // Mostly in sequence, so the payload parsers (not only the tracker) see the garbage.
                buf.setShort(2, seq++);
            }

            final byte[] before = ByteBufUtil.getBytes(buf);
            try
            {
                final RtpWrapResult wrap = view.wrap(buf);
                assertNotNull(wrap);
                if (wrap == RtpWrapResult.OK)
                {
                    wrapped++;
                    assertNotNull(depacketizer.onPacket(view));
                }

                assertEquals(0, buf.readerIndex());
                assertArrayEquals(before, ByteBufUtil.getBytes(buf));
            }
            finally
            {
                buf.release();
            }

            if (round % 2000 == 1999)
            {
                depacketizer.flush();
            }
        }

        depacketizer.close();
        assertTrue(wrapped > 4_000, "most mutated packets still have a valid header: " + wrapped);
        assertTrue(depacketizer.malformedPackets() + depacketizer.unsupportedPackets() +
            depacketizer.brokenAccessUnits() > 0);
        assertTrue(emitted[0] >= 0);
    }

    private static byte[] mutate(final Random random, final byte[] seed, final int round)
    {
        switch (round % 4)
        {
            case 0 ->
            {
                final byte[] garbage = new byte[12 + random.nextInt(64)];
                random.nextBytes(garbage);
                garbage[0] = (byte)0x80;
                return garbage;
            }
            case 1 ->
            {
                return java.util.Arrays.copyOf(seed, 12 + random.nextInt(Math.max(1, seed.length - 11)));
            }
            case 2 ->
            {
                final byte[] flipped = seed.clone();
                for (int i = 0; i < 1 + random.nextInt(4); i++)
                {
                    final int at = 12 + random.nextInt(Math.max(1, flipped.length - 12));
                    if (at < flipped.length)
                    {
                        flipped[at] ^= (byte)(1 << random.nextInt(8));
                    }
                }

                return flipped;
            }
            default ->
            {
                return seed.clone();
            }
        }
    }
}
