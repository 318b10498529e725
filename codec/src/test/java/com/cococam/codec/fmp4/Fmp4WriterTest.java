package com.cococam.codec.fmp4;

import com.cococam.codec.flv.CollectingSink;
import com.cococam.codec.flv.FlvInputs;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

@Timeout(300)
class Fmp4WriterTest
{
    @ParameterizedTest
    @ValueSource(strings = {"generated-h264", "generated-h265", "flv_srs_avatar_h264_aac.flv", "flv_srs_bbb.flv",
        "flv_androidx_sample.flv", "flv_androidx_with_keyframe_index.flv"})
    void shouldMuxFlvInputsIntoFragmentedMp4ThatFfmpegDecodesFrameForFrame(final String source) throws IOException
    {
        final Path flv = source.equals("generated-h264") ? FlvInputs.h264Flv() :
            source.equals("generated-h265") ? FlvInputs.h265Flv() : Peers.sample(source);
        final FlvInputs.Parsed parsed = FlvInputs.parse(flv);
        final List<TrackFormat> tracks = new ArrayList<>();
        tracks.add(parsed.sink().format(TrackFormat.VIDEO_TRACK));
        if (parsed.sink().format(TrackFormat.AUDIO_TRACK) != null)
        {
            tracks.add(parsed.sink().format(TrackFormat.AUDIO_TRACK));
        }

        final Fmp4Muxing.Output output = Fmp4Muxing.mux(tracks, parsed.sink().units, true);
        final Path file = FlvInputs.tempDir().resolve(source + ".mp4");
        Files.write(file, output.concatenated());

        final List<CollectingSink.Unit> video = parsed.sink().units(TrackFormat.VIDEO_TRACK);
        final List<CollectingSink.Unit> audio = parsed.sink().units(TrackFormat.AUDIO_TRACK);
        final long keyframes = video.stream().filter(CollectingSink.Unit::keyframe).count();
        assertEquals(keyframes, output.segments().size());
        final Map<String, String> streams = FlvInputs.probeStreams(file);
        final TrackFormat videoFormat = tracks.get(0);
        assertEquals(videoFormat.codec() == CodecId.H264 ? "h264" : "hevc", streams.get("streams.stream.0.codec_name"));
        assertEquals(String.valueOf(videoFormat.width()), streams.get("streams.stream.0.width"));
        assertEquals(String.valueOf(videoFormat.height()), streams.get("streams.stream.0.height"));
        assertEquals(String.valueOf(video.size()), streams.get("streams.stream.0.nb_read_frames"));
        if (!audio.isEmpty())
        {
            assertEquals("aac", streams.get("streams.stream.1.codec_name"));
            assertEquals(String.valueOf(tracks.get(1).sampleRate()), streams.get("streams.stream.1.sample_rate"));
            assertEquals(String.valueOf(audio.size()), streams.get("streams.stream.1.nb_read_packets"));
            // Decoded frames as for the source: one sample of flv_androidx_sample.flv does not decode in either.
            assertEquals(FlvInputs.probeStreams(flv).get("streams.stream.1.nb_read_frames"),
                streams.get("streams.stream.1.nb_read_frames"));
        }

        assertEquals("", FlvInputs.decodeErrors(file));
        final List<Double> videoPts = FlvInputs.packetPts(file, "v:0");
        assertEquals(video.size(), videoPts.size());
        for (int i = 0; i < video.size(); i++)
        {
            assertEquals(video.get(i).pts() / 90_000.0, videoPts.get(i), 0.0001, "video pts " + i);
        }

        if (!audio.isEmpty())
        {
            final List<Double> audioPts = FlvInputs.packetPts(file, "a:0");
            final double frame = 1024.0 / tracks.get(1).sampleRate();
            assertEquals(audio.get(0).pts() / 90_000.0, audioPts.get(0), frame);
            assertEquals(audio.get(audio.size() - 1).pts() / 90_000.0, audioPts.get(audioPts.size() - 1), frame);
        }
    }

