package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.H264RtpDepacketizer;
import com.cococam.codec.rtp.RtpAccessUnitHandler;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.JournalScan;
import com.cococam.server.testing.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scripted fake camera on 127.0.0.1 ({@link FakeRtspCamera}) replays the real camera answers in
 * {@code shared/samples}: Dahua's OPTIONS answer, a vendor's DESCRIBE (or a bare SDP), its SETUP answers (CSeq set to
 * the request's, the channels or ports of the Transport rewritten to those of the session, its other parameters
 * kept), its PLAY answer and Reolink's TEARDOWN answer; then the H.264 packets of the Wowza capture
 * ({@code rtsp_wowza_bunny_interleaved_tcp.rtsp}) with the SDP's payload type, interleaved or over UDP.
 *
 * <p>Each answer set must take the puller to PLAY (online, one connection, no reconnect), with one SETUP per
 * usable track to the control URL resolved against Content-Base (vendor metadata tracks and a second audio track
 * skipped), and the video must reach the stream and the journal with the format of the in-band SPS (240x160, the
 * Wowza content) even where the SDP's sprop says otherwise or says nothing. Stopping the puller sends TEARDOWN
 * with the Session of the SETUP answer (not the one Dahua's OPTIONS answer carries).
 */
@Timeout(180)
class RtspPullSampleCamerasTest
{
    private static final String BASE = "rtsp://127.0.0.1:{port}/stream";

    @TempDir
    Path temp;

    /**
     * @return vendor, transport, DESCRIBE file, SETUP files (comma-separated, or null for a plain answer), PLAY file
     *         (or null), the SETUP URLs expected ({@code {port}}: the camera's port), the size the SDP's SPS
     *         declares (null: none), and the Session id the TEARDOWN must carry.
     */
    static Stream<Arguments> vendors()
    {
        final String hik = "rtsp://192.168.5.106:554/Streaming/Channels/101/trackID=1" +
            "?transportmode=unicast&profile=Profile_1";
        final String dahua = "rtsp://192.168.5.111:554/cam/realmonitor?channel=1&subtype=1&unicast=true&proto=Onvif/";
        final String reolink = "rtsp://192.168.5.206/h264Preview_01_main/";
        final String wowza = "rtsp://wowzaec2demo.streamlock.net/vod/mp4:BigBuckBunny_115k.mov/";
        return Stream.of(
            Arguments.of("hikvision", "tcp", "rtsp_hikvision_describe.txt", "rtsp_hikvision_setup.txt",
                "rtsp_hikvision_play.txt", List.of(hik), "1920x1080", "708345999"),
            Arguments.of("dahua", "tcp", "rtsp_dahua_describe_h264_aac_onvif.txt", "rtsp_dahua_setup.txt",
                "rtsp_dahua_play.txt", List.of(dahua + "trackID=0", dahua + "trackID=1"), "704x480", "634214675641"),
            Arguments.of("reolink", "tcp", "rtsp_reolink_describe.txt", "rtsp_reolink_setup.txt",
                "rtsp_reolink_play.txt", List.of(reolink + "trackID=1", reolink + "trackID=2"), "2560x1440",
                "F8F8E425"),
            Arguments.of("foscam", "tcp", "rtsp_foscam_describe.txt", null, null,
                List.of("rtsp://192.168.5.107:65534/videoMain/track1", "rtsp://192.168.5.107:65534/videoMain/track2"),
                "1280x720", "4242"),
            Arguments.of("gw", "tcp", "rtsp_gw_sub_describe.txt",
                "rtsp_gw_main_setup_video.txt,rtsp_gw_main_setup_audio.txt", "rtsp_gw_main_play.txt",
                List.of("rtsp://192.168.1.110:5049/H264?channel=1&subtype=1&unicast=true&proto=Onvif/video"),
                "720x480", "9a90de54"),
            Arguments.of("h264dvr", "tcp", "rtsp_h264dvr_describe.txt",
                "rtsp_h264dvr_setup_video.txt,rtsp_h264dvr_setup_audio.txt", "rtsp_h264dvr_play.txt",
                List.of("rtsp://127.0.0.1:554/camera/trackID=3", "rtsp://127.0.0.1:554/camera/trackID=4"),
                "1920x1080", "231970"),
            Arguments.of("ipcam", "tcp", "rtsp_ipcam_describe.txt", null, "rtsp_laureii_play.txt",
                List.of(BASE + "/trackID=1"), "1280x960", "4242"),
            Arguments.of("missing-content-type", "tcp", "rtsp_missing_content_type_describe.txt", null, null,
                List.of(BASE + "/streamid=0", BASE + "/streamid=1"), "320x180", "4242"),
            Arguments.of("wowza", "tcp", "rtsp_wowza_bunny_describe.txt", "rtsp_wowza_bunny_setup.txt",
                "rtsp_wowza_bunny_play.txt", List.of(wowza + "trackID=1", wowza + "trackID=2"), "240x160",
                "1642021126"),
            Arguments.of("geovision", "tcp", "sdp_geovision.sdp", null, null,
                List.of("rtsp://192.168.5.237/media/video1/video"), "2688x1520", "4242"),
            Arguments.of("ubiquiti", "tcp", "sdp_ubiquiti.sdp", null, null,
                List.of(BASE + "/trackID=0", BASE + "/trackID=2"), "1920x1080", "4242"),
            Arguments.of("h264-no-sprop", "tcp", "sdp_h264_no_sprop.sdp", null, null, List.of(BASE), null, "4242"),
            Arguments.of("luckfox-udp-answer", "tcp", "rtsp_wowza_bunny_describe.txt",
                "rtsp_luckfox_rkipc_setup_udp.txt", "rtsp_reolink_play.txt",
                List.of(wowza + "trackID=1", wowza + "trackID=2"), "240x160", "12345678"),
            Arguments.of("luckfox-tcp", "tcp", "rtsp_reolink_describe.txt", "rtsp_luckfox_rkipc_setup_tcp.txt",
                "rtsp_reolink_play.txt", List.of(reolink + "trackID=1", reolink + "trackID=2"), "2560x1440",
                "12345678"),
            Arguments.of("hikvision-udp", "udp", "rtsp_hikvision_describe.txt", "rtsp_hikvision_setup.txt",
                "rtsp_hikvision_play.txt", List.of(hik), "1920x1080", "708345999"),
            Arguments.of("h264dvr-udp", "udp", "rtsp_h264dvr_describe.txt",
                "rtsp_h264dvr_setup_video.txt,rtsp_h264dvr_setup_audio.txt", "rtsp_h264dvr_play.txt",
                List.of("rtsp://127.0.0.1:554/camera/trackID=3", "rtsp://127.0.0.1:554/camera/trackID=4"),
                "1920x1080", "231970"),
            Arguments.of("luckfox-udp", "udp", "rtsp_wowza_bunny_describe.txt", "rtsp_luckfox_rkipc_setup_udp.txt",
                "rtsp_reolink_play.txt", List.of(wowza + "trackID=1", wowza + "trackID=2"), "240x160", "12345678"),
            Arguments.of("ubiquiti-udp", "udp", "sdp_ubiquiti.sdp", null, null,
                List.of(BASE + "/trackID=0", BASE + "/trackID=2"), "1920x1080", "4242"));
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("vendors")
    void shouldAcceptTheCameraAnswersAndPassItsVideo(
        final String vendor,
        final String transport,
        final String describe,
        final String setups,
        final String play,
        final List<String> setupUrls,
        final String sdpSize,
        final String sessionId) throws Exception
    {
        final List<byte[]> video = FakeRtspCamera.wowzaVideo();
        final String sdp = FakeRtspCamera.sampleBody(describe);
        assertEquals(sdpSize, sdpVideoSize(sdp), vendor + ": the size the sample's SDP declares");
        try (FakeRtspCamera camera = camera(describe, setups, play, sdp, video))
        {
            try (TestServer server = TestServer.start(temp.resolve("rec"),
                "--cameras.cam1.source=rtsp://u:p@127.0.0.1:" + camera.port() + "/stream",
                "--cameras.cam1.transport=" + transport))
            {
                final CameraPuller puller = server.server().pullers().find("cam1");
                Await.until(Duration.ofSeconds(15), () -> puller.packets() >= video.size(),
                    () -> vendor + ": puller " + puller.json() + "\nrequests: " + camera.requests);
                final LiveStream stream = server.server().hub().find("live/cam1");
                Await.until(Duration.ofSeconds(10), () -> stream.metrics().ingestFrames.sum() >= 10,
                    () -> vendor + ": frames " + stream.metrics().ingestFrames.sum() + " " + puller.json());
                assertEquals(PullState.ONLINE, puller.state(), puller.json());
                assertEquals(0, puller.reconnects(), puller.json());
                assertEquals(1, camera.connections.get(), vendor + ": one connection");
                assertEquals(transport, puller.transportInUse(), puller.json());
                assertEquals(1, camera.requests("PLAY").size(), vendor + ": " + camera.requests);

                final List<String> setupUris = camera.requests("SETUP").stream().map(FakeRtspCamera.Request::uri)
                    .toList();
                assertEquals(expand(setupUrls, camera.port()), setupUris, vendor + ": SETUPs");
                assertNull(camera.requests("SETUP").get(0).header("Session"), vendor + ": first SETUP has no Session");

                final TrackFormat format = stream.format(TrackFormat.VIDEO_TRACK);
                assertNotNull(format, vendor);
                assertEquals(CodecId.H264, format.codec(), vendor);
                assertEquals("240x160", format.width() + "x" + format.height(), vendor + ": in-band SPS wins");

                // Stop publishing and let the consumers drain the ring before the server closes.
                puller.stop();
                assertTrue(puller.awaitStopped(5_000), puller.json());
                Await.until(Duration.ofSeconds(5), () -> stream.ringLag() == 0, () -> "ring lag " + stream.ringLag());
                final List<FakeRtspCamera.Request> teardowns = camera.requests("TEARDOWN");
                assertEquals(1, teardowns.size(), vendor + ": " + camera.requests);
                assertEquals(sessionId, teardowns.get(0).header("Session"), vendor + ": TEARDOWN's Session");
                assertEquals(camera.requests("PLAY").get(0).uri(), teardowns.get(0).uri(), vendor + ": aggregate URL");
                assertJournalVideo(server, vendor, stream.metrics().ingestFrames.sum());
            }
        }
    }

    private static FakeRtspCamera camera(
        final String describe,
        final String setups,
        final String play,
        final String sdp,
        final List<byte[]> video) throws IOException
    {
        final FakeRtspCamera camera = new FakeRtspCamera()
            .sdp(sdp)
            .head("OPTIONS", FakeRtspCamera.sampleHead("rtsp_dahua_options.txt"))
            .head("TEARDOWN", FakeRtspCamera.sampleHead("rtsp_reolink_teardown.txt"))
            .media("video", new FakeRtspCamera.Media(video, 90_000, -1, false))
            .speed(50);
        if (!describe.endsWith(".sdp"))
        {
            camera.describeHead(FakeRtspCamera.sampleHead(describe));
        }
        else
        {
            camera.describeHead("RTSP/1.0 200 OK\r\nContent-Type: application/sdp\r\n");
        }

        if (setups != null)
        {
            final String[] files = setups.split(",");
            final String[] heads = new String[files.length];
            for (int i = 0; i < files.length; i++)
            {
                heads[i] = FakeRtspCamera.sampleHead(files[i]);
            }

            camera.setupHeads(heads);
        }

        if (play != null)
        {
            camera.head("PLAY", FakeRtspCamera.sampleHead(play));
        }

        return camera.start();
    }

    /**
     * Every video unit the journal holds carries the in-band format; all units published were recorded.
     */
    private static void assertJournalVideo(final TestServer server, final String vendor, final long published)
    {
        final CameraJournal journal = server.server().recording().journal("cam1");
        final long[] counts = new long[2];
        Await.until(Duration.ofSeconds(10), () ->
        {
            counts[0] = 0;
            counts[1] = 0;
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
            {
                if (trackId == TrackFormat.VIDEO_TRACK)
                {
                    counts[0]++;
                    if (format == null || format.codec() != CodecId.H264 || format.width() != 240 ||
                        format.height() != 160)
                    {
                        counts[1]++;
                    }
                }
            });
            return counts[0] >= published;
        }, () -> vendor + ": journal holds " + counts[0] + " of " + published + " units");
        assertEquals(published, counts[0], vendor + ": recorded video units");
        assertEquals(0, counts[1], vendor + ": recorded units without the in-band 240x160 format");
    }

    private static List<String> expand(final List<String> urls, final int port)
    {
        final List<String> out = new ArrayList<>();
        for (final String url : urls)
        {
            out.add(url.replace("{port}", Integer.toString(port)));
        }

        return out;
    }

    /**
     * @return the width x height of the SDP's first H.264 sprop SPS, or null when it has none.
     */
    private static String sdpVideoSize(final String sdp)
    {
        for (final SdpMedia media : Sdp.parse(sdp).media())
        {
            if ("video".equals(media.type().toLowerCase(Locale.ROOT)) && "H264".equalsIgnoreCase(media.encodingName()))
            {
                final H264RtpDepacketizer depacketizer = new H264RtpDepacketizer(UnpooledByteBufAllocator.DEFAULT,
                    new RtpAccessUnitHandler()
                    {
                        @Override
                        public void onFormat(final TrackFormat format)
                        {
                        }

                        @Override
                        public void onAccessUnit(final long rtpTimestamp, final int flags, final ByteBuf accessUnit)
                        {
                        }
                    });
                final List<byte[]> sets = media.h264SpropParameterSets();
                if (sets == null || sets.isEmpty() || !depacketizer.configure(sets))
                {
                    return null;
                }

                final TrackFormat format = depacketizer.currentFormat();
                depacketizer.close();
                return format.width() + "x" + format.height();
            }
        }

        return null;
    }
}
