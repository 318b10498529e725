package com.cococam.codec.rtp;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 2435 (Motion JPEG over RTP): golden headers built by hand, the Q-factor tables, loss and bad input, and
 * round trips through {@link JpegRtpPacketizer} and {@link JpegRtpDepacketizer} checked by the bundled ffmpeg
 * decoding the rebuilt images to the same pixels (frame MD5s) as the originals.
 */
@Timeout(180)
class JpegRtpTest
{
    static final String SAMPLE = "jpeg_gst_uvc_camera_frame.jpg";

    @TempDir
    Path dir;

    /**
     * An RFC 2435 payload: main header, optional restart header, optional table header, then data.
     */
    static byte[] payload(
        final int type,
        final int q,
        final int width8,
        final int height8,
        final int fragmentOffset,
        final int restartInterval,
        final byte[] tables,
        final int precision,
        final byte[] data)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(fragmentOffset >> 16);
        out.write(fragmentOffset >> 8);
        out.write(fragmentOffset);
        out.write(type);
        out.write(q);
        out.write(width8);
        out.write(height8);
        if (type >= 64)
        {
            out.write(restartInterval >> 8);
            out.write(restartInterval);
            out.write(0xFF);
            out.write(0xFF);
        }

        if (tables != null)
        {
            out.write(0);
            out.write(precision);
            out.write(tables.length >> 8);
            out.write(tables.length);
            out.writeBytes(tables);
        }

        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] rtp(final int seq, final long timestamp, final boolean marker, final byte[] payload)
    {
        final ByteBuf buf = Unpooled.buffer();
        RtpPacket.writeHeader(buf, marker, 26, seq, timestamp, 0x1234);
        buf.writeBytes(payload);
        final byte[] bytes = new byte[buf.readableBytes()];
        buf.readBytes(bytes);
        return bytes;
    }

    /**
     * @return the index of the first segment with that marker, or -1.
     */
    static int segment(final byte[] jpeg, final int marker)
    {
        int at = 2;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xFF) == 0xFF)
        {
            final int m = jpeg[at + 1] & 0xFF;
            if (m == marker)
            {
                return at;
            }

            if (m == 0xDA)
            {
                return -1;
            }

            at += 2 + (((jpeg[at + 2] & 0xFF) << 8) | (jpeg[at + 3] & 0xFF));
        }

        return -1;
    }

    /**
     * @return the scan data after the SOS header, EOI excluded.
     */
    static byte[] scanData(final byte[] jpeg)
    {
        final int sos = segment(jpeg, 0xDA);
        final int start = sos + 2 + (((jpeg[sos + 2] & 0xFF) << 8) | (jpeg[sos + 3] & 0xFF));
        return Arrays.copyOfRange(jpeg, start, jpeg.length - 2);
    }

    static List<byte[]> splitJpegs(final byte[] stream)
    {
        // ffmpeg's scan data never holds 0xFFD8 or 0xFFD9 (stuffing), so markers split the stream.
        final List<byte[]> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i + 1 < stream.length; i++)
        {
            if ((stream[i] & 0xFF) == 0xFF && (stream[i + 1] & 0xFF) == 0xD8 && start < 0)
            {
                start = i;
            }
            else if ((stream[i] & 0xFF) == 0xFF && (stream[i + 1] & 0xFF) == 0xD9 && start >= 0)
            {
                out.add(Arrays.copyOfRange(stream, start, i + 2));
                start = -1;
            }
        }

        return out;
    }

    static List<byte[]> packetize(final byte[] jpeg, final long timestamp, final int maxPayload, final int seq0)
    {
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();
        final JpegRtpPacketizer packetizer = new JpegRtpPacketizer(RtpFixtures.ALLOC,
            new RtpStreamWriter(26, 0x1234, seq0), maxPayload);
        final ByteBuf buf = Unpooled.wrappedBuffer(jpeg);
        final int made = packetizer.packetize(buf, timestamp, packets);
        assertEquals(JpegRtpPacketizer.Rejection.NONE, packetizer.lastRejection());
        assertEquals(made, packets.list.size());
        assertEquals(0, buf.readerIndex());
        return packets.list;
    }

    JpegRtpPacketizer.Rejection rejection(final byte[] jpeg)
    {
        final RtpFixtures.Packets packets = new RtpFixtures.Packets();
        final JpegRtpPacketizer packetizer = new JpegRtpPacketizer(RtpFixtures.ALLOC,
            new RtpStreamWriter(26, 1, 0), 1400);
        assertEquals(-1, packetizer.packetize(Unpooled.wrappedBuffer(jpeg), 0, packets));
        assertTrue(packets.list.isEmpty());
        return packetizer.lastRejection();
    }

    /**
     * @return ffmpeg's frame MD5s of an MJPEG stream or JPEG file (decoded pixels).
     */
    List<String> frameMd5(final byte[] mjpeg) throws IOException
    {
        final Path file = Files.createTempFile(dir, "frames", ".mjpeg");
        Files.write(file, mjpeg);
        final Peers.Result result = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-xerror",
            "-f", "mjpeg", "-i", file.toString(), "-f", "framemd5", "-");
        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(result.stderr().isBlank(), result.stderr());
        final List<String> md5s = new ArrayList<>();
        for (final String line : result.stdout().split("\n"))
        {
            if (!line.startsWith("#") && !line.isBlank())
            {
                md5s.add(line.substring(line.lastIndexOf(',') + 1).trim());
            }
        }

        return md5s;
    }

    byte[] ffmpegMjpeg(final String pixFmt, final String size, final int frames, final String... extra)
        throws IOException
    {
        final Path out = dir.resolve("src-" + pixFmt + "-" + size + ".mjpeg");
        final List<String> command = new ArrayList<>(List.of(Peers.ffmpeg(), "-v", "error", "-y", "-f", "lavfi",
            "-i", "testsrc2=size=" + size + ":rate=10", "-frames:v", Integer.toString(frames), "-c:v", "mjpeg",
            "-pix_fmt", pixFmt));
        command.addAll(Arrays.asList(extra));
        command.addAll(List.of("-f", "mjpeg", out.toString()));
        final Peers.Result result = Peers.run(Duration.ofSeconds(60), command);
        assertEquals(0, result.exitCode(), result.stderr());
        return Files.readAllBytes(out);
    }

    static byte[] concat(final List<byte[]> parts)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        parts.forEach(out::writeBytes);
        return out.toByteArray();
    }

    @Test
    void shouldScaleTheAnnexKTablesByQAsRfc2435AppendixA()
    {
        final byte[] q50 = JpegTables.scaledTables(50);
        final int[] lumaZigzagHead = {16, 11, 12, 14, 12, 10, 16, 14, 13, 14, 18, 17, 16, 19, 24, 40};
        final int[] chromaZigzagHead = {17, 18, 18, 24, 21, 24, 47, 26, 26, 47, 99, 66, 56, 66, 99, 99};
        for (int i = 0; i < 16; i++)
        {
            assertEquals(lumaZigzagHead[i], q50[i] & 0xFF, "luma " + i);
            assertEquals(chromaZigzagHead[i], q50[64 + i] & 0xFF, "chroma " + i);
        }

        assertEquals(99, q50[63] & 0xFF);
        assertEquals(6, JpegTables.scaledTables(80)[0] & 0xFF, "(16 * 40 + 50) / 100");
        assertEquals(80, JpegTables.scaledTables(10)[0] & 0xFF, "(16 * 500 + 50) / 100");
        assertEquals(255, JpegTables.scaledTables(1)[63] & 0xFF, "clamped to 255");
        assertEquals(1, JpegTables.scaledTables(99)[0] & 0xFF, "(16 * 2 + 50) / 100 = 0, clamped to 1");
    }

    @Test
    void shouldBuildTheJfifHeadersOfAGoldenQ50Type1Packet()
    {
        final byte[] scan = {0x12, 0x34, (byte)0xFF, 0x00, 0x56};
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer,
            List.of(rtp(1, 9000, true, payload(1, 50, 80, 60, 0, 0, null, 0, scan))));

        assertEquals(List.of(DepacketizeResult.OK), results);
        assertEquals(1, collector.units.size());
        final byte[] jpeg = collector.units.get(0).bytes();
        assertEquals(9000, collector.units.get(0).timestamp());
        assertEquals(FrameFlags.KEYFRAME, collector.units.get(0).flags());
        assertEquals(0xFFD8, ((jpeg[0] & 0xFF) << 8) | (jpeg[1] & 0xFF));
        assertEquals("JFIF", new String(jpeg, segment(jpeg, 0xE0) + 4, 4, java.nio.charset.StandardCharsets.US_ASCII));
        final int dqt = segment(jpeg, 0xDB);
        assertEquals(2 + 2 * 65, ((jpeg[dqt + 2] & 0xFF) << 8) | (jpeg[dqt + 3] & 0xFF));
        assertEquals(0x00, jpeg[dqt + 4]);
        assertArrayEquals(Arrays.copyOfRange(JpegTables.scaledTables(50), 0, 64),
            Arrays.copyOfRange(jpeg, dqt + 5, dqt + 69));
        assertEquals(0x01, jpeg[dqt + 69]);
        assertArrayEquals(Arrays.copyOfRange(JpegTables.scaledTables(50), 64, 128),
            Arrays.copyOfRange(jpeg, dqt + 70, dqt + 134));
        final int sof = segment(jpeg, 0xC0);
        assertArrayEquals(new byte[] {(byte)0xFF, (byte)0xC0, 0, 17, 8, 0x01, (byte)0xE0, 0x02, (byte)0x80, 3,
            1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}, Arrays.copyOfRange(jpeg, sof, sof + 19), "480 x 640, 4:2:0");
        assertTrue(segment(jpeg, 0xC4) > 0);
        assertEquals(-1, segment(jpeg, 0xDD), "no DRI for type 1");
        assertArrayEquals(scan, scanData(jpeg));
        assertEquals(0xFFD9, ((jpeg[jpeg.length - 2] & 0xFF) << 8) | (jpeg[jpeg.length - 1] & 0xFF));
        assertEquals(CodecId.MJPEG, depacketizer.currentFormat().codec());
        assertEquals(640, depacketizer.currentFormat().width());
        assertEquals(480, depacketizer.currentFormat().height());
        assertEquals(List.of(depacketizer.currentFormat()), collector.formats);
    }

    @Test
    void shouldWriteDriAndTwoByteTablesForType64WithInBandSixteenBitTables()
    {
        final byte[] tables = new byte[64 + 128];
        for (int i = 0; i < tables.length; i++)
        {
            tables[i] = (byte)(i + 1);
        }

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);

        RtpFixtures.feed(depacketizer, List.of(rtp(1, 0, true, payload(64, 255, 2, 2, 0, 10, tables, 0x02,
            new byte[] {1, 2, 3}))));

        final byte[] jpeg = collector.units.get(0).bytes();
        final int dri = segment(jpeg, 0xDD);
        assertArrayEquals(new byte[] {(byte)0xFF, (byte)0xDD, 0, 4, 0, 10}, Arrays.copyOfRange(jpeg, dri, dri + 6));
        final int dqt = segment(jpeg, 0xDB);
        assertEquals(2 + 65 + 129, ((jpeg[dqt + 2] & 0xFF) << 8) | (jpeg[dqt + 3] & 0xFF));
        assertEquals(0x00, jpeg[dqt + 4]);
        assertArrayEquals(Arrays.copyOfRange(tables, 0, 64), Arrays.copyOfRange(jpeg, dqt + 5, dqt + 69));
        assertEquals(0x11, jpeg[dqt + 69], "16-bit table 1");
        assertArrayEquals(Arrays.copyOfRange(tables, 64, 192), Arrays.copyOfRange(jpeg, dqt + 70, dqt + 198));
        final int sof = segment(jpeg, 0xC0);
        assertEquals(0x21, jpeg[sof + 11], "type 64 is 4:2:2");
        assertArrayEquals(new byte[] {1, 2, 3}, scanData(jpeg));
    }

    @Test
    void shouldReuseTablesCachedPerQWhenALaterFrameSendsLengthZero()
    {
        final byte[] tables = JpegTables.scaledTables(30);
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, List.of(
            rtp(1, 0, true, payload(1, 200, 2, 2, 0, 0, new byte[0], 0, new byte[] {9})),
            rtp(2, 3000, true, payload(1, 200, 2, 2, 0, 0, tables, 0, new byte[] {1})),
            rtp(3, 6000, true, payload(1, 200, 2, 2, 0, 0, new byte[0], 0, new byte[] {2})),
            rtp(4, 9000, true, payload(1, 255, 2, 2, 0, 0, new byte[0], 0, new byte[] {3}))));

        assertEquals(List.of(DepacketizeResult.UNSUPPORTED, DepacketizeResult.OK, DepacketizeResult.OK,
            DepacketizeResult.MALFORMED), results, "no cache yet; tables; cached; Q 255 must carry tables");
        assertEquals(2, collector.units.size());
        final byte[] first = collector.units.get(0).bytes();
        final byte[] second = collector.units.get(1).bytes();
        final int dqt = segment(first, 0xDB);
        assertArrayEquals(Arrays.copyOfRange(tables, 0, 64), Arrays.copyOfRange(first, dqt + 5, dqt + 69));
        assertArrayEquals(Arrays.copyOfRange(first, 0, first.length - 3), Arrays.copyOfRange(second, 0,
            second.length - 3), "same headers");
        assertEquals(2, depacketizer.brokenAccessUnits());
        assertEquals(1, depacketizer.unsupportedPackets());
        assertEquals(1, depacketizer.malformedPackets());
    }

    @Test
    void shouldReassembleFragmentsAndDropFramesWithLostReorderedOrMissingFirstFragments()
    {
        final byte[] a = {1, 2, 3};
        final byte[] b = {4, 5};
        final byte[] c = {6};
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);

        RtpFixtures.feed(depacketizer, List.of(
            // frame 1: whole
            rtp(1, 1000, false, payload(0, 50, 2, 2, 0, 0, null, 0, a)),
            rtp(2, 1000, false, payload(0, 50, 2, 2, 3, 0, null, 0, b)),
            rtp(3, 1000, true, payload(0, 50, 2, 2, 5, 0, null, 0, c)),
            // frame 2: middle lost (seq 5)
            rtp(4, 2000, false, payload(0, 50, 2, 2, 0, 0, null, 0, a)),
            rtp(6, 2000, true, payload(0, 50, 2, 2, 5, 0, null, 0, c)),
            // frame 3: first fragment lost (seq 7)
            rtp(8, 3000, false, payload(0, 50, 2, 2, 3, 0, null, 0, b)),
            rtp(9, 3000, true, payload(0, 50, 2, 2, 5, 0, null, 0, c)),
            // frame 4: last two swapped (11 arrives first: a gap, then 10 is late)
            rtp(10, 4000, false, payload(0, 50, 2, 2, 0, 0, null, 0, a)),
            rtp(12, 4000, true, payload(0, 50, 2, 2, 5, 0, null, 0, c)),
            rtp(11, 4000, false, payload(0, 50, 2, 2, 3, 0, null, 0, b)),
            // frame 5: marker packet lost, then frame 6 whole
            rtp(13, 5000, false, payload(0, 50, 2, 2, 0, 0, null, 0, a)),
            rtp(15, 6000, true, payload(0, 50, 2, 2, 0, 0, null, 0, a)),
            // frame 7: a camera that forgets the marker, no gap: ended by frame 8
            rtp(16, 7000, false, payload(0, 50, 2, 2, 0, 0, null, 0, b)),
            rtp(17, 8000, true, payload(0, 50, 2, 2, 0, 0, null, 0, c))));

        assertEquals(List.of(1000L, 6000L, 7000L, 8000L), collector.units.stream().map(RtpFixtures.Unit::timestamp)
            .toList());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, scanData(collector.units.get(0).bytes()));
        assertArrayEquals(b, scanData(collector.units.get(2).bytes()));
        assertEquals(4, depacketizer.brokenAccessUnits(), "frames 2, 3, 4 and 5");
        assertEquals(4, depacketizer.emittedAccessUnits());
        depacketizer.close();
    }

    @Test
    void shouldDropAnOversizeFrameAndGoOn()
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector, 2048);
        final byte[] chunk = new byte[1000];

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, List.of(
            rtp(1, 0, false, payload(1, 50, 2, 2, 0, 0, null, 0, chunk)),
            rtp(2, 0, false, payload(1, 50, 2, 2, 1000, 0, null, 0, chunk)),
            rtp(3, 0, true, payload(1, 50, 2, 2, 2000, 0, null, 0, chunk)),
            rtp(4, 10, true, payload(1, 50, 2, 2, 0, 0, null, 0, chunk))));

        assertEquals(List.of(DepacketizeResult.OK, DepacketizeResult.OVERSIZE, DepacketizeResult.OK,
            DepacketizeResult.OK), results);
        assertEquals(1, depacketizer.oversizeAccessUnits());
        assertEquals(1, depacketizer.brokenAccessUnits());
        assertEquals(1, collector.units.size());
        assertEquals(10, collector.units.get(0).timestamp());
    }

    @Test
    void shouldRejectTruncatedHeadersAndReservedValuesCleanly()
    {
        final byte[] tables = JpegTables.scaledTables(20);
        final byte[] full = payload(65, 255, 4, 4, 0, 4, tables, 0, new byte[] {1, 2});
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);
        final List<byte[]> packets = new ArrayList<>();
        int seq = 0;
        for (int length = 0; length < 8 + 4 + 4 + 128; length++)
        {
            packets.add(rtp(seq++, seq * 10L, true, Arrays.copyOf(full, length)));
        }

        packets.add(rtp(seq++, 1, true, payload(1, 0, 2, 2, 0, 0, null, 0, new byte[1])));
        packets.add(rtp(seq++, 2, true, payload(1, 110, 2, 2, 0, 0, null, 0, new byte[1])));
        packets.add(rtp(seq++, 3, true, payload(1, 50, 0, 2, 0, 0, null, 0, new byte[1])));
        packets.add(rtp(seq++, 4, true, payload(2, 50, 2, 2, 0, 0, null, 0, new byte[1])));
        packets.add(rtp(seq++, 5, true, payload(1, 255, 2, 2, 0, 0, new byte[100], 0, new byte[1])));

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);

        assertTrue(collector.units.isEmpty(), "every one of them was cut short or invalid");
        assertEquals(packets.size(), results.size());
        assertEquals(1, results.stream().filter(r -> r == DepacketizeResult.UNSUPPORTED).count(), "type 2");
        assertEquals(packets.size() - 1, results.stream().filter(r -> r == DepacketizeResult.MALFORMED).count());
        assertEquals(packets.size(), depacketizer.brokenAccessUnits());
    }

    @Test
    void shouldRoundTripTheCameraSampleToTheSamePixels() throws IOException
    {
        final byte[] jpeg = Files.readAllBytes(Peers.sample(SAMPLE));
        final List<byte[]> packets = packetize(jpeg, 12345, 1000, 65530);

        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);
        assertTrue(RtpFixtures.feed(depacketizer, packets).stream().allMatch(r -> r == DepacketizeResult.OK));

        assertEquals(1, collector.units.size());
        assertTrue(packets.size() >= 10, "10 KB in 1000-byte payloads: " + packets.size());
        for (int i = 0; i < packets.size(); i++)
        {
            final byte[] p = packets.get(i);
            assertTrue(p.length <= 12 + 1000);
            assertEquals(i == packets.size() - 1, (p[1] & 0x80) != 0, "marker on the last only");
            assertEquals(26, p[1] & 0x7F);
            assertEquals(64, p[12 + 4] & 0xFF, "type 64: 4:2:2 with restart markers");
            assertEquals(255, p[12 + 5] & 0xFF);
            assertEquals(320 / 8, p[12 + 6] & 0xFF);
            assertEquals(240 / 8, p[12 + 7] & 0xFF);
        }

        final byte[] rebuilt = collector.units.get(0).bytes();
        assertArrayEquals(scanData(jpeg), scanData(rebuilt));
        assertEquals(frameMd5(jpeg), frameMd5(rebuilt));
        assertEquals(1, frameMd5(rebuilt).size());
        assertEquals(320, depacketizer.currentFormat().width());
        assertEquals(240, depacketizer.currentFormat().height());
    }

    @Test
    void shouldRoundTripFfmpegMjpegToTheSamePixels() throws IOException
    {
        final byte[] source = ffmpegMjpeg("yuvj420p", "640x480", 10, "-huffman", "default", "-q:v", "5");
        final List<byte[]> images = splitJpegs(source);
        assertEquals(10, images.size());
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);
        int seq = 100;
        for (int i = 0; i < images.size(); i++)
        {
            final List<byte[]> packets = packetize(images.get(i), 9000L * i, 1400, seq);
            seq += packets.size();
            assertTrue(RtpFixtures.feed(depacketizer, packets).stream().allMatch(r -> r == DepacketizeResult.OK));
            assertEquals(1, packets.get(0)[12 + 4], "type 1 (4:2:0)");
        }

        assertEquals(10, collector.units.size());
        final List<String> expected = frameMd5(source);
        assertEquals(10, expected.size());
        assertEquals(expected, frameMd5(concat(collector.bytes())));
        assertEquals(0, depacketizer.brokenAccessUnits());
    }

    @Test
    void shouldRefuseImagesRfc2435CannotCarry() throws IOException
    {
        final byte[] sample = Files.readAllBytes(Peers.sample(SAMPLE));
        final byte[] progressive = sample.clone();
        progressive[segment(progressive, 0xC0) + 1] = (byte)0xC2;

        assertEquals(JpegRtpPacketizer.Rejection.NOT_BASELINE, rejection(progressive));
        assertEquals(JpegRtpPacketizer.Rejection.UNSUPPORTED_LAYOUT,
            rejection(splitJpegs(ffmpegMjpeg("yuvj444p", "64x64", 1, "-huffman", "default")).get(0)), "4:4:4");
        assertEquals(JpegRtpPacketizer.Rejection.UNSUPPORTED_LAYOUT,
            rejection(splitJpegs(ffmpegMjpeg("yuvj422p", "64x64", 1, "-huffman", "default")).get(0)),
            "ffmpeg's 4:2:2 is Y 2x2 with chroma 1x2, not the 2x1/1x1 of type 0");
        assertEquals(JpegRtpPacketizer.Rejection.UNSUPPORTED_LAYOUT,
            rejection(splitJpegs(ffmpegMjpeg("gray", "64x64", 1, "-huffman", "default")).get(0)), "grey");
        assertEquals(JpegRtpPacketizer.Rejection.CUSTOM_HUFFMAN_TABLES,
            rejection(splitJpegs(ffmpegMjpeg("yuvj420p", "64x64", 1, "-huffman", "optimal")).get(0)));
        assertEquals(JpegRtpPacketizer.Rejection.UNSUPPORTED_DIMENSIONS,
            rejection(splitJpegs(ffmpegMjpeg("yuvj420p", "2048x64", 1, "-huffman", "default")).get(0)));
        assertEquals(JpegRtpPacketizer.Rejection.UNSUPPORTED_DIMENSIONS,
            rejection(splitJpegs(ffmpegMjpeg("yuvj420p", "100x64", 1, "-huffman", "default")).get(0)));
        assertEquals(JpegRtpPacketizer.Rejection.MALFORMED, rejection(Arrays.copyOf(sample, 3000)));
        assertEquals(JpegRtpPacketizer.Rejection.MALFORMED, rejection(Arrays.copyOfRange(sample, 2, 3000)));
        for (int length = 0; length < sample.length - 2; length += 97)
        {
            assertFalse(rejection(Arrays.copyOf(sample, length)) == JpegRtpPacketizer.Rejection.NONE);
        }
    }

    @Test
    void shouldFailCleanlyOnRandomTruncationsWithoutLeaking() throws IOException
    {
        final byte[] jpeg = Files.readAllBytes(Peers.sample(SAMPLE));
        final List<byte[]> clean = new ArrayList<>();
        for (int frame = 0; frame < 20; frame++)
        {
            clean.addAll(packetize(jpeg, 3000L * frame, 600, frame * 100));
        }

        final Random random = new Random(2435);
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);
        final List<byte[]> damaged = new ArrayList<>();
        for (final byte[] p : clean)
        {
            damaged.add(random.nextInt(4) == 0 ? Arrays.copyOf(p, 12 + random.nextInt(p.length - 11)) : p);
        }

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, damaged);
        depacketizer.flush();
        depacketizer.close();

        assertEquals(clean.size(), results.size());
        for (final RtpFixtures.Unit unit : collector.units)
        {
            assertEquals(0xFFD9, ((unit.bytes()[unit.bytes().length - 2] & 0xFF) << 8) |
                (unit.bytes()[unit.bytes().length - 1] & 0xFF));
        }

        assertTrue(depacketizer.brokenAccessUnits() > 0);
        assertTrue(collector.units.size() + depacketizer.brokenAccessUnits() <= 20 + 20);
    }
}
