package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.Objects;

/**
 * Complete baseline JPEG images to Motion JPEG over RTP (RFC 2435): the image's markers are parsed, its scan
 * data is sent in fragments of at most {@code maxPayloadSize} bytes (headers included), each behind the 8-byte
 * main header (see {@link JpegRtpDepacketizer} for the layout) with the same timestamp; the last carries the
 * marker bit.
 *
 * <p>Header values: type 0 for 4:2:2 (Y sampled 2x1), 1 for 4:2:0 (2x2), plus 64 when the image has a DRI
 * marker (then every packet has a restart marker header with F = L = 1 and count 0x3FFF, the "whole frame"
 * value, since fragments are not cut at restart intervals); Q 255 with the image's own two quantization tables
 * (luminance, chrominance; 8 or 16-bit) in the first packet; width and height in units of 8 pixels.
 *
 * <p>Refused ({@code -1} returned, nothing sent, the reason in {@link #lastRejection()}): anything but a
 * single-scan baseline (SOF0) 8-bit Y/Cb/Cr image whose chroma shares one quantization table (or two with the
 * same values) and uses 1x1
 * sampling with Y at 2x1 or 2x2, whose Huffman tables are the T.81 Annex K.3 ones (or absent, which means
 * those), whose width and height are multiples of 8 up to 2040, and whose scan data fits the 24-bit fragment
 * offset; also a malformed image (a segment running past the end, no SOI, no SOS, no marker after the scan).
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per packet; parsing allocates nothing.
 */
public final class JpegRtpPacketizer
{
    /**
     * Largest width or height RFC 2435 can describe.
     */
    public static final int MAX_DIMENSION = 2040;

    /**
     * Smallest accepted payload size: the headers of a first packet with two 16-bit tables plus 16 bytes.
     */
    public static final int MIN_PAYLOAD_SIZE = 8 + 4 + 4 + 2 * 128 + 16;

    private static final int MAX_FRAGMENT_OFFSET = 0xFF_FFFF;

    /**
     * Why the last image was refused.
     */
    public enum Rejection
    {
        /** Not refused. */
        NONE,
        /** No SOI, a segment running past the end, no SOS, or no marker after the scan data. */
        MALFORMED,
        /** Not a baseline sequential image (progressive, lossless, hierarchical, arithmetic, 12-bit). */
        NOT_BASELINE,
        /** Not three components, chroma not 1x1 or on two tables, luma not 2x1 or 2x2, or several scans. */
        UNSUPPORTED_LAYOUT,
        /** Huffman tables other than the T.81 Annex K.3 ones. */
        CUSTOM_HUFFMAN_TABLES,
        /** Width or height 0, above {@link #MAX_DIMENSION} or not a multiple of 8. */
        UNSUPPORTED_DIMENSIONS,
        /** Scan data longer than the 24-bit fragment offset allows. */
        TOO_LARGE
    }

    private final ByteBufAllocator allocator;
    private final RtpStreamWriter writer;
    private final int maxPayloadSize;
    private final int[] tableOffset = new int[4];
    private final int[] tablePrecision = new int[4];
    private final boolean[] customHuffman = new boolean[4];
    private final int[] componentId = new int[3];
    private final int[] componentSampling = new int[3];
    private final int[] componentTable = new int[3];
    private Rejection lastRejection = Rejection.NONE;
    private int width;
    private int height;
    private int restartInterval;
    private int scanStart;
    private int scanEnd;
    private boolean sofSeen;

    /**
     * @param allocator      packet buffers (pooled in production).
     * @param writer         payload type (26 is JPEG's static type), SSRC and sequence numbers.
     * @param maxPayloadSize largest RTP payload, {@value #MIN_PAYLOAD_SIZE} to
     *                       {@value NalRtpPacketizer#MAX_PAYLOAD_SIZE}.
     * @throws IllegalArgumentException if the payload size is out of range.
     */
    public JpegRtpPacketizer(final ByteBufAllocator allocator, final RtpStreamWriter writer, final int maxPayloadSize)
    {
        if (maxPayloadSize < MIN_PAYLOAD_SIZE || maxPayloadSize > NalRtpPacketizer.MAX_PAYLOAD_SIZE)
        {
            throw new IllegalArgumentException("rtp max payload size: maxPayloadSize=" + maxPayloadSize);
        }

        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.maxPayloadSize = maxPayloadSize;
    }

