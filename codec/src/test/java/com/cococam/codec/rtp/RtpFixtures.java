package com.cococam.codec.rtp;

import com.cococam.codec.aac.Adts;
import com.cococam.codec.aac.AdtsHeader;
import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.h264.H264;
import com.cococam.codec.h265.H265;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test fixtures for the RTP tests: capture readers (RFC 4571, RTSP interleaved, classic pcap, the androidx JSON
 * dump), access unit splitters for the elementary stream samples, and a collecting handler.
 */
final class RtpFixtures
{
    static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private RtpFixtures()
    {
    }

    /**
     * One emitted access unit, copied.
     */
    record Unit(long timestamp, int flags, byte[] bytes)
    {
    }

    /**
     * Collects emitted units and formats.
     */
    static final class Collector implements RtpAccessUnitHandler
    {
        final List<Unit> units = new ArrayList<>();
        final List<TrackFormat> formats = new ArrayList<>();

        @Override
        public void onAccessUnit(final long rtpTimestamp, final int flags, final ByteBuf accessUnit)
        {
            units.add(new Unit(rtpTimestamp, flags, ByteBufUtil.getBytes(accessUnit)));
        }

        @Override
        public void onFormat(final TrackFormat format)
        {
            formats.add(format);
        }

        List<byte[]> bytes()
        {
            return units.stream().map(Unit::bytes).toList();
        }
    }

    /**
     * Feeds raw packets (copied into pooled buffers, released after) to a depacketizer.
     *
     * @return the results, in order.
     */
    static List<DepacketizeResult> feed(final RtpDepacketizer depacketizer, final List<byte[]> packets)
    {
        final List<DepacketizeResult> results = new ArrayList<>();
        final RtpPacket view = new RtpPacket();
        for (final byte[] bytes : packets)
        {
            final ByteBuf buf = ALLOC.buffer(bytes.length).writeBytes(bytes);
            try
            {
                if (view.wrap(buf) == RtpWrapResult.OK)
                {
                    results.add(depacketizer.onPacket(view));
                }
            }
            finally
            {
                buf.release();
            }
        }

        return results;
    }

    /**
     * Collects packets from a packetizer as byte arrays, releasing the buffers.
     */
    static final class Packets implements RtpPacketHandler
    {
        final List<byte[]> list = new ArrayList<>();

        @Override
        public void onPacket(final ByteBuf packet)
        {
            try
            {
                list.add(ByteBufUtil.getBytes(packet));
            }
            finally
            {
                packet.release();
            }
        }
    }

    /**
     * @return the RTP packets of an RFC 4571 stream (2-byte length before each).
     */
    static List<byte[]> rfc4571(final byte[] stream)
    {
        final List<byte[]> out = new ArrayList<>();
        int index = 0;
        while (index + 2 <= stream.length)
        {
            final int length = ((stream[index] & 0xFF) << 8) | (stream[index + 1] & 0xFF);
            if (index + 2 + length > stream.length)
            {
                throw new AssertionError("rfc4571 frame cut short at " + index);
            }

            out.add(java.util.Arrays.copyOfRange(stream, index + 2, index + 2 + length));
            index += 2 + length;
        }

        if (index != stream.length)
        {
            throw new AssertionError("rfc4571 trailing bytes: " + (stream.length - index));
        }

        return out;
    }

    /**
     * @return the RTSP interleaved frames ({@code $ channel length16 data}) per channel, in order.
     */
    static Map<Integer, List<byte[]>> interleaved(final byte[] stream)
    {
        final Map<Integer, List<byte[]>> out = new TreeMap<>();
        int index = 0;
        while (index < stream.length)
        {
            if (stream[index] != '$' || index + 4 > stream.length)
            {
                throw new AssertionError("not an interleaved frame at " + index);
            }

            final int channel = stream[index + 1] & 0xFF;
            final int length = ((stream[index + 2] & 0xFF) << 8) | (stream[index + 3] & 0xFF);
            if (index + 4 + length > stream.length)
            {
                throw new AssertionError("interleaved frame cut short at " + index);
            }

            out.computeIfAbsent(channel, c -> new ArrayList<>())
                .add(java.util.Arrays.copyOfRange(stream, index + 4, index + 4 + length));
            index += 4 + length;
        }

        return out;
    }

    /**
     * Reads a classic pcap file (microsecond or nanosecond, either byte order; Ethernet link type, with or without
     * one 802.1Q tag) and returns the UDP payloads over IPv4; other frames are skipped.
     */
    static List<byte[]> pcapUdpPayloads(final byte[] file)
    {
        final ByteBuffer in = ByteBuffer.wrap(file);
        final int magic = in.getInt(0);
        if (magic == 0xD4C3B2A1 || magic == 0x4D3CB2A1)
        {
            in.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        }
        else if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D)
        {
            throw new AssertionError("not a classic pcap file");
        }

        if (in.getInt(20) != 1)
        {
            throw new AssertionError("pcap link type is not Ethernet: " + in.getInt(20));
        }

        final List<byte[]> out = new ArrayList<>();
        int index = 24;
        while (index + 16 <= file.length)
        {
            final int captured = in.getInt(index + 8);
            final int frame = index + 16;
            if (captured < 0 || frame + captured > file.length)
            {
                break;
            }

            final byte[] udp = udpPayload(file, frame, captured);
            if (udp != null)
            {
                out.add(udp);
            }

            index = frame + captured;
        }

