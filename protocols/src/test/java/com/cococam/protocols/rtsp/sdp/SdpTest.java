package com.cococam.protocols.rtsp.sdp;

import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtsp.RtspErrorCode;
import com.cococam.protocols.rtsp.RtspTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SDP writer round trips, control URL resolution (RFC 2326 C.1.1 as cameras expect it), tolerance of malformed
 * values, and H.265 sprop values from an SDP written by the real ffmpeg.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SdpTest
{
    @Test
    void shouldWriteTheDescriptionAServerAnnouncesAndParseItBack()
    {
        final Map<String, String> h264 = new LinkedHashMap<>();
        h264.put("packetization-mode", "1");
        h264.put("profile-level-id", "42C01E");
        h264.put("sprop-parameter-sets", "Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==");
        final Map<String, String> aac = new LinkedHashMap<>();
        aac.put("profile-level-id", "1");
        aac.put("mode", "AAC-hbr");
        aac.put("sizelength", "13");
        aac.put("indexlength", "3");
        aac.put("indexdeltalength", "3");
        aac.put("config", "1490");
        final Sdp sdp = Sdp.builder()
            .origin("- 123 1 IN IP4 127.0.0.1")
            .sessionName("cam1")
            .connection("IN IP4 0.0.0.0")
            .attribute("control", "*")
            .attribute("range", "npt=now-")
            .media(SdpMedia.builder("video", "RTP/AVP", 96).rtpMap(new RtpMap(96, "H264", 90000, -1))
                .fmtp(96, h264).control("trackID=0").attribute("recvonly", null).build())
            .media(SdpMedia.builder("audio", "RTP/AVP", 97).bandwidth("AS", 128)
                .rtpMap(new RtpMap(97, "MPEG4-GENERIC", 12000, 2)).fmtp(97, aac).control("trackID=1").build())
            .build();

        final String text = sdp.format();

        assertEquals("v=0\r\no=- 123 1 IN IP4 127.0.0.1\r\ns=cam1\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n" +
            "a=control:*\r\na=range:npt=now-\r\n" +
            "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
            "a=fmtp:96 packetization-mode=1;profile-level-id=42C01E;" +
            "sprop-parameter-sets=Z0LAHtkDxWhAAAADAEAAAAwDxYuS,aMuMsg==\r\na=control:trackID=0\r\na=recvonly\r\n" +
            "m=audio 0 RTP/AVP 97\r\nb=AS:128\r\na=rtpmap:97 MPEG4-GENERIC/12000/2\r\n" +
            "a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1490\r\n" +
            "a=control:trackID=1\r\n", text);
        final Sdp parsed = Sdp.parse(text);
        assertEquals(text, parsed.format());
        final SdpMedia video = parsed.media().get(0);
        assertEquals(h264, video.fmtp());
        assertEquals(0x42C01E, video.h264ProfileLevelId());
        assertEquals(2, video.h264SpropParameterSets().size());
        assertEquals("rtsp://127.0.0.1:8554/cam1/trackID=0", video.controlUrl("rtsp://127.0.0.1:8554/cam1"));
        final SdpMedia audio = parsed.media().get(1);
        assertArrayEquals(new byte[] {0x14, (byte)0x90}, audio.aacConfig());
        assertEquals(2, audio.channels());
        assertEquals(12000, audio.clockRate());
        assertEquals(128, audio.bandwidthKbps("as"));
        assertEquals("recvonly", video.direction());
        assertThrows(IllegalArgumentException.class, () -> Sdp.builder().attribute("x", "a\r\nm=evil"));
    }

    @Test
    void shouldResolveControlsLikeCamerasExpect()
    {
        final String[][] cases =
        {
            {"rtsp://h/cam/", null, "rtsp://h/cam/"},
            {"rtsp://h/cam/", "*", "rtsp://h/cam/"},
            {"rtsp://h/cam/", "", "rtsp://h/cam/"},
            {"rtsp://h/cam/", "trackID=1", "rtsp://h/cam/trackID=1"},
            {"rtsp://h/cam", "trackID=1", "rtsp://h/cam/trackID=1"},
            {"rtsp://h:554/a?x=1&y=2", "video", "rtsp://h:554/a?x=1&y=2/video"},
            {"rtsp://h:554/a?proto=Onvif/", "trackID=0", "rtsp://h:554/a?proto=Onvif/trackID=0"},
            {"rtsp://h/cam/", "rtsp://other:8554/x?y=1", "rtsp://other:8554/x?y=1"},
            {"rtsp://h/cam/", "RTSP://h2/x", "RTSP://h2/x"},
            {"rtsp://user@h:554/cam/sub", "/abs/track", "rtsp://user@h:554/abs/track"},
            {"rtsp://h:554", "/abs", "rtsp://h:554/abs"},
            {"rtsp://h/cam/", "  trackID=2  ", "rtsp://h/cam/trackID=2"},
        };
        for (final String[] c : cases)
        {
            assertEquals(c[2], Sdp.resolveControl(c[0], c[1]), c[0] + " + " + c[1]);
        }

        assertEquals("rtsp://base/", Sdp.baseUrl(" rtsp://base/ ", "rtsp://loc/", "rtsp://req/"));
        assertEquals("rtsp://loc/", Sdp.baseUrl(null, "rtsp://loc/", "rtsp://req/"));
        assertEquals("rtsp://req/", Sdp.baseUrl("", " ", "rtsp://req/"));
    }

    @Test
    void shouldReportMalformedCodecParametersAsAbsent()
    {
        final Sdp sdp = Sdp.parse("v=0\n" +
            "garbage line\n" +
            "m=video  0  RTP/AVP   96   \n" +
            "a=rtpmap:96 H264\n" +
            "a=fmtp:96 sprop-parameter-sets=,!!!,Z0LAHtkD;profile-level-id=xyz123;packetization-mode=9;flag\n" +
            "a=framerate:fast\n" +
            "a=range:npt=bogus\n" +
            "m=audio 0 RTP/AVP 97\n" +
            "a=rtpmap:97 MPEG4-GENERIC/0\n" +
            "a=fmtp:97 config=XYZ;sizelength=big\n" +
            "m=audio 0/2 RTP/AVP 99\n" +
            "a=fmtp:99 config=\n" +
            "m=application 0 RTP/AVP\n" +
            "m=video 0 RTP/AVP 98\n" +
            "a=fmtp:98 sprop-vps=; sprop-sps=@@; sprop-pps=RAHBcrRiQA\n");

        assertEquals(1, sdp.ignoredLines());
        final SdpMedia video = sdp.media().get(0);
        assertEquals(List.of("96"), video.formats(), "extra spaces");
        assertNull(video.rtpMap(), "rtpmap without clock rate, dynamic type: absent");
        assertEquals(-1, video.clockRate());
        assertEquals(1, video.h264SpropParameterSets().size(), "only the decodable entry, padding added");
        assertNull(video.h264Pps());
        assertEquals(-1, video.h264ProfileLevelId());
        assertEquals(-1, video.h264PacketizationMode());
        assertEquals("", video.fmtp().get("flag"));
        assertTrue(Double.isNaN(video.framerateFps()));
        assertNull(video.range());
        final SdpMedia audio = sdp.media().get(1);
        assertNull(audio.rtpMap());
        assertNull(audio.aacConfig());
        assertEquals(-1, audio.aacSizeLength());
        assertEquals(2, sdp.media().get(2).portCount());
        assertNull(sdp.media().get(2).aacConfig());
        assertEquals(-1, sdp.media().get(3).payloadType(), "no formats");
        final SdpMedia hevc = sdp.media().get(4);
        assertEquals(List.of(), hevc.h265SpropVps());
        assertEquals(List.of(), hevc.h265SpropSps());
        assertArrayEquals(new byte[] {0x44, 0x01, (byte)0xC1, 0x72, (byte)0xB4, 0x62, 0x40},
            hevc.h265SpropPps().get(0), "unpadded base64");

        assertEquals(RtspErrorCode.BAD_SDP, RtspTestSupport.errorCode(() -> Sdp.parse("m=video\r\n")));
        assertEquals(RtspErrorCode.BAD_SDP, RtspTestSupport.errorCode(() -> Sdp.parse("m=video x RTP/AVP 96\r\n")));
    }

    @Test
    void shouldDecodeH265SpropValuesFromAnSdpWrittenByFfmpeg(@TempDir final Path dir) throws IOException
    {
        final Path sample = Peers.sample("h265_srs_avatar.h265");
        final Path sdpFile = dir.resolve("h265.sdp");
        // RTP goes to a local port nobody listens on; only the SDP file matters.
        final Peers.Result result = Peers.run(Duration.ofSeconds(60), Peers.ffmpeg(), "-hide_banner",
            "-loglevel", "error", "-y", "-i", sample.toString(), "-frames:v", "3", "-c", "copy", "-f", "rtp",
            "-sdp_file", sdpFile.toString(), "rtp://127.0.0.1:45678");
        assertEquals(0, result.exitCode(), result.stderr());
        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-select_streams", "v:0",
            "-show_entries", "stream=width,height", sample.toString());

        final Sdp sdp = Sdp.parse(Files.readString(sdpFile));
        final SdpMedia video = sdp.media().get(0);
        assertEquals("H265", video.encodingName());
        assertEquals(90000, video.clockRate());
        assertEquals(1, video.h265SpropVps().size());
        assertEquals(32, (video.h265SpropVps().get(0)[0] >> 1) & 0x3F, "VPS NAL type");
        assertEquals(34, (video.h265SpropPps().get(0)[0] >> 1) & 0x3F, "PPS NAL type");
        final com.cococam.codec.h265.Sps sps = com.cococam.codec.h265.Sps.parse(video.h265SpropSps().get(0));
        assertEquals(Integer.parseInt(probe.get("streams.stream.0.width")), sps.width());
        assertEquals(Integer.parseInt(probe.get("streams.stream.0.height")), sps.height());
        assertEquals(sdp.format(), Sdp.parse(sdp.format()).format());
    }
}