    /**
     * Packetizes one image.
     *
     * @param jpeg         a complete JPEG file (SOI to EOI) in its readable bytes; not modified, not retained.
     * @param rtpTimestamp the RTP timestamp of every packet (low 32 bits used).
     * @param out          receives each packet in order, taking ownership.
     * @return packets made, or -1 (nothing sent) when the image is refused: see {@link #lastRejection()}.
     */
    public int packetize(final ByteBuf jpeg, final long rtpTimestamp, final RtpPacketHandler out)
    {
        lastRejection = parse(jpeg);
        if (lastRejection != Rejection.NONE)
        {
            return -1;
        }

        final int lumaTable = componentTable[0];
        final int chromaTable = componentTable[1];
        final int lumaSize = tablePrecision[lumaTable] != 0 ? 128 : 64;
        final int chromaSize = tablePrecision[chromaTable] != 0 ? 128 : 64;
        final int type = (componentSampling[0] == 0x21 ? 0 : 1) + (restartInterval > 0 ? 64 : 0);
        final int fixedHeader = JpegRtpDepacketizer.MAIN_HEADER_SIZE +
            (restartInterval > 0 ? JpegRtpDepacketizer.RESTART_HEADER_SIZE : 0);
        final int scanLength = scanEnd - scanStart;
        int sent = 0;
        int packets = 0;
        do
        {
            final int tablesHeader = sent == 0 ? JpegRtpDepacketizer.QUANT_HEADER_SIZE + lumaSize + chromaSize : 0;
            final int take = Math.min(maxPayloadSize - fixedHeader - tablesHeader, scanLength - sent);
            final boolean last = sent + take == scanLength;
            final ByteBuf packet = writer.newPacket(allocator, last, rtpTimestamp, fixedHeader + tablesHeader + take);
            packet.writeInt(sent);
            packet.writeByte(type).writeByte(255).writeByte(width / 8).writeByte(height / 8);
            if (restartInterval > 0)
            {
                packet.writeShort(restartInterval).writeShort(0xFFFF);
            }

            if (tablesHeader > 0)
            {
                packet.writeByte(0);
                packet.writeByte((lumaSize == 128 ? 1 : 0) | (chromaSize == 128 ? 2 : 0));
                packet.writeShort(lumaSize + chromaSize);
                packet.writeBytes(jpeg, tableOffset[lumaTable], lumaSize);
                packet.writeBytes(jpeg, tableOffset[chromaTable], chromaSize);
            }

            packet.writeBytes(jpeg, scanStart + sent, take);
            out.onPacket(packet);
            sent += take;
            packets++;
        }
        while (sent < scanLength);

        return packets;
    }

    /**
     * @return why the last call to {@link #packetize} refused its image, or {@link Rejection#NONE}.
     */
    public Rejection lastRejection()
    {
        return lastRejection;
    }

    /**
     * @return the largest payload per packet.
     */
    public int maxPayloadSize()
    {
        return maxPayloadSize;
    }

    /**
     * @return the stream state packets are numbered from.
     */
    public RtpStreamWriter writer()
    {
        return writer;
    }

    private Rejection parse(final ByteBuf jpeg)
    {
        final int end = jpeg.writerIndex();
        int at = jpeg.readerIndex();
        if (end - at < 4 || jpeg.getUnsignedShort(at) != (0xFF00 | JpegTables.SOI))
        {
            return Rejection.MALFORMED;
        }

        reset();
        at += 2;
        while (true)
        {
            while (at < end && jpeg.getUnsignedByte(at) == 0xFF && at + 1 < end &&
                jpeg.getUnsignedByte(at + 1) == 0xFF)
            {
                at++;
            }

            if (end - at < 4 || jpeg.getUnsignedByte(at) != 0xFF)
            {
                return Rejection.MALFORMED;
            }

            final int marker = jpeg.getUnsignedByte(at + 1);
            final int length = jpeg.getUnsignedShort(at + 2);
            final int body = at + 4;
            if (length < 2 || length - 2 > end - body)
            {
                return Rejection.MALFORMED;
            }

            final Rejection segment = segment(jpeg, marker, body, length - 2);
            if (segment != Rejection.NONE)
            {
                return segment;
            }

            if (marker == JpegTables.SOS)
            {
                return scan(jpeg, body + length - 2, end);
            }

            at = body + length - 2;
        }
    }

