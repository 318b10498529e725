package com.cococam.codec.rtp;

import com.cococam.codec.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real RTP/JPEG senders (RFC 2435): ffmpeg's RTP muxer and GStreamer's {@code rtpjpegpay} send to a UDP socket
 * of ours on 127.0.0.1; the images we rebuild must decode (ffmpeg) to the same pixels as the JPEGs they sent.
 */
@Timeout(180)
class JpegRtpPeerTest
{
    @TempDir
    Path dir;

    private List<byte[]> receive(final IntFunction<List<String>> command) throws IOException, InterruptedException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSoTimeout(500);
            final Process process = Peers.start(dir.resolve("peer.log"), command.apply(socket.getLocalPort()));
            final List<byte[]> packets = new ArrayList<>();
            final byte[] buffer = new byte[65_536];
            final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline)
            {
                final DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                try
                {
                    socket.receive(datagram);
                    packets.add(Arrays.copyOf(datagram.getData(), datagram.getLength()));
                }
                catch (final SocketTimeoutException ex)
                {
                    if (!process.isAlive())
                    {
                        break;
                    }
                }
            }

            final boolean exited = process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly();
            assertTrue(exited, "peer did not finish");
            assertEquals(0, process.exitValue(), Files.readString(dir.resolve("peer.log")));
            return packets;
        }
    }

    private static List<byte[]> depacketize(final List<byte[]> packets, final int expectedFrames)
    {
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final JpegRtpDepacketizer depacketizer = new JpegRtpDepacketizer(RtpFixtures.ALLOC, collector);
        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);

        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), results.toString());
        assertEquals(expectedFrames, collector.units.size());
        assertEquals(0, depacketizer.brokenAccessUnits());
        for (int i = 1; i < collector.units.size(); i++)
        {
            assertTrue(collector.units.get(i).timestamp() != collector.units.get(i - 1).timestamp());
        }

        return collector.bytes();
    }

    @Test
    void shouldRebuildTheImagesFfmpegSends() throws Exception
    {
        final Path source = dir.resolve("source.mjpeg");
        final Peers.Result made = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-y", "-f",
            "lavfi", "-i", "testsrc2=size=640x480:rate=10", "-frames:v", "12", "-c:v", "mjpeg", "-huffman",
            "default", "-pix_fmt", "yuvj420p", "-force_duplicated_matrix", "1", "-f", "mjpeg", source.toString());
        assertEquals(0, made.exitCode(), made.stderr());

        final List<byte[]> packets = receive(port -> List.of(Peers.ffmpeg(), "-v", "error", "-f", "mjpeg", "-i",
            source.toString(), "-c", "copy", "-f", "rtp", "-rtpflags", "skip_rtcp",
            "rtp://127.0.0.1:" + port + "?pkt_size=1200"));
        final List<byte[]> images = depacketize(packets, 12);

        assertTrue(packets.stream().allMatch(p -> (p[1] & 0x7F) == 26 && p.length <= 1200));
        final JpegRtpTest helper = new JpegRtpTest();
        helper.dir = dir;
        assertEquals(helper.frameMd5(Files.readAllBytes(source)), helper.frameMd5(JpegRtpTest.concat(images)));
    }

    @Test
    void shouldRebuildTheImagesGstreamerSendsIn420And422() throws Exception
    {
        for (final String format : List.of("I420", "Y42B"))
        {
            final Path frames = Files.createDirectories(dir.resolve(format));
            final List<byte[]> packets = receive(port -> List.of("gst-launch-1.0", "-q", "videotestsrc",
                "num-buffers=15", "pattern=smpte", "!", "video/x-raw,format=" + format +
                ",width=320,height=240,framerate=10/1", "!", "jpegenc", "quality=60", "!", "tee", "name=t", "t.",
                "!", "queue", "!", "multifilesink", "location=" + frames.resolve("f%03d.jpg"), "t.", "!", "queue",
                "!", "rtpjpegpay", "mtu=1000", "!", "udpsink", "host=127.0.0.1", "port=" + port, "sync=false"));
            final List<byte[]> images = depacketize(packets, 15);

            final int type = packets.get(0)[12 + 4] & 0xFF;
            assertEquals("I420".equals(format) ? 1 : 0, type, "RFC 2435 type");
            final List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 15; i++)
            {
                sent.add(Files.readAllBytes(frames.resolve(String.format("f%03d.jpg", i))));
            }

            final JpegRtpTest helper = new JpegRtpTest();
            helper.dir = dir;
            final List<String> expected = helper.frameMd5(JpegRtpTest.concat(sent));
            assertEquals(15, expected.size());
            assertEquals(expected, helper.frameMd5(JpegRtpTest.concat(images)), format);
        }
    }
}
