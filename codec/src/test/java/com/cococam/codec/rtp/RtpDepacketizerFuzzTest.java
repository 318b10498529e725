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
 * Random garbage, truncations and bit flips of real packets for every depacketizer (H.264, H.265, AAC as
 * mpeg4-generic and LATM, G.711 A-law and mu-law, Opus): every packet gets a result, nothing throws, the input is
 * not touched, every unit handed out is counted, no buffer leaks (the suite runs with paranoid leak detection and
 * fails on any report), and afterwards the depacketizer turns clean packets into exactly the units a fresh one
 * makes of them.
 */
@Timeout(120)
class RtpDepacketizerFuzzTest
{
    private static final long CLEAN_SSRC = 0x0C1E_A4L;
    private static final long OTHER_SSRC = 0x0BAD_5EEDL;

    /**
     * @param minCleanUnits units the seeds, fed in order, give at least (0 where the depacketizer's configuration
     *                      does not fit its seeds on purpose).
     */
    record Target(
        String name,
        Function<RtpAccessUnitHandler, RtpDepacketizer> factory,
        List<byte[]> seeds,
        int minCleanUnits)
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
        final List<byte[]> pcmu = framePackets(FramePayloadFormat.PCMU, 0,
            g711Frames(CodecSamples.bytes("g711u_huawei_ipc_payload_8k_mono.ul"), 12), 160);
        final List<byte[]> opus = framePackets(FramePayloadFormat.OPUS, 111, opusPackets(), 960);
        return Stream.of(
            new Target("h264", h -> new H264RtpDepacketizer(RtpFixtures.ALLOC, h, 1 << 16, false), h264, 72),
            new Target("h265", h -> new H265RtpDepacketizer(RtpFixtures.ALLOC, h, 1 << 16, false), h265, 5),
            new Target("mpeg4-generic hbr", h -> new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.fromFmtp(
                RtpFmtp.parse("sizelength=13;indexlength=3;indexdeltalength=3;config=11B056E500")),
                RtpFixtures.ALLOC, h, 4096), aac, 46),
            new Target("mpeg4-generic odd lengths", h -> new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.fromFmtp(
                RtpFmtp.parse("sizelength=5;indexlength=7;indexdeltalength=1;ctsdeltalength=3;" +
                    "randomaccessindication=1;auxiliarydatasizelength=4;config=1210")), RtpFixtures.ALLOC, h, 4096),
                aac, 0),
            new Target("latm in-band", h -> new LatmDepacketizer(true, null, RtpFixtures.ALLOC, h, 4096), latm, 40),
            new Target("latm out-of-band", h -> new LatmDepacketizer(false, config, RtpFixtures.ALLOC, h, 4096),
                latm, 12),
            // The capture's packets carry 240 samples (30 ms).
            new Target("pcma", h -> new FrameRtpDepacketizer(FramePayloadFormat.PCMA, RtpFixtures.ALLOC, h, 320),
                pcma, 20),
            new Target("pcmu", h -> new FrameRtpDepacketizer(FramePayloadFormat.PCMU, RtpFixtures.ALLOC, h, 200),
                pcmu, 24),
            new Target("opus", h -> new FrameRtpDepacketizer(FramePayloadFormat.OPUS, RtpFixtures.ALLOC, h, 1275),
                opus, 48)
        ).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("targets")
    void shouldSurviveGarbageTruncationsAndBitFlips(final Target target)
    {
        final Random random = new Random(target.name().hashCode());
        final long[] emitted = new long[1];
        final boolean[] collecting = new boolean[1];
        final RtpFixtures.Collector afterFuzz = new RtpFixtures.Collector();
        final RtpDepacketizer depacketizer = target.factory().apply((ts, flags, au) ->
        {
            assertTrue(au.readableBytes() > 0);
            emitted[0]++;
            if (collecting[0])
            {
                afterFuzz.onAccessUnit(ts, flags, au);
            }
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
        assertEquals(depacketizer.emittedAccessUnits(), emitted[0], "every unit handed out is counted");
        final long fuzzEmitted = emitted[0];

        // The garbage must leave no trace: the clean seeds, in order, as a new source (an SSRC change restarts
        // the depacketizer), come out exactly as from a depacketizer that never saw garbage and was restarted the
        // same way.
        final List<byte[]> clean = cleanRun(target.seeds());
        collecting[0] = true;
        RtpFixtures.feed(depacketizer, clean);
        depacketizer.flush();
        depacketizer.close();
        final RtpFixtures.Collector fresh = new RtpFixtures.Collector();
        final RtpDepacketizer reference = target.factory().apply(fresh);
        RtpFixtures.feed(reference, List.of(withSsrc(target.seeds().get(0), OTHER_SSRC)));
        fresh.units.clear();
        RtpFixtures.feed(reference, clean);
        reference.flush();
        reference.close();
        System.out.println(target.name() + ": " + fuzzEmitted + " units from " + wrapped + " fuzzed packets, " +
            fresh.units.size() + " from " + clean.size() + " clean packets");
        assertTrue(fresh.units.size() >= target.minCleanUnits(), "units from the clean packets: " + fresh.units.size());
        assertEquals(fresh.units.size(), afterFuzz.units.size(), "units from the clean packets after the garbage");
        assertEquals(fuzzEmitted + afterFuzz.units.size(), emitted[0]);
        for (int i = 0; i < fresh.units.size(); i++)
        {
            assertEquals(fresh.units.get(i).timestamp(), afterFuzz.units.get(i).timestamp(), "timestamp of unit " + i);
            assertEquals(fresh.units.get(i).flags(), afterFuzz.units.get(i).flags(), "flags of unit " + i);
            assertArrayEquals(fresh.units.get(i).bytes(), afterFuzz.units.get(i).bytes(), "bytes of unit " + i);
        }
    }

    /**
     * @return the seeds twice over (a video depacketizer restarting drops the unit it restarts in and waits for a
     *         keyframe, which the second pass brings), numbered 1000, 1001, ... with {@link #CLEAN_SSRC}, the
     *         timestamps of each pass moved by 2^30 or 2^30 + 2^29 so that no unit shares its timestamp with a
     *         packet seen before (a unit whose start was lost is dropped to its end).
     */
    private static List<byte[]> cleanRun(final List<byte[]> seeds)
    {
        final List<byte[]> run = new ArrayList<>(2 * seeds.size());
        for (int i = 0; i < 2 * seeds.size(); i++)
        {
            final byte[] packet = withSsrc(seeds.get(i % seeds.size()), CLEAN_SSRC);
            packet[2] = (byte)((1000 + i) >>> 8);
            packet[3] = (byte)(1000 + i);
            packet[4] ^= i < seeds.size() ? 0x40 : 0x60;
            run.add(packet);
        }

        return run;
    }

    private static byte[] withSsrc(final byte[] packet, final long ssrc)
    {
        final byte[] copy = packet.clone();
        copy[8] = (byte)(ssrc >>> 24);
        copy[9] = (byte)(ssrc >>> 16);
        copy[10] = (byte)(ssrc >>> 8);
        copy[11] = (byte)ssrc;
        return copy;
    }

    /**
     * @return {@code count} frames of 160 samples (20 ms at 8 kHz) cut from a G.711 payload sample.
     */
    private static List<byte[]> g711Frames(final byte[] samples, final int count)
    {
        final List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            frames.add(java.util.Arrays.copyOfRange(samples, i * 160, (i + 1) * 160));
        }

        return frames;
    }

    /**
     * Opus packets of the shapes RFC 6716 3.1 defines, built by hand (no Opus sample is shared): code 0 (one
     * frame), code 1 (two equal frames), code 2 (two frames, the first one's length in one byte) and code 3 (a
     * frame count byte, here 3 CBR frames, then one with padding), for SILK, hybrid and CELT configurations.
     */
    private static List<byte[]> opusPackets()
    {
        final Random random = new Random(7587);
        final int[] tocs = {0x08, 0x61, 0xFA, 0x0B, 0x7B, 0xFC, 0x4B, 0x79};
        final List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 24; i++)
        {
            final int toc = tocs[i % tocs.length];
            final byte[] body = new byte[20 + random.nextInt(140)];
            random.nextBytes(body);
            body[0] = (byte)toc;
            switch (toc & 0x03)
            {
                case 2 -> body[1] = (byte)((body.length - 2) / 2);
                case 3 -> body[1] = (byte)(i % 2 == 0 ? 0x03 : 0x43);
                default ->
                {
                }
            }

            if ((toc & 0x03) == 3 && (body[1] & 0x40) != 0)
            {
                body[2] = 5;
            }

            packets.add(body);
        }

        return packets;
    }

    /**
     * @return RTP packets (sequence from 0, SSRC 0x50, no marker) of frames sent one per packet, {@code step}
     *         timestamp ticks apart.
     */
    private static List<byte[]> framePackets(
        final FramePayloadFormat format,
        final int payloadType,
        final List<byte[]> frames,
        final int step)
    {
        final FrameRtpPacketizer packetizer = new FrameRtpPacketizer(format, RtpFixtures.ALLOC,
            new RtpStreamWriter(payloadType, 0x50, 0), 1400);
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();
        for (int i = 0; i < frames.size(); i++)
        {
            assertEquals(1, packetizer.packetize(Unpooled.wrappedBuffer(frames.get(i)), (long)step * i, packets));
        }

        return packets.list;
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