    private Rejection segment(final ByteBuf jpeg, final int marker, final int body, final int length)
    {
        switch (marker)
        {
            case JpegTables.DQT:
                return quantizationTables(jpeg, body, length);
            case JpegTables.DHT:
                return huffmanTables(jpeg, body, length);
            case JpegTables.SOF0:
                return frame(jpeg, body, length);
            case JpegTables.DRI:
                if (length != 2)
                {
                    return Rejection.MALFORMED;
                }

                restartInterval = jpeg.getUnsignedShort(body);
                return Rejection.NONE;
            case JpegTables.SOS:
                return scanHeader(jpeg, body, length);
            case JpegTables.SOI:
            case JpegTables.EOI:
                return Rejection.MALFORMED;
            default:
                // Other SOFn (C1-C3, C5-C7, C9-CB, CD-CF) and DAC (CC) are not baseline; APPn, COM and the rest
                // are skipped.
                if (marker >= 0xC1 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8)
                {
                    return Rejection.NOT_BASELINE;
                }

                return Rejection.NONE;
        }
    }

    private Rejection quantizationTables(final ByteBuf jpeg, final int body, final int length)
    {
        int at = body;
        final int end = body + length;
        while (at < end)
        {
            final int pqTq = jpeg.getUnsignedByte(at);
            final int precision = pqTq >> 4;
            final int id = pqTq & 0x0F;
            final int size = precision == 0 ? 64 : 128;
            if (precision > 1 || id > 3 || end - at - 1 < size)
            {
                return Rejection.MALFORMED;
            }

            tableOffset[id] = at + 1;
            tablePrecision[id] = precision;
            at += 1 + size;
        }

        return Rejection.NONE;
    }

    private Rejection huffmanTables(final ByteBuf jpeg, final int body, final int length)
    {
        int at = body;
        final int end = body + length;
        while (at < end)
        {
            if (end - at < 17)
            {
                return Rejection.MALFORMED;
            }

            final int tcTh = jpeg.getUnsignedByte(at);
            final int tc = tcTh >> 4;
            final int th = tcTh & 0x0F;
            if (tc > 1 || th > 3)
            {
                return Rejection.MALFORMED;
            }

            int values = 0;
            for (int i = 0; i < 16; i++)
            {
                values += jpeg.getUnsignedByte(at + 1 + i);
            }

            if (end - at - 17 < values)
            {
                return Rejection.MALFORMED;
            }

            final int standard = JpegTables.matchStandardHuffman(jpeg, at + 1, tc, th, end - at - 1);
            customHuffman[tc * 2 + Math.min(th, 1)] |= standard != 16 + values || th > 1;
            at += 17 + values;
        }

        return Rejection.NONE;
    }

    private Rejection frame(final ByteBuf jpeg, final int body, final int length)
    {
        if (length < 6)
        {
            return Rejection.MALFORMED;
        }

        final int precision = jpeg.getUnsignedByte(body);
        height = jpeg.getUnsignedShort(body + 1);
        width = jpeg.getUnsignedShort(body + 3);
        final int components = jpeg.getUnsignedByte(body + 5);
        if (length != 6 + components * 3)
        {
            return Rejection.MALFORMED;
        }

        if (precision != 8)
        {
            return Rejection.NOT_BASELINE;
        }

        if (components != 3)
        {
            return Rejection.UNSUPPORTED_LAYOUT;
        }

        for (int i = 0; i < 3; i++)
        {
            componentId[i] = jpeg.getUnsignedByte(body + 6 + i * 3);
            componentSampling[i] = jpeg.getUnsignedByte(body + 7 + i * 3);
            componentTable[i] = jpeg.getUnsignedByte(body + 8 + i * 3);
            if (componentTable[i] > 3)
            {
                return Rejection.MALFORMED;
            }
        }

        final boolean lumaOk = componentSampling[0] == 0x21 || componentSampling[0] == 0x22;
        if (!lumaOk || componentSampling[1] != 0x11 || componentSampling[2] != 0x11)
        {
            return Rejection.UNSUPPORTED_LAYOUT;
        }

        if (width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION || (width & 7) != 0 ||
            (height & 7) != 0)
        {
            return Rejection.UNSUPPORTED_DIMENSIONS;
        }

        sofSeen = true;
        return Rejection.NONE;
    }

