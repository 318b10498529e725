package com.cococam.server.rtsp;

import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h265.HevcDecoderConfigurationRecord;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.Mpeg4GenericConfig;
import com.cococam.codec.rtp.RtpFmtp;
import com.cococam.protocols.rtsp.sdp.RtpMap;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SDP a viewer gets from DESCRIBE, built from the stream's current {@link TrackFormat}s, and the RTP
 * payload parameters that go with it (payload type, clock rate), shared with {@link RtpFrameEncoder}.
 *
 * <p>Video: H.264 ({@code packetization-mode=1}, {@code profile-level-id} from the SPS,
 * {@code sprop-parameter-sets}) or H.265 ({@code sprop-vps/sps/pps}) on payload type 96, 90 kHz. Audio: AAC as
 * RFC 3640 {@code mpeg4-generic} AAC-hbr on 97 at the sample rate, G.711 A-law/mu-law on the static types 8/0,
 * Opus on 97 at 48 kHz. Motion JPEG (RFC 2435) on its static payload type 26 with {@code a=rtpmap:26 JPEG/90000}
 * (MJPEG is served over RTSP only: HLS and RTMP leave it out). Each media section has
 * {@code a=control:trackID=N}, N its index.
 *
 * <p>Thread safety: stateless.
 */
final class RtspSdp
{
    static final int VIDEO_PAYLOAD_TYPE = 96;
    static final int AUDIO_PAYLOAD_TYPE = 97;
    static final int JPEG_PAYLOAD_TYPE = 26;

    private RtspSdp()
    {
    }

    /**
     * @param format a track format.
     * @return whether RTSP play carries it.
     */
    static boolean carried(final TrackFormat format)
    {
        return format != null;
    }

    /**
     * @param format a carried track format.
     * @return its RTP payload type.
     */
    static int payloadType(final TrackFormat format)
    {
        return switch (format.codec())
        {
            case G711A -> 8;
            case G711U -> 0;
            case MJPEG -> JPEG_PAYLOAD_TYPE;
            case H264, H265 -> VIDEO_PAYLOAD_TYPE;
            default -> AUDIO_PAYLOAD_TYPE;
        };
    }

    /**
     * @param format a carried track format.
     * @return its RTP clock rate in Hz.
     */
    static int clockRate(final TrackFormat format)
    {
        return switch (format.codec())
        {
            case H264, H265, MJPEG -> 90_000;
            case G711A, G711U -> 8000;
            case OPUS -> 48_000;
            default -> format.sampleRate() > 0 ? format.sampleRate() : 90_000;
        };
    }

    /**
     * @param tracks carried formats in SDP order (index = track index of SETUP URLs).
     * @return the session description.
     * @throws IllegalArgumentException if a decoder configuration does not parse.
     */
    static Sdp describe(final List<TrackFormat> tracks)
    {
        final Sdp.Builder builder = Sdp.builder()
            .origin("- " + System.currentTimeMillis() + " 1 IN IP4 127.0.0.1")
            .sessionName("cococam")
            .connection("IN IP4 0.0.0.0")
            .attribute("tool", "cococam")
            .attribute("range", "npt=now-")
            .attribute("control", "*");
        for (int i = 0; i < tracks.size(); i++)
        {
            builder.media(media(tracks.get(i), i));
        }

        return builder.build();
    }

    private static SdpMedia media(final TrackFormat format, final int index)
    {
        final int pt = payloadType(format);
        final SdpMedia.Builder media = SdpMedia.builder(format.isVideo() ? "video" : "audio", "RTP/AVP", pt);
        final Map<String, String> fmtp = new LinkedHashMap<>();
        final Base64.Encoder b64 = Base64.getEncoder();
        switch (format.codec())
        {
            case H264 ->
            {
                media.rtpMap(new RtpMap(pt, "H264", 90_000, -1));
                final AvcDecoderConfigurationRecord avcc = AvcDecoderConfigurationRecord.parse(format.decoderConfig());
                fmtp.put("packetization-mode", "1");
                if (!avcc.sps().isEmpty() && avcc.sps().get(0).length >= 4)
                {
                    final byte[] sps = avcc.sps().get(0);
                    fmtp.put("profile-level-id", String.format("%02x%02x%02x", sps[1] & 0xFF, sps[2] & 0xFF,
                        sps[3] & 0xFF));
                }

                final StringBuilder sets = new StringBuilder();
                for (final byte[] nal : avcc.sps())
                {
                    sets.append(sets.length() == 0 ? "" : ",").append(b64.encodeToString(nal));
                }

                for (final byte[] nal : avcc.pps())
                {
                    sets.append(sets.length() == 0 ? "" : ",").append(b64.encodeToString(nal));
                }

                fmtp.put("sprop-parameter-sets", sets.toString());
            }
            case H265 ->
            {
                media.rtpMap(new RtpMap(pt, "H265", 90_000, -1));
                final HevcDecoderConfigurationRecord hvcc = HevcDecoderConfigurationRecord.parse(
                    format.decoderConfig());
                fmtp.put("sprop-vps", join(hvcc.vps()));
                fmtp.put("sprop-sps", join(hvcc.sps()));
                fmtp.put("sprop-pps", join(hvcc.pps()));
            }
            case AAC ->
            {
                media.rtpMap(new RtpMap(pt, "MPEG4-GENERIC", clockRate(format), Math.max(1, format.channels())));
                for (final Map.Entry<String, String> e :
                    RtpFmtp.parse(Mpeg4GenericConfig.aacHbr(format.decoderConfig()).toFmtp()).entrySet())
                {
                    fmtp.put(e.getKey(), e.getValue());
                }
            }
            case MJPEG -> media.rtpMap(new RtpMap(pt, "JPEG", 90_000, -1));
            case G711A -> media.rtpMap(new RtpMap(pt, "PCMA", 8000, 1));
            case G711U -> media.rtpMap(new RtpMap(pt, "PCMU", 8000, 1));
            case OPUS ->
            {
                media.rtpMap(new RtpMap(pt, "opus", 48_000, 2));
                fmtp.put("sprop-stereo", format.channels() > 1 ? "1" : "0");
            }
            default -> throw new IllegalArgumentException("not carried over RTSP: " + format.codec());
        }

        if (!fmtp.isEmpty())
        {
            media.fmtp(pt, fmtp);
        }

        return media.control("trackID=" + index).build();
    }

    private static String join(final List<byte[]> nals)
    {
        final StringBuilder out = new StringBuilder();
        for (final byte[] nal : nals)
        {
            out.append(out.length() == 0 ? "" : ",").append(Base64.getEncoder().encodeToString(nal));
        }

        return out.toString();
    }
}
