package com.cococam.protocols.rtsp.sdp;

import com.cococam.codec.h264.Sps;
import com.cococam.protocols.rtsp.NptRange;
import com.cococam.protocols.rtsp.RtspDecoder;
import com.cococam.protocols.rtsp.RtspResponse;
import com.cococam.protocols.rtsp.RtspTestSupport;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every DESCRIBE body and *.sdp sample parses; media lists, resolved control URLs and the SPS inside sprop values
 * match what SAMPLES.md and the camera's own URLs say.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SdpSamplesTest
{
    private static final Pattern SPS = Pattern.compile("profile_idc=(\\d+) level_idc=(\\d+) (\\d+)x(\\d+)");

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    /**
     * @param requestUrl URL the DESCRIBE went to (used only when the response has no Content-Base).
     * @param media      per media: "type pt encoding clockRate channels controlUrl".
     */
    record Expected(String requestUrl, List<String> media)
    {
    }

    private static final String DAHUA = "rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/";
    private static final String HIK = "rtsp://192.168.5.106:554/Streaming/Channels/101/";
    private static final String GW = "rtsp://192.168.1.110:5049/H264?channel=1&subtype=1&unicast=true&proto=Onvif";
    private static final String WOWZA = "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/";

    private static Map<String, Expected> expectations()
    {
        final Map<String, Expected> table = new LinkedHashMap<>();
        table.put("rtsp_dahua_describe_h264_aac_onvif.txt", new Expected("rtsp://192.168.5.111/x", List.of(
            "video 96 H264 90000 -1 " + DAHUA + "trackID=0",
            "audio 97 MPEG4-GENERIC 48000 1 " + DAHUA + "trackID=1",
            "application 107 vnd.onvif.metadata 90000 -1 " + DAHUA + "trackID=4")));
        table.put("rtsp_foscam_describe.txt", new Expected("rtsp://192.168.5.107:65534/videoMain", List.of(
            "video 96 H264 90000 -1 rtsp://192.168.5.107:65534/videoMain/track1",
            "audio 0 PCMU 8000 1 rtsp://192.168.5.107:65534/videoMain/track2")));
        table.put("rtsp_gw_sub_describe.txt", new Expected("rtsp://192.168.1.110:5049/x", List.of(
            "video 96 H264 90000 -1 " + GW + "/video")));
        table.put("rtsp_h264dvr_describe.txt", new Expected("rtsp://192.168.168.100/x", List.of(
            "video 96 H264 90000 -1 rtsp://127.0.0.1:554/camera/trackID=3",
            "audio 8 PCMA 8000 1 rtsp://127.0.0.1:554/camera/trackID=4")));
        table.put("rtsp_hikvision_describe.txt", new Expected("rtsp://192.168.5.106:554/Streaming/Channels/101", List.of(
            "video 96 H264 90000 -1 " + HIK + "trackID=1?transportmode=unicast&profile=Profile_1",
            "application 107 vnd.onvif.metadata 90000 -1 " + HIK + "trackID=3?transportmode=unicast&profile=Profile_1")));
        table.put("rtsp_ipcam_describe.txt", new Expected("rtsp://192.168.1.67:554/live", List.of(
            "video 96 H264 90000 -1 rtsp://192.168.1.67:554/live/trackID=1")));
        table.put("rtsp_missing_content_type_describe.txt", new Expected("rtsp://192.168.1.101:8554/live", List.of(
            "video 96 H264 90000 -1 rtsp://192.168.1.101:8554/live/streamid=0",
            "audio 97 MPEG4-GENERIC 48000 2 rtsp://192.168.1.101:8554/live/streamid=1")));
        table.put("rtsp_reolink_describe.txt", new Expected("rtsp://192.168.5.206/h264Preview_01_main", List.of(
            "video 96 H264 90000 -1 rtsp://192.168.5.206/h264Preview_01_main/trackID=1",
            "audio 97 MPEG4-GENERIC 16000 1 rtsp://192.168.5.206/h264Preview_01_main/trackID=2")));
        table.put("rtsp_wowza_bunny_describe.txt", new Expected("rtsp://wowzaec2demo.streamlock.net/vod/x", List.of(
            "audio 96 mpeg4-generic 12000 2 " + WOWZA + "trackID=1",
            "video 97 H264 90000 -1 " + WOWZA + "trackID=2")));
        table.put("sdp_geovision.sdp", new Expected("rtsp://192.168.5.237/media/video1", List.of(
            "video 105 H264 90000 -1 rtsp://192.168.5.237/media/video1/video",
            "application 107 vnd.onvif.metadata 90000 -1 rtsp://192.168.5.237/media/video1/metadata")));
        table.put("sdp_h264_no_sprop.sdp", new Expected("rtsp://127.0.0.1:8554/demo", List.of(
            "video 96 H264 90000 -1 rtsp://127.0.0.1:8554/demo")));
        table.put("sdp_ubiquiti.sdp", new Expected("rtsp://192.168.0.1/live", List.of(
            "audio 96 mpeg4-generic 48000 1 rtsp://192.168.0.1/live/trackID=0",
            "audio 96 opus 48000 2 rtsp://192.168.0.1/live/trackID=1",
            "video 97 H264 90000 -1 rtsp://192.168.0.1/live/trackID=2")));
        return table;
    }

    @AfterEach
    void shouldHaveReleasedEveryBuffer()
    {
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    @Test
    void shouldParseEveryDescribeBodyAndSdpSampleWithMediaControlsAndSpropDimensions()
    {
        final Map<String, Map<String, String>> checks = RtspTestSupport.checkLines();
        final Map<String, Expected> table = expectations();
        final List<String> describes = new ArrayList<>();
        for (final String name : RtspTestSupport.sampleNames("rtsp_", ".txt"))
        {
            if (checks.get(name).containsKey("m-lines"))
            {
                describes.add(name);
            }
        }

        describes.addAll(RtspTestSupport.sampleNames("sdp_", ".sdp"));
        assertEquals(table.keySet(), new java.util.TreeSet<>(describes).stream()
            .collect(java.util.stream.Collectors.toCollection(java.util.LinkedHashSet::new)), "all covered");

        int spsChecked = 0;
        for (final String name : describes)
        {
            final Expected expected = table.get(name);
            final Sdp sdp;
            final String base;
            if (name.endsWith(".sdp"))
            {
                sdp = Sdp.parse(new String(RtspTestSupport.sampleBytes(name), StandardCharsets.UTF_8));
                base = expected.requestUrl();
            }
            else
            {
                final List<Object> decoded = RtspTestSupport.decode(new RtspDecoder(), alloc,
                    RtspTestSupport.sampleBytes(name));
                try
                {
                    final RtspResponse response = (RtspResponse)decoded.get(0);
                    sdp = Sdp.parse(response.content());
                    base = Sdp.baseUrl(response, expected.requestUrl());
                }
                finally
                {
                    RtspTestSupport.releaseAll(decoded);
                }
            }

            assertSdpMatchesCheck(name, sdp, checks.get(name));
            final List<String> media = new ArrayList<>();
            for (final SdpMedia section : sdp.media())
            {
                media.add(section.type() + ' ' + section.payloadType() + ' ' + section.encodingName() + ' ' +
                    section.clockRate() + ' ' + section.channels() + ' ' + section.controlUrl(base));
            }

            assertEquals(expected.media(), media, name);
            spsChecked += assertSpropSps(name, sdp, checks.get(name));
        }

        assertEquals(11, spsChecked, "samples with an SPS in sprop-parameter-sets");
    }

    private static int assertSpropSps(final String name, final Sdp sdp, final Map<String, String> check)
    {
        final String line = check.get("sprop SPS (trace_headers)");
        final SdpMedia video = sdp.media().stream().filter(m -> "H264".equals(m.encodingName())).findFirst()
            .orElseThrow();
        if (line == null)
        {
            assertTrue(video.h264SpropParameterSets().isEmpty(), name);
            assertNull(video.h264Sps(), name);
            return 0;
        }

        final Matcher m = SPS.matcher(line);
        assertTrue(m.find(), line);
        final byte[] spsNal = video.h264Sps();
        assertNotNull(spsNal, name);
        assertNotNull(video.h264Pps(), name + " pps");
        final Sps sps = Sps.parse(spsNal);
        assertEquals(Integer.parseInt(m.group(1)), sps.profileIdc(), name + " profile");
        assertEquals(Integer.parseInt(m.group(2)), sps.levelIdc(), name + " level");
        assertEquals(Integer.parseInt(m.group(3)), sps.width(), name + " width");
        assertEquals(Integer.parseInt(m.group(4)), sps.height(), name + " height");
        assertEquals(1, video.h264PacketizationMode(), name);
        return 1;
    }

    static void assertSdpMatchesCheck(final String name, final Sdp sdp, final Map<String, String> check)
    {
        final List<String> mLines = new ArrayList<>();
        final List<String> rtpMaps = new ArrayList<>();
        for (final SdpMedia media : sdp.media())
        {
            mLines.add(media.type() + ' ' + media.port() + ' ' + media.proto() + ' ' + String.join(" ", media.formats()));
            rtpMaps.addAll(media.attributeValues("rtpmap"));
        }

        assertEquals(List.of(check.get("m-lines").split(" \\| ")), mLines, name + " m-lines");
        assertEquals(List.of(check.get("rtpmap").split(", ")), rtpMaps, name + " rtpmaps");
    }

    @Test
    void shouldExposeCameraQuirksAsValuesOrAbsent()
    {
        final Sdp dahua = describe("rtsp_dahua_describe_h264_aac_onvif.txt");
        assertEquals(15.0, dahua.media().get(0).framerateFps());
        assertEquals(0x64001E, dahua.media().get(0).h264ProfileLevelId());
        assertEquals("DH", dahua.attribute("packetization-supported"));
        assertEquals(NptRange.LIVE, dahua.range());
        final SdpMedia dahuaAudio = dahua.media().get(1);
        assertArrayEquals(HexFormat.of().parseHex("1188"), dahuaAudio.aacConfig());
        assertEquals(13, dahuaAudio.aacSizeLength());
        assertEquals(3, dahuaAudio.aacIndexLength());
        assertEquals(3, dahuaAudio.aacIndexDeltaLength());
        assertEquals("AAC-hbr", dahuaAudio.aacMode());
        assertEquals("recvonly", dahuaAudio.direction());

        final Sdp dvr = describe("rtsp_h264dvr_describe.txt");
        assertEquals(25.0, dvr.media().get(0).framerateFps(), "a=framerate:0S skipped");
        assertEquals(0x420029, dvr.media().get(0).h264ProfileLevelId());

        final Sdp gw = describe("rtsp_gw_sub_describe.txt");
        assertEquals(-1, gw.media().get(0).h264ProfileLevelId(), "decimal profile-level-id is absent");
        final byte[] gwPps = gw.media().get(0).h264Pps();
        assertArrayEquals(HexFormat.of().parseHex("68ee3c80"), gwPps, "trailing start code stripped");

        final Sdp hik = describe("rtsp_hikvision_describe.txt");
        assertEquals(5050, hik.bandwidthKbps("AS"));
        assertEquals(5000, hik.media().get(0).bandwidthKbps("AS"));
        assertEquals("1920,1080", hik.media().get(0).attribute("x-dimensions"));
        assertTrue(hik.media().get(1).attribute("Media_header").startsWith("MEDIAINFO=494D4B48"));
        assertEquals(HIK + "?transportmode=unicast&profile=Profile_1", hik.sessionControlUrl(HIK));
        assertEquals(List.of(new SdpLine('e', "NONE")), hik.otherLines());

        final Sdp wowza = describe("rtsp_wowza_bunny_describe.txt");
        assertEquals(new NptRange(false, 0, 596.48), wowza.range(), "npt=0- 596.48");
        assertEquals(24.0, wowza.media().get(1).framerateFps());
        assertEquals("97 240-160", wowza.media().get(1).attribute("framesize"));

        final Sdp reolink = describe("rtsp_reolink_describe.txt");
        assertArrayEquals(HexFormat.of().parseHex("1408"), reolink.media().get(1).aacConfig());
        assertEquals("1", reolink.media().get(1).fmtp().get("profile"), "trailing '; profile=1;'");

        final Sdp geovision = Sdp.parse(new String(RtspTestSupport.sampleBytes("sdp_geovision.sdp"),
            StandardCharsets.UTF_8));
        assertEquals(Map.of("decodertag", "h3c-v3", "rtcp", "0"), geovision.media().get(1).fmtp(),
            "space separated fmtp parameters");

        final Sdp noSprop = Sdp.parse(new String(RtspTestSupport.sampleBytes("sdp_h264_no_sprop.sdp"),
            StandardCharsets.UTF_8));
        assertEquals(-1, noSprop.version());
        assertEquals(5000, noSprop.media().get(0).port());
        assertEquals("IN IP4 239.22.136.14/255", noSprop.media().get(0).connection());
        assertEquals(Map.of(), noSprop.media().get(0).fmtp());
        assertEquals(0, noSprop.media().get(0).h264PacketizationMode(), "RFC 6184 default");

        final Sdp ubiquiti = Sdp.parse(new String(RtspTestSupport.sampleBytes("sdp_ubiquiti.sdp"),
            StandardCharsets.UTF_8));
        assertEquals(13, ubiquiti.media().get(0).aacSizeLength(), "SizeLength in mixed case");
        assertEquals(Map.of(), ubiquiti.media().get(1).fmtp(), "a=fmtp:96 with no parameters");
        assertEquals("IN IP4 192.168.0.1", ubiquiti.connection());
    }

    @Test
    void shouldWriteEverySampleBackToAnEquivalentDescription()
    {
        final List<Sdp> all = new ArrayList<>();
        for (final String name : expectations().keySet())
        {
            all.add(name.endsWith(".sdp") ?
                Sdp.parse(new String(RtspTestSupport.sampleBytes(name), StandardCharsets.UTF_8)) : describe(name));
        }

        for (final Sdp sdp : all)
        {
            final String written = sdp.format();
            final Sdp again = Sdp.parse(written);
            assertEquals(written, again.format());
            assertEquals(sdp.media().size(), again.media().size());
            for (int i = 0; i < sdp.media().size(); i++)
            {
                assertEquals(sdp.media().get(i).attributes(), again.media().get(i).attributes());
                assertEquals(sdp.media().get(i).formats(), again.media().get(i).formats());
                assertEquals(sdp.media().get(i).connection(), again.media().get(i).connection());
                assertEquals(sdp.media().get(i).bandwidths(), again.media().get(i).bandwidths());
            }

            assertEquals(sdp.attributes(), again.attributes());
            assertEquals(sdp.otherLines(), again.otherLines());
            assertEquals(sdp.origin(), again.origin());
        }
    }

    private Sdp describe(final String name)
    {
        final List<Object> decoded = RtspTestSupport.decode(new RtspDecoder(), alloc, RtspTestSupport.sampleBytes(name));
        try
        {
            return Sdp.parse(((RtspResponse)decoded.get(0)).content());
        }
        finally
        {
            RtspTestSupport.releaseAll(decoded);
        }
    }
}