    @Test
    void shouldWriteTheSameBytesIntoOneContiguousBufferAndReleaseTheSamplesAtOnce()
    {
        final TrackFormat video = FlvInputs.parse(FlvInputs.h264Flv()).sink().format(TrackFormat.VIDEO_TRACK);
        final TrackFormat audio = TrackFormats.aac(new byte[] {0x12, 0x10});
        final ByteBuf key = PooledByteBufAllocator.DEFAULT.directBuffer(3000).writeZero(3000).setByte(4, 0x65);
        final ByteBuf delta = PooledByteBufAllocator.DEFAULT.directBuffer(900).writeZero(900).setByte(4, 0x41);
        final ByteBuf aac = PooledByteBufAllocator.DEFAULT.directBuffer(200).writeZero(200).setByte(0, 7);
        final byte[][] segments = new byte[2][];
        for (int pass = 0; pass < 2; pass++)
        {
            final Fmp4FragmentWriter writer = new Fmp4FragmentWriter(true);
            writer.begin(3);
            for (int i = 0; i < 50; i++)
            {
                writer.addSample(video, i * 3600L, i * 3600L + 7200, i == 0, i == 0 ? key : delta);
                writer.addSample(audio, i * 3600L, i * 3600L, true, aac);
            }

            final ByteBuf out = pass == 0 ? writer.finish(PooledByteBufAllocator.DEFAULT, 50 * 3600L) :
                writer.finishContiguous(PooledByteBufAllocator.DEFAULT, 50 * 3600L);
            if (pass == 1)
            {
                assertEquals(1, key.refCnt(), "the contiguous segment keeps no sample slice");
                assertEquals(1, out.nioBufferCount(), "one buffer");
                assertEquals(out.readableBytes(), out.capacity(), "of the segment's exact size");
            }

            segments[pass] = bytesOf(out);
        }

        assertArrayEquals(segments[0], segments[1]);
        assertEquals(2, Traf.parse(segments[1]).size(), "video and audio runs");
        assertEquals(1, key.refCnt());
        key.release();
        delta.release();
        aac.release();
    }