    private Rejection scanHeader(final ByteBuf jpeg, final int body, final int length)
    {
        if (!sofSeen || length < 1)
        {
            return Rejection.MALFORMED;
        }

        final int components = jpeg.getUnsignedByte(body);
        if (length != 4 + components * 2)
        {
            return Rejection.MALFORMED;
        }

        if (components != 3)
        {
            return Rejection.UNSUPPORTED_LAYOUT;
        }

        for (int i = 0; i < 3; i++)
        {
            final int selector = jpeg.getUnsignedByte(body + 1 + i * 2);
            final int tables = jpeg.getUnsignedByte(body + 2 + i * 2);
            final int expected = i == 0 ? 0x00 : 0x11;
            if (selector != componentId[i] || tables != expected)
            {
                return Rejection.UNSUPPORTED_LAYOUT;
            }
        }

        final int ss = jpeg.getUnsignedByte(body + 1 + 6);
        final int se = jpeg.getUnsignedByte(body + 2 + 6);
        final int ahAl = jpeg.getUnsignedByte(body + 3 + 6);
        if (ss != 0 || se != 63 || ahAl != 0)
        {
            return Rejection.NOT_BASELINE;
        }

        for (int i = 0; i < 4; i++)
        {
            if (customHuffman[i])
            {
                return Rejection.CUSTOM_HUFFMAN_TABLES;
            }
        }

        for (int i = 0; i < 3; i++)
        {
            if (tableOffset[componentTable[i]] < 0)
            {
                return Rejection.MALFORMED;
            }
        }

        // RFC 2435 has one chrominance table: Cb and Cr may name two tables only if they hold the same values.
        return sameTables(jpeg, componentTable[1], componentTable[2]) ? Rejection.NONE :
            Rejection.UNSUPPORTED_LAYOUT;
    }

    private boolean sameTables(final ByteBuf jpeg, final int a, final int b)
    {
        if (a == b)
        {
            return true;
        }

        if (tablePrecision[a] != tablePrecision[b])
        {
            return false;
        }

        final int size = tablePrecision[a] != 0 ? 128 : 64;
        for (int i = 0; i < size; i++)
        {
            if (jpeg.getByte(tableOffset[a] + i) != jpeg.getByte(tableOffset[b] + i))
            {
                return false;
            }
        }

        return true;
    }

    private Rejection scan(final ByteBuf jpeg, final int from, final int end)
    {
        // The scan ends at the first marker that is neither a stuffed 0xFF00 nor a restart marker RSTn.
        int at = from;
        while (true)
        {
            final int ff = jpeg.indexOf(at, end, (byte)0xFF);
            if (ff < 0 || ff + 1 >= end)
            {
                return Rejection.MALFORMED;
            }

            final int next = jpeg.getUnsignedByte(ff + 1);
            if (next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF)
            {
                at = ff + 1;
                continue;
            }

            if (next != JpegTables.EOI)
            {
                // A second scan or a DNL marker: not expressible in RFC 2435.
                return Rejection.UNSUPPORTED_LAYOUT;
            }

            scanStart = from;
            scanEnd = ff;
            return scanEnd - scanStart > MAX_FRAGMENT_OFFSET ? Rejection.TOO_LARGE : Rejection.NONE;
        }
    }

    private void reset()
    {
        for (int i = 0; i < 4; i++)
        {
            tableOffset[i] = -1;
            tablePrecision[i] = 0;
            customHuffman[i] = false;
        }

        width = 0;
        height = 0;
        restartInterval = 0;
        sofSeen = false;
    }
}
