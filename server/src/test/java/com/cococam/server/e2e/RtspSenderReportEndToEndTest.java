package com.cococam.server.e2e;

import com.cococam.codec.h264.CodecSamples;
import com.cococam.protocols.rtsp.RtpInfo;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.server.testing.RawRtmpClient;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RTCP sender reports of RTSP play, read by a hand-written player over TCP interleaved and over UDP. The publisher
 * is a hand-built RTMP stream ({@link RawRtmpClient}) sent in real time: H.264 at 25 fps (real SPS/PPS, slices
 * that carry their frame number) and AAC at 48 kHz (frames that carry theirs), so the player knows the source
 * time of every frame it gets. Asserted: every track gets sender reports with the SSRC of its RTP packets, one
 * about every 2 s of stream time, with an NTP time close to the wall clock, each in a compound packet with an SDES
 * CNAME shared by both tracks (RFC 3550 6.1, 6.5.1); the PLAY answer's RTP-Info names each
 * track's first packet; every frame from the joining keyframe on arrives with the RTP time its source time
 * gives; and mapping each frame's RTP time to NTP through any sender report of its track gives the same
 * NTP-minus-source-time offset, within 5 ms, for audio and video, which is what players need to line them up.
 */
@Timeout(120)
class RtspSenderReportEndToEndTest
{
    private static final String PATH = "live/cam1";
    private static final int SECONDS = 9;
    private static final int FPS = 25;
    private static final int GOP = 25;
    private static final int VIDEO_CLOCK = 90_000;
    private static final int AUDIO_CLOCK = 48_000;
    private static final int VIDEO_TRACK = 0;
    private static final int AUDIO_TRACK = 1;
    private static final long NTP_UNIX_OFFSET_SEC = 2_208_988_800L;
    private static final double MAX_AV_SPREAD_MS = 5;

    @TempDir
    Path temp;

    private TestServer server;
    private ExecutorService executor;

    /** One packet as the player got it. */
    private record Received(int track, boolean rtcp, byte[] data, long arrivalNs, long arrivalWallMs)
    {
        long ssrc()
        {
            return u32(data, rtcp ? 4 : 8);
        }

        long rtpTime()
        {
            return u32(data, 4);
        }

        int seq()
        {
            return (data[2] & 0xFF) << 8 | data[3] & 0xFF;
        }
    }

    /** One sender report (RFC 3550 6.4.1) and the CNAME of the SDES that follows it in the compound packet. */
    private record SenderReport(long ssrc, long ntp, long rtpTime, long packets, long octets, String cname,
        long arrivalNs, long arrivalWallMs)
    {
        /** @return the NTP time as seconds since 1970. */
        double unixSeconds()
        {
            return (ntp >>> 32) - NTP_UNIX_OFFSET_SEC + (ntp & 0xFFFF_FFFFL) / 4_294_967_296.0;
        }
    }

    /** What a play session got: the PLAY answer's RTP-Info by track and every packet in arrival order. */
    private record Capture(Map<Integer, RtpInfo> rtpInfo, List<Received> packets)
    {
    }