    @Test
    void shouldWriteAudioTimesWithoutDriftFromMillisecondInput()
    {
        final TrackFormat audio = TrackFormats.aac(new byte[] {0x12, 0x10});
        final Fmp4FragmentWriter writer = new Fmp4FragmentWriter(false);
        final ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4});
        final long[] dts = new long[1000];
        for (int i = 0; i < dts.length; i++)
        {
            // What an RTMP publisher sends: the time of each 1024-sample frame, in whole milliseconds.
            dts[i] = (long)i * 1024 * 1000 / 44_100 * 90 + 123_456_789L;
        }

        writer.begin(7);
        for (final long t : dts)
        {
            writer.addSample(audio, t, t, true, frame);
        }

        final byte[] segment = bytesOf(writer.finish(PooledByteBufAllocator.DEFAULT, Fmp4FragmentWriter.NO_END_DTS));
        final Traf traf = Traf.parse(segment).get(0);
        assertEquals(2, traf.trackId());
        long t = traf.baseDecodeTime();
        for (int i = 0; i < dts.length; i++)
        {
            assertEquals(Math.round(dts[i] * 44_100.0 / 90_000), t, "sample " + i);
            t += traf.durations().get(i);
        }

        assertEquals(1, frame.refCnt());
    }

    @Test
    void shouldTimeTheLastVideoSampleToTheEndAndKeepNegativeCompositionOffsets()
    {
        final TrackFormat video = FlvInputs.parse(FlvInputs.h264Flv()).sink().format(TrackFormat.VIDEO_TRACK);
        final Fmp4FragmentWriter writer = new Fmp4FragmentWriter(false);
        final ByteBuf au = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 0x65});

        writer.begin(1);
        writer.addSample(video, 9000, 9000 + 7200, true, au);
        writer.addSample(video, 12_600, 12_600 - 3600, false, au);
        final byte[] segment = bytesOf(writer.finish(PooledByteBufAllocator.DEFAULT, 18_000));

        final Traf traf = Traf.parse(segment).get(0);
        assertEquals(1, traf.trackId());
        assertEquals(9000, traf.baseDecodeTime());
        assertEquals(List.of(3600L, 5400L), traf.durations());
        assertEquals(List.of(7200, -3600), traf.compositionOffsets());
        assertEquals(List.of(0x0200_0000, 0x0101_0000), traf.flags());

        writer.begin(2);
        writer.addSample(video, 18_000, 18_000, true, au);
        final Traf alone = Traf.parse(bytesOf(writer.finish(PooledByteBufAllocator.DEFAULT,
            Fmp4FragmentWriter.NO_END_DTS))).get(0);
        assertEquals(List.of(5400L), alone.durations());
    }

    @Test
    void shouldReleaseEveryKeptSliceOnReset()
    {
        final TrackFormat audio = TrackFormats.aac(new byte[] {0x11, (byte)0x90});
        final Fmp4FragmentWriter writer = new Fmp4FragmentWriter(true);
        final ByteBuf data = PooledByteBufAllocator.DEFAULT.buffer(16).writeZero(16);
        try
        {
            writer.begin(1);
            writer.addSample(audio, 0, 0, true, data);
            writer.addSample(audio, 1920, 1920, true, data);
            assertEquals(3, data.refCnt());

            writer.reset();
            assertEquals(1, data.refCnt());
            assertEquals(0, writer.sampleCount());

            writer.begin(2);
            writer.addSample(audio, 0, 0, true, data);
            writer.begin(3);
            assertEquals(1, data.refCnt());
            assertNull(writer.finish(PooledByteBufAllocator.DEFAULT, Fmp4FragmentWriter.NO_END_DTS));
        }
        finally
        {
            data.release();
        }
    }

    @Test
    void shouldWriteAnInitSegmentWithTheExpectedBoxes()
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(FlvInputs.h265Flv());
        final ByteBuf init = Fmp4InitSegment.write(PooledByteBufAllocator.DEFAULT,
            List.of(parsed.sink().format(0), parsed.sink().format(1)));
        final byte[] bytes = bytesOf(init);

        assertEquals(2, Mp4BoxReader.find(bytes, "moov/trak").size());
        assertEquals(1, Mp4BoxReader.find(bytes, "moov/trak/mdia/minf/stbl/stsd/hvc1").size());
        assertEquals(1, Mp4BoxReader.find(bytes, "moov/trak/mdia/minf/stbl/stsd/mp4a").size());
        assertEquals(2, Mp4BoxReader.find(bytes, "moov/mvex/trex").size());
        assertEquals("ftyp", Mp4BoxReader.walk(bytes).get(0).type());
        final Mp4BoxReader.Box mdhd = Mp4BoxReader.find(bytes, "moov/trak/mdia/mdhd").get(1);
        assertEquals(48_000, Unpooled.wrappedBuffer(bytes).getInt(mdhd.offset() + 20));
    }

    private static byte[] bytesOf(final ByteBuf buf)
    {
        final byte[] bytes = ByteBufUtil.getBytes(buf);
        buf.release();
        return bytes;
    }

    /**
     * The fields of one traf this writer produces.
     */
    record Traf(int trackId, long baseDecodeTime, List<Long> durations, List<Integer> compositionOffsets,
        List<Integer> flags)
    {
        static List<Traf> parse(final byte[] segment)
        {
            final ByteBuf buf = Unpooled.wrappedBuffer(segment);
            final List<Traf> trafs = new ArrayList<>();
            final List<Mp4BoxReader.Box> boxes = Mp4BoxReader.walk(segment);
            for (final Mp4BoxReader.Box traf : boxes)
            {
                if (!traf.path().equals("moof/traf"))
                {
                    continue;
                }

                int trackId = -1;
                long base = -1;
                final List<Long> durations = new ArrayList<>();
                final List<Integer> offsets = new ArrayList<>();
                final List<Integer> flags = new ArrayList<>();
                for (final Mp4BoxReader.Box box : boxes)
                {
                    if (box.offset() < traf.offset() || box.offset() >= traf.offset() + traf.size())
                    {
                        continue;
                    }

                    if (box.type().equals("tfhd"))
                    {
                        trackId = buf.getInt(box.offset() + 12);
                    }
                    else if (box.type().equals("tfdt"))
                    {
                        base = buf.getLong(box.offset() + 12);
                    }
                    else if (box.type().equals("trun"))
                    {
                        final int trunFlags = buf.getInt(box.offset() + 8) & 0xFF_FFFF;
                        final int count = buf.getInt(box.offset() + 12);
                        final boolean video = (trunFlags & 0x800) != 0;
                        int index = box.offset() + 20;
                        for (int i = 0; i < count; i++)
                        {
                            durations.add(buf.getUnsignedInt(index));
                            index += 8;
                            if (video)
                            {
                                flags.add(buf.getInt(index));
                                offsets.add(buf.getInt(index + 4));
                                index += 8;
                            }
                        }
                    }
                }

                trafs.add(new Traf(trackId, base, durations, offsets, flags));
            }

            return trafs;
        }
    }
}
