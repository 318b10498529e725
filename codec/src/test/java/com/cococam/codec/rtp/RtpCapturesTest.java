package com.cococam.codec.rtp;

import com.cococam.codec.aac.Adts;
import com.cococam.codec.aac.AudioSpecificConfig;
import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real RTP captures depacketized and checked with the bundled ffprobe/ffmpeg and SAMPLES.md's verification lines.
 */
@Timeout(300)
class RtpCapturesTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDepacketizeTheGstreamerH264Rfc4571Capture() throws IOException
    {
        final List<byte[]> packets = RtpFixtures.rfc4571(CodecSamples.bytes("rtp_rfc4571_gst_h264.rtp"));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final H264RtpDepacketizer depacketizer = new H264RtpDepacketizer(RtpFixtures.ALLOC, collector);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);
        depacketizer.flush();

        assertEquals(5, packets.size());
        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), results.toString());
        assertEquals(1, collector.units.size());
        assertTrue(FrameFlags.isKeyframe(collector.units.get(0).flags()));
        assertNotNull(depacketizer.currentFormat());
        assertEquals(List.of(depacketizer.currentFormat()), collector.formats);
        probeVideo("h264", collector, depacketizer.currentFormat());
    }

    @Test
    void shouldDepacketizeTheGstreamerH265Rfc4571Capture() throws IOException
    {
        final List<byte[]> packets = RtpFixtures.rfc4571(CodecSamples.bytes("rtp_rfc4571_gst_h265.rtp"));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final H265RtpDepacketizer depacketizer = new H265RtpDepacketizer(RtpFixtures.ALLOC, collector);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);
        depacketizer.flush();

        assertEquals(4, packets.size());
        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), results.toString());
        assertEquals(1, collector.units.size());
        assertTrue(FrameFlags.isKeyframe(collector.units.get(0).flags()));
        assertNotNull(depacketizer.currentFormat());
        probeVideo("hevc", collector, depacketizer.currentFormat());
    }

    @Test
    void shouldDepacketizeBothTracksOfTheWowzaInterleavedCapture() throws IOException
    {
        final String sdp = RtpFixtures.ascii(CodecSamples.bytes("rtsp_wowza_bunny_describe.txt"));
        final Map<Integer, List<byte[]>> channels =
            RtpFixtures.interleaved(CodecSamples.bytes("rtsp_wowza_bunny_interleaved_tcp.rtsp"));
        assertEquals(269, channels.get(2).size());
        assertEquals(102, channels.get(0).size());

        final Map<String, String> videoFmtp = RtpFmtp.parse(RtpFixtures.fmtpLine(sdp, 97));
        final List<byte[]> sprop = new ArrayList<>();
        for (final String set : videoFmtp.get("sprop-parameter-sets").split(","))
        {
            sprop.add(Base64.getDecoder().decode(set));
        }

        final RtpFixtures.Collector video = new RtpFixtures.Collector();
        final H264RtpDepacketizer h264 = new H264RtpDepacketizer(RtpFixtures.ALLOC, video);
        assertTrue(h264.configure(sprop));
        assertEquals(240, h264.currentFormat().width());
        assertEquals(160, h264.currentFormat().height());
        assertTrue(RtpFixtures.feed(h264, channels.get(2)).stream().allMatch(r -> r == DepacketizeResult.OK));
        h264.flush();

        assertTrue(video.units.size() > 0);
        assertEquals(0, h264.brokenAccessUnits() + h264.skippedAccessUnits() + h264.sequence().lost());
        probeVideo("h264", video, h264.currentFormat());

        final Mpeg4GenericConfig audioConfig = Mpeg4GenericConfig.fromFmtp(RtpFmtp.parse(RtpFixtures.fmtpLine(sdp, 96)));
        final RtpFixtures.Collector audio = new RtpFixtures.Collector();
        final Mpeg4GenericDepacketizer aac = new Mpeg4GenericDepacketizer(audioConfig, RtpFixtures.ALLOC, audio,
            Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE);
        assertTrue(RtpFixtures.feed(aac, channels.get(0)).stream().allMatch(r -> r == DepacketizeResult.OK));

        assertEquals(12000, aac.currentFormat().sampleRate());
        assertEquals(2, aac.currentFormat().channels());
        assertEquals(List.of(aac.currentFormat()), audio.formats);
        assertTimestampsStep(audio, 1024);
        decodeAdts(audio, audioConfig.config(), 12000, 2);
        System.out.printf("wowza: video %d units from 269 packets, audio %d frames from 102 packets%n",
            video.units.size(), audio.units.size());
    }

    @Test
    void shouldDepacketizeTheSipH264PcapWithItsOneLostPacket() throws IOException
    {
        final List<byte[]> packets = RtpFixtures.pcapUdpPayloads(CodecSamples.bytes("pcap_sip_h264_rtp_90s.pcap"));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final H264RtpDepacketizer depacketizer = new H264RtpDepacketizer(RtpFixtures.ALLOC, collector);

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);
        depacketizer.flush();

        assertEquals(3896, packets.size());
        assertEquals(3896, results.size());
        assertEquals(1, depacketizer.sequence().lost(), "SAMPLES.md: lost=1");
        assertEquals(0, depacketizer.malformedPackets() + depacketizer.unsupportedPackets());
        assertNotNull(depacketizer.currentFormat(), "format from in-band SPS/PPS (the SDP has none)");
        assertEquals(640, depacketizer.currentFormat().width());
        assertEquals(480, depacketizer.currentFormat().height());
        assertTrue(depacketizer.brokenAccessUnits() >= 1);
        probeVideo("h264", collector, depacketizer.currentFormat());
        System.out.printf("sip pcap: %d units emitted, %d broken, %d skipped waiting for an IDR%n",
            collector.units.size(), depacketizer.brokenAccessUnits(), depacketizer.skippedAccessUnits());
    }

    @Test
    void shouldDepacketizeThePcmaPcapToTheDerivedPayloadFile()
    {
        final List<byte[]> packets = RtpFixtures.pcapUdpPayloads(CodecSamples.bytes("pcap_pcma_rtp.pcap"));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final FrameRtpDepacketizer depacketizer = new FrameRtpDepacketizer(FramePayloadFormat.PCMA,
            RtpFixtures.ALLOC, collector, FrameRtpDepacketizer.DEFAULT_MAX_FRAME_SIZE);
        final RtpPacket view = new RtpPacket();
        view.wrap(Unpooled.wrappedBuffer(packets.get(0)));

        RtpFixtures.feed(depacketizer, packets);

        assertEquals(8, view.payloadType());
        assertEquals(0xDEE0EE8FL, view.ssrc());
        assertEquals(236, collector.units.size());
        assertEquals(0, depacketizer.sequence().lost());
        final ByteArrayOutputStream joined = new ByteArrayOutputStream();
        collector.units.forEach(u -> joined.writeBytes(u.bytes()));
        assertArrayEquals(CodecSamples.bytes("g711a_sipp_payload_8k_mono.al"), joined.toByteArray());
        assertTimestampsStep(collector, 240);
    }

    @Test
    void shouldDepacketizeTheSixChannelAacJsonDump() throws IOException
    {
        final String json = RtpFixtures.ascii(CodecSamples.bytes("rtpjson_androidx_aac_6ch_dump.json"));
        final List<byte[]> packets = RtpFixtures.rtpJsonPackets(json);
        final Mpeg4GenericConfig config = Mpeg4GenericConfig.fromFmtp(RtpFmtp.parse(RtpFixtures.fmtpLine(json, 97)));
        final RtpFixtures.Collector collector = new RtpFixtures.Collector();
        final Mpeg4GenericDepacketizer depacketizer = new Mpeg4GenericDepacketizer(config, RtpFixtures.ALLOC,
            collector, Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE);
        final RtpPacket first = new RtpPacket();
        first.wrap(Unpooled.wrappedBuffer(packets.get(0)));

        final List<DepacketizeResult> results = RtpFixtures.feed(depacketizer, packets);

        assertEquals(290, packets.size());
        assertEquals(53049, first.sequenceNumber());
        assertEquals(588391363L, first.timestamp());
        assertTrue(results.stream().allMatch(r -> r == DepacketizeResult.OK), results.toString());
        assertEquals(48000, depacketizer.currentFormat().sampleRate());
        assertEquals(6, depacketizer.currentFormat().channels());
        // Seven frames are larger than a packet and come in two or three fragments (marker on the last).
        final long complete = packets.stream().filter(p -> (p[1] & 0x80) != 0).count();
        assertEquals(283, complete);
        assertEquals(complete, collector.units.size());
        decodeAdts(collector, config.config(), 48000, 6);
    }

    private static void assertTimestampsStep(final RtpFixtures.Collector collector, final long step)
    {
        for (int i = 1; i < collector.units.size(); i++)
        {
            assertEquals(step, (collector.units.get(i).timestamp() - collector.units.get(i - 1).timestamp()) &
                0xFFFF_FFFFL, "unit " + i);
        }
    }

    private void probeVideo(final String format, final RtpFixtures.Collector collector, final TrackFormat track)
        throws IOException
    {
        final Path file = dir.resolve("video." + format);
        Files.write(file, RtpFixtures.annexB(collector.bytes()));
        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-count_frames",
            "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,nb_read_frames",
            "-f", format, file.toString());

        assertEquals(format, probe.get("streams.stream.0.codec_name"));
        assertEquals(String.valueOf(track.width()), probe.get("streams.stream.0.width"));
        assertEquals(String.valueOf(track.height()), probe.get("streams.stream.0.height"));
        assertEquals(String.valueOf(collector.units.size()), probe.get("streams.stream.0.nb_read_frames"));
    }

    private void decodeAdts(final RtpFixtures.Collector collector, final byte[] asc, final int rate,
        final int channels) throws IOException
    {
        final AudioSpecificConfig config = AudioSpecificConfig.parse(asc);
        final ByteBuf out = Unpooled.buffer();
        for (final RtpFixtures.Unit unit : collector.units)
        {
            Adts.writeHeader(config, unit.bytes().length, out);
            out.writeBytes(unit.bytes());
        }

        final Path file = dir.resolve("audio.aac");
        Files.write(file, ByteBufUtil.getBytes(out));
        final Peers.Result decode = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-v", "error", "-xerror",
            "-i", file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertEquals("", decode.stderr().trim());
        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-count_packets",
            "-show_entries", "stream=sample_rate,channels,nb_read_packets", file.toString());
        assertEquals(String.valueOf(rate), probe.get("streams.stream.0.sample_rate"));
        assertEquals(String.valueOf(channels), probe.get("streams.stream.0.channels"));
        assertEquals(String.valueOf(collector.units.size()), probe.get("streams.stream.0.nb_read_packets"));
    }
}
