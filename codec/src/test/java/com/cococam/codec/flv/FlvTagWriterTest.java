package com.cococam.codec.flv;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(300)
class FlvTagWriterTest
{
    @Test
    void shouldRoundTripH264AndAacThroughWriterAndParser() throws IOException
    {
        assertRoundTrip(FlvInputs.h264Flv(), "rt-h264.flv", "h264");
    }

    @Test
    void shouldRoundTripEnhancedH265ThroughWriterAndParser() throws IOException
    {
        assertRoundTrip(FlvInputs.h265Flv(), "rt-h265.flv", "hevc");
    }

    @Test
    void shouldWriteTheGoldenLegacyAndEnhancedHeaders()
    {
        final ByteBuf out = Unpooled.buffer();

        FlvTagWriter.writeVideoHeader(CodecId.H264, true, 80, out);
        FlvTagWriter.writeVideoHeader(CodecId.H265, false, -40, out);
        FlvTagWriter.writeAudioHeader(out);
        FlvTagWriter.writeVideoEndOfSequence(CodecId.H265, out);

        assertEquals("1701000050" + "a1" + "68766331" + "ffffd8" + "af01" + "92" + "68766331",
            ByteBufUtil.hexDump(out));
    }

    @Test
    void shouldKeepCompositionTimeConsistentWithMillisecondRounding()
    {
        assertEquals(40, FlvTagWriter.compositionTimeMs(3599, 3599 + 3600));
        assertEquals(39, FlvTagWriter.timestampMs(3599));
        assertEquals(-1, FlvTagWriter.timestampMs(-1));
    }

    @Test
    void shouldReportATruncatedFileAndABadHeader()
    {
        final ByteBuf file = Unpooled.buffer();
        FlvFileWriter.writeFileHeader(true, false, file);
        FlvFileWriter.writeTag(FlvFileReader.TAG_AUDIO, 0x1234_5678L, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}),
            file);

        final FlvFileReader reader = new FlvFileReader(file);
        assertEquals(FlvFileReader.Step.TAG, reader.readHeader());
        assertEquals(FlvFileReader.Step.TAG, reader.next());
        assertEquals(0x1234_5678L, reader.timestampMs());
        assertEquals(FlvFileReader.TAG_AUDIO, reader.tagType());
        assertEquals("010203", ByteBufUtil.hexDump(reader.body()));
        assertEquals(FlvFileReader.Step.END_OF_FILE, reader.next());

        final FlvFileReader cut = new FlvFileReader(file.slice(0, file.writerIndex() - 6));
        assertEquals(FlvFileReader.Step.TAG, cut.readHeader());
        assertEquals(FlvFileReader.Step.TRUNCATED, cut.next());
        assertEquals(FlvFileReader.Step.BAD_HEADER,
            new FlvFileReader(Unpooled.wrappedBuffer("GIF89a...........".getBytes())).readHeader());
        assertEquals(FlvFileReader.Step.TRUNCATED, new FlvFileReader(file.slice(0, 5)).readHeader());
    }

    private static void assertRoundTrip(final Path source, final String name, final String codecName)
        throws IOException
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(source);
        final TrackFormat video = parsed.sink().format(TrackFormat.VIDEO_TRACK);
        final TrackFormat audio = parsed.sink().format(TrackFormat.AUDIO_TRACK);
        final ByteBuf file = PooledByteBufAllocator.DEFAULT.buffer();
        final ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer();
        final Path out = FlvInputs.tempDir().resolve(name);
        try
        {
            FlvFileWriter.writeFileHeader(true, true, file);
            FlvTagWriter.writeVideoSequenceHeader(video, body);
            FlvFileWriter.writeTag(FlvFileReader.TAG_VIDEO, 0, body, file);
            body.clear();
            FlvTagWriter.writeAudioSequenceHeader(audio, body);
            FlvFileWriter.writeTag(FlvFileReader.TAG_AUDIO, 0, body, file);
            for (final CollectingSink.Unit unit : parsed.sink().units)
            {
                body.clear();
                final int type;
                if (unit.trackId() == TrackFormat.VIDEO_TRACK)
                {
                    FlvTagWriter.writeVideo(video.codec(), unit.dts(), unit.pts(), unit.keyframe(), unit.buf(), body);
                    type = FlvFileReader.TAG_VIDEO;
                }
                else
                {
                    FlvTagWriter.writeAudio(unit.buf(), body);
                    type = FlvFileReader.TAG_AUDIO;
                }

                FlvFileWriter.writeTag(type, FlvTagWriter.timestampMs(unit.dts()), body, file);
            }

            body.clear();
            FlvTagWriter.writeVideoEndOfSequence(video.codec(), body);
            FlvFileWriter.writeTag(FlvFileReader.TAG_VIDEO, FlvTagWriter.timestampMs(
                parsed.sink().units.get(parsed.sink().units.size() - 1).dts()), body, file);
            Files.write(out, ByteBufUtil.getBytes(file));
        }
        finally
        {
            file.release();
            body.release();
        }

        final FlvInputs.Parsed again = FlvInputs.parse(out);
        assertEquals(List.of(video, audio), again.sink().formats);
        assertEquals(parsed.sink().units.size(), again.sink().units.size());
        for (int i = 0; i < parsed.sink().units.size(); i++)
        {
            final CollectingSink.Unit expected = parsed.sink().units.get(i);
            final CollectingSink.Unit actual = again.sink().units.get(i);
            assertEquals(expected.trackId(), actual.trackId());
            assertEquals(expected.dts(), actual.dts());
            assertEquals(expected.pts(), actual.pts());
            assertEquals(expected.flags(), actual.flags());
            assertArrayEquals(expected.payload(), actual.payload());
        }

        assertEquals(1, again.count(FlvParseResult.END_OF_SEQUENCE));
        final Map<String, String> streams = FlvInputs.probeStreams(out);
        assertEquals(codecName, streams.get("streams.stream.0.codec_name"));
        assertEquals("640", streams.get("streams.stream.0.width"));
        assertEquals(String.valueOf(FlvInputs.GENERATED_VIDEO_FRAMES), streams.get("streams.stream.0.nb_read_frames"));
        assertEquals("aac", streams.get("streams.stream.1.codec_name"));
        assertEquals(String.valueOf(parsed.sink().units(TrackFormat.AUDIO_TRACK).size()),
            streams.get("streams.stream.1.nb_read_packets"));
        assertEquals("", FlvInputs.decodeErrors(out));
    }
}
