package com.cococam.codec.transcode;

import com.cococam.codec.aac.Adts;
import com.cococam.codec.aac.AudioSpecificConfig;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class AacEncoderTest
{
    @Test
    void shouldEncodeCameraSpeechThatFfmpegDecodesCleanlyInTimeWithTheInput() throws Exception
    {
        final byte[] codes = Files.readAllBytes(Peers.sample("g711u_huawei_ipc_payload_8k_mono.ul"));
        final short[] pcm = new short[codes.length];
        G711Decoder.decode(CodecId.G711U, codes, 0, codes.length, pcm, 0);

        final List<Long> pts = new ArrayList<>();
        final ByteBuf adts = PooledByteBufAllocator.DEFAULT.buffer();
        final Path file = Files.createTempFile("aac-encoder", ".aac");
        try (AacEncoder encoder = AacEncoder.open(8000, 24_000, PooledByteBufAllocator.DEFAULT))
        {
            final TrackFormat format = encoder.format();
            assertEquals(CodecId.AAC, format.codec());
            assertEquals("mp4a.40.2", format.codecsString());
            assertEquals(8000, format.sampleRate());
            assertEquals(1, format.channels());
            assertEquals(1024, encoder.delaySamples());
            final AudioSpecificConfig config = AudioSpecificConfig.parse(encoder.audioSpecificConfig());

            // Uneven input calls (160-sample RTP-like units and one odd tail) must not matter.
            int emitted = 0;
            for (int offset = 0; offset < pcm.length; offset += 160)
            {
                emitted += encoder.encode(pcm, offset, Math.min(160, pcm.length - offset), (p, frame) ->
                {
                    pts.add(p);
                    Adts.writeHeader(config, frame.readableBytes(), adts);
                    adts.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
                });
            }

            assertEquals(pts.size(), emitted);
            assertEquals(pcm.length, encoder.samplesIn());
            final byte[] bytes = new byte[adts.readableBytes()];
            adts.getBytes(0, bytes);
            Files.write(file, bytes);
        }
        finally
        {
            adts.release();
        }

        // 94080 samples: 91 full frames went in, 90 came out (one frame of lookahead), the first one priming.
        assertEquals(pcm.length / 1024 - 1, pts.size());
        for (int k = 0; k < pts.size(); k++)
        {
            assertEquals(k * 1024L - 1024, pts.get(k));
        }

        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-count_frames",
            "-show_entries", "stream=codec_name,profile,sample_rate,channels,nb_read_frames", file.toString());
        assertEquals("aac", probe.get("streams.stream.0.codec_name"));
        assertEquals("LC", probe.get("streams.stream.0.profile"));
        assertEquals("8000", probe.get("streams.stream.0.sample_rate"));
        assertEquals("1", probe.get("streams.stream.0.channels"));
        assertEquals(String.valueOf(pts.size()), probe.get("streams.stream.0.nb_read_frames"));

        final Path decoded = Files.createTempFile("aac-decoded", ".s16");
        try
        {
            final Peers.Result result = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-xerror",
                "-y", "-i", file.toString(), "-f", "s16le", decoded.toString());
            assertEquals(0, result.exitCode(), result.stderr());
            final short[] out = readS16(decoded);
            // Duration: within two frames (the lookahead and the unfinished tail) of the input's 11.76 s.
            assertEquals(pts.size() * 1024, out.length);
            assertTrue(pcm.length - out.length <= 2 * 1024, () -> "decoded " + out.length + " of " + pcm.length);
            // Timing: the decoded audio is the input delayed by exactly the priming frame (best correlation at lag
            // 1024 among lags 0..2048), and it resembles the input (coded speech, not noise).
            int bestLag = -1;
            double best = -2;
            for (int lag = 0; lag <= 2048; lag += 8)
            {
                final double c = correlation(pcm, out, lag);
                if (c > best)
                {
                    best = c;
                    bestLag = lag;
                }
            }

            assertEquals(1024, bestLag);
            assertTrue(best > 0.9, "correlation " + best);
        }
        finally
        {
            Files.deleteIfExists(decoded);
            Files.deleteIfExists(file);
        }
    }

    @Test
    void shouldGiveOutEveryInputSampleWhenFlushedAtTheEndOfTheStream() throws Exception
    {
        final byte[] codes = Files.readAllBytes(Peers.sample("g711u_huawei_ipc_payload_8k_mono.ul"));
        final short[] pcm = new short[codes.length];
        G711Decoder.decode(CodecId.G711U, codes, 0, codes.length, pcm, 0);

        final List<Long> pts = new ArrayList<>();
        final ByteBuf adts = PooledByteBufAllocator.DEFAULT.buffer();
        final Path file = Files.createTempFile("aac-flush", ".aac");
        final Path decoded = Files.createTempFile("aac-flush", ".s16");
        try (AacEncoder encoder = AacEncoder.open(8000, 24_000, PooledByteBufAllocator.DEFAULT))
        {
            final AudioSpecificConfig config = AudioSpecificConfig.parse(encoder.audioSpecificConfig());
            final AacEncoder.PacketHandler toAdts = (p, frame) ->
            {
                pts.add(p);
                Adts.writeHeader(config, frame.readableBytes(), adts);
                adts.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
            };
            for (int offset = 0; offset < pcm.length; offset += 160)
            {
                encoder.encode(pcm, offset, Math.min(160, pcm.length - offset), toAdts);
            }

            final int before = pts.size();
            final int flushed = encoder.flush(toAdts);
            assertEquals(pts.size() - before, flushed);
            assertTrue(encoder.isFlushed());
            assertEquals(pcm.length, encoder.samplesIn());
            assertEquals(0, encoder.flush(toAdts), "a second flush gives nothing");
            assertThrows(TranscodeException.class, () -> encoder.encode(pcm, 0, 10, toAdts));
            final byte[] bytes = new byte[adts.readableBytes()];
            adts.getBytes(0, bytes);
            Files.write(file, bytes);
        }
        finally
        {
            adts.release();
        }

        try
        {
            // 94080 samples = 91.9 frames: 92 frames (the last one short) plus the priming frame come out.
            final int frames = (pcm.length + 1023) / 1024 + 1;
            assertEquals(frames, pts.size(), "pts " + pts);
            for (int k = 0; k < pts.size(); k++)
            {
                assertEquals(k * 1024L - 1024, pts.get(k));
            }

            final Peers.Result result = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-xerror",
                "-y", "-i", file.toString(), "-f", "s16le", decoded.toString());
            assertEquals(0, result.exitCode(), result.stderr());
            final short[] out = readS16(decoded);
            assertEquals(frames * 1024, out.length);
            // The input's last second is in the output, one priming frame later, not lost in the encoder.
            final int tail = 8000;
            final short[] inputTail = java.util.Arrays.copyOfRange(pcm, pcm.length - tail, pcm.length);
            final short[] outputTail = java.util.Arrays.copyOfRange(out, pcm.length - tail + 1024,
                pcm.length + 1024);
            final double c = correlation(inputTail, outputTail, 0);
            assertTrue(c > 0.9, "correlation of the last second " + c);
        }
        finally
        {
            Files.deleteIfExists(decoded);
            Files.deleteIfExists(file);
        }
    }

    @Test
    void shouldRefuseBadSettingsAndUseAfterClose() throws Exception
    {
        assertThrows(TranscodeException.class, () -> AacEncoder.open(0, 24_000, PooledByteBufAllocator.DEFAULT));
        assertThrows(TranscodeException.class, () -> AacEncoder.open(8000, 0, PooledByteBufAllocator.DEFAULT));
        assertThrows(TranscodeException.class, () -> AacEncoder.open(12345, 24_000, PooledByteBufAllocator.DEFAULT));
        final AacEncoder encoder = AacEncoder.open(8000, 24_000, PooledByteBufAllocator.DEFAULT);
        encoder.close();
        encoder.close();
        assertThrows(TranscodeException.class, () -> encoder.encode(new short[10], 0, 10, (p, f) -> { }));
        assertThrows(TranscodeException.class,
            () -> G711AacTranscoder.open(CodecId.AAC, 24_000, PooledByteBufAllocator.DEFAULT));
        assertEquals(0, Unpooled.EMPTY_BUFFER.readableBytes());
    }

    static double correlation(final short[] input, final short[] output, final int lag)
    {
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int n = 0; n + lag < output.length && n < input.length; n++)
        {
            final double x = input[n];
            final double y = output[n + lag];
            xy += x * y;
            xx += x * x;
            yy += y * y;
        }

        return xy / Math.sqrt(xx * yy + 1e-9);
    }

    static short[] readS16(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final short[] samples = new short[bytes.length / 2];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(samples);
        return samples;
    }
}
