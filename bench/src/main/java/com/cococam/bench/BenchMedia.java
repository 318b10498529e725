package com.cococam.bench;

import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

import java.util.SplittableRandom;

/**
 * Media fixtures shared by the benchmarks: real track formats and synthetic access units of realistic sizes.
 *
 * <p>The H.264 format comes from an avcC built around the SPS and PPS that the bundled ffmpeg 8.1 (libx264,
 * High profile, 1280x720) wrote for a lavfi test pattern, so {@link TrackFormats#h264} parses a genuine SPS. The
 * AAC format is AAC-LC, 48 kHz, stereo. Access unit bodies are pseudo-random bytes behind a real NAL header (the
 * muxers and parsers under test only look at NAL lengths and NAL types, never at slice data).
 *
 * <p>Buffer ownership: every method returning a {@link ByteBuf} hands over one reference; callers release it.
 * Thread safety: stateless. Allocation: setup only, never inside a measured method.
 */
public final class BenchMedia
{
    /** Allocator the server uses for channels and encoders (see {@code CococamServer}). */
    public static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Typical compressed AAC frame size is a few hundred bytes; a 1.5 KB unit stands for a small packet. */
    public static final int AUDIO_UNIT_BYTES = 1_500;

    /** A 720p P-frame at ~4-6 Mbit/s, 25 fps. */
    public static final int VIDEO_UNIT_BYTES = 30_000;

    /** Video frame duration at 25 fps, 90 kHz. */
    public static final long VIDEO_STEP_90K = 3_600;

    /** AAC frame duration (1024 samples) at 48 kHz, in 90 kHz ticks. */
    public static final long AUDIO_STEP_90K = 1_920;

    /** Frames per GOP: one keyframe every 2 s at 25 fps. */
    public static final int GOP_FRAMES = 50;

    /** NAL header byte of an IDR slice (nal_ref_idc 3, type 5). */
    public static final int NAL_IDR = 0x65;

    /** NAL header byte of a non-IDR slice (nal_ref_idc 2, type 1). */
    public static final int NAL_NON_IDR = 0x41;

    private static final byte[] SPS = hex("6764001facd9405005bb011000000300100000030320f1831960");
    private static final byte[] PPS = hex("68ebe3cb22c0");
    private static final byte[] AAC_LC_48K_STEREO = {0x11, (byte)0x90};

    private BenchMedia()
    {
    }

    /**
     * @return the avcC (AVCDecoderConfigurationRecord) of the 1280x720 High profile stream, 4-byte NAL lengths.
     */
    public static byte[] avcDecoderConfigurationRecord()
    {
        final byte[] record = new byte[6 + 2 + SPS.length + 1 + 2 + PPS.length];
        int i = 0;
        record[i++] = 1;
        record[i++] = SPS[1];
        record[i++] = SPS[2];
        record[i++] = SPS[3];
        record[i++] = (byte)0xFF;
        record[i++] = (byte)0xE1;
        record[i++] = (byte)(SPS.length >> 8);
        record[i++] = (byte)SPS.length;
        System.arraycopy(SPS, 0, record, i, SPS.length);
        i += SPS.length;
        record[i++] = 1;
        record[i++] = (byte)(PPS.length >> 8);
        record[i++] = (byte)PPS.length;
        System.arraycopy(PPS, 0, record, i, PPS.length);
        return record;
    }

    /**
     * @return the H.264 track format (track 0).
     */
    public static TrackFormat videoFormat()
    {
        return TrackFormats.h264(avcDecoderConfigurationRecord());
    }

    /**
     * @return the AAC track format (track 1).
     */
    public static TrackFormat audioFormat()
    {
        return TrackFormats.aac(AAC_LC_48K_STEREO.clone());
    }

    /**
     * A video access unit: one NAL unit with a 4-byte length prefix, {@code totalBytes} long in all.
     *
     * @param totalBytes size of the access unit including the prefix, at least 6.
     * @param keyframe   IDR slice when true, non-IDR slice otherwise.
     * @param seed       seed of the filler bytes.
     * @return a pooled direct buffer with one reference.
     */
    public static ByteBuf videoUnit(final int totalBytes, final boolean keyframe, final long seed)
    {
        final ByteBuf out = ALLOC.directBuffer(totalBytes, totalBytes);
        out.writeInt(totalBytes - 4);
        out.writeByte(keyframe ? NAL_IDR : NAL_NON_IDR);
        fill(out, totalBytes - 5, seed);
        return out;
    }

    /**
     * A raw AAC frame (no ADTS header).
     *
     * @param totalBytes frame size.
     * @param seed       seed of the bytes.
     * @return a pooled direct buffer with one reference.
     */
    public static ByteBuf audioUnit(final int totalBytes, final long seed)
    {
        final ByteBuf out = ALLOC.directBuffer(totalBytes, totalBytes);
        fill(out, totalBytes, seed);
        return out;
    }

    private static void fill(final ByteBuf out, final int count, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < count; i++)
        {
            out.writeByte(random.nextInt(256));
        }
    }

    private static byte[] hex(final String text)
    {
        final byte[] out = new byte[text.length() / 2];
        for (int i = 0; i < out.length; i++)
        {
            out[i] = (byte)Integer.parseInt(text.substring(2 * i, 2 * i + 2), 16);
        }

        return out;
    }
}
