package com.cococam.codec.flv;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class FlvG711Test
{
    @ParameterizedTest
    @CsvSource({"pcm_alaw, G711A, alaw", "pcm_mulaw, G711U, ulaw"})
    void shouldParseAnFfmpegG711FlvAsEightKilohertzMonoKeyframes(
        final String encoder,
        final CodecId codec,
        final String codecs)
    {
        final Path file = FlvInputs.tempDir().resolve("g711-" + encoder + ".flv");
        final Peers.Result made = Peers.run(Duration.ofSeconds(120), Peers.ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=8000",
            "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", encoder, "-ar", "8000", "-ac", "1",
            "-f", "flv", file.toString());
        assertEquals(0, made.exitCode(), made.stderr());

        final FlvInputs.Parsed parsed = FlvInputs.parse(file);
        final TrackFormat audio = parsed.sink().format(TrackFormat.AUDIO_TRACK);
        assertEquals(codec, audio.codec());
        assertEquals(8000, audio.sampleRate());
        assertEquals(1, audio.channels());
        assertEquals(0, audio.decoderConfig().length);
        assertEquals(codecs, audio.codecsString());

        final List<CollectingSink.Unit> units = parsed.sink().units(TrackFormat.AUDIO_TRACK);
        final List<FlvInputs.Tag> tags = parsed.tags().stream().filter(t -> t.type() == FlvFileReader.TAG_AUDIO)
            .toList();
        assertEquals(tags.size(), units.size());
        long samples = 0;
        for (int i = 0; i < units.size(); i++)
        {
            final CollectingSink.Unit unit = units.get(i);
            final FlvInputs.Tag tag = tags.get(i);
            assertTrue(FrameFlags.isKeyframe(unit.flags()));
            assertEquals(tag.timestampMs() * 90, unit.dts());
            assertEquals(unit.dts(), unit.pts());
            assertArrayEquals(Arrays.copyOfRange(tag.body(), 1, tag.body().length), unit.payload());
            samples += unit.payload().length;
        }

        // 3 s at 8 kHz, one byte per sample.
        assertEquals(24_000, samples);
        assertEquals(1, parsed.sink().formats.stream().filter(f -> !f.isVideo()).count());
    }

    @Test
    void shouldWriteTheHeaderByteFfmpegWritesAndReadItBack()
    {
        final ByteBuf out = Unpooled.buffer();
        assertEquals(1, FlvTagWriter.writeAudio(CodecId.G711A, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}), out) - 3);
        assertEquals(0x72, out.getUnsignedByte(0));
        out.clear();
        FlvTagWriter.writeAudio(CodecId.G711U, Unpooled.wrappedBuffer(new byte[] {9, 8}), out);
        assertEquals(0x82, out.getUnsignedByte(0));

        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = new FlvTagParser(sink);
        assertEquals(FlvParseResult.ACCESS_UNIT, parser.parseAudio(40, 0, out));
        assertEquals(CodecId.G711U, sink.formats.get(0).codec());
        assertArrayEquals(new byte[] {9, 8}, sink.units.get(0).payload());
        assertEquals(3600, sink.units.get(0).dts());
    }

    @Test
    void shouldAnnounceAgainWhenTheLawChangesAndRefuseStereoAndAacWithoutConfig()
    {
        final CollectingSink sink = new CollectingSink();
        final FlvTagParser parser = new FlvTagParser(sink);
        assertEquals(FlvParseResult.ACCESS_UNIT, parser.parseAudio(0, 0, Unpooled.wrappedBuffer(new byte[] {0x72, 1})));
        assertEquals(FlvParseResult.ACCESS_UNIT, parser.parseAudio(1, 0, Unpooled.wrappedBuffer(new byte[] {0x72, 2})));
        assertEquals(FlvParseResult.ACCESS_UNIT, parser.parseAudio(2, 0, Unpooled.wrappedBuffer(new byte[] {(byte)0x82, 3})));
        // Any rate and size bits are read as 8 kHz.
        assertEquals(FlvParseResult.ACCESS_UNIT, parser.parseAudio(3, 0, Unpooled.wrappedBuffer(new byte[] {(byte)0x8E, 4})));
        assertEquals(FlvParseResult.UNSUPPORTED_CODEC, parser.parseAudio(4, 0, Unpooled.wrappedBuffer(new byte[] {0x73, 5})));
        assertEquals(FlvParseResult.IGNORED, parser.parseAudio(5, 0, Unpooled.wrappedBuffer(new byte[] {0x72})));
        assertEquals(FlvParseResult.NO_SEQUENCE_HEADER,
            parser.parseAudio(6, 0, Unpooled.wrappedBuffer(new byte[] {(byte)0xAF, 1, 0x21, 0x10})));

        assertEquals(List.of(CodecId.G711A, CodecId.G711U), sink.formats.stream().map(TrackFormat::codec).toList());
        assertEquals(4, sink.units.size());
        assertEquals(CodecId.G711U, parser.audioFormat().codec());
        assertFalse(sink.units.stream().anyMatch(u -> !u.keyframe()));
    }

    @Test
    void shouldWriteAG711FlvThatFfmpegDecodesToTheSamePcmAsTheRawFile() throws IOException
    {
        final Path raw = Peers.sample("g711a_sipp_payload_8k_mono.al");
        final byte[] samples = Files.readAllBytes(raw);
        final ByteBuf file = PooledByteBufAllocator.DEFAULT.buffer();
        final ByteBuf body = PooledByteBufAllocator.DEFAULT.buffer();
        final Path flv = FlvInputs.tempDir().resolve("written-g711a.flv");
        try
        {
            FlvFileWriter.writeFileHeader(true, false, file);
            // 30 ms units of 240 samples, as the camera sent them.
            for (int offset = 0, unit = 0; offset < samples.length; offset += 240, unit++)
            {
                body.clear();
                FlvTagWriter.writeAudio(CodecId.G711A,
                    Unpooled.wrappedBuffer(samples, offset, Math.min(240, samples.length - offset)), body);
                FlvFileWriter.writeTag(FlvFileReader.TAG_AUDIO, unit * 30L, body, file);
            }

            final byte[] bytes = new byte[file.readableBytes()];
            file.getBytes(0, bytes);
            Files.write(flv, bytes);
        }
        finally
        {
            file.release();
            body.release();
        }

        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-show_entries",
            "stream=codec_name,sample_rate,channels", flv.toString());
        assertEquals("pcm_alaw", probe.get("streams.stream.0.codec_name"));
        assertEquals("8000", probe.get("streams.stream.0.sample_rate"));
        assertEquals("1", probe.get("streams.stream.0.channels"));

        final Path fromFlv = FlvInputs.tempDir().resolve("from-flv.s16");
        final Path fromRaw = FlvInputs.tempDir().resolve("from-raw.s16");
        assertEquals(0, Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-xerror", "-y", "-i",
            flv.toString(), "-f", "s16le", fromFlv.toString()).exitCode());
        assertEquals(0, Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-y", "-f", "alaw", "-ar",
            "8000", "-ac", "1", "-i", raw.toString(), "-f", "s16le", fromRaw.toString()).exitCode());
        assertArrayEquals(Files.readAllBytes(fromRaw), Files.readAllBytes(fromFlv));
    }
}