        return out;
    }

    private static byte[] udpPayload(final byte[] file, final int frame, final int length)
    {
        int ip = frame + 14;
        int etherType = u16(file, frame + 12);
        if (etherType == 0x8100)
        {
            etherType = u16(file, frame + 16);
            ip += 4;
        }

        if (etherType != 0x0800 || ip + 20 > frame + length || (file[ip] >> 4) != 4 || file[ip + 9] != 17)
        {
            return null;
        }

        final int ihl = (file[ip] & 0x0F) * 4;
        final int udp = ip + ihl;
        final int udpLength = u16(file, udp + 4);
        if (udp + udpLength > frame + length || udpLength < 8)
        {
            return null;
        }

        return java.util.Arrays.copyOfRange(file, udp + 8, udp + udpLength);
    }

    private static int u16(final byte[] b, final int i)
    {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    /**
     * @return the packets (hex strings) of an androidx RTP JSON dump.
     */
    static List<byte[]> rtpJsonPackets(final String json)
    {
        final int start = json.indexOf("\"packets\"");
        final Matcher hex = Pattern.compile("\"([0-9a-fA-F]+)\"").matcher(json.substring(start));
        final List<byte[]> out = new ArrayList<>();
        while (hex.find())
        {
            out.add(RtpFmtp.hex(hex.group(1)));
        }

        return out;
    }

    /**
     * @return the fmtp value of the first {@code a=fmtp} line of an SDP text for a payload type (-1: any),
     *         JSON-escaped line ends allowed.
     */
    static String fmtpLine(final String sdp, final int payloadType)
    {
        final String pt = payloadType < 0 ? "\\d+" : String.valueOf(payloadType);
        final Matcher m = Pattern.compile("a=fmtp:" + pt + " ([^\\r\\n\\\\]+)").matcher(sdp);
        if (!m.find())
        {
            throw new AssertionError("no fmtp for " + payloadType);
        }

        return m.group(1);
    }

    /**
     * Splits an H.264 Annex-B stream into 4-byte length-prefixed access units (H.264 7.4.1.2.3: a new unit
     * starts at an AUD, SPS, PPS or SEI after a slice, or at a slice with first_mb_in_slice 0 after a slice).
     */
    static List<byte[]> h264AccessUnits(final byte[] annexB)
    {
        return split(CodecSamples.nals(annexB), false);
    }

    /**
     * Splits an H.265 Annex-B stream into length-prefixed access units (H.265 7.4.2.4.4: a new unit starts at a
     * VPS, SPS, PPS, AUD or prefix SEI after a slice, or at a slice with first_slice_segment_in_pic_flag set).
     */
    static List<byte[]> h265AccessUnits(final byte[] annexB)
    {
        return split(CodecSamples.nals(annexB), true);
    }

    private static List<byte[]> split(final List<byte[]> nals, final boolean hevc)
    {
        final List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        boolean hasVcl = false;
        for (final byte[] nal : nals)
        {
            final boolean vcl;
            final boolean prefix;
            final boolean firstSlice;
            if (hevc)
            {
                final int type = H265.nalType(nal[0]);
                vcl = type < 32;
                prefix = type >= 32 && type <= 35 || type == H265.NAL_SEI_PREFIX || type >= 41 && type <= 44;
                firstSlice = vcl && nal.length > 2 && (nal[2] & 0x80) != 0;
            }
            else
            {
                final int type = H264.nalType(nal[0]);
                vcl = type >= 1 && type <= 5;
                prefix = type >= 6 && type <= 9 || type >= 14 && type <= 18;
                firstSlice = vcl && nal.length > 1 && (nal[1] & 0x80) != 0;
            }

            if (hasVcl && (prefix || firstSlice))
            {
                out.add(current.toByteArray());
                current = new ByteArrayOutputStream();
                hasVcl = false;
            }

            current.writeBytes(ByteBuffer.allocate(4).putInt(nal.length).array());
            current.writeBytes(nal);
            hasVcl |= vcl;
        }

        if (current.size() > 0)
        {
            out.add(current.toByteArray());
        }

        return out;
    }

    /**
     * @return the raw frames of an ADTS stream (headers and CRCs removed); ID3 tags skipped.
     */
    static List<byte[]> adtsFrames(final byte[] adts)
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(adts);
        final List<byte[]> out = new ArrayList<>();
        int index = 0;
        while (index < adts.length)
        {
            final int id3 = Adts.id3TagLength(buf, index);
            if (id3 > 0)
            {
                index += id3;
                continue;
            }

            final AdtsHeader header = Adts.parse(buf, index);
            if (header == null || index + header.frameLength() > adts.length)
            {
                break;
            }

            out.add(java.util.Arrays.copyOfRange(adts, index + header.headerLength(), index + header.frameLength()));
            index += header.frameLength();
        }

        return out;
    }

    /**
     * @return the first ADTS header of a stream.
     */
    static AdtsHeader firstAdtsHeader(final byte[] adts)
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(adts);
        final int id3 = Adts.id3TagLength(buf, 0);
        return Adts.parse(buf, id3);
    }

    /**
     * @return length-prefixed access units as one Annex-B byte stream.
     */
    static byte[] annexB(final List<byte[]> accessUnits)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] au : accessUnits)
        {
            int index = 0;
            while (index + 4 <= au.length)
            {
                final int length = ByteBuffer.wrap(au, index, 4).getInt();
                out.writeBytes(new byte[] {0, 0, 0, 1});
                out.write(au, index + 4, length);
                index += 4 + length;
            }
        }

        return out.toByteArray();
    }

    static String ascii(final byte[] bytes)
    {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
