package com.cococam.codec.rtp;

import com.cococam.codec.aac.Adts;
import com.cococam.codec.aac.AudioSpecificConfig;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bundled ffmpeg as the sending peer: its RTP muxer sends to a UDP socket of ours on 127.0.0.1 (nothing else
 * is addressed), and what we depacketize is checked against the source or decoded by ffmpeg.
 */
@Timeout(180)
class FfmpegRtpPeerTest
{
    @TempDir
    Path dir;

    record Capture(List<byte[]> packets, String sdp)
    {
    }

    private Capture capture(final String... input) throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            socket.setReceiveBufferSize(4 << 20);
            socket.setSoTimeout(500);
            final Path sdp = dir.resolve("out.sdp");
            final List<String> command = new ArrayList<>(List.of(Peers.ffmpeg(), "-v", "error", "-y"));
            command.addAll(Arrays.asList(input));
            command.addAll(List.of("-sdp_file", sdp.toString(),
                "rtp://127.0.0.1:" + socket.getLocalPort() + "?pkt_size=1200"));
            final Process process = Peers.start(dir.resolve("ffmpeg.log"), command);
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

            final boolean exited = process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            process.destroyForcibly();
            assertTrue(exited, "ffmpeg did not finish");
            assertEquals(0, process.exitValue(), Files.readString(dir.resolve("ffmpeg.log")));
            return new Capture(packets, Files.readString(sdp));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldGetBackTheAccessUnitsFfmpegSentAsH264() throws IOException
    {
        final String sample = "h264_openh264_cisco_640x320_cabac_bframes.264";
        final Capture capture = capture("-f", "h264", "-i", Peers.sample(sample).toString(), "-c", "copy",
            "-f", "rtp", "-rtpflags", "skip_rtcp");
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final H264RtpDepacketizer depacketizer = new H264RtpDepacketizer(RtpFixtures.ALLOC, collector);

        assertTrue(RtpFixtures.feed(depacketizer, capture.packets()).stream()
            .allMatch(r -> r == DepacketizeResult.OK));
        depacketizer.flush();

        final List<byte[]> expected = RtpFixtures.h264AccessUnits(Files.readAllBytes(Peers.sample(sample)));
        assertEquals(expected.size(), collector.units.size());
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), collector.units.get(i).bytes(), "unit " + i);
        }

        assertEquals(640, depacketizer.currentFormat().width());
        assertTrue(capture.sdp().contains("H264/90000"), capture.sdp());
    }

    @Test
    void shouldGetBackTheAccessUnitsFfmpegSentAsH265() throws IOException
    {
        final String sample = "h265_mp4ff_nallister.265";
        final Capture capture = capture("-f", "hevc", "-i", Peers.sample(sample).toString(), "-c", "copy",
            "-f", "rtp", "-rtpflags", "skip_rtcp");
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final H265RtpDepacketizer depacketizer = new H265RtpDepacketizer(RtpFixtures.ALLOC, collector);

        assertTrue(RtpFixtures.feed(depacketizer, capture.packets()).stream()
            .allMatch(r -> r == DepacketizeResult.OK));
        depacketizer.flush();

        final List<byte[]> expected = RtpFixtures.h265AccessUnits(Files.readAllBytes(Peers.sample(sample)));
        assertEquals(expected.size(), collector.units.size());
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), collector.units.get(i).bytes(), "unit " + i);
        }

        assertEquals(1920, depacketizer.currentFormat().width());
    }

    @Test
    void shouldDecodeTheAacFfmpegSentAsLatm() throws IOException
    {
        final Capture capture = capture("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=48000",
            "-ac", "2", "-c:a", "aac", "-b:a", "96k", "-f", "rtp", "-rtpflags", "latm+skip_rtcp");
        final Map<String, String> fmtp = RtpFmtp.parse(RtpFixtures.fmtpLine(capture.sdp(), -1));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final LatmDepacketizer depacketizer = LatmDepacketizer.fromFmtp(fmtp, RtpFixtures.ALLOC, collector);

        assertTrue(RtpFixtures.feed(depacketizer, capture.packets()).stream()
            .allMatch(r -> r == DepacketizeResult.OK));

        assertTrue(capture.sdp().contains("MP4A-LATM"), capture.sdp());
        assertEquals(48000, depacketizer.currentFormat().sampleRate());
        assertEquals(2, depacketizer.currentFormat().channels());
        assertTrue(collector.units.size() >= 90, "2 s of 1024-sample frames: " + collector.units.size());
        decodes(collector, depacketizer.audioSpecificConfig());
    }

    @Test
    void shouldDecodeTheAacFfmpegSentAsMpeg4Generic() throws IOException
    {
        final Capture capture = capture("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=44100",
            "-c:a", "aac", "-f", "rtp", "-rtpflags", "skip_rtcp");
        final Mpeg4GenericConfig config =
            Mpeg4GenericConfig.fromFmtp(RtpFmtp.parse(RtpFixtures.fmtpLine(capture.sdp(), -1)));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final Mpeg4GenericDepacketizer depacketizer = new Mpeg4GenericDepacketizer(config, RtpFixtures.ALLOC,
            collector, Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE);

        assertTrue(RtpFixtures.feed(depacketizer, capture.packets()).stream()
            .allMatch(r -> r == DepacketizeResult.OK));

        assertEquals(44100, depacketizer.currentFormat().sampleRate());
        assertTrue(collector.units.size() >= 85, "2 s of 1024-sample frames: " + collector.units.size());
        decodes(collector, config.config());
    }

    @Test
    void shouldReceiveOpusAndG711FromFfmpeg() throws IOException
    {
        final Capture opus = capture("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=48000",
            "-c:a", "libopus", "-frame_duration", "20", "-f", "rtp", "-rtpflags", "skip_rtcp");
        final RtpFixtures.Collector opusFrames = new RtpFixtures.Collector();
        RtpFixtures.feed(new FrameRtpDepacketizer(FramePayloadFormat.OPUS, RtpFixtures.ALLOC, opusFrames, 1500),
            opus.packets());

        assertTrue(opus.sdp().contains("opus/48000"), opus.sdp());
        assertEquals(opus.packets().size(), opusFrames.units.size());
        assertTrue(opusFrames.units.size() >= 99, "2 s of 20 ms packets: " + opusFrames.units.size());
        for (int i = 1; i < opusFrames.units.size(); i++)
        {
            assertEquals(960, opusFrames.units.get(i).timestamp() - opusFrames.units.get(i - 1).timestamp());
        }

        final Capture pcmu = capture("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=8000",
            "-c:a", "pcm_mulaw", "-f", "rtp", "-rtpflags", "skip_rtcp");
        final RtpFixtures.Collector samples = new RtpFixtures.Collector();
        RtpFixtures.feed(new FrameRtpDepacketizer(FramePayloadFormat.PCMU, RtpFixtures.ALLOC, samples, 1500),
            pcmu.packets());

        assertTrue(pcmu.sdp().contains("RTP/AVP 0"), pcmu.sdp());
        assertEquals(16_000, samples.units.stream().mapToInt(u -> u.bytes().length).sum());
    }

    private void decodes(final RtpFixtures.Collector collector, final byte[] asc) throws IOException
    {
        final AudioSpecificConfig config = AudioSpecificConfig.parse(asc);
        final ByteBuf adts = Unpooled.buffer();
        for (final RtpFixtures.Unit unit : collector.units)
        {
            Adts.writeHeader(config, unit.bytes().length, adts);
            adts.writeBytes(unit.bytes());
        }

        final Path file = dir.resolve("audio.aac");
        Files.write(file, ByteBufUtil.getBytes(adts));
        final Peers.Result result = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-xerror",
            "-i", file.toString(), "-f", "null", "-");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("", result.stderr().trim());
    }
}
