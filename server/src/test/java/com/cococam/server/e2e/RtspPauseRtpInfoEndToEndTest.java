package com.cococam.server.e2e;

import com.cococam.protocols.rtsp.RtpInfo;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A hand-written RTSP player against the real server (an RTMP test pattern published with ffmpeg): the PLAY
 * answer comes before any media and its RTP-Info names the first packet of each track; PAUSE stops the media at
 * once; a second PLAY resumes at a keyframe with a fresh RTP-Info; a player that stops talking is closed after
 * {@code rtsp.sessionTimeoutSeconds}.
 */
@Timeout(120)
class RtspPauseRtpInfoEndToEndTest
{
    private static final String PATH = "live/cam1";

    @TempDir
    Path temp;

    private TestServer server;
    private Process publisher;

    @AfterEach
    void stop()
    {
        if (publisher != null)
        {
            publisher.destroyForcibly();
        }

        if (server != null)
        {
            server.close();
        }
    }

    @Test
    void shouldAnswerPlayWithRtpInfoPauseResumeAtAKeyframeAndTimeOutASilentPlayer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--rtsp.sessionTimeoutSeconds=3");
        publisher = TestServer.publishTestPattern(server.publishUrl(PATH, TestServer.KEY1), 60, "libx264",
            List.of("-bf", "2"), temp.resolve("publisher.log"));
        RtspSupport.awaitLive(server, PATH);
        final String url = server.rtspUrl(PATH);

        try (RawRtspPlayer player = new RawRtspPlayer(server.server().rtspPort()))
        {
            final RawRtspPlayer.Response describe = player.request("DESCRIBE", url, "Accept: application/sdp");
            assertEquals(200, describe.status());
            assertTrue(describe.body().contains("a=control:trackID=1"), describe.body());
            final RawRtspPlayer.Response video = player.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            assertEquals(200, video.status());
            final SessionHeader session = SessionHeader.parse(video.header("Session"));
            assertEquals(3, session.timeoutSec(), "the configured timeout is announced");
            assertEquals(200, player.request("SETUP", url + "/trackID=1",
                "Transport: RTP/AVP/TCP;unicast;interleaved=2-3", "Session: " + session.id()).status());

            // First PLAY: the answer before any media, its RTP-Info matching the first packet of each track.
            final RawRtspPlayer.Response play = player.request("PLAY", url, "Session: " + session.id(),
                "Range: npt=0.000-");
            assertPlayAnswerMatchesFirstPackets(player, url, play);

            // PAUSE: nothing after its answer (the server writes the answer after the last frame it sends).
            final RawRtspPlayer.Response pause = player.request("PAUSE", url, "Session: " + session.id());
            assertEquals(200, pause.status());
            final long pausedAt = System.nanoTime();
            assertNull(player.nextFrame(1_500), "no media after the PAUSE answer");
            assertTrue(System.nanoTime() - pausedAt >= 1_400_000_000L);
            assertEquals(200, player.request("GET_PARAMETER", url, "Session: " + session.id()).status(),
                "the paused session is alive");

            // Second PLAY: fresh RTP-Info, resuming at a keyframe.
            final RawRtspPlayer.Response resume = player.request("PLAY", url, "Session: " + session.id());
            final RawRtspPlayer.Frame firstVideo = assertPlayAnswerMatchesFirstPackets(player, url, resume);
            final int nal = firstVideo.h264NalType();
            assertTrue(nal == 7 || nal == 5, "resumes with parameter sets or an IDR slice, got NAL type " + nal);

            // Silence: no request, no RTCP. The server closes the session after about 3 s.
            final long silentSince = System.nanoTime();
            assertTrue(player.awaitClosed(10_000), "a silent player is closed");
            final double silentSeconds = (System.nanoTime() - silentSince) / 1e9;
            assertTrue(silentSeconds >= 2.5 && silentSeconds < 6.0, "closed after " + silentSeconds + " s");
        }
    }

    private static RawRtspPlayer.Frame assertPlayAnswerMatchesFirstPackets(
        final RawRtspPlayer player,
        final String url,
        final RawRtspPlayer.Response play) throws Exception
    {
        assertEquals(200, play.status());
        assertTrue(play.framesBefore().isEmpty(), "no media before the PLAY answer: " + play.framesBefore().size());
        final String header = play.header("RTP-Info");
        assertNotNull(header, "RTP-Info in " + play.headers());
        final Map<String, RtpInfo> byUrl = new HashMap<>();
        for (final RtpInfo info : RtpInfo.parseList(header))
        {
            byUrl.put(info.url(), info);
        }

        final RtpInfo videoInfo = byUrl.get(url + "/trackID=0");
        assertNotNull(videoInfo, "video entry in " + header);
        final Map<Integer, RawRtspPlayer.Frame> first = new HashMap<>();
        final boolean audioListed = byUrl.containsKey(url + "/trackID=1");
        for (int i = 0; i < 2_000 && !(first.containsKey(0) && (!audioListed || first.containsKey(2))); i++)
        {
            final RawRtspPlayer.Frame frame = player.nextFrame(5_000);
            assertNotNull(frame, "media after PLAY");
            if (frame.channel() % 2 == 0)
            {
                first.putIfAbsent(frame.channel(), frame);
            }
        }

        final RawRtspPlayer.Frame video = first.get(0);
        assertEquals(videoInfo.seq(), video.seq(), "video seq in " + header);
        assertEquals(videoInfo.rtpTime(), video.rtpTime(), "video rtptime in " + header);
        final RtpInfo audioInfo = byUrl.get(url + "/trackID=1");
        if (audioInfo != null)
        {
            final RawRtspPlayer.Frame audio = first.get(2);
            assertEquals(audioInfo.seq(), audio.seq(), "audio seq in " + header);
            assertEquals(audioInfo.rtpTime(), audio.rtpTime(), "audio rtptime in " + header);
        }

        System.out.println("PLAY RTP-Info: " + header);
        return video;
    }
}
