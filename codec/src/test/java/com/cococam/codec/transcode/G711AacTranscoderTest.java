package com.cococam.codec.transcode;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class G711AacTranscoderTest
{
    private static final long FRAME_TICKS = 1024 * 90_000 / 8000;

    private record Out(long dts, int flags, int size)
    {
    }

    @Test
    void shouldStampTenMinutesOfTwentyMillisecondUnitsWithoutDrift() throws Exception
    {
        final long base = 5_000_000_000L;
        final List<Out> out = new ArrayList<>();
        final ByteBuf unit = Unpooled.wrappedBuffer(tone(160));
        try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711A, 24_000,
            PooledByteBufAllocator.DEFAULT))
        {
            for (int i = 0; i < 30_000; i++)
            {
                transcoder.transcode(base + i * 1800L, FrameFlags.KEYFRAME, unit, collect(out));
            }
        }

        // 4 800 000 samples: 4687 full frames in, 4686 out; frame k starts at input sample 1024 (k - 1).
        assertEquals(4686, out.size());
        for (int k = 0; k < out.size(); k++)
        {
            assertEquals(base + (k - 1) * FRAME_TICKS, out.get(k).dts(), "frame " + k);
            assertEquals(FrameFlags.KEYFRAME, out.get(k).flags());
            assertTrue(out.get(k).size() > 0);
        }
    }

    @Test
    void shouldFollowTheInputClockFrameByFrameWhenTheCameraClockIsOff() throws Exception
    {
        // A camera whose 8 kHz clock is 0.5 % fast: 160 samples every 19.9 ms of 90 kHz time.
        final List<Out> out = new ArrayList<>();
        final ByteBuf unit = Unpooled.wrappedBuffer(tone(160));
        final long step = 1791;
        try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711U, 24_000,
            PooledByteBufAllocator.DEFAULT))
        {
            for (int i = 0; i < 3000; i++)
            {
                transcoder.transcode(i * step, 0, unit, collect(out));
            }
        }

        // Each frame k >= 1 starts at input sample 1024 (k - 1), inside unit (1024 (k - 1)) / 160.
        for (int k = 1; k < out.size(); k++)
        {
            final long sample = 1024L * (k - 1);
            final long expected = sample / 160 * step + (sample % 160) * 90_000 / 8000;
            assertEquals(expected, out.get(k).dts(), "frame " + k);
        }
    }

    @Test
    void shouldFillShortGapsWithSilenceAndLeaveLongOnesAsJumps() throws Exception
    {
        final List<Out> out = new ArrayList<>();
        final ByteBuf unit = Unpooled.wrappedBuffer(tone(240));
        try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711A, 24_000,
            PooledByteBufAllocator.DEFAULT))
        {
            long dts = 0;
            for (int i = 0; i < 200; i++)
            {
                // 30 ms units; units 50..59 lost (300 ms gap, filled); after unit 120 a 10 s gap (not filled).
                if (i < 50 || i >= 60)
                {
                    transcoder.transcode(dts, 0, unit, collect(out));
                }

                dts += i == 120 ? 900_000 : 2700;
            }
        }

        int jumps = 0;
        for (int k = 1; k < out.size(); k++)
        {
            final long step = out.get(k).dts() - out.get(k - 1).dts();
            if (step != FRAME_TICKS)
            {
                jumps++;
                assertTrue(step > 800_000, "step " + step + " at " + k);
            }
        }

        assertEquals(1, jumps);
        // 200 units of 240 samples with the 10 lost ones filled: 48000 samples = 46 full frames, 45 out.
        assertEquals(45, out.size());
    }

    @Test
    void shouldFlushTheTailIntoStampedFramesThatCoverTheLastInputSample() throws Exception
    {
        final long base = 7_000_000L;
        final List<Out> out = new ArrayList<>();
        final ByteBuf unit = Unpooled.wrappedBuffer(tone(160));
        try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711A, 24_000,
            PooledByteBufAllocator.DEFAULT))
        {
            // 100 units of 20 ms: 16000 samples, 15.6 frames; without a flush 14 frames come out.
            for (int i = 0; i < 100; i++)
            {
                transcoder.transcode(base + i * 1800L, FrameFlags.KEYFRAME, unit, collect(out));
            }

            assertEquals(14, out.size());
            assertEquals(base + 180_000, transcoder.inputEndDts90k());
            assertEquals(3, transcoder.flush(collect(out)));
            assertTrue(transcoder.isFlushed());
            assertEquals(0, transcoder.flush(collect(out)));
            assertThrows(TranscodeException.class,
                () -> transcoder.transcode(base + 180_000, 0, unit, collect(out)));
        }

        // Priming frame plus 16 frames (the last one 640 samples of input and silence): 17 frames, 128 ms apart,
        // the last one holding the last input sample.
        assertEquals(17, out.size());
        for (int k = 0; k < out.size(); k++)
        {
            assertEquals(base + (k - 1) * FRAME_TICKS, out.get(k).dts(), "frame " + k);
            assertEquals(FrameFlags.KEYFRAME, out.get(k).flags());
        }

        final long lastSample = base + 15_999 * 90_000L / 8000;
        final Out last = out.get(out.size() - 1);
        assertTrue(last.dts() <= lastSample && lastSample < last.dts() + FRAME_TICKS, "last " + last);
    }

    @Test
    void shouldFlushNothingBeforeTheFirstUnit() throws Exception
    {
        final List<Out> out = new ArrayList<>();
        try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711U, 24_000,
            PooledByteBufAllocator.DEFAULT))
        {
            assertEquals(0, transcoder.flush(collect(out)));
            assertEquals(Long.MIN_VALUE, transcoder.inputEndDts90k());
            transcoder.transcode(0, 0, Unpooled.wrappedBuffer(tone(2048)), collect(out));
            assertEquals(1, out.size(), "a transcoder not yet started still takes input");
        }
    }

    @Test
    void shouldFlagTheFirstFrameAfterADiscontinuity() throws Exception
    {
        final List<Out> out = new ArrayList<>();
        final ByteBuf unit = Unpooled.wrappedBuffer(tone(160));
        try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711A, 24_000,
            PooledByteBufAllocator.DEFAULT))
        {
            for (int i = 0; i < 100; i++)
            {
                transcoder.transcode(i * 1800L, 0, unit, collect(out));
            }

            for (int i = 0; i < 100; i++)
            {
                transcoder.transcode(90_000_000L + i * 1800L, i == 0 ? FrameFlags.DISCONTINUITY : 0, unit,
                    collect(out));
            }
        }

        final List<Integer> flagged = new ArrayList<>();
        for (int k = 0; k < out.size(); k++)
        {
            if (FrameFlags.isDiscontinuity(out.get(k).flags()))
            {
                flagged.add(k);
            }

            if (k > 0)
            {
                assertTrue(out.get(k).dts() > out.get(k - 1).dts());
            }
        }

        assertEquals(1, flagged.size());
        final Out first = out.get(flagged.get(0));
        // The flagged frame is the first one starting at or after input sample 16000 (the jump).
        assertTrue(first.dts() >= 90_000_000L && first.dts() < 90_000_000L + FRAME_TICKS, "dts " + first.dts());
        assertTrue(out.get(flagged.get(0) - 1).dts() < 90_000_000L);
    }

    @Test
    void shouldTranscodeQuicklyAndLeakNoNativeMemory() throws Exception
    {
        final ByteBuf unit = Unpooled.wrappedBuffer(tone(1024));
        final int[] frames = new int[1];
        final G711AacTranscoder.FrameHandler count = (dts, flags, frame) -> frames[0]++;
        long rssAfterWarmup = 0;
        long bestNanosPerFrame = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++)
        {
            // Each round: 50 transcoders opened, used for 200 frames and closed.
            final long start = System.nanoTime();
            frames[0] = 0;
            for (int t = 0; t < 50; t++)
            {
                try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711A, 24_000,
                    PooledByteBufAllocator.DEFAULT))
                {
                    for (int i = 0; i < 200; i++)
                    {
                        transcoder.transcode(i * FRAME_TICKS, 0, unit, count);
                    }
                }
            }

            bestNanosPerFrame = Math.min(bestNanosPerFrame, (System.nanoTime() - start) / frames[0]);
            // The first rounds touch fresh Java heap pages (RSS grows then plateaus); measure after them.
            if (round == 3)
            {
                rssAfterWarmup = rssKb();
            }
        }

        final long growthKb = rssKb() - rssAfterWarmup;
        final long steadyStart = System.nanoTime();
        try (G711AacTranscoder transcoder = G711AacTranscoder.open(CodecId.G711A, 24_000,
            PooledByteBufAllocator.DEFAULT))
        {
            for (int i = 0; i < 10_000; i++)
            {
                transcoder.transcode(i * FRAME_TICKS, 0, unit, count);
            }
        }

        final double steadyMicros = (System.nanoTime() - steadyStart) / 10_000 / 1000.0;
        System.out.printf("G.711 -> AAC: %.1f us per 1024-sample frame steady, %.1f us with an open/close every 200"
            + " frames; RSS growth %d KiB over 40000 frames and 200 encoders after warm-up%n", steadyMicros,
            bestNanosPerFrame / 1000.0, growthKb);
        // 128 ms of audio per frame; a live worker can afford far less than 1 ms.
        assertTrue(bestNanosPerFrame < 1_000_000, "ns per frame " + bestNanosPerFrame);
        assertTrue(growthKb < 16 * 1024, "RSS grew by " + growthKb + " KiB");
    }

    private static G711AacTranscoder.FrameHandler collect(final List<Out> out)
    {
        return (dts, flags, frame) -> out.add(new Out(dts, flags, frame.readableBytes()));
    }

    /** A-law-coded 440 Hz tone at -12 dBFS, {@code samples} long. */
    private static byte[] tone(final int samples)
    {
        final byte[] codes = new byte[samples];
        for (int i = 0; i < samples; i++)
        {
            final double value = 0.25 * Math.sin(2 * Math.PI * 440 * i / 8000.0);
            codes[i] = alawCode((int)(value * 32767));
        }

        return codes;
    }

    /** Nearest A-law code word by search over the decoder's table (test-only, slow). */
    private static byte alawCode(final int linear)
    {
        int best = 0;
        for (int code = 1; code < 256; code++)
        {
            if (Math.abs(G711Decoder.alaw(code) - linear) < Math.abs(G711Decoder.alaw(best) - linear))
            {
                best = code;
            }
        }

        return (byte)best;
    }

    private static long rssKb() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }

        return 0;
    }
}
