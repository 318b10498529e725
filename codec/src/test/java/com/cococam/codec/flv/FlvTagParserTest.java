package com.cococam.codec.flv;

import com.cococam.codec.h264.NalUnits;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class FlvTagParserTest
{
    @Test
    void shouldDeliverEveryAccessUnitOfAnFfmpegH264FlvWithBFrames()
    {
        final Path file = FlvInputs.h264Flv();
        final FlvInputs.Parsed parsed = FlvInputs.parse(file);

        assertMatchesFfprobe(file, parsed, CodecId.H264);
        final TrackFormat video = parsed.sink().format(TrackFormat.VIDEO_TRACK);
        assertEquals(640, video.width());
        assertEquals(360, video.height());
        assertTrue(video.codecsString().startsWith("avc1.64"), video.codecsString());
        final TrackFormat audio = parsed.sink().format(TrackFormat.AUDIO_TRACK);
        assertEquals(48_000, audio.sampleRate());
        assertEquals(1, audio.channels());
        assertEquals("mp4a.40.2", audio.codecsString());
    }

    @Test
    void shouldDeliverEveryAccessUnitOfAnFfmpegEnhancedRtmpH265Flv()
    {
        final Path file = FlvInputs.h265Flv();
        final FlvInputs.Parsed parsed = FlvInputs.parse(file);

        assertMatchesFfprobe(file, parsed, CodecId.H265);
        final TrackFormat video = parsed.sink().format(TrackFormat.VIDEO_TRACK);
        assertEquals(640, video.width());
        assertEquals(360, video.height());
        assertTrue(video.codecsString().startsWith("hvc1.1."), video.codecsString());
    }

    @ParameterizedTest
    @CsvSource({
        "flv_androidx_sample.flv, 1080, 720, 30, 45",
        "flv_androidx_with_keyframe_index.flv, 320, 180, 71, 0",
        "flv_srs_avatar_h264_aac.flv, 768, 320, 282, 486",
        "flv_srs_bbb.flv, 640, 360, 250, 432"})
    void shouldDeliverEveryAccessUnitOfTheSharedSamples(
        final String name,
        final int width,
        final int height,
        final int videoUnits,
        final int audioUnits)
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(Peers.sample(name));

        assertEquals(videoUnits, parsed.sink().units(TrackFormat.VIDEO_TRACK).size());
        assertEquals(audioUnits, parsed.sink().units(TrackFormat.AUDIO_TRACK).size());
        assertEquals(width, parsed.sink().format(TrackFormat.VIDEO_TRACK).width());
        assertEquals(height, parsed.sink().format(TrackFormat.VIDEO_TRACK).height());
        assertNoErrors(parsed);
        assertTrue(parsed.sink().units(TrackFormat.VIDEO_TRACK).get(0).keyframe());
    }

    @Test
    void shouldSkipPcmAudioAsUnsupported()
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(Peers.sample("flv_gst_pcm16_audio.flv"));

        assertEquals(129, parsed.count(FlvParseResult.UNSUPPORTED_CODEC));
        assertTrue(parsed.sink().units.isEmpty());
        assertTrue(parsed.sink().formats.isEmpty());
    }

    @Test
    void shouldReportTruncationAtEveryLengthWithoutThrowingOrDelivering()
    {
        for (final Path file : List.of(FlvInputs.h264Flv(), FlvInputs.h265Flv()))
        {
            assertTruncationsReported(file);
        }
    }

    private static void assertTruncationsReported(final Path file)
    {
        final List<FlvInputs.Tag> tags = firstTagsOfEachKind(file);
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = primedParser(sink, file);
        for (final FlvInputs.Tag tag : tags)
        {
            for (int length = 0; length < tag.body().length; length++)
            {
                sink.units.clear();
                final int before = sink.formats.size();
                final ByteBuf body = pooledCopy(tag.body(), length);
                try
                {
                    final FlvParseResult result = parser.parse(tag.type(), tag.timestampMs(), 0, body);

                    assertNotNull(result);
                    assertEquals(1, body.refCnt());
                    assertEquals(0, body.readerIndex());
                    assertEquals(length, body.writerIndex());
                    if (result == FlvParseResult.ACCESS_UNIT)
                    {
                        // A cut exactly at a NAL boundary leaves a shorter, still well-formed access unit.
                        final CollectingSink.Unit unit = sink.units.get(0);
                        if (unit.trackId() == TrackFormat.VIDEO_TRACK)
                        {
                            assertTrue(NalUnits.countLengthPrefixed(unit.buf()) > 0);
                        }
                    }
                    else
                    {
                        assertTrue(sink.units.isEmpty(), "delivered on " + result);
                    }

                    if (result != FlvParseResult.SEQUENCE_HEADER)
                    {
                        assertEquals(before, sink.formats.size());
                    }
                }
                finally
                {
                    body.release();
                }
            }
        }
    }

    @Test
    void shouldSkipEveryUnknownCodecId()
    {
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = primedParser(sink, FlvInputs.h264Flv());
        final int formats = sink.formats.size();

        for (int codecId = 0; codecId < 16; codecId++)
        {
            if (codecId != 7 && codecId != 12)
            {
                final byte[] body = {(byte)(0x10 | codecId), 1, 0, 0, 0, 0, 0, 0, 1, 0x65};
                assertEquals(FlvParseResult.UNSUPPORTED_CODEC, parse(parser, FlvFileReader.TAG_VIDEO, body));
            }
        }

        for (int soundFormat = 0; soundFormat < 16; soundFormat++)
        {
            if (soundFormat != 9 && soundFormat != 10)
            {
                final byte[] body = {(byte)(soundFormat << 4 | 0x0F), 1, 0x21, 0x10};
                assertEquals(FlvParseResult.UNSUPPORTED_CODEC, parse(parser, FlvFileReader.TAG_AUDIO, body));
            }
        }

        for (final String fourCc : List.of("av01", "vp09", "vp08", "Opus"))
        {
            final byte[] video = {(byte)0x91, (byte)fourCc.charAt(0), (byte)fourCc.charAt(1), (byte)fourCc.charAt(2),
                (byte)fourCc.charAt(3), 0, 0, 0, 0, 0, 0, 1, 0x26};
            assertEquals(FlvParseResult.UNSUPPORTED_CODEC, parse(parser, FlvFileReader.TAG_VIDEO, video));
            final byte[] audio = {(byte)0x91, (byte)fourCc.charAt(0), (byte)fourCc.charAt(1), (byte)fourCc.charAt(2),
                (byte)fourCc.charAt(3), 1, 2, 3};
            assertEquals(FlvParseResult.UNSUPPORTED_CODEC, parse(parser, FlvFileReader.TAG_AUDIO, audio));
        }

        assertTrue(sink.units.isEmpty());
        assertEquals(formats, sink.formats.size());
    }

    @Test
    void shouldSurviveSeededGarbageAndDeliverOnlyWellFormedUnits()
    {
        final Random random = new Random(20_261_204L);
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = primedParser(sink, FlvInputs.h264Flv());
        final Set<FlvParseResult> seen = EnumSet.noneOf(FlvParseResult.class);

        for (int i = 0; i < 20_000; i++)
        {
            final byte[] body = new byte[random.nextInt(48)];
            random.nextBytes(body);
            if (body.length > 0 && random.nextBoolean())
            {
                // Steer half of the cases into the interesting headers.
                final int[] firsts = {0x17, 0x27, 0x1C, 0xAF, 0x90, 0x91, 0x93, 0x9C, 0x99};
                body[0] = (byte)firsts[random.nextInt(firsts.length)];
            }

            final int type = random.nextBoolean() ? FlvFileReader.TAG_VIDEO : FlvFileReader.TAG_AUDIO;
            seen.add(parse(parser, type, body));
        }

        for (final CollectingSink.Unit unit : sink.units)
        {
            if (unit.trackId() == TrackFormat.VIDEO_TRACK)
            {
                assertTrue(NalUnits.countLengthPrefixed(unit.buf()) > 0);
            }
            else
            {
                assertTrue(unit.payload().length > 0);
            }
        }

        assertTrue(seen.contains(FlvParseResult.TRUNCATED), seen.toString());
        assertTrue(seen.contains(FlvParseResult.BAD_PAYLOAD), seen.toString());
        assertTrue(seen.contains(FlvParseResult.UNSUPPORTED_CODEC), seen.toString());
    }

    @Test
    void shouldRefuseFramesBeforeTheirSequenceHeader()
    {
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = new FlvTagParser(sink);
        final List<FlvInputs.Tag> tags = new ArrayList<>(firstTagsOfEachKind(FlvInputs.h264Flv()));
        tags.addAll(firstTagsOfEachKind(FlvInputs.h265Flv()));

        for (final FlvInputs.Tag tag : tags)
        {
            final int first = tag.body()[0] & 0xFF;
            final boolean config = first == 0x17 && tag.body()[1] == 0 || first == 0xAF && tag.body()[1] == 0 ||
                first == 0x90;
            final boolean end = first == 0x17 && tag.body()[1] == 2 || first == 0x92;
            final boolean metadata = (first & 0x8F) == 0x84 && tag.type() == FlvFileReader.TAG_VIDEO;
            if (metadata)
            {
                assertEquals(FlvParseResult.IGNORED, parse(parser, tag.type(), tag.body()));
            }
            else if (!config && !end)
            {
                assertEquals(FlvParseResult.NO_SEQUENCE_HEADER, parse(parser, tag.type(), tag.body()),
                    "first byte " + Integer.toHexString(first));
            }
        }

        assertTrue(sink.units.isEmpty());
    }

    @Test
    void shouldAnnounceARepeatedSequenceHeaderOnlyOnce()
    {
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = new FlvTagParser(sink);
        final FlvInputs.Tag header = FlvInputs.parse(FlvInputs.h264Flv()).tags().stream()
            .filter(t -> t.type() == FlvFileReader.TAG_VIDEO && t.body()[1] == 0).findFirst().orElseThrow();

        assertEquals(FlvParseResult.SEQUENCE_HEADER, parse(parser, header.type(), header.body()));
        assertEquals(FlvParseResult.SEQUENCE_HEADER, parse(parser, header.type(), header.body()));
        assertEquals(1, sink.formats.size());
    }

    @Test
    void shouldReportABadConfigWithoutAnnouncingIt()
    {
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = new FlvTagParser(sink);

        assertEquals(FlvParseResult.BAD_CONFIG, parse(parser, 9, new byte[] {0x17, 0, 0, 0, 0, 2, 0x64, 0, 0x1F,
            (byte)0xFF, (byte)0xE1, 0, 4, 0x67, 0x64}));
        assertEquals(FlvParseResult.BAD_CONFIG, parse(parser, 8, new byte[] {(byte)0xAF, 0, 0}));
        assertEquals(FlvParseResult.BAD_CONFIG, parse(parser, 9, new byte[] {(byte)0x90, 'h', 'v', 'c', '1', 1}));
        assertTrue(sink.formats.isEmpty());
    }

    @Test
    void shouldConvertTwoByteNalLengthsToFourBytes()
    {
        final FlvInputs.Parsed source = FlvInputs.parse(FlvInputs.h264Flv());
        final byte[] avcc = source.sink().format(TrackFormat.VIDEO_TRACK).decoderConfig().clone();
        avcc[4] = (byte)(avcc[4] & ~3 | 1);
        final CollectingSink.Unit key = source.sink().units(TrackFormat.VIDEO_TRACK).get(0);
        final ByteBuf shortLengths = Unpooled.buffer();
        final ByteBuf au = key.buf();
        while (au.isReadable())
        {
            final int length = au.readInt();
            shortLengths.writeShort(length);
            shortLengths.writeBytes(au, length);
        }

        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = new FlvTagParser(sink);
        final ByteBuf header = Unpooled.buffer().writeByte(0x17).writeByte(0).writeMedium(0).writeBytes(avcc);
        final ByteBuf frame = Unpooled.buffer().writeByte(0x17).writeByte(1).writeMedium(40).writeBytes(shortLengths);

        assertEquals(FlvParseResult.SEQUENCE_HEADER, parser.parseVideo(0, 0, header));
        assertEquals(FlvParseResult.ACCESS_UNIT, parser.parseVideo(80, FrameFlags.DISCONTINUITY, frame));
        assertEquals(3, sink.formats.get(0).decoderConfig()[4] & 3);
        final CollectingSink.Unit unit = sink.units.get(0);
        assertArrayEquals(key.payload(), unit.payload());
        assertEquals(80 * 90, unit.dts());
        assertEquals(120 * 90, unit.pts());
        assertEquals(FrameFlags.KEYFRAME | FrameFlags.DISCONTINUITY, unit.flags());
    }

    @Test
    void shouldReadH265AsLegacyCodecId12AndH264AsEnhancedAvc1Alike()
    {
        final FlvInputs.Parsed h265 = FlvInputs.parse(FlvInputs.h265Flv());
        final FlvInputs.Parsed h264 = FlvInputs.parse(FlvInputs.h264Flv());

        assertSameUnits(h265.sink().units, reparse(h265, FlvTagParserTest::enhancedToLegacyHevc).units);
        final CollectingSink enhanced = reparse(h264, FlvTagParserTest::legacyToEnhancedAvc);
        assertSameUnits(h264.sink().units, enhanced.units);
        assertEquals(h264.sink().formats, enhanced.formats);
    }

    @Test
    void shouldAllocateAtMostOneSliceObjectPerAccessUnit()
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(FlvInputs.h264Flv());
        final List<ByteBuf> bodies = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        for (final FlvInputs.Tag tag : parsed.tags())
        {
            // Plain wrapped heap buffers: leak-aware wrappers (paranoid level) would record a trace per access.
            bodies.add(Unpooled.wrappedBuffer(tag.body()));
            types.add(tag.type());
        }

        final long[] delivered = new long[1];
        final FlvTagParser parser = new FlvTagParser(new com.cococam.codec.media.MediaSink()
        {
            @Override
            public void onFormat(final TrackFormat format)
            {
            }

            @Override
            public void onAccessUnit(final int trackId, final long dts, final long pts, final int flags,
                final ByteBuf payload)
            {
                delivered[0]++;
            }

            @Override
            public void onClose()
            {
            }
        });
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = 0;
        long units = 0;
        for (int round = 0; round < 20; round++)
        {
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            final long deliveredBefore = delivered[0];
            for (int i = 0; i < bodies.size(); i++)
            {
                parser.parse(types.get(i), i, 0, bodies.get(i));
            }

            allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            units = delivered[0] - deliveredBefore;
        }

        // A slice object is about 40-56 bytes; the sequence headers of each round allocate a few hundred more.
        assertTrue(units > 250);
        assertTrue(allocated / units <= 80, "allocated " + allocated + " bytes for " + units + " access units");
    }

    private static void assertSameUnits(
        final List<CollectingSink.Unit> expected,
        final List<CollectingSink.Unit> actual)
    {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i).trackId(), actual.get(i).trackId(), "track of unit " + i);
            assertEquals(expected.get(i).dts(), actual.get(i).dts(), "dts of unit " + i);
            assertEquals(expected.get(i).pts(), actual.get(i).pts(), "pts of unit " + i);
            assertEquals(expected.get(i).flags(), actual.get(i).flags(), "flags of unit " + i);
            assertArrayEquals(expected.get(i).payload(), actual.get(i).payload(), "payload of unit " + i);
        }
    }

    private static CollectingSink reparse(
        final FlvInputs.Parsed parsed,
        final java.util.function.UnaryOperator<byte[]> videoRewrite)
    {
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = new FlvTagParser(sink);
        for (final FlvInputs.Tag tag : parsed.tags())
        {
            final byte[] body = tag.type() == FlvFileReader.TAG_VIDEO ? videoRewrite.apply(tag.body()) : tag.body();
            final ByteBuf buf = Unpooled.wrappedBuffer(body);
            assertFalse(parser.parse(tag.type(), tag.timestampMs(), 0, buf).isError());
        }

        return sink;
    }

    private static byte[] enhancedToLegacyHevc(final byte[] body)
    {
        final int frameType = body[0] >> 4 & 7;
        final int packetType = body[0] & 0x0F;
        if (packetType == 4)
        {
            return new byte[] {(byte)(5 << 4 | 12), 0};
        }

        final boolean withCts = packetType == 1;
        final int legacyType = packetType == 0 ? 0 : packetType == 2 ? 2 : 1;
        final ByteBuf out = Unpooled.buffer();
        out.writeByte(frameType << 4 | 12).writeByte(legacyType);
        out.writeBytes(body, 5, withCts ? 3 : 0);
        if (!withCts)
        {
            out.writeMedium(0);
        }

        out.writeBytes(body, withCts ? 8 : 5, body.length - (withCts ? 8 : 5));
        return ByteBufUtil.getBytes(out);
    }

    private static byte[] legacyToEnhancedAvc(final byte[] body)
    {
        final int frameType = body[0] >> 4 & 7;
        final int packetType = body[1];
        final ByteBuf out = Unpooled.buffer();
        out.writeByte(0x80 | frameType << 4 | packetType).writeInt(FlvTagParser.FOURCC_AVC1);
        if (packetType == 1)
        {
            out.writeBytes(body, 2, body.length - 2);
        }
        else if (packetType == 0)
        {
            out.writeBytes(body, 5, body.length - 5);
        }

        return ByteBufUtil.getBytes(out);
    }

    private static void assertMatchesFfprobe(final Path file, final FlvInputs.Parsed parsed, final CodecId codec)
    {
        final Map<String, String> flat = Peers.ffprobeFlat(Duration.ofSeconds(60), "-count_packets",
            "-show_entries", "stream=codec_name,nb_read_packets", file.toString());
        final List<CollectingSink.Unit> video = parsed.sink().units(TrackFormat.VIDEO_TRACK);
        final List<CollectingSink.Unit> audio = parsed.sink().units(TrackFormat.AUDIO_TRACK);

        assertEquals(Integer.parseInt(flat.get("streams.stream.0.nb_read_packets")), video.size());
        assertEquals(Integer.parseInt(flat.get("streams.stream.1.nb_read_packets")), audio.size());
        assertEquals(FlvInputs.GENERATED_VIDEO_FRAMES, video.size());
        assertEquals(codec, parsed.sink().format(TrackFormat.VIDEO_TRACK).codec());
        assertNoErrors(parsed);

        final List<Double> ptsTimes = FlvInputs.packetPts(file, "v:0");
        int reordered = 0;
        for (int i = 0; i < video.size(); i++)
        {
            assertEquals(Math.round(ptsTimes.get(i) * 90_000), video.get(i).pts(), "pts of frame " + i);
            reordered += video.get(i).pts() != video.get(i).dts() ? 1 : 0;
        }

        assertTrue(reordered > video.size() / 2, "B-frames expected, reordered=" + reordered);
        final Map<String, String> packets = Peers.ffprobeFlat(Duration.ofSeconds(60), "-select_streams", "v:0",
            "-show_entries", "packet=flags", file.toString());
        int keyframes = 0;
        for (int i = 0; i < video.size(); i++)
        {
            final boolean key = packets.get("packets.packet." + i + ".flags").startsWith("K");
            assertEquals(key, video.get(i).keyframe(), "keyframe flag of frame " + i);
            keyframes += key ? 1 : 0;
        }

        assertTrue(keyframes >= 2, "keyframes=" + keyframes);
        assertTrue(video.get(0).keyframe());
        for (final CollectingSink.Unit unit : audio)
        {
            assertEquals(unit.dts(), unit.pts());
            assertTrue(unit.keyframe());
        }
    }

    private static void assertNoErrors(final FlvInputs.Parsed parsed)
    {
        for (final FlvParseResult result : FlvParseResult.values())
        {
            if (result.isError())
            {
                assertEquals(0, parsed.count(result), result.name());
            }
        }
    }

    private static List<FlvInputs.Tag> firstTagsOfEachKind(final Path file)
    {
        final List<FlvInputs.Tag> tags = new ArrayList<>();
        {
            final List<FlvInputs.Tag> all = FlvInputs.parse(file).tags();
            final Set<Integer> kinds = new java.util.HashSet<>();
            for (final FlvInputs.Tag tag : all)
            {
                if (tag.type() == FlvFileReader.TAG_SCRIPT || tag.body().length < 2)
                {
                    continue;
                }

                // Kind: first byte and packet type byte (legacy) or first byte alone (enhanced).
                final int first = tag.body()[0] & 0xFF;
                final int kind = (first & 0x80) != 0 && tag.type() == FlvFileReader.TAG_VIDEO ?
                    first & 0x8F : first << 8 | tag.body()[1];
                if (kinds.add(tag.type() << 16 | kind) && tag.body().length < 4000)
                {
                    tags.add(tag);
                }
            }
        }

        return tags;
    }

    private static FlvTagParser primedParser(final CollectingSink sink, final Path file)
    {
        final FlvTagParser parser = new FlvTagParser(sink);
        for (final FlvInputs.Tag tag : firstTagsOfEachKind(file))
        {
            final int first = tag.body()[0] & 0xFF;
            if (first == 0x17 && tag.body()[1] == 0 || first == 0xAF && tag.body()[1] == 0 || first == 0x90)
            {
                assertEquals(FlvParseResult.SEQUENCE_HEADER, parse(parser, tag.type(), tag.body()));
            }
        }

        sink.units.clear();
        return parser;
    }

    private static FlvParseResult parse(final FlvTagParser parser, final int type, final byte[] body)
    {
        final ByteBuf buf = pooledCopy(body, body.length);
        try
        {
            return parser.parse(type, 1000, 0, buf);
        }
        finally
        {
            buf.release();
        }
    }

    private static ByteBuf pooledCopy(final byte[] bytes, final int length)
    {
        final ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(Math.max(1, length));
        buf.writeBytes(bytes, 0, length);
        return buf;
    }
}