    @BeforeEach
    void start() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
        executor = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stop() throws Exception
    {
        executor.shutdownNow();
        executor.awaitTermination(10, TimeUnit.SECONDS);
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tcp", "udp"})
    void shouldSendSenderReportsThatPutAudioAndVideoOnOneClock(final String transport) throws Exception
    {
        final Future<?> publisher = executor.submit(() ->
        {
            publish();
            return null;
        });
        RtspSupport.awaitLive(server, PATH);

        final Capture capture = transport.equals("tcp") ? playTcp(publisher) : playUdp(publisher);
        publisher.get(10, TimeUnit.SECONDS);

        final long[] ssrc = new long[2];
        final List<List<SenderReport>> reports = new ArrayList<>();
        for (int track = 0; track < 2; track++)
        {
            ssrc[track] = assertRtpOfTrack(capture, track);
            reports.add(assertSenderReportsOfTrack(capture, track, ssrc[track]));
        }

        assertNotEquals(ssrc[VIDEO_TRACK], ssrc[AUDIO_TRACK], "one SSRC per track");
        // RFC 3550 6.5.1: one CNAME binds the SSRCs a receiver synchronizes.
        final String cname = reports.get(VIDEO_TRACK).get(0).cname();
        assertTrue(reports.stream().flatMap(List::stream).allMatch(r -> r.cname().equals(cname)),
            "one CNAME for both tracks: " + cname);
        assertOneClock(capture, reports);
    }

    /**
     * @return the track's SSRC, after checking its RTP: one SSRC, the RTP-Info, every frame from the first on
     *         with the RTP time of its source time.
     */
    private static long assertRtpOfTrack(final Capture capture, final int track)
    {
        final List<Received> rtp = capture.packets().stream().filter(p -> p.track() == track && !p.rtcp()).toList();
        assertTrue(rtp.size() > 50, "RTP packets of track " + track + ": " + rtp.size());
        final long ssrc = rtp.get(0).ssrc();
        assertTrue(rtp.stream().allMatch(p -> p.ssrc() == ssrc), "one SSRC on track " + track);
        for (int i = 1; i < rtp.size(); i++)
        {
            assertEquals((rtp.get(i - 1).seq() + 1) & 0xFFFF, rtp.get(i).seq(), "no gap in track " + track);
        }

        final RtpInfo info = capture.rtpInfo().get(track);
        assertNotNull(info, "RTP-Info of track " + track + ": " + capture.rtpInfo());
        assertEquals(info.seq(), rtp.get(0).seq(), "RTP-Info seq of track " + track);
        assertEquals(info.rtpTime(), rtp.get(0).rtpTime(), "RTP-Info rtptime of track " + track);

        final TreeMap<Integer, Long> frames = frameTimes(rtp, track);
        final int first = frames.firstKey();
        final int last = frames.lastKey();
        final int expectedLast = track == VIDEO_TRACK ? SECONDS * FPS - 1 : audioFrames() - 1;
        assertEquals(expectedLast, last, "the last frame of track " + track + " arrived");
        assertEquals(last - first + 1, frames.size(), "every frame from the first one on, track " + track);
        if (track == VIDEO_TRACK)
        {
            assertEquals(0, first % GOP, "the player starts at a keyframe: frame " + first);
        }

        // RTP time is the stream's 90 kHz time scaled to the track clock and rounded down: 48 kHz audio may be one
        // tick off the exact value.
        final int clock = track == VIDEO_TRACK ? VIDEO_CLOCK : AUDIO_CLOCK;
        for (final Map.Entry<Integer, Long> frame : frames.entrySet())
        {
            final long expected = frames.get(first) +
                (sourceMs(track, frame.getKey()) - sourceMs(track, first)) * clock / 1000;
            final int error = (int)(frame.getValue() - expected);
            assertTrue(Math.abs(error) <= (track == VIDEO_TRACK ? 0 : 1),
                "RTP time of frame " + frame.getKey() + ", track " + track + ": " + error + " ticks off");
        }

        System.out.println("rtsp sr: track " + track + ": frames " + first + ".." + last + ", ssrc " +
            Long.toHexString(ssrc));
        return ssrc;
    }

    private static List<SenderReport> assertSenderReportsOfTrack(final Capture capture, final int track,
        final long ssrc)
    {
        final List<SenderReport> reports = new ArrayList<>();
        for (final Received packet : capture.packets())
        {
            if (packet.track() == track && packet.rtcp())
            {
                reports.add(parseSenderReport(packet));
            }
        }

        // The viewer joins about 0.5 s in and reads to the end: 8.5 s of stream, a report every 2 s of it, and one
        // at the join.
        assertTrue(reports.size() >= 5, "sender reports of track " + track + ": " + reports.size());
        final int clock = track == VIDEO_TRACK ? VIDEO_CLOCK : AUDIO_CLOCK;
        final List<String> intervals = new ArrayList<>();
        for (int i = 0; i < reports.size(); i++)
        {
            final SenderReport report = reports.get(i);
            assertEquals(ssrc, report.ssrc(), "sender report SSRC of track " + track);
            final double ntpLagMs = report.arrivalWallMs() - report.unixSeconds() * 1000;
            assertTrue(Math.abs(ntpLagMs) < 1000, "NTP time near the wall clock: " + ntpLagMs + " ms off");
            if (i == 0)
            {
                continue;
            }

            final SenderReport previous = reports.get(i - 1);
            // Signed: the report sent at the join is at the stream's last DTS, which may be a few ms past the
            // track's next unit, where the first live report goes.
            final double rtpSeconds = (double)(int)(report.rtpTime() - previous.rtpTime()) / clock;
            final double ntpSeconds = report.unixSeconds() - previous.unixSeconds();
            final double wallSeconds = (report.arrivalNs() - previous.arrivalNs()) / 1e9;
            assertEquals(rtpSeconds, ntpSeconds, 0.001, "NTP and RTP time advance together, track " + track);
            assertTrue(report.packets() >= previous.packets() && report.octets() >= previous.octets(),
                "sender's packet and octet counts never go back: " + previous + " then " + report);
            // The first one comes with the joining viewer's first frames (the group's counts leave out the packets
            // replayed to a joining viewer); then one every 2 s of stream time, at the first frame at or past it
            // (40 ms steps for video, 21.3 ms for audio), the counts grown by the packets sent in between.
            if (i >= 2)
            {
                assertTrue(report.packets() > previous.packets() && report.octets() > previous.octets(),
                    "sender's packet and octet counts grow: " + previous + " then " + report);
                assertTrue(rtpSeconds >= 2.0 && rtpSeconds < 2.05, "interval of track " + track + ": " + rtpSeconds);
                assertEquals(rtpSeconds, wallSeconds, 0.5, "the publisher sends in real time");
            }

            intervals.add(String.format("%.3f s (wall %.3f s)", rtpSeconds, wallSeconds));
        }

        System.out.println("rtsp sr: track " + track + ": " + reports.size() + " reports, intervals " + intervals);
        return reports;
    }

    /**
     * For every frame and every sender report of its track: NTP time of the frame's RTP time minus the frame's
     * source time. One stream clock means one offset for all of them, whatever the track.
     */
    private static void assertOneClock(final Capture capture, final List<List<SenderReport>> reports)
    {
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        final double[][] perTrack = new double[2][];
        for (int track = 0; track < 2; track++)
        {
            final int clock = track == VIDEO_TRACK ? VIDEO_CLOCK : AUDIO_CLOCK;
            final int t = track;
            final TreeMap<Integer, Long> frames = frameTimes(capture.packets().stream()
                .filter(p -> p.track() == t && !p.rtcp()).toList(), track);
            double trackMin = Double.MAX_VALUE;
            double trackMax = -Double.MAX_VALUE;
            for (final SenderReport report : reports.get(track))
            {
                for (final Map.Entry<Integer, Long> frame : frames.entrySet())
                {
                    final long delta = (int)(frame.getValue() - report.rtpTime());
                    final double ntpMs = report.unixSeconds() * 1000 + delta * 1000.0 / clock;
                    final double offsetMs = ntpMs - sourceMs(track, frame.getKey());
                    trackMin = Math.min(trackMin, offsetMs);
                    trackMax = Math.max(trackMax, offsetMs);
                }
            }

            perTrack[track] = new double[] {trackMin, trackMax};
            min = Math.min(min, trackMin);
            max = Math.max(max, trackMax);
        }

        System.out.printf("rtsp sr: NTP minus source time, video %.3f..%.3f ms, audio %.3f..%.3f ms: spread %.3f ms%n",
            perTrack[0][0] - min, perTrack[0][1] - min, perTrack[1][0] - min, perTrack[1][1] - min, max - min);
        assertTrue(max - min <= MAX_AV_SPREAD_MS, "audio and video on one NTP clock: offsets spread over " +
            (max - min) + " ms (video " + Arrays.toString(perTrack[0]) + ", audio " + Arrays.toString(perTrack[1]) +
            ")");
    }

    /**
     * @return per frame number (read from the payload), the RTP time of its packets.
     */
    private static TreeMap<Integer, Long> frameTimes(final List<Received> rtp, final int track)
    {
        final TreeMap<Integer, Long> frames = new TreeMap<>();
        for (final Received packet : rtp)
        {
            final int frame = track == VIDEO_TRACK ? videoFrameNumber(packet.data()) : audioFrameNumber(packet.data());
            if (frame >= 0)
            {
                final Long before = frames.put(frame, packet.rtpTime());
                assertTrue(before == null, "frame " + frame + " of track " + track + " sent once");
            }
        }

        return frames;
    }

    /**
     * @return the frame number of the slice that starts in this packet (single NAL unit, first FU-A fragment or
     *         inside a STAP-A), or -1.
     */
    private static int videoFrameNumber(final byte[] rtp)
    {
        final int payload = 12;
        final int type = rtp[payload] & 0x1F;
        if (type == 1 || type == 5)
        {
            return sliceNumber(rtp, payload + 1);
        }

        if (type == 28 && (rtp[payload + 1] & 0x80) != 0 && ((rtp[payload + 1] & 0x1F) == 1 ||
            (rtp[payload + 1] & 0x1F) == 5))
        {
            return sliceNumber(rtp, payload + 2);
        }

        if (type == 24)
        {
            for (int at = payload + 1; at + 2 < rtp.length; )
            {
                final int size = (rtp[at] & 0xFF) << 8 | rtp[at + 1] & 0xFF;
                final int nal = rtp[at + 2] & 0x1F;
                if (nal == 1 || nal == 5)
                {
                    return sliceNumber(rtp, at + 3);
                }

                at += 2 + size;
            }
        }

        return -1;
    }

    private static int sliceNumber(final byte[] rtp, final int afterNalHeader)
    {
        assertEquals('C', rtp[afterNalHeader], "a slice of ours");
        return (int)u32(rtp, afterNalHeader + 1);
    }

    /**
     * @return the frame number of an mpeg4-generic packet (AU-headers-length 16, one 2-byte AU header, the frame).
     */
    private static int audioFrameNumber(final byte[] rtp)
    {
        assertEquals(0x0010, (rtp[12] & 0xFF) << 8 | rtp[13] & 0xFF, "one AU header");
        return (int)u32(rtp, 16);
    }

    /**
     * Parses an RTCP compound packet: an SR first, then an SDES whose chunk for the same SSRC has a CNAME (RFC 3550
     * 6.1), nothing left over.
     */
    private static SenderReport parseSenderReport(final Received packet)
    {
        final byte[] data = packet.data();
        assertEquals(2, (data[0] & 0xFF) >> 6, "RTCP version");
        assertEquals(200, data[1] & 0xFF, "a sender report first (RFC 3550 6.1)");
        final int srLength = ((data[2] & 0xFF) << 8 | data[3] & 0xFF) * 4 + 4;
        assertEquals(28, srLength, "sender report without report blocks");
        final long ssrc = u32(data, 4);
        final long ntp = u32(data, 8) << 32 | u32(data, 12);

        assertTrue(data.length >= srLength + 12, "an SDES follows the SR: " + data.length + " bytes");
        assertEquals(0x81, data[srLength] & 0xFF, "SDES version 2, one chunk");
        assertEquals(202, data[srLength + 1] & 0xFF, "SDES packet type");
        final int sdesLength = ((data[srLength + 2] & 0xFF) << 8 | data[srLength + 3] & 0xFF) * 4 + 4;
        assertEquals(data.length, srLength + sdesLength, "the compound packet ends with the SDES");
        assertEquals(ssrc, u32(data, srLength + 4), "the SDES chunk is the sender's");
        assertEquals(1, data[srLength + 8], "CNAME item first");
        final int cnameLength = data[srLength + 9] & 0xFF;
        assertTrue(cnameLength > 0, "a CNAME");
        final String cname = new String(data, srLength + 10, cnameLength, StandardCharsets.US_ASCII);
        assertEquals(0, data[srLength + 10 + cnameLength], "END item after the CNAME");
        return new SenderReport(ssrc, ntp, u32(data, 16), u32(data, 20), u32(data, 24), cname, packet.arrivalNs(),
            packet.arrivalWallMs());
    }

    private Capture playTcp(final Future<?> publisher) throws Exception
    {
        final String url = server.rtspUrl(PATH);
        final List<Received> packets = new ArrayList<>();
        try (RawRtspPlayer player = new RawRtspPlayer(server.server().rtspPort()))
        {
            final String session = setUp(player, url, "RTP/AVP/TCP;unicast;interleaved=0-1",
                "RTP/AVP/TCP;unicast;interleaved=2-3");
            final RawRtspPlayer.Response play = player.request("PLAY", url, "Session: " + session);
            assertEquals(200, play.status());
            assertTrue(play.framesBefore().isEmpty(), "no media before the PLAY answer");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS + 10);
            while (System.nanoTime() < deadline)
            {
                final RawRtspPlayer.Frame frame = player.nextFrame(1_000);
                if (frame == null)
                {
                    if (publisher.isDone())
                    {
                        break;
                    }

                    continue;
                }

                packets.add(new Received(frame.channel() / 2, frame.channel() % 2 == 1, frame.data(),
                    System.nanoTime(), System.currentTimeMillis()));
            }

            assertEquals(200, player.request("TEARDOWN", url, "Session: " + session).status());
            return new Capture(rtpInfo(play, url), packets);
        }
    }

