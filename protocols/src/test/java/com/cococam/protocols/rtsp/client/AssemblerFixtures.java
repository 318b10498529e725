package com.cococam.protocols.rtsp.client;

import com.cococam.codec.flv.CollectingSink;
import com.cococam.codec.flv.FlvFileReader;
import com.cococam.codec.flv.FlvFileWriter;
import com.cococam.codec.flv.FlvInputs;
import com.cococam.codec.flv.FlvTagWriter;
import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.H264RtpPacketizer;
import com.cococam.codec.rtp.Mpeg4GenericPacketizer;
import com.cococam.codec.rtp.RtpStreamWriter;
import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Real inputs for the {@link RtpMediaAssembler} tests: H.264 + AAC streams encoded by the bundled ffmpeg into FLV
 * (libx264 with or without B-frames, fixed GOP), their access units packetized into RTP by this project's
 * packetizers with chosen timestamp bases, the SDP a camera would send for them, and an FLV writer for what the
 * assembler outputs (for ffprobe/ffmpeg to check).
 */
final class AssemblerFixtures
{
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    static final int VIDEO_PT = 96;
    static final int AUDIO_PT = 97;
    static final int AUDIO_RATE = 48_000;
    static final int AAC_FRAME = 1024;

    private static final Map<String, Media> CACHE = new HashMap<>();

    private AssemblerFixtures()
    {
    }

    /**
     * An encoded test clip: formats and access units in decode order (payloads copied).
     *
     * @param video      H.264 format.
     * @param audio      AAC format.
     * @param videoUnits video units in decode order, 90 kHz times.
     * @param audioUnits AAC frames.
     */
    record Media(TrackFormat video, TrackFormat audio, List<CollectingSink.Unit> videoUnits,
        List<CollectingSink.Unit> audioUnits)
    {
    }

    /**
     * One RTP packet and the index of the access unit (in its track's decode order) it belongs to.
     *
     * @param bytes the packet.
     * @param unit  the unit index.
     */
    record Packet(byte[] bytes, int unit)
    {
        ByteBuf buf()
        {
            return Unpooled.wrappedBuffer(bytes);
        }
    }

    /**
     * @param bFrames B-frames between references (libx264 {@code -bf}).
     * @param gop     frames per GOP (fixed, no scene cut).
     * @param seconds clip length at 25 fps.
     * @return the clip (made once per parameter set per JVM).
     */
    static synchronized Media media(final int bFrames, final int gop, final int seconds)
    {
        final String key = bFrames + "-" + gop + "-" + seconds;
        final Media cached = CACHE.get(key);
        if (cached != null)
        {
            return cached;
        }

        final Path out = FlvInputs.tempDir().resolve("assembler-" + key + ".flv");
        final Peers.Result result = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25",
            "-f", "lavfi", "-i", "anoisesrc=color=pink:sample_rate=48000:amplitude=0.2:seed=7",
            "-t", Integer.toString(seconds), "-threads", "2", "-c:v", "libx264", "-preset", "veryfast",
            "-profile:v", "high", "-bf", Integer.toString(bFrames), "-g", Integer.toString(gop),
            "-keyint_min", Integer.toString(gop), "-sc_threshold", "0", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "1", "-f", "flv", out.toString());
        if (result.exitCode() != 0)
        {
            throw new AssertionError("ffmpeg failed: " + result.stderr());
        }

