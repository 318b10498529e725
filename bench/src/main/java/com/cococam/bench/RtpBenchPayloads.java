package com.cococam.bench;

import com.cococam.codec.rtp.H264RtpDepacketizer;
import com.cococam.codec.rtp.H264RtpPacketizer;
import com.cococam.codec.rtp.H265RtpDepacketizer;
import com.cococam.codec.rtp.H265RtpPacketizer;
import com.cococam.codec.rtp.Mpeg4GenericConfig;
import com.cococam.codec.rtp.Mpeg4GenericDepacketizer;
import com.cococam.codec.rtp.Mpeg4GenericPacketizer;
import com.cococam.codec.rtp.RtpAccessUnitHandler;
import com.cococam.codec.rtp.RtpDepacketizer;
import com.cococam.codec.rtp.RtpPacketHandler;
import com.cococam.codec.rtp.RtpStreamWriter;
import com.cococam.codec.rtp.VideoRtpDepacketizer;
import io.netty.buffer.ByteBuf;

import java.util.SplittableRandom;

/**
 * Payload cases of the RTP benchmarks ({@link RtpPacketizeBenchmark}, {@link RtpDepacketizeBenchmark}): the
 * access unit of each case, and a packetizer or depacketizer for it.
 *
 * <ul>
 *     <li>{@code h264FuA}: a 20 KB H.264 non-IDR slice (one NAL unit), cut into FU-A packets of at most
 *     {@value #MAX_PAYLOAD_BYTES} payload bytes (15 packets).</li>
 *     <li>{@code h264Single}: a 1,000-byte H.264 non-IDR slice, one single NAL unit packet.</li>
 *     <li>{@code h265Fu}: a 20 KB H.265 TRAIL_R slice, cut into FU packets (15 packets).</li>
 *     <li>{@code aac}: a 400-byte raw AAC-LC frame, one RFC 3640 AAC-hbr packet.</li>
 * </ul>
 *
 * <p>Buffer ownership: {@link #accessUnit} hands over one reference. Thread safety: stateless. Allocation: setup
 * only.
 */
final class RtpBenchPayloads
{
    /** Largest RTP payload: plain RTP over Ethernet, as the server's RTSP output uses. */
    static final int MAX_PAYLOAD_BYTES = 1400;

    /** Size of the fragmented video access units (4-byte length prefix included). */
    static final int LARGE_VIDEO_BYTES = 20_000;

    /** Size of the single-packet video access unit. */
    static final int SMALL_VIDEO_BYTES = 1_000;

    /** A typical AAC-LC frame at 128 kbit/s, 48 kHz. */
    static final int AAC_FRAME_BYTES = 400;

    /** RTP clock step of one video frame at 25 fps. */
    static final long VIDEO_STEP_RTP = 3_600;

    /** RTP clock step of one AAC frame at 48 kHz. */
    static final long AAC_STEP_RTP = 1_024;

    /** NAL header of an H.265 TRAIL_R slice: type 1, layer 0, tid 1. */
    private static final int H265_TRAIL_R_0 = 0x02;
    private static final int H265_TRAIL_R_1 = 0x01;
    private static final int MAX_ACCESS_UNIT_BYTES = VideoRtpDepacketizer.DEFAULT_MAX_ACCESS_UNIT_SIZE;
    private static final byte[] AAC_LC_48K_STEREO = {0x11, (byte)0x90};

    private RtpBenchPayloads()
    {
    }

    /**
     * @param kind the case name.
     * @return the access unit (AVCC-style for video, a raw frame for AAC), pooled direct, one reference.
     */
    static ByteBuf accessUnit(final String kind)
    {
        switch (kind)
        {
            case "h264FuA":
                return BenchMedia.videoUnit(LARGE_VIDEO_BYTES, false, 21);
            case "h264Single":
                return BenchMedia.videoUnit(SMALL_VIDEO_BYTES, false, 22);
            case "h265Fu":
                return h265Unit(LARGE_VIDEO_BYTES, 23);
            case "aac":
                return BenchMedia.audioUnit(AAC_FRAME_BYTES, 24);
            default:
                throw new IllegalArgumentException("unknown rtp case: " + kind);
        }
    }

    /**
     * @param kind the case name.
     * @return the RTP clock advance per access unit.
     */
    static long step(final String kind)
    {
        return "aac".equals(kind) ? AAC_STEP_RTP : VIDEO_STEP_RTP;
    }

    /**
     * A packetizer of the case behind one functional shape.
     */
    @FunctionalInterface
    interface Packetizer
    {
        /**
         * @param unit         the access unit, not retained.
         * @param rtpTimestamp RTP timestamp.
         * @param out          receives the packets.
         * @return packets made.
         */
        int packetize(ByteBuf unit, long rtpTimestamp, RtpPacketHandler out);
    }

    /**
     * @param kind the case name.
     * @return the codec's packetizer (pooled allocator, no aggregation), payload type 96 or 97.
     */
    static Packetizer packetizer(final String kind)
    {
        switch (kind)
        {
            case "h264FuA":
            case "h264Single":
            {
                final H264RtpPacketizer packetizer = new H264RtpPacketizer(BenchMedia.ALLOC,
                    new RtpStreamWriter(96, 0x1234_5678L, 1000), MAX_PAYLOAD_BYTES, false);
                return packetizer::packetize;
            }
            case "h265Fu":
            {
                final H265RtpPacketizer packetizer = new H265RtpPacketizer(BenchMedia.ALLOC,
                    new RtpStreamWriter(96, 0x1234_5678L, 1000), MAX_PAYLOAD_BYTES, false);
                return packetizer::packetize;
            }
            case "aac":
            {
                final Mpeg4GenericPacketizer packetizer = new Mpeg4GenericPacketizer(BenchMedia.ALLOC,
                    new RtpStreamWriter(97, 0x2345_6789L, 2000), MAX_PAYLOAD_BYTES);
                return packetizer::packetize;
            }
            default:
                throw new IllegalArgumentException("unknown rtp case: " + kind);
        }
    }

    /**
     * @param kind    the case name.
     * @param handler receives the access units.
     * @return the codec's depacketizer (pooled allocator; video does not wait for a keyframe).
     */
    static RtpDepacketizer depacketizer(final String kind, final RtpAccessUnitHandler handler)
    {
        switch (kind)
        {
            case "h264FuA":
            case "h264Single":
                return new H264RtpDepacketizer(BenchMedia.ALLOC, handler, MAX_ACCESS_UNIT_BYTES, false);
            case "h265Fu":
                return new H265RtpDepacketizer(BenchMedia.ALLOC, handler, MAX_ACCESS_UNIT_BYTES, false);
            case "aac":
                return new Mpeg4GenericDepacketizer(Mpeg4GenericConfig.aacHbr(AAC_LC_48K_STEREO.clone()),
                    BenchMedia.ALLOC, handler, Mpeg4GenericDepacketizer.DEFAULT_MAX_FRAME_SIZE);
            default:
                throw new IllegalArgumentException("unknown rtp case: " + kind);
        }
    }

    private static ByteBuf h265Unit(final int totalBytes, final long seed)
    {
        final ByteBuf out = BenchMedia.ALLOC.directBuffer(totalBytes, totalBytes);
        out.writeInt(totalBytes - 4);
        out.writeByte(H265_TRAIL_R_0);
        out.writeByte(H265_TRAIL_R_1);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 6; i < totalBytes; i++)
        {
            out.writeByte(random.nextInt(256));
        }

        return out;
    }
}
