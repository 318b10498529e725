package com.cococam.codec.aac;

import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(120)
class AdtsTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // header, object type, rate, index, channels, frame length, header length, crc
        "first frame of aac_androidx_sample, FFF15040 03DFFC, 2, 44100, 4, 1, 30, 7, false",
        "first frame of aac_srs_avatar, FFF15080 145FFC, 2, 44100, 4, 2, 162, 7, false",
        "mpeg-2 id with crc, FFF84C80 2E7FFC 1234, 2, 48000, 3, 2, 371, 9, true",
        "largest frame, FFF15843 FFFFFC, 2, 24000, 6, 1, 8191, 7, false",
    })
    void shouldParseHeaderTable(final String name, final String header, final int objectType, final int rate,
        final int index, final int channels, final int frameLength, final int headerLength, final boolean crc)
    {
        final ByteBuf buf = Unpooled.buffer().writeByte(0).writeBytes(hex(header));
        buf.readerIndex(1);

        final AdtsHeader parsed = Adts.parse(buf);

        assertEquals(new AdtsHeader(objectType, rate, index, channels, frameLength, headerLength, crc), parsed);
        assertEquals(1, buf.readerIndex());
        assertEquals(AudioSpecificConfig.of(objectType, rate, channels == 7 ? 8 : channels),
            parsed.toAudioSpecificConfig());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "44100 mono 23 bytes, 2, 44100, 1, 23, FFF1504003DFFC",
        "44100 stereo 155 bytes, 2, 44100, 2, 155, FFF15080145FFC",
        "48000 stereo empty, 2, 48000, 2, 0, FFF14C8000FFFC",
        "8000 mono main, 1, 8000, 1, 100, FFF12C400D7FFC",
    })
    void shouldWriteHeaderTable(final String name, final int objectType, final int rate, final int channels,
        final int rawLength, final String expected)
    {
        final ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();

        Adts.writeHeader(AudioSpecificConfig.of(objectType, rate, channels), rawLength, out);

        assertEquals(expected.toLowerCase(), ByteBufUtil.hexDump(out));
        final AdtsHeader back = Adts.parse(out);
        assertEquals(rawLength, back.payloadLength());
        assertEquals(rate, back.sampleRate());
        out.release();
    }

    @ParameterizedTest(name = "invalid header ''{0}''")
    @ValueSource(strings = {"", "FFF15040 03DF", "FFE15040 03DFFC", "FFF35040 03DFFC", "FFF17440 03DFFC",
        "FFF15040 00DFFC", "00000000 000000"})
    void shouldReturnNullForInvalidHeaders(final String header)
    {
        assertNull(Adts.parse(Unpooled.wrappedBuffer(hex(header))));
        assertEquals(0, Adts.id3TagLength(Unpooled.wrappedBuffer(hex(header)), 0));
    }

    @Test
    void shouldRefuseConfigsAdtsCannotCarry()
    {
        final ByteBuf out = Unpooled.buffer();

        assertThrows(IllegalArgumentException.class,
            () -> Adts.writeHeader(AudioSpecificConfig.of(5, 48000, 2), 10, out));
        assertThrows(IllegalArgumentException.class,
            () -> Adts.writeHeader(AudioSpecificConfig.of(2, 7000, 2), 10, out));
        assertThrows(IllegalArgumentException.class,
            () -> Adts.writeHeader(AudioSpecificConfig.of(2, 48000, 2), 8185, out));
        assertEquals(0, out.writerIndex());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"aac_androidx_sample.adts, 144", "aac_androidx_with_id3.adts, 144", "aac_srs_avatar.adts, 1102"})
    void shouldSplitEverySampleAndRewriteItsHeadersByteForByte(final String name, final int documentedFrames)
    {
        final byte[] file = CodecSamples.bytes(name);
        final ByteBuf in = Unpooled.wrappedBuffer(file);
        final ByteBuf withoutTags = PooledByteBufAllocator.DEFAULT.buffer(file.length);
        final ByteBuf rewritten = PooledByteBufAllocator.DEFAULT.buffer(file.length);
        int frames = 0;
        int tags = 0;
        AudioSpecificConfig config = null;
        try
        {
            while (in.isReadable())
            {
                final int tagLength = Adts.id3TagLength(in, in.readerIndex());
                if (tagLength > 0)
                {
                    in.skipBytes(tagLength);
                    tags++;
                    continue;
                }

                final AdtsHeader header = Adts.parse(in);
                assertNotNull(header, name + " frame " + frames);
                assertFalse(header.crcPresent(), name);
                assertTrue(header.frameLength() <= in.readableBytes(), name + " frame " + frames);
                if (config == null)
                {
                    config = header.toAudioSpecificConfig();
                }

                assertEquals(config, header.toAudioSpecificConfig(), name + " frame " + frames);
                Adts.writeHeader(config, header.payloadLength(), rewritten);
                rewritten.writeBytes(in, in.readerIndex() + header.headerLength(), header.payloadLength());
                withoutTags.writeBytes(in, in.readerIndex(), header.frameLength());
                in.skipBytes(header.frameLength());
                frames++;
            }

            assertEquals(withoutTags, rewritten, name);
            assertEquals(name.contains("id3") ? 2 : 0, tags, name);
        }
        finally
        {
            rewritten.release();
            withoutTags.release();
        }

        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-count_packets",
            "-select_streams", "a:0", "-show_entries", "stream=codec_name,sample_rate,channels,profile,nb_read_packets",
            Peers.sample(name).toString());
        assertEquals(documentedFrames, frames, name);
        assertEquals(probe.get("streams.stream.0.nb_read_packets"), Integer.toString(frames), name);
        assertEquals(probe.get("streams.stream.0.sample_rate"), Integer.toString(config.sampleRate()), name);
        assertEquals(probe.get("streams.stream.0.channels"), Integer.toString(config.channelCount()), name);
        assertEquals("LC", probe.get("streams.stream.0.profile"), name);
        assertEquals(AudioSpecificConfig.AOT_AAC_LC, config.objectType(), name);
    }
}
