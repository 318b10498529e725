package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.rtp.H264RtpDepacketizer;
import com.cococam.codec.rtp.RtpPacket;
import com.cococam.codec.rtp.RtpWrapResult;
import com.cococam.codec.testing.Peers;
import com.cococam.server.pull.CameraPuller;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.JournalScan;
import com.cococam.server.testing.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captured RTP through the whole pull path: the fake camera ({@link FakeRtspCamera}) describes the capture's own SDP
 * ({@code sdp_h264_no_sprop.sdp}, no parameter sets) plus a G.711 A-law track, and sends over TCP interleaved the
 * 3,896 H.264 packets of {@code pcap_sip_h264_rtp_90s.pcap} (one packet lost in the capture) and the 236 PCMA packets
 * of {@code pcap_pcma_rtp.pcap}, paced by their timestamps at 15 times real time. The access units that reach the
 * stream and the journal must be exactly those the codec's depacketizer gets from the same packets (1,910 video,
 * as in {@code RtpCapturesTest}; 236 audio), the loss must be counted, and the video format must come from the
 * in-band SPS (640x480).
 */
@Timeout(120)
class RtspPullCaptureReplayTest
{
    private static final Pattern VIDEO_TRACK = Pattern.compile(
        "\\{\"type\":\"video\",\"codec\":\"H264\",\"packets\":(\\d+),\"units\":(\\d+),\"droppedUnits\":(\\d+)," +
        "\"lostPackets\":(\\d+)\\}");

    @TempDir
    Path temp;

    @Test
    void shouldDeliverEveryAccessUnitOfTheCapturesAndCountTheLoss() throws Exception
    {
        final List<byte[]> video = FakeRtspCamera.pcapUdpPayloads(Peers.sample("pcap_sip_h264_rtp_90s.pcap"));
        final List<byte[]> audio = FakeRtspCamera.pcapUdpPayloads(Peers.sample("pcap_pcma_rtp.pcap"));
        final long[] codec = codecLevel(video);
        assertEquals(3_896, video.size());
        assertEquals(236, audio.size());
        assertEquals(1_910, codec[0], "units, as RtpCapturesTest gets them");
        assertEquals(1, codec[1], "lost packets");
        final String sdp = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=capture\r\nt=0 0\r\n" +
            FakeRtspCamera.sampleBody("sdp_h264_no_sprop.sdp").strip() + "\r\na=control:trackID=0\r\n" +
            "m=audio 0 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\na=control:trackID=1\r\n";

        try (FakeRtspCamera camera = new FakeRtspCamera().sdp(sdp)
            .media("video", new FakeRtspCamera.Media(video, 90_000, -1, false))
            .media("audio", new FakeRtspCamera.Media(audio, 8_000, -1, false))
            .speed(15)
            .start();
             TestServer server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=rtsp://127.0.0.1:" +
                 camera.port() + "/stream", "--cameras.cam1.transport=tcp"))
        {
            final CameraPuller puller = server.server().pullers().find("cam1");
            Await.until(Duration.ofSeconds(30), () -> puller.packets() == video.size() + audio.size(),
                () -> "packets " + puller.packets() + ", sent " + camera.rtpSent + ": " + puller.json());
            final LiveStream stream = server.server().hub().find("live/cam1");
            final TrackFormat format = stream.format(TrackFormat.VIDEO_TRACK);
            assertEquals(CodecId.H264, format.codec());
            assertEquals("640x480", format.width() + "x" + format.height(), "from the in-band SPS");

            // The end of the session hands over the frames still in the reorder window.
            puller.stop();
            assertTrue(puller.awaitStopped(5_000), puller.json());
            Await.until(Duration.ofSeconds(10), () -> stream.ringLag() == 0, () -> "ring lag " + stream.ringLag());

            final String status = puller.json();
            System.out.println("capture replay: " + status);
            final Matcher track = VIDEO_TRACK.matcher(status);
            assertTrue(track.find(), status);
            assertEquals(video.size(), Long.parseLong(track.group(1)), status);
            assertEquals(codec[0], Long.parseLong(track.group(2)), "video units: " + status);
            assertEquals(codec[2], Long.parseLong(track.group(3)), "broken + skipped units: " + status);
            assertEquals(1, Long.parseLong(track.group(4)), status);
            assertEquals(1, puller.lostPackets(), status);
            assertEquals(0, stream.metrics().ringDrops.sum());
            assertEquals(codec[0] + audio.size(), stream.metrics().ingestFrames.sum(), "units published");
            assertEquals(List.of(codec[0], (long)audio.size()), journalUnits(server, codec[0] + audio.size()));
        }
    }

    /**
     * @return {units, lost packets, broken + skipped units} of the codec's H.264 depacketizer over the packets.
     */
    private static long[] codecLevel(final List<byte[]> packets)
    {
        final long[] units = new long[1];
        final H264RtpDepacketizer depacketizer = new H264RtpDepacketizer(UnpooledByteBufAllocator.DEFAULT,
            (rtpTimestamp, flags, accessUnit) -> units[0]++);
        final RtpPacket view = new RtpPacket();
        for (final byte[] bytes : packets)
        {
            final ByteBuf buffer = Unpooled.wrappedBuffer(bytes);
            if (view.wrap(buffer) == RtpWrapResult.OK)
            {
                depacketizer.onPacket(view);
            }

            buffer.release();
        }

        depacketizer.flush();
        final long[] out = {units[0], depacketizer.sequence().lost(),
            depacketizer.brokenAccessUnits() + depacketizer.skippedAccessUnits()};
        depacketizer.close();
        return out;
    }

    /**
     * @return [video units, audio units] in the journal once it holds {@code total}.
     */
    private static List<Long> journalUnits(final TestServer server, final long total)
    {
        final CameraJournal journal = server.server().recording().journal("cam1");
        final long[] counts = new long[2];
        Await.until(Duration.ofSeconds(10), () ->
        {
            counts[0] = 0;
            counts[1] = 0;
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
                counts[trackId == TrackFormat.VIDEO_TRACK ? 0 : 1]++);
            return counts[0] + counts[1] >= total;
        }, () -> "journal holds " + counts[0] + " + " + counts[1] + " of " + total);
        return List.of(counts[0], counts[1]);
    }
}
