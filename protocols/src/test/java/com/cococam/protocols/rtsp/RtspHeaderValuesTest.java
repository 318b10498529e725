package com.cococam.protocols.rtsp;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transport, Session, RTP-Info, Range and Public values, from the sample responses and from odd hand-made ones.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtspHeaderValuesTest
{
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);

    @AfterEach
    void shouldHaveReleasedEveryBuffer()
    {
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    @Test
    void shouldParseEverySampleTransportHeader()
    {
        final Transport dahua = only(header("rtsp_dahua_setup.txt", RtspHeaderNames.TRANSPORT));
        assertEquals(Transport.LowerTransport.TCP, dahua.lowerTransport());
        assertEquals(Transport.Delivery.UNICAST, dahua.delivery());
        assertEquals(new Transport.Range(0, 1), dahua.interleaved());
        assertEquals(0x30A98EE7L, dahua.ssrc());
        assertTrue(dahua.isRtpAvp());

        final Transport hik = only(header("rtsp_hikvision_setup.txt", RtspHeaderNames.TRANSPORT));
        assertEquals("PLAY", hik.mode(), "quoted lower case mode");
        assertEquals(0x4cacc3d1L, hik.ssrc());

        final Transport dvr = only(header("rtsp_h264dvr_setup_video.txt", RtspHeaderNames.TRANSPORT));
        assertEquals(Transport.LowerTransport.UDP, dvr.lowerTransport());
        assertEquals("PLAY", dvr.mode());
        assertEquals("127.0.0.1", dvr.source());
        assertEquals(new Transport.Range(18714, 18715), dvr.clientPort());
        assertEquals(new Transport.Range(40004, 40005), dvr.serverPort());
        assertEquals(0, dvr.ssrc());
        assertNull(dvr.interleaved());

        final Transport gw = only(header("rtsp_gw_main_setup_audio.txt", RtspHeaderNames.TRANSPORT));
        assertEquals("192.168.1.210", gw.destination());
        assertEquals(new Transport.Range(2, 3), gw.interleaved());

        final Transport luckfoxTcp = only(header("rtsp_luckfox_rkipc_setup_tcp.txt", RtspHeaderNames.TRANSPORT));
        assertEquals(Transport.Delivery.UNSPECIFIED, luckfoxTcp.delivery());
        assertEquals(0x22345684L, luckfoxTcp.ssrc());
        assertEquals(new Transport.Range(0, 1), luckfoxTcp.interleaved());

        final Transport luckfoxUdp = only(header("rtsp_luckfox_rkipc_setup_udp.txt", RtspHeaderNames.TRANSPORT));
        assertEquals(new Transport.Range(54060, 54061), luckfoxUdp.clientPort());
        assertEquals(0x22345685L, luckfoxUdp.ssrc());

        for (final String name : List.of("rtsp_wowza_bunny_setup.txt", "rtsp_reolink_setup.txt",
            "rtsp_gw_main_setup_video.txt", "rtsp_h264dvr_setup_audio.txt"))
        {
            final Transport spec = only(header(name, RtspHeaderNames.TRANSPORT));
            assertEquals(spec, Transport.parse(spec.format()), name + " format/parse round trip");
        }
    }

    @Test
    void shouldParseOddAndListedTransportSpecs()
    {
        final List<Transport> offers = Transport.parseList(
            "RTP/AVP/TCP;unicast;interleaved=0 , RTP/AVP/UDP;unicast;client_port=5000-5001 ,RTP/SAVP;multicast;" +
            "destination=239.1.1.1;port=6000-6001;ttl=16,RTP/AVP;unicast;interleaved;x-vendor=1;append");
        assertEquals(4, offers.size());
        assertEquals(new Transport.Range(0, -1), offers.get(0).interleaved());
        assertEquals(1, offers.get(0).interleaved().second(), "RTCP channel implied");
        assertEquals(Transport.LowerTransport.UDP, offers.get(1).lowerTransport());
        assertEquals(new Transport.Range(5000, 5001), offers.get(1).clientPort());
        assertEquals(Transport.Delivery.MULTICAST, offers.get(2).delivery());
        assertEquals("SAVP", offers.get(2).profile());
        assertEquals(16, offers.get(2).ttl());
        assertEquals(new Transport.Range(6000, 6001), offers.get(2).port());
        assertEquals(Transport.LowerTransport.TCP, offers.get(3).lowerTransport(), "bare interleaved implies TCP");
        assertNull(offers.get(3).interleaved());
        assertEquals(List.of("x-vendor=1"), offers.get(3).extensions());
        assertTrue(offers.get(3).append());
        assertEquals(offers, Transport.parseList(Transport.formatList(offers)));

        assertEquals("RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=0000ABCD",
            Transport.tcpInterleaved(new Transport.Range(2, 3)).withSsrc(0xABCD).format());
        assertEquals("RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971",
            Transport.udpUnicast(new Transport.Range(5000, 5001), new Transport.Range(6970, 6971)).format());

        for (final String bad : List.of("", " , ", "RTP", "RTP/AVP/SCTP", "RTP/AVP;interleaved=a-b",
            "RTP/AVP;interleaved=300", "RTP/AVP;client_port=70000", "RTP/AVP;ssrc=123456789", "RTP/AVP;ttl=x"))
        {
            assertEquals(RtspErrorCode.BAD_TRANSPORT, RtspTestSupport.errorCode(() -> Transport.parseList(bad)), bad);
        }
    }

    @Test
    void shouldParseSessionHeadersWithPaddingAndSpacesAroundParameters()
    {
        assertEquals(new SessionHeader("708345999", 60),
            SessionHeader.parse(header("rtsp_hikvision_setup.txt", RtspHeaderNames.SESSION)));
        assertEquals(new SessionHeader("9a90de54", 120),
            SessionHeader.parse(header("rtsp_gw_main_play.txt", RtspHeaderNames.SESSION)));
        assertEquals(new SessionHeader("136527041864", -1),
            SessionHeader.parse(header("rtsp_dahua_options.txt", RtspHeaderNames.SESSION)));
        assertEquals(60, SessionHeader.parse("abc").effectiveTimeoutSec());
        assertEquals(-1, SessionHeader.parse("abc;timeout=soon").timeoutSec());
        assertEquals("abc;timeout=30", new SessionHeader("abc", 30).format());
        assertEquals(RtspErrorCode.BAD_SESSION, RtspTestSupport.errorCode(() -> SessionHeader.parse(" ;timeout=5")));
    }

    @Test
    void shouldParseRtpInfoFromEverySamplePlayResponse()
    {
        final List<RtpInfo> dahua = RtpInfo.parseList(header("rtsp_dahua_play.txt", RtspHeaderNames.RTP_INFO));
        assertEquals(List.of(new RtpInfo("trackID=0", 47121, 3475222385L, -1),
            new RtpInfo("trackID=1", 45186, 2234446919L, -1), new RtpInfo("trackID=4", 36583, 816418535L, -1)), dahua);

        final List<RtpInfo> reolink = RtpInfo.parseList(header("rtsp_reolink_play.txt", RtspHeaderNames.RTP_INFO));
        assertEquals(0xdcc4a0d8L, reolink.get(0).ssrc());
        assertEquals(0x9fc9fff8L, reolink.get(1).ssrc());

        final List<RtpInfo> wowza = RtpInfo.parseList(header("rtsp_wowza_bunny_play.txt", RtspHeaderNames.RTP_INFO));
        assertEquals("rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/trackID=2", wowza.get(1).url());

        final List<RtpInfo> hik = RtpInfo.parseList(header("rtsp_hikvision_play.txt", RtspHeaderNames.RTP_INFO));
        assertEquals(List.of(new RtpInfo("rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1" +
            "?transportmode=unicast&profile=Profile_1", 24104, 1270711678L, -1)), hik);

        final List<RtpInfo> laureii = RtpInfo.parseList(header("rtsp_laureii_play.txt", RtspHeaderNames.RTP_INFO));
        assertEquals(List.of(new RtpInfo("rtsp://192.168.1.19:554/0/main/trackID=0", 0, 0, -1)), laureii);

        assertEquals(1, RtpInfo.parseList(header("rtsp_gw_main_play.txt", RtspHeaderNames.RTP_INFO)).size());
        assertEquals(List.of(new RtpInfo("rtsp://h/a,b", 1, 2, -1), new RtpInfo("t2", 3, 4, -1)),
            RtpInfo.parseList("url=rtsp://h/a,b;seq=1;rtptime=2, url=t2;seq=3;rtptime=4"), "comma inside a URL");
        assertEquals(dahua, RtpInfo.parseList(RtpInfo.formatList(dahua)));
        assertEquals(RtspErrorCode.BAD_RTP_INFO, RtspTestSupport.errorCode(() -> RtpInfo.parseList("seq=1")));
        assertEquals(RtspErrorCode.BAD_RTP_INFO, RtspTestSupport.errorCode(() -> RtpInfo.parseList("url=a;seq=x")));
        assertEquals(RtspErrorCode.BAD_RTP_INFO,
            RtspTestSupport.errorCode(() -> RtpInfo.parseList("url=a;seq=70000")));
    }

    @Test
    void shouldParseNptRangesAndPublicMethods()
    {
        assertEquals(new NptRange(false, 0, Double.NaN), NptRange.parse(header("rtsp_dahua_play.txt", "Range")));
        assertEquals(NptRange.LIVE, NptRange.parse(header("rtsp_h264dvr_play.txt", "Range")));
        assertEquals(new NptRange(false, 0, 596.48), NptRange.parse(header("rtsp_wowza_bunny_play.txt", "Range")));
        assertEquals(new NptRange(false, 62.5, Double.NaN), NptRange.parse("npt=0:01:02.5-"));
        assertEquals(new NptRange(false, Double.NaN, 10), NptRange.parse("npt=-10"));
        assertEquals(new NptRange(false, 1, Double.NaN), NptRange.parse("NPT=1-;time=19970123T143720Z"));
        assertNull(NptRange.parse("clock=19961108T142300Z-"));
        assertEquals("npt=0.000-596.480", new NptRange(false, 0, 596.48).format());
        assertEquals("npt=now-", NptRange.LIVE.format());
        for (final String bad : List.of("npt=", "npt=-", "npt=abc-", "npt=1:2-", "npt=0"))
        {
            assertEquals(RtspErrorCode.BAD_RANGE, RtspTestSupport.errorCode(() -> NptRange.parse(bad)), bad);
        }

        final List<String> methods = PublicHeader.parse(header("rtsp_dahua_options.txt", RtspHeaderNames.PUBLIC));
        assertEquals(List.of("OPTIONS", "DESCRIBE", "ANNOUNCE", "SETUP", "PLAY", "RECORD", "PAUSE", "TEARDOWN",
            "SET_PARAMETER", "GET_PARAMETER"), methods);
        assertEquals(methods, PublicHeader.parse(PublicHeader.format(methods)));
    }

    private String header(final String sample, final String name)
    {
        final List<Object> decoded = RtspTestSupport.decode(new RtspDecoder(), alloc,
            RtspTestSupport.sampleBytes(sample));
        try
        {
            final String value = ((RtspMessage)decoded.get(0)).headers().get(name);
            assertTrue(value != null, sample + " has " + name);
            return value;
        }
        finally
        {
            RtspTestSupport.releaseAll(decoded);
        }
    }

    private static Transport only(final String value)
    {
        final List<Transport> specs = Transport.parseList(value);
        assertEquals(1, specs.size(), value);
        return specs.get(0);
    }
}