        final FlvInputs.Parsed parsed = FlvInputs.parse(out);
        final Media media = new Media(parsed.sink().format(TrackFormat.VIDEO_TRACK),
            parsed.sink().format(TrackFormat.AUDIO_TRACK), parsed.sink().units(TrackFormat.VIDEO_TRACK),
            parsed.sink().units(TrackFormat.AUDIO_TRACK));
        CACHE.put(key, media);
        return media;
    }

    /**
     * @param media the clip.
     * @return the SDP a camera would describe it with (sprop-parameter-sets, AAC-hbr config).
     */
    static String sdp(final Media media)
    {
        final AvcDecoderConfigurationRecord avcc = AvcDecoderConfigurationRecord.parse(media.video().decoderConfig());
        final Base64.Encoder b64 = Base64.getEncoder();
        final String sprop = b64.encodeToString(avcc.sps().get(0)) + "," + b64.encodeToString(avcc.pps().get(0));
        return "v=0\r\n" +
            "o=- 1 1 IN IP4 127.0.0.1\r\n" +
            "s=test\r\n" +
            "t=0 0\r\n" +
            "m=video 0 RTP/AVP " + VIDEO_PT + "\r\n" +
            "a=rtpmap:" + VIDEO_PT + " H264/90000\r\n" +
            "a=fmtp:" + VIDEO_PT + " packetization-mode=1;sprop-parameter-sets=" + sprop + "\r\n" +
            "a=control:trackID=0\r\n" +
            "m=audio 0 RTP/AVP " + AUDIO_PT + "\r\n" +
            "a=rtpmap:" + AUDIO_PT + " MPEG4-GENERIC/" + AUDIO_RATE + "/1\r\n" +
            "a=fmtp:" + AUDIO_PT + " streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;" +
            "indexdeltalength=3;config=" + ByteBufUtil.hexDump(media.audio().decoderConfig()) + "\r\n" +
            "a=control:trackID=1\r\n";
    }

    /**
     * @param media the clip.
     * @return its tracks as the client would have set them up: video (index 0), audio (index 1).
     */
    static List<RtspTrack> tracks(final Media media)
    {
        final Sdp sdp = Sdp.parse(sdp(media));
        final List<RtspTrack> tracks = new ArrayList<>(2);
        for (final SdpMedia m : sdp.media())
        {
            final boolean video = "video".equals(m.type());
            tracks.add(new RtspTrack(tracks.size(), m, m.controlUrl("rtsp://127.0.0.1/cam/"), m.payloadType(),
                m.encodingName().toUpperCase(java.util.Locale.ROOT), m.clockRate(), video ? 0 : 1));
        }

        return tracks;
    }

    /**
     * Packetizes video units in decode order, each with RTP timestamp {@code base + pts}.
     *
     * @param units   units (90 kHz times).
     * @param base    RTP timestamp of PTS 0 (wrapped to 32 bits).
     * @return the packets.
     */
    static List<Packet> videoPackets(final List<CollectingSink.Unit> units, final long base)
    {
        final H264RtpPacketizer packetizer = new H264RtpPacketizer(PooledByteBufAllocator.DEFAULT,
            new RtpStreamWriter(VIDEO_PT, 0x1234_5678L, 65_000), 1_200, true);
        final List<Packet> packets = new ArrayList<>();
        for (int i = 0; i < units.size(); i++)
        {
            final int index = i;
            final ByteBuf au = units.get(i).buf();
            final int made = packetizer.packetize(au, base + units.get(i).pts(), (packet) ->
            {
                packets.add(new Packet(ByteBufUtil.getBytes(packet), index));
                packet.release();
            });
            if (made <= 0)
            {
                throw new AssertionError("unit " + i + " did not packetize: " + made);
            }
        }

        return packets;
    }

    /**
     * Packetizes AAC frames, frame {@code j} at RTP timestamp {@code base + j * 1024}.
     *
     * @param units the frames.
     * @param base  RTP timestamp of frame 0.
     * @return the packets, one per frame.
     */
    static List<Packet> audioPackets(final List<CollectingSink.Unit> units, final long base)
    {
        final Mpeg4GenericPacketizer packetizer = new Mpeg4GenericPacketizer(PooledByteBufAllocator.DEFAULT,
            new RtpStreamWriter(AUDIO_PT, 0x0BAD_CAFEL, 100), 1_200);
        final List<Packet> packets = new ArrayList<>();
        for (int j = 0; j < units.size(); j++)
        {
            final int index = j;
            packetizer.packetize(units.get(j).buf(), base + (long)j * AAC_FRAME, (packet) ->
            {
                packets.add(new Packet(ByteBufUtil.getBytes(packet), index));
                packet.release();
            });
        }

        return packets;
    }

    /**
     * Writes video units (as the assembler gave them) into an FLV file, times made relative to the first DTS.
     *
     * @param format the H.264 format.
     * @param units  the units.
     * @param file   the output.
     */
    static void writeFlv(final TrackFormat format, final List<CollectingSink.Unit> units, final Path file)
    {
        final ByteBuf out = PooledByteBufAllocator.DEFAULT.heapBuffer(1 << 20);
        final ByteBuf body = PooledByteBufAllocator.DEFAULT.heapBuffer(1 << 16);
        try
        {
            FlvFileWriter.writeFileHeader(false, true, out);
            FlvTagWriter.writeVideoSequenceHeader(format, body);
            FlvFileWriter.writeTag(FlvFileReader.TAG_VIDEO, 0, body, out);
            final long origin = units.get(0).dts();
            for (final CollectingSink.Unit unit : units)
            {
                body.clear();
                final ByteBuf au = unit.buf();
                FlvTagWriter.writeVideo(CodecId.H264, unit.dts() - origin, unit.pts() - origin, unit.keyframe(), au,
                    body);
                FlvFileWriter.writeTag(FlvFileReader.TAG_VIDEO, (unit.dts() - origin) / 90, body, out);
            }

            Files.write(file, ByteBufUtil.getBytes(out));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        finally
        {
            body.release();
            out.release();
        }
    }

    /**
     * A clock the test moves by hand.
     */
    static final class ManualClock implements java.util.function.LongSupplier
    {
        long nowNs = 1_000_000_000L;

        @Override
        public long getAsLong()
        {
            return nowNs;
        }
    }
}
