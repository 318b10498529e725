package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * The fixed parts of the RTP/JPEG payload format (RFC 2435) shared by {@link JpegRtpDepacketizer} and
 * {@link JpegRtpPacketizer}: the JPEG marker codes, the zig-zag order, the example quantization tables of ITU-T
 * T.81 Annex K.1/K.2 and their scaling by the RFC's Q factor (RFC 2435 section 4.2 and appendix A), and the
 * Huffman tables of Annex K.3 that types 0, 1, 64 and 65 imply.
 *
 * <p>Thread safety: immutable tables; static methods without shared state. Allocation: {@link #scaledTables}
 * allocates its result (callers cache it per Q).
 */
final class JpegTables
{
    static final int SOI = 0xD8;
    static final int EOI = 0xD9;
    static final int SOF0 = 0xC0;
    static final int DHT = 0xC4;
    static final int DQT = 0xDB;
    static final int DRI = 0xDD;
    static final int SOS = 0xDA;
    static final int APP0 = 0xE0;
    static final int COM = 0xFE;

    /**
     * Natural (row-major) index of the coefficient at each zig-zag position (T.81 figure A.6).
     */
    static final int[] ZIGZAG = zigzag();

    /**
     * T.81 table K.1, natural order: luminance quantization at quality 50.
     */
    private static final int[] LUMA_QUANT = {
        16, 11, 10, 16, 24, 40, 51, 61,
        12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56,
        14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77,
        24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101,
        72, 92, 95, 98, 112, 100, 103, 99,
    };

    /**
     * T.81 table K.2, natural order: chrominance quantization at quality 50.
     */
    private static final int[] CHROMA_QUANT = {
        17, 18, 24, 47, 99, 99, 99, 99,
        18, 21, 26, 66, 99, 99, 99, 99,
        24, 26, 56, 99, 99, 99, 99, 99,
        47, 66, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
        99, 99, 99, 99, 99, 99, 99, 99,
    };

    private static final byte[] DC_LUMA_BITS = bytes(0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0);
    private static final byte[] DC_CHROMA_BITS = bytes(0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0);
    private static final byte[] DC_VALUES = bytes(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
    private static final byte[] AC_LUMA_BITS = bytes(0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D);
    private static final byte[] AC_LUMA_VALUES = bytes(
        0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
        0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xA1, 0x08, 0x23, 0x42, 0xB1, 0xC1, 0x15, 0x52, 0xD1, 0xF0,
        0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0A, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x25, 0x26, 0x27, 0x28,
        0x29, 0x2A, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
        0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
        0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
        0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7,
        0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3, 0xC4, 0xC5,
        0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xE1, 0xE2,
        0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
        0xF9, 0xFA);
    private static final byte[] AC_CHROMA_BITS = bytes(0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77);
    private static final byte[] AC_CHROMA_VALUES = bytes(
        0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
        0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xA1, 0xB1, 0xC1, 0x09, 0x23, 0x33, 0x52, 0xF0,
        0x15, 0x62, 0x72, 0xD1, 0x0A, 0x16, 0x24, 0x34, 0xE1, 0x25, 0xF1, 0x17, 0x18, 0x19, 0x1A, 0x26,
        0x27, 0x28, 0x29, 0x2A, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3A, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
        0x49, 0x4A, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5A, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
        0x69, 0x6A, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7A, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
        0x88, 0x89, 0x8A, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9A, 0xA2, 0xA3, 0xA4, 0xA5,
        0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8, 0xB9, 0xBA, 0xC2, 0xC3,
        0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xCA, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA,
        0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9, 0xEA, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8,
        0xF9, 0xFA);

    /**
     * The whole DHT segment (marker included) with the four Annex K.3 tables: DC 0, DC 1, AC 0, AC 1.
     */
    private static final byte[] STANDARD_DHT = standardDht();

    /**
     * APP0 "JFIF" 1.01, no density, no thumbnail (marker included).
     */
    private static final byte[] JFIF_APP0 = bytes(
        0xFF, APP0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00);

    private JpegTables()
    {
    }

    /**
     * Quantization tables for an RFC 2435 Q factor of 1 to 99: the Annex K tables scaled as in RFC 2435
     * appendix A (below 50 by 5000 / Q percent, from 50 by 200 - 2 Q percent, rounded, kept in 1..255).
     *
     * @param q the Q factor; values outside 1..99 are clamped to it.
     * @return 128 bytes, luminance then chrominance, each in zig-zag order as a DQT stores them (allocates).
     */
    static byte[] scaledTables(final int q)
    {
        final int factor = Math.max(1, Math.min(99, q));
        final int scale = factor < 50 ? 5000 / factor : 200 - factor * 2;
        final byte[] tables = new byte[128];
        for (int i = 0; i < 64; i++)
        {
            tables[i] = (byte)clampQuantizer((LUMA_QUANT[ZIGZAG[i]] * scale + 50) / 100);
            tables[64 + i] = (byte)clampQuantizer((CHROMA_QUANT[ZIGZAG[i]] * scale + 50) / 100);
        }

        return tables;
    }

    /**
     * Writes SOI, APP0 (JFIF), DQT, SOF0, DHT, DRI (when {@code restartInterval > 0}) and SOS: the headers a
     * RFC 2435 frame needs in front of its scan data.
     *
     * <pre>
     *   components: 1 = Y (table 0, DC/AC Huffman 0), 2 = Cb and 3 = Cr (table 1 or 0, Huffman 1), 1x1 chroma
     *   Y sampling: 2x1 for type 0 (4:2:2), 2x2 for type 1 (4:2:0)
     * </pre>
     *
     * @param out             where the bytes go; must have room (grows as any ByteBuf).
     * @param type            0 (4:2:2) or 1 (4:2:0), the restart bit already removed.
     * @param width           in pixels.
     * @param height          in pixels.
     * @param tables          quantization tables, each 64 bytes (8-bit) or 128 bytes (16-bit), back to back.
     * @param tablesOffset    index of the first table in {@code tables}.
     * @param tableCount      1 or 2 (a single table serves all three components).
     * @param precision       bit i set when table i has 16-bit entries.
     * @param restartInterval MCUs per restart interval, 0 for none.
     */
    static void writeHeaders(
        final ByteBuf out,
        final int type,
        final int width,
        final int height,
        final byte[] tables,
        final int tablesOffset,
        final int tableCount,
        final int precision,
        final int restartInterval)
    {
        out.writeShort(0xFF00 | SOI);
        out.writeBytes(JFIF_APP0);
        int tablesLength = 0;
        for (int t = 0; t < tableCount; t++)
        {
            tablesLength += 1 + tableSize(precision, t);
        }

        out.writeShort(0xFF00 | DQT).writeShort(2 + tablesLength);
        int at = tablesOffset;
        for (int t = 0; t < tableCount; t++)
        {
            final int size = tableSize(precision, t);
            out.writeByte((size == 128 ? 0x10 : 0) | t);
            out.writeBytes(tables, at, size);
            at += size;
        }

        final int chromaTable = tableCount > 1 ? 1 : 0;
        out.writeShort(0xFF00 | SOF0).writeShort(17).writeByte(8).writeShort(height).writeShort(width).writeByte(3);
        out.writeByte(1).writeByte(type == 0 ? 0x21 : 0x22).writeByte(0);
        out.writeByte(2).writeByte(0x11).writeByte(chromaTable);
        out.writeByte(3).writeByte(0x11).writeByte(chromaTable);
        out.writeBytes(STANDARD_DHT);
        if (restartInterval > 0)
        {
            out.writeShort(0xFF00 | DRI).writeShort(4).writeShort(restartInterval);
        }

        out.writeShort(0xFF00 | SOS).writeShort(12).writeByte(3);
        out.writeByte(1).writeByte(0x00);
        out.writeByte(2).writeByte(0x11);
        out.writeByte(3).writeByte(0x11);
        out.writeByte(0).writeByte(63).writeByte(0);
    }

    /**
     * @param precision the RFC 2435 precision field.
     * @param table     table index, 0 to 7.
     * @return 128 when the table has 16-bit entries, else 64.
     */
    static int tableSize(final int precision, final int table)
    {
        return (precision >> table & 1) != 0 ? 128 : 64;
    }

    /**
     * @param buf    holds a DHT table definition.
     * @param offset index of its 16 code-length counts (after the Tc/Th byte).
     * @param tc     table class, 0 = DC, 1 = AC.
     * @param th     table id; 0 = the standard luminance table, 1 = chrominance.
     * @param length bytes available from {@code offset}.
     * @return the table's size (16 counts plus values) when it is the Annex K.3 table for that class and id, or
     *         -1 when it differs, cannot be standard (id above 1), or runs past {@code length}.
     */
    static int matchStandardHuffman(final ByteBuf buf, final int offset, final int tc, final int th, final int length)
    {
        if (th > 1 || tc > 1)
        {
            return -1;
        }

        final byte[] bits = tc == 0 ? (th == 0 ? DC_LUMA_BITS : DC_CHROMA_BITS) : (th == 0 ? AC_LUMA_BITS :
            AC_CHROMA_BITS);
        final byte[] values = tc == 0 ? DC_VALUES : (th == 0 ? AC_LUMA_VALUES : AC_CHROMA_VALUES);
        final int size = bits.length + values.length;
        if (length < size)
        {
            return -1;
        }

        for (int i = 0; i < bits.length; i++)
        {
            if (buf.getByte(offset + i) != bits[i])
            {
                return -1;
            }
        }

        for (int i = 0; i < values.length; i++)
        {
            if (buf.getByte(offset + bits.length + i) != values[i])
            {
                return -1;
            }
        }

        return size;
    }

    private static int clampQuantizer(final int value)
    {
        return Math.max(1, Math.min(255, value));
    }

    private static int[] zigzag()
    {
        // Walk the anti-diagonals of the 8x8 block, alternating direction (T.81 figure A.6).
        final int[] order = new int[64];
        int k = 0;
        for (int sum = 0; sum < 15; sum++)
        {
            final int low = Math.max(0, sum - 7);
            final int high = Math.min(7, sum);
            for (int i = low; i <= high; i++)
            {
                final int row = (sum & 1) == 0 ? sum - i : i;
                order[k++] = row * 8 + (sum - row);
            }
        }

        return order;
    }

    private static byte[] standardDht()
    {
        final int length = 2 + 4 + DC_LUMA_BITS.length * 4 + DC_VALUES.length * 2 + AC_LUMA_VALUES.length +
            AC_CHROMA_VALUES.length;
        final byte[] out = new byte[2 + length];
        int at = 0;
        out[at++] = (byte)0xFF;
        out[at++] = (byte)DHT;
        out[at++] = (byte)(length >> 8);
        out[at++] = (byte)length;
        at = putTable(out, at, 0x00, DC_LUMA_BITS, DC_VALUES);
        at = putTable(out, at, 0x01, DC_CHROMA_BITS, DC_VALUES);
        at = putTable(out, at, 0x10, AC_LUMA_BITS, AC_LUMA_VALUES);
        putTable(out, at, 0x11, AC_CHROMA_BITS, AC_CHROMA_VALUES);
        return out;
    }

    private static int putTable(final byte[] out, final int at, final int id, final byte[] bits, final byte[] values)
    {
        out[at] = (byte)id;
        System.arraycopy(bits, 0, out, at + 1, bits.length);
        System.arraycopy(values, 0, out, at + 1 + bits.length, values.length);
        return at + 1 + bits.length + values.length;
    }

    private static byte[] bytes(final int... values)
    {
        final byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++)
        {
            out[i] = (byte)values[i];
        }

        return out;
    }
}
