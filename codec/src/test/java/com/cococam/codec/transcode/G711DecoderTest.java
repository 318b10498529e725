package com.cococam.codec.transcode;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(120)
class G711DecoderTest
{
    @ParameterizedTest
    @CsvSource({"g711a_sipp_payload_8k_mono.al, alaw, G711A", "g711u_huawei_ipc_payload_8k_mono.ul, mulaw, G711U"})
    void shouldDecodeCameraPayloadsToTheSameBytesAsFfmpeg(final String sample, final String demuxer,
        final CodecId codec) throws IOException
    {
        final Path input = Peers.sample(sample);
        final byte[] expected = ffmpegDecode(input, demuxer);
        final byte[] codes = Files.readAllBytes(input);

        assertArrayEquals(expected, ourDecode(codec, codes));
    }

    @ParameterizedTest
    @CsvSource({"alaw, G711A", "mulaw, G711U"})
    void shouldDecodeAllTwoHundredFiftySixCodeWordsAsFfmpegDoes(final String demuxer, final CodecId codec)
        throws IOException
    {
        final byte[] codes = new byte[256];
        for (int i = 0; i < codes.length; i++)
        {
            codes[i] = (byte)i;
        }

        final Path input = Files.createTempFile("g711-all", ".raw");
        try
        {
            Files.write(input, codes);
            assertArrayEquals(ffmpegDecode(input, demuxer), ourDecode(codec, codes));
        }
        finally
        {
            Files.deleteIfExists(input);
        }
    }

    @Test
    void shouldKnowTheLawsFixedPoints()
    {
        // A-law 0xD5 / 0x55 are the smallest positive / negative steps; mu-law 0xFF / 0x7F are zero.
        assertEquals(8, G711Decoder.alaw(0xD5));
        assertEquals(-8, G711Decoder.alaw(0x55));
        assertEquals(32256, G711Decoder.alaw(0xAA));
        assertEquals(0, G711Decoder.ulaw(0xFF));
        assertEquals(0, G711Decoder.ulaw(0x7F));
        assertEquals(-32124, G711Decoder.ulaw(0x00));
        assertEquals(32124, G711Decoder.ulaw(0x80));
    }

    @Test
    void shouldRefuseOtherCodecsAndSmallOutputs()
    {
        assertThrows(IllegalArgumentException.class,
            () -> G711Decoder.decode(CodecId.AAC, Unpooled.wrappedBuffer(new byte[4]), new short[4], 0));
        assertThrows(IndexOutOfBoundsException.class,
            () -> G711Decoder.decode(CodecId.G711A, Unpooled.wrappedBuffer(new byte[4]), new short[3], 0));
        assertThrows(IndexOutOfBoundsException.class,
            () -> G711Decoder.decode(CodecId.G711U, new byte[4], 2, 4, new short[8], 0));
    }

    private static byte[] ourDecode(final CodecId codec, final byte[] codes)
    {
        final short[] pcm = new short[codes.length];
        assertEquals(codes.length, G711Decoder.decode(codec, Unpooled.wrappedBuffer(codes), pcm, 0));
        final ByteBuffer bytes = ByteBuffer.allocate(pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(pcm);
        return bytes.array();
    }

    private static byte[] ffmpegDecode(final Path input, final String demuxer) throws IOException
    {
        final Path out = Files.createTempFile("g711-ffmpeg", ".s16");
        try
        {
            final Peers.Result result = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-y",
                "-f", demuxer, "-ar", "8000", "-ac", "1", "-i", input.toString(), "-f", "s16le", out.toString());
            assertEquals(0, result.exitCode(), result.stderr());
            return Files.readAllBytes(out);
        }
        finally
        {
            Files.deleteIfExists(out);
        }
    }
}