    private Capture playUdp(final Future<?> publisher) throws Exception
    {
        final String url = server.rtspUrl(PATH);
        final List<Received> packets = Collections.synchronizedList(new ArrayList<>());
        final DatagramSocket[] sockets = new DatagramSocket[4];
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Future<?>> readers = new ArrayList<>();
        try (RawRtspPlayer player = new RawRtspPlayer(server.server().rtspPort()))
        {
            for (int i = 0; i < sockets.length; i++)
            {
                sockets[i] = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                sockets[i].setReceiveBufferSize(4 << 20);
                sockets[i].setSoTimeout(200);
                final DatagramSocket socket = sockets[i];
                final int index = i;
                readers.add(executor.submit(() ->
                {
                    receive(socket, index / 2, index % 2 == 1, packets, stop);
                    return null;
                }));
            }

            final String session = setUp(player, url,
                "RTP/AVP;unicast;client_port=" + sockets[0].getLocalPort() + "-" + sockets[1].getLocalPort(),
                "RTP/AVP;unicast;client_port=" + sockets[2].getLocalPort() + "-" + sockets[3].getLocalPort());
            final RawRtspPlayer.Response play = player.request("PLAY", url, "Session: " + session);
            assertEquals(200, play.status());
            publisher.get(SECONDS + 20, TimeUnit.SECONDS);
            // What the server still had queued when the publisher left.
            final long settleUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_000);
            while (System.nanoTime() < settleUntil)
            {
                LockSupport.parkNanos(settleUntil - System.nanoTime());
            }

            stop.set(true);
            for (final Future<?> reader : readers)
            {
                reader.get(5, TimeUnit.SECONDS);
            }

            assertEquals(200, player.request("TEARDOWN", url, "Session: " + session).status());
            final List<Received> ordered = new ArrayList<>(packets);
            ordered.sort((a, b) -> Long.compare(a.arrivalNs(), b.arrivalNs()));
            return new Capture(rtpInfo(play, url), ordered);
        }
        finally
        {
            stop.set(true);
            for (final DatagramSocket socket : sockets)
            {
                if (socket != null)
                {
                    socket.close();
                }
            }
        }
    }

    private static void receive(
        final DatagramSocket socket,
        final int track,
        final boolean rtcp,
        final List<Received> into,
        final AtomicBoolean stop) throws IOException
    {
        final byte[] buffer = new byte[65_536];
        while (!stop.get())
        {
            final DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
            try
            {
                socket.receive(datagram);
            }
            catch (final SocketTimeoutException ex)
            {
                continue;
            }

            into.add(new Received(track, rtcp, Arrays.copyOf(datagram.getData(), datagram.getLength()),
                System.nanoTime(), System.currentTimeMillis()));
        }
    }

    /**
     * DESCRIBE (video is track 0, AAC at 48 kHz track 1) and SETUP of both tracks.
     *
     * @return the session id.
     */
    private static String setUp(final RawRtspPlayer player, final String url, final String videoTransport,
        final String audioTransport) throws IOException
    {
        final RawRtspPlayer.Response describe = player.request("DESCRIBE", url, "Accept: application/sdp");
        assertEquals(200, describe.status());
        final String sdp = describe.body();
        assertTrue(sdp.indexOf("m=video") < sdp.indexOf("m=audio") && sdp.contains("a=control:trackID=0") &&
            sdp.contains("MPEG4-GENERIC/48000/1"), sdp);
        final RawRtspPlayer.Response video = player.request("SETUP", url + "/trackID=0",
            "Transport: " + videoTransport);
        assertEquals(200, video.status(), video.headers().toString());
        final String session = SessionHeader.parse(video.header("Session")).id();
        final RawRtspPlayer.Response audio = player.request("SETUP", url + "/trackID=1",
            "Transport: " + audioTransport, "Session: " + session);
        assertEquals(200, audio.status(), audio.headers().toString());
        return session;
    }

    private static Map<Integer, RtpInfo> rtpInfo(final RawRtspPlayer.Response play, final String url)
    {
        final String header = play.header("RTP-Info");
        assertNotNull(header, "RTP-Info in " + play.headers());
        final Map<Integer, RtpInfo> byTrack = new HashMap<>();
        for (final RtpInfo info : RtpInfo.parseList(header))
        {
            byTrack.put(info.url().equals(url + "/trackID=0") ? VIDEO_TRACK : AUDIO_TRACK, info);
        }

        return byTrack;
    }

    /**
     * Publishes {@link #SECONDS} s in real time: sequence headers, then video and audio tags in timestamp order.
     */
    private void publish() throws Exception
    {
        final int port = server.server().rtmpPort();
        try (RawRtmpClient client = RawRtmpClient.open(port, 0))
        {
            client.startPublishing(port, "live", "cam1?key=" + TestServer.KEY1);
            assertTrue(client.readUntil("NetStream.Publish.Start", Duration.ofSeconds(10)), "publish accepted");
            client.setChunkSize(4096);
            client.sendMessage(RawRtmpClient.VIDEO_CSID, 9, RawRtmpClient.MEDIA_STREAM_ID, 0, videoSequenceHeader());
            // AudioSpecificConfig: AAC LC (2), 48 kHz (index 3), mono.
            client.sendMessage(RawRtmpClient.AUDIO_CSID, 8, RawRtmpClient.MEDIA_STREAM_ID, 0,
                new byte[] {(byte)0xAF, 0, 0x11, (byte)0x88});
            final long startNs = System.nanoTime();
            int video = 0;
            int audio = 0;
            while (video < SECONDS * FPS || audio < audioFrames())
            {
                final boolean isVideo = audio >= audioFrames() ||
                    video < SECONDS * FPS && sourceMs(VIDEO_TRACK, video) <= sourceMs(AUDIO_TRACK, audio);
                final long ms = isVideo ? sourceMs(VIDEO_TRACK, video) : sourceMs(AUDIO_TRACK, audio);
                final long dueNs = startNs + ms * 1_000_000;
                long waitNs;
                while ((waitNs = dueNs - System.nanoTime()) > 0)
                {
                    LockSupport.parkNanos(waitNs);
                }

                if (isVideo)
                {
                    client.sendMessage(RawRtmpClient.VIDEO_CSID, 9, RawRtmpClient.MEDIA_STREAM_ID, ms,
                        videoTag(video++));
                }
                else
                {
                    client.sendMessage(RawRtmpClient.AUDIO_CSID, 8, RawRtmpClient.MEDIA_STREAM_ID, ms,
                        audioTag(audio++));
                }
            }

            client.sendCommand(RawRtmpClient.MEDIA_STREAM_ID, RawRtmpClient.Amf0.string("deleteStream"),
                RawRtmpClient.Amf0.number(0), RawRtmpClient.Amf0.nul(), RawRtmpClient.Amf0.number(1));
        }
    }

    private static int audioFrames()
    {
        return SECONDS * AUDIO_CLOCK / 1024;
    }

    /**
     * @return the FLV timestamp of a frame: 40 ms steps for video, 1024 samples at 48 kHz (rounded to the
     *         millisecond as FLV does) for audio.
     */
    private static long sourceMs(final int track, final int frame)
    {
        return track == VIDEO_TRACK ? frame * 1000L / FPS : Math.round(frame * 1024 * 1000.0 / AUDIO_CLOCK);
    }

    /**
     * An AVC NALU tag: one slice, IDR every {@link #GOP} frames (4000 bytes, so it is fragmented), else a 700-byte
     * non-IDR slice; after the NAL header, 'C' and the frame number.
     */
    private static byte[] videoTag(final int frame)
    {
        final boolean key = frame % GOP == 0;
        final byte[] nal = new byte[key ? 4000 : 700];
        Arrays.fill(nal, (byte)(0x10 + frame % 0x60));
        nal[0] = (byte)(key ? 0x65 : 0x41);
        nal[1] = 'C';
        putU32(nal, 2, frame);
        final ByteArrayOutputStream body = new ByteArrayOutputStream(nal.length + 9);
        body.write(key ? 0x17 : 0x27);
        body.writeBytes(new byte[] {1, 0, 0, 0});
        final byte[] length = new byte[4];
        putU32(length, 0, nal.length);
        body.writeBytes(length);
        body.writeBytes(nal);
        return body.toByteArray();
    }

    /**
     * A raw AAC tag of 200 bytes whose frame starts with the frame number.
     */
    private static byte[] audioTag(final int frame)
    {
        final byte[] body = new byte[202];
        Arrays.fill(body, (byte)0x21);
        body[0] = (byte)0xAF;
        body[1] = 1;
        putU32(body, 2, frame);
        return body;
    }

    /**
     * @return an AVC sequence header tag with the first SPS and PPS of a real encoder's stream.
     */
    private static byte[] videoSequenceHeader()
    {
        byte[] sps = null;
        byte[] pps = null;
        for (final byte[] nal : CodecSamples.nals(CodecSamples.bytes("h264_srs_avatar.h264")))
        {
            final int type = nal[0] & 0x1F;
            if (type == 7 && sps == null)
            {
                sps = nal;
            }
            else if (type == 8 && pps == null)
            {
                pps = nal;
            }
        }

        assertNotNull(sps);
        assertNotNull(pps);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0x17, 0, 0, 0, 0, 1, sps[1], sps[2], sps[3], (byte)0xFF, (byte)0xE1});
        body.write(sps.length >>> 8);
        body.write(sps.length);
        body.writeBytes(sps);
        body.write(1);
        body.write(pps.length >>> 8);
        body.write(pps.length);
        body.writeBytes(pps);
        return body.toByteArray();
    }

    private static void putU32(final byte[] bytes, final int at, final long value)
    {
        bytes[at] = (byte)(value >>> 24);
        bytes[at + 1] = (byte)(value >>> 16);
        bytes[at + 2] = (byte)(value >>> 8);
        bytes[at + 3] = (byte)value;
    }

    private static long u32(final byte[] bytes, final int at)
    {
        return ((long)(bytes[at] & 0xFF) << 24 | (bytes[at + 1] & 0xFF) << 16 | (bytes[at + 2] & 0xFF) << 8 |
            bytes[at + 3] & 0xFF) & 0xFFFF_FFFFL;
    }
}
