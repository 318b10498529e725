package com.cococam.codec.transcode;

import com.cococam.codec.media.CodecId;
import io.netty.buffer.ByteBuf;

/**
 * Expands G.711 (ITU-T G.711) A-law and mu-law code words into 16-bit linear PCM.
 *
 * <p>Both laws are decoded through 256-entry tables built once from the segment/quantisation rules of the
 * recommendation: A-law inverts the even bits (XOR 0x55) and has a linear first segment; mu-law is stored
 * inverted and carries a bias of 0x84. The results are the recommendation's decision values scaled to 16 bits,
 * the same numbers FFmpeg's {@code pcm_alaw}/{@code pcm_mulaw} decoders give.
 *
 * <p>Thread safety: stateless, the tables are immutable after class initialisation. Allocation: none.
 */
public final class G711Decoder
{
    private static final short[] ALAW = new short[256];
    private static final short[] ULAW = new short[256];

    static
    {
        for (int code = 0; code < 256; code++)
        {
            ALAW[code] = (short)alawToLinear(code);
            ULAW[code] = (short)ulawToLinear(code);
        }
    }

    private G711Decoder()
    {
    }

    /**
     * @param code an A-law code word (low 8 bits used).
     * @return its 16-bit linear sample.
     */
    public static short alaw(final int code)
    {
        return ALAW[code & 0xFF];
    }

    /**
     * @param code a mu-law code word (low 8 bits used).
     * @return its 16-bit linear sample.
     */
    public static short ulaw(final int code)
    {
        return ULAW[code & 0xFF];
    }

    /**
     * @param codec {@link CodecId#G711A} or {@link CodecId#G711U}.
     * @return whether the codec is one of the two G.711 laws.
     */
    public static boolean isG711(final CodecId codec)
    {
        return codec == CodecId.G711A || codec == CodecId.G711U;
    }

    /**
     * Decodes every readable byte of {@code src} (one sample per byte) into {@code dst}.
     *
     * @param codec     {@link CodecId#G711A} or {@link CodecId#G711U}.
     * @param src       code words; indexes unchanged.
     * @param dst       receives one sample per code word from {@code dstOffset}.
     * @param dstOffset first index written.
     * @return samples written ({@code src.readableBytes()}).
     * @throws IllegalArgumentException if the codec is not G.711.
     * @throws IndexOutOfBoundsException if {@code dst} is too small.
     */
    public static int decode(final CodecId codec, final ByteBuf src, final short[] dst, final int dstOffset)
    {
        final short[] table = table(codec);
        final int count = src.readableBytes();
        if (dstOffset < 0 || dstOffset + count > dst.length)
        {
            throw new IndexOutOfBoundsException("dst too small: need " + (dstOffset + count) + ", have " + dst.length);
        }

        final int from = src.readerIndex();
        for (int i = 0; i < count; i++)
        {
            dst[dstOffset + i] = table[src.getByte(from + i) & 0xFF];
        }

        return count;
    }

    /**
     * Decodes code words from a byte array.
     *
     * @param codec     {@link CodecId#G711A} or {@link CodecId#G711U}.
     * @param src       code words.
     * @param srcOffset first code word.
     * @param count     code words to decode.
     * @param dst       receives the samples from {@code dstOffset}.
     * @param dstOffset first index written.
     * @throws IllegalArgumentException if the codec is not G.711.
     * @throws IndexOutOfBoundsException if a range is outside its array.
     */
    public static void decode(
        final CodecId codec,
        final byte[] src,
        final int srcOffset,
        final int count,
        final short[] dst,
        final int dstOffset)
    {
        final short[] table = table(codec);
        if (srcOffset < 0 || count < 0 || srcOffset + count > src.length || dstOffset < 0 ||
            dstOffset + count > dst.length)
        {
            throw new IndexOutOfBoundsException("range outside the arrays");
        }

        for (int i = 0; i < count; i++)
        {
            dst[dstOffset + i] = table[src[srcOffset + i] & 0xFF];
        }
    }

    private static short[] table(final CodecId codec)
    {
        if (codec == CodecId.G711A)
        {
            return ALAW;
        }

        if (codec == CodecId.G711U)
        {
            return ULAW;
        }

        throw new IllegalArgumentException("not G.711: " + codec);
    }

    /**
     * A-law: sign in bit 7 (1 = positive), 3-bit segment, 4-bit step; even bits transmitted inverted. Segment 0 is
     * linear with the same step as segment 1; each further segment doubles the step. Reconstruction sits in the
     * middle of the step.
     */
    private static int alawToLinear(final int code)
    {
        final int value = code ^ 0x55;
        final int segment = (value >> 4) & 0x07;
        final int step = value & 0x0F;
        int magnitude = (step << 4) + 8;
        if (segment > 0)
        {
            magnitude = (magnitude + 0x100) << (segment - 1);
        }

        return (value & 0x80) != 0 ? magnitude : -magnitude;
    }

    /**
     * mu-law: all bits transmitted inverted; after inversion bit 7 set means negative, then a 3-bit exponent and a
     * 4-bit mantissa; the encoder added a bias of 0x84 (132) before taking the exponent, removed here.
     */
    private static int ulawToLinear(final int code)
    {
        final int value = ~code & 0xFF;
        final int exponent = (value >> 4) & 0x07;
        final int mantissa = value & 0x0F;
        final int biased = ((mantissa << 3) + 0x84) << exponent;
        return (value & 0x80) != 0 ? 0x84 - biased : biased - 0x84;
    }
}
