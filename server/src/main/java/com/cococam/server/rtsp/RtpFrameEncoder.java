package com.cococam.server.rtsp;

import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h265.HevcDecoderConfigurationRecord;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.FramePayloadFormat;
import com.cococam.codec.rtp.FrameRtpPacketizer;
import com.cococam.codec.rtp.H264RtpPacketizer;
import com.cococam.codec.rtp.H265RtpPacketizer;
import com.cococam.codec.rtp.JpegRtpPacketizer;
import com.cococam.codec.rtp.Mpeg4GenericPacketizer;
import com.cococam.codec.rtp.NalRtpPacketizer;
import com.cococam.codec.rtp.RtpPacketHandler;
import com.cococam.codec.rtp.RtpStreamWriter;
import com.cococam.server.stream.AccessUnitEvent;
import com.cococam.server.stream.FrameEncoder;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.OutFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Encodes a stream's access units once as RTP (and RTCP sender reports) for every RTSP viewer of one transport
 * shape, as interleaved frames ({@code $}, channel, 16-bit length, packet) in one pooled buffer per unit.
 * TCP viewers write that buffer as is; UDP viewers' {@link RtspUdpOut} turns each frame into a datagram to the
 * viewer's port (the channel says which track and whether RTP or RTCP).
 *
 * <p>Packets: H.264 (single NAL, STAP-A, FU-A) and H.265 with the track's parameter sets put in front of every
 * keyframe that lacks them, AAC as mpeg4-generic AAC-hbr, G.711 and Opus as is, MJPEG as RFC 2435 (Q 255 with
 * the image's tables; an image RFC 2435 cannot carry is skipped and counted); payload size 1400. RTP time
 * is the unit's PTS scaled to the track clock plus a random offset. A sender report goes before the first
 * packet of a track and then at least every two seconds of stream time, with the NTP time of the group's
 * wall-clock anchor ({@link RtpOutState}), so players line audio up with video. Each report is an RTCP compound
 * packet (RFC 3550 6.1): the SR, then an SDES with the group's CNAME, the same for both tracks.
 *
 * <pre>
 *   SR (28 bytes):   |V=2|P|RC=0| PT=200 | length=6 | SSRC | NTP sec | NTP frac | RTP time | packets | octets |
 *   SDES (28 bytes): |V=2|P|SC=1| PT=202 | length=6 | SSRC | CNAME=1 | 16 | 16-byte CNAME | END=0 | 1 pad |
 * </pre>
 *
 * <p>Replay encoders (a joining viewer's GOP) hold their frames until {@link #close()} and then renumber their
 * packets so that they end right before the group's next sequence number: the viewer sees one unbroken
 * sequence and the other viewers see no gap.
 *
 * <p>Thread safety: the stream's live worker only. Allocation: one pooled buffer per unit and one per packet
 * (released at once after the copy into the unit's buffer); one copy of each keyframe that needs parameter sets.
 */
final class RtpFrameEncoder implements FrameEncoder
{
    static final int MAX_PAYLOAD = 1400;
    private static final long SR_INTERVAL_90K = 2 * 90_000L;
    private static final int SR_SIZE = 28;
    private static final int SDES_SIZE = 8 + 2 + RtpOutState.CNAME_LENGTH + 2;
    /** A sender report's interleaved frame: 4 bytes of interleaving, the SR and the SDES. */
    static final int RTCP_FRAME_SIZE = 4 + SR_SIZE + SDES_SIZE;

    private final RtpOutState state;
    private final int[] channels;
    private final ByteBufAllocator alloc;
    private final boolean live;
    private final Object[] packetizers = new Object[2];
    private final TrackFormat[] packetizerFormats = new TrackFormat[2];
    private final RtpStreamWriter[] writers = new RtpStreamWriter[2];
    private final byte[][] parameterSets = new byte[2][];
    private final TrackFormat[] parameterSetFormats = new TrackFormat[2];
    private final List<OutFrame> pending;
    private final RtpPacketHandler appender = this::append;
    private Consumer<OutFrame> pendingTarget;
    private ByteBuf current;
    private int currentChannel;
    private long refusedImages;

    /**
     * @param state    the group's shared sending state.
     * @param channels RTP interleaved channel per track id (RTCP is the next one), -1 for a track not sent.
     * @param alloc    allocator for packets and frames.
     */
    RtpFrameEncoder(final RtpOutState state, final int[] channels, final ByteBufAllocator alloc)
    {
        this.state = state;
        this.channels = channels.clone();
        this.alloc = alloc;
        this.live = state.claimLive();
        this.pending = live ? null : new ArrayList<>();
    }

    @Override
    public void encode(final LiveStream stream, final AccessUnitEvent event, final Consumer<OutFrame> out)
    {
        final TrackFormat format = event.format();
        final int trackId = event.trackId;
        if (!RtspSdp.carried(format) || trackId < 0 || trackId > 1 || channels[trackId] < 0)
        {
            return;
        }

        state.anchor(event.wallClockMs, event.pts);
        final RtpOutState.Track track = state.track(format);
        final int size = event.payload().readableBytes();
        // Per packet: 4 bytes of interleaving, 12 of RTP header, up to 12 of payload header (RFC 2435), and the
        // first packet of an image its quantization tables; maybe a sender report.
        final ByteBuf data = alloc.buffer(size + (size / MAX_PAYLOAD + 2) * 28 + 320 + RTCP_FRAME_SIZE);
        current = data;
        if (live && (track.lastSrPts == Long.MIN_VALUE || event.pts - track.lastSrPts >= SR_INTERVAL_90K))
        {
            track.lastSrPts = event.pts;
            writeSenderReport(data, track, channels[trackId] + 1, event.pts);
        }

        currentChannel = channels[trackId];
        final long rtpTime = track.rtpTime(event.pts);
        final boolean keyframe = FrameFlags.isKeyframe(event.flags);
        final int packets = packetize(format, track, event.payload(), rtpTime, keyframe);
        current = null;
        if (packets <= 0 && data.readableBytes() == 0)
        {
            data.release();
            return;
        }

        final boolean randomAccess = format.isVideo() ?
            keyframe : stream.format(TrackFormat.VIDEO_TRACK) == null;
        final OutFrame frame = OutFrame.newInstance(data, format.isVideo(), randomAccess,
            Math.max(1, event.ingestNanos));
        if (live)
        {
            out.accept(frame);
        }
        else
        {
            pending.add(frame);
            pendingTarget = out;
        }
    }

    private int packetize(
        final TrackFormat format,
        final RtpOutState.Track track,
        final ByteBuf payload,
        final long rtpTime,
        final boolean keyframe)
    {
        final Object packetizer = packetizer(format, track);
        if (packetizer instanceof NalRtpPacketizer nal)
        {
            final byte[] prefix = keyframe ? missingParameterSets(format, payload) : null;
            if (prefix == null)
            {
                return nal.packetize(payload, rtpTime, appender);
            }

            final ByteBuf joined = alloc.buffer(prefix.length + payload.readableBytes());
            try
            {
                joined.writeBytes(prefix).writeBytes(payload, payload.readerIndex(), payload.readableBytes());
                return nal.packetize(joined, rtpTime, appender);
            }
            finally
            {
                joined.release();
            }
        }

        if (packetizer instanceof Mpeg4GenericPacketizer aac)
        {
            return aac.packetize(payload, rtpTime, appender);
        }

        if (packetizer instanceof FrameRtpPacketizer frame)
        {
            return frame.packetize(payload, rtpTime, appender);
        }

        if (packetizer instanceof JpegRtpPacketizer jpeg)
        {
            final int packets = jpeg.packetize(payload, rtpTime, appender);
            if (packets < 0)
            {
                refusedImages++;
            }

            return packets;
        }

        return -1;
    }

    private Object packetizer(final TrackFormat format, final RtpOutState.Track track)
    {
        final int id = format.trackId();
        final RtpStreamWriter writer = writerFor(id, track);
        if (packetizers[id] != null && packetizerFormats[id] == format && writerMatches(id, writer))
        {
            return packetizers[id];
        }

        final Object made = switch (format.codec())
        {
            case H264 -> new H264RtpPacketizer(alloc, writer, MAX_PAYLOAD, true);
            case H265 -> new H265RtpPacketizer(alloc, writer, MAX_PAYLOAD, true);
            case AAC -> new Mpeg4GenericPacketizer(alloc, writer, MAX_PAYLOAD);
            case G711A -> new FrameRtpPacketizer(FramePayloadFormat.PCMA, alloc, writer, MAX_PAYLOAD);
            case G711U -> new FrameRtpPacketizer(FramePayloadFormat.PCMU, alloc, writer, MAX_PAYLOAD);
            case OPUS -> new FrameRtpPacketizer(FramePayloadFormat.OPUS, alloc, writer, MAX_PAYLOAD);
            case MJPEG -> new JpegRtpPacketizer(alloc, writer, MAX_PAYLOAD);
            default -> null;
        };
        packetizers[id] = made;
        packetizerFormats[id] = format;
        return made;
    }

    private boolean writerMatches(final int id, final RtpStreamWriter writer)
    {
        final Object p = packetizers[id];
        if (p instanceof NalRtpPacketizer nal)
        {
            return nal.writer() == writer;
        }

        return p instanceof JpegRtpPacketizer jpeg ? jpeg.writer() == writer : writers[id] == writer;
    }

    private RtpStreamWriter writerFor(final int id, final RtpOutState.Track track)
    {
        if (live)
        {
            writers[id] = track.writer;
            return track.writer;
        }

        // Replay: own sequence numbers (renumbered in close()), the group's payload type and SSRC.
        if (writers[id] == null || writers[id].ssrc() != track.writer.ssrc() ||
            writers[id].payloadType() != track.writer.payloadType())
        {
            writers[id] = new RtpStreamWriter(track.writer.payloadType(), track.writer.ssrc(), 0);
        }

        return writers[id];
    }

    private void append(final ByteBuf packet)
    {
        try
        {
            final int length = packet.readableBytes();
            current.writeByte('$').writeByte(currentChannel).writeShort(length);
            current.writeBytes(packet, packet.readerIndex(), length);
        }
        finally
        {
            packet.release();
        }
    }

    private void writeSenderReport(
        final ByteBuf out,
        final RtpOutState.Track track,
        final int channel,
        final long pts90k)
    {
        final byte[] cname = state.cname();
        out.writeByte('$').writeByte(channel).writeShort(SR_SIZE + SDES_SIZE);
        out.writeByte(0x80).writeByte(200).writeShort(SR_SIZE / 4 - 1);
        out.writeInt((int)track.writer.ssrc());
        out.writeLong(state.ntpTime(pts90k));
        out.writeInt((int)track.rtpTime(pts90k));
        out.writeInt((int)track.writer.packetCount());
        out.writeInt((int)track.writer.octetCount());
        out.writeByte(0x81).writeByte(202).writeShort(SDES_SIZE / 4 - 1);
        out.writeInt((int)track.writer.ssrc());
        out.writeByte(1).writeByte(cname.length).writeBytes(cname);
        // END item, then padding of the chunk to a 32-bit boundary.
        out.writeByte(0).writeByte(0);
    }

    /**
     * @return the track's parameter sets as length-prefixed NAL units when the keyframe carries none, else null.
     */
    private byte[] missingParameterSets(final TrackFormat format, final ByteBuf au)
    {
        final boolean hevc = format.codec() == CodecId.H265;
        for (int i = au.readerIndex(); i + 5 <= au.writerIndex(); )
        {
            final int length = au.getInt(i);
            if (length <= 0 || length > au.writerIndex() - i - 4)
            {
                break;
            }

            final int header = au.getUnsignedByte(i + 4);
            final int type = hevc ? (header >> 1) & 0x3F : header & 0x1F;
            if (hevc ? type == 33 : type == 7)
            {
                return null;
            }

            i += 4 + length;
        }

        final int id = format.trackId();
        if (parameterSetFormats[id] != format)
        {
            parameterSetFormats[id] = format;
            parameterSets[id] = buildParameterSets(format);
        }

        return parameterSets[id];
    }

    private static byte[] buildParameterSets(final TrackFormat format)
    {
        final List<byte[]> nals = new ArrayList<>();
        try
        {
            if (format.codec() == CodecId.H264)
            {
                final AvcDecoderConfigurationRecord avcc = AvcDecoderConfigurationRecord.parse(format.decoderConfig());
                nals.addAll(avcc.sps());
                nals.addAll(avcc.pps());
            }
            else
            {
                final HevcDecoderConfigurationRecord hvcc = HevcDecoderConfigurationRecord.parse(
                    format.decoderConfig());
                nals.addAll(hvcc.vps());
                nals.addAll(hvcc.sps());
                nals.addAll(hvcc.pps());
            }
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }

        if (nals.isEmpty())
        {
            return null;
        }

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] nal : nals)
        {
            out.write(nal.length >>> 24);
            out.write(nal.length >>> 16);
            out.write(nal.length >>> 8);
            out.write(nal.length);
            out.writeBytes(nal);
        }

        return out.toByteArray();
    }

    /**
     * @return MJPEG images that RFC 2435 cannot carry (progressive, 4:4:4, custom Huffman tables, over 2040
     *         pixels), skipped.
     */
    long refusedImages()
    {
        return refusedImages;
    }

    /**
     * RTP packets and sender reports carry the group's running sequence numbers and clock mapping: replayed to a
     * joiner after its headers they would run back in time, so each joiner's GOP is encoded for it.
     */
    @Override
    public boolean framesReplayable()
    {
        return false;
    }

    @Override
    public void writeHeaders(final LiveStream stream, final Consumer<OutFrame> out)
    {
        final long pts = Math.max(0, stream.lastDts());
        state.anchor(0, pts);
        for (int id = 0; id < 2; id++)
        {
            final TrackFormat format = stream.format(id);
            if (!RtspSdp.carried(format) || channels[id] < 0)
            {
                continue;
            }

            final RtpOutState.Track track = state.track(format);
            final ByteBuf data = alloc.buffer(RTCP_FRAME_SIZE);
            writeSenderReport(data, track, channels[id] + 1, pts);
            out.accept(OutFrame.newInstance(data, format.isVideo(), false, 0));
        }
    }

    @Override
    public void close()
    {
        if (live)
        {
            state.releaseLive();
            return;
        }

        if (pending.isEmpty())
        {
            return;
        }

        final int[] nextSeq = new int[2];
        for (int id = 0; id < 2; id++)
        {
            final RtpOutState.Track track = state.existing(id);
            if (track != null && writers[id] != null)
            {
                nextSeq[id] = (track.writer.nextSequence() - (int)writers[id].packetCount()) & 0xFFFF;
            }
        }

        for (final OutFrame frame : pending)
        {
            final ByteBuf data = frame.data();
            for (int i = data.readerIndex(); i + 4 <= data.writerIndex(); )
            {
                final int channel = data.getUnsignedByte(i + 1);
                final int length = data.getUnsignedShort(i + 2);
                for (int id = 0; id < 2; id++)
                {
                    if (channels[id] == channel && length >= 12)
                    {
                        data.setShort(i + 4 + 2, nextSeq[id]);
                        nextSeq[id] = (nextSeq[id] + 1) & 0xFFFF;
                    }
                }

                i += 4 + length;
            }

            pendingTarget.accept(frame);
        }

        pending.clear();
    }
}
