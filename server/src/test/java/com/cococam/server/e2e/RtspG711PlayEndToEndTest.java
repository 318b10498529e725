package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtsp.SessionHeader;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.JournalScan;
import com.cococam.server.testing.TestServer;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * G.711 out over RTSP: ffmpeg publishes H.264 with A-law or mu-law noise over RTMP (FLV sound format 7/8), and
 * RTSP players get the G.711 as it came, not transcoded. ffprobe over RTSP sees pcm_alaw/pcm_mulaw at 8 kHz mono,
 * with as much audio as video in what it read; a hand-written player sees the static payload type (8 or 0,
 * RFC 3551) in SDP and RTP, timestamps that advance by one per sample, and every sample from its join to the end
 * of the publish, byte for byte the G.711 the journal recorded.
 */
@Timeout(150)
class RtspG711PlayEndToEndTest
{
    private static final int SECONDS = 8;

    @TempDir
    Path temp;

    private TestServer server;

    @BeforeEach
    void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"));
    }

    @AfterEach
    void stopServer()
    {
        server.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"pcm_alaw, G711A, PCMA, 8, cam1, key1", "pcm_mulaw, G711U, PCMU, 0, cam2, key2"})
    void shouldPassG711ThroughToRtspPlayers(
        final String encoder,
        final CodecId codec,
        final String encoding,
        final int payloadType,
        final String camera,
        final String key) throws Exception
    {
        final String path = "live/" + camera;
        final Path log = temp.resolve("publisher.log");
        // Noise rather than a tone: a tone's G.711 repeats every few hundred bytes, noise tells where a run sits.
        final Process publisher = Peers.start(log, List.of(Peers.ffmpeg(), "-hide_banner", "-nostats", "-loglevel",
            "warning", "-re", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-f", "lavfi", "-i",
            "anoisesrc=sample_rate=8000:amplitude=0.3:seed=711", "-t", Integer.toString(SECONDS), "-c:v", "libx264",
            "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p", "-c:a", encoder, "-ar", "8000", "-ac", "1",
            "-f", "flv", server.publishUrl(path, key)));
        RtspSupport.awaitLive(server, path);

        final Path probeOut = temp.resolve("probe.txt");
        final Process probe = Peers.start(probeOut, List.of(Peers.ffprobe(), "-v", "error", "-rtsp_transport", "tcp",
            "-read_intervals", "%+4", "-count_frames", "-show_entries",
            "stream=codec_name,sample_rate,channels,nb_read_frames:packet=stream_index,size,duration_time", "-of",
            "flat", server.rtspUrl(path)));
        final byte[] received = playRaw(path, encoding, payloadType, publisher);
        assertEquals(0, TestServer.waitFor(publisher, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(log));

        assertEquals(0, TestServer.waitFor(probe, RtspSupport.PEER_TIMEOUT), () -> RtspSupport.read(probeOut));
        assertProbe(Peers.parseFlat(RtspSupport.read(probeOut)), encoder);

        // Pass-through: what the player got is a run of the recorded G.711, ending where the publish ended.
        final byte[] recorded = journalAudio(camera, codec);
        final int at = indexOf(recorded, received);
        assertTrue(at >= 0, "the RTSP audio is the recorded G.711, byte for byte (" + received.length + " of " +
            recorded.length + " bytes)");
        assertEquals(recorded.length, at + received.length, "every sample up to the end of the publish");
        // The player joins at most a second after the stream is live, at a keyframe (2 s GOP) before that.
        assertTrue(received.length >= (SECONDS - 3) * 8000, "samples played: " + received.length);
        System.out.println("rtsp g711 " + encoding + ": " + received.length + " samples (" +
            received.length / 8000.0 + " s) over RTSP of " + recorded.length + " recorded");
    }

    /**
     * Plays the path over TCP until the publisher has ended and the media stopped.
     *
     * @return the audio RTP payloads, joined.
     */
    private byte[] playRaw(final String path, final String encoding, final int payloadType, final Process publisher)
        throws Exception
    {
        final String url = server.rtspUrl(path);
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        final List<long[]> packets = new ArrayList<>();
        try (RawRtspPlayer player = new RawRtspPlayer(server.server().rtspPort()))
        {
            final RawRtspPlayer.Response describe = player.request("DESCRIBE", url, "Accept: application/sdp");
            assertEquals(200, describe.status());
            final String sdp = describe.body();
            assertTrue(sdp.contains("m=audio 0 RTP/AVP " + payloadType + "\r\n") &&
                sdp.contains("a=rtpmap:" + payloadType + " " + encoding + "/8000"), sdp);
            final RawRtspPlayer.Response video = player.request("SETUP", url + "/trackID=0",
                "Transport: RTP/AVP/TCP;unicast;interleaved=0-1");
            final String session = SessionHeader.parse(video.header("Session")).id();
            assertEquals(200, player.request("SETUP", url + "/trackID=1",
                "Transport: RTP/AVP/TCP;unicast;interleaved=2-3", "Session: " + session).status());
            assertEquals(200, player.request("PLAY", url, "Session: " + session).status());
            final long deadline = System.nanoTime() + Duration.ofSeconds(SECONDS + 30).toNanos();
            while (System.nanoTime() < deadline)
            {
                final RawRtspPlayer.Frame frame = player.nextFrame(1_000);
                if (frame == null)
                {
                    if (!publisher.isAlive())
                    {
                        break;
                    }

                    continue;
                }

                if (frame.channel() == 2)
                {
                    final byte[] data = frame.data();
                    assertEquals(payloadType, data[1] & 0x7F, "static payload type in RTP");
                    audio.write(data, 12, data.length - 12);
                    packets.add(new long[] {frame.rtpTime(), data.length - 12});
                }
            }
        }

        // RFC 3551 4.5.14: 8000 Hz, one octet per sample, the timestamp counts samples. FLV times are in ms, so
        // a unit may start up to half a millisecond (4 samples) off.
        assertTrue(packets.size() > 20, "audio packets: " + packets.size());
        for (int i = 1; i < packets.size(); i++)
        {
            final long step = (packets.get(i)[0] - packets.get(i - 1)[0]) & 0xFFFF_FFFFL;
            assertTrue(Math.abs(step - packets.get(i - 1)[1]) <= 4, "RTP time step " + step + " after " +
                packets.get(i - 1)[1] + " samples (packet " + i + ")");
        }

        return audio.toByteArray();
    }

    private static void assertProbe(final Map<String, String> probe, final String encoder)
    {
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals(encoder, probe.get("streams.stream.1.codec_name"), probe.toString());
        assertEquals("8000", probe.get("streams.stream.1.sample_rate"), probe.toString());
        assertEquals("1", probe.get("streams.stream.1.channels"), probe.toString());
        int audioPackets = 0;
        long audioBytes = 0;
        double audioSeconds = 0;
        int videoPackets = 0;
        for (int i = 0; probe.containsKey("packets.packet." + i + ".stream_index"); i++)
        {
            final String prefix = "packets.packet." + i + ".";
            if (probe.get(prefix + "stream_index").equals("1"))
            {
                final int size = Integer.parseInt(probe.get(prefix + "size"));
                audioPackets++;
                audioBytes += size;
                audioSeconds += Double.parseDouble(probe.get(prefix + "duration_time"));
                assertEquals(size / 8000.0, Double.parseDouble(probe.get(prefix + "duration_time")), 1e-6,
                    "one byte per sample at 8 kHz: " + prefix);
            }
            else
            {
                videoPackets++;
            }
        }

        assertEquals(audioPackets, Integer.parseInt(probe.get("streams.stream.1.nb_read_frames")), probe.toString());
        // Four seconds read from the last keyframe on: as much audio as video (25 fps).
        final double videoSeconds = videoPackets / 25.0;
        assertTrue(videoSeconds >= 3.5, "video read: " + videoSeconds + " s");
        assertEquals(videoSeconds, audioSeconds, 0.3, "audio read: " + audioBytes + " samples in " + audioPackets +
            " packets");
        System.out.println("rtsp g711 ffprobe: " + encoder + " 8000 Hz mono, " + audioPackets + " packets, " +
            audioBytes + " samples (" + audioSeconds + " s), " + videoPackets + " video frames");
    }

    /**
     * @return the G.711 bytes of the camera's journal, once it has the whole publish.
     */
    private byte[] journalAudio(final String camera, final CodecId codec)
    {
        final CameraJournal journal = server.server().recording().journal(camera);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Await.until(Duration.ofSeconds(10), () ->
        {
            bytes.reset();
            JournalScan.forEachUnit(journal, (format, trackId, flags, dts90k, payload) ->
            {
                if (trackId == TrackFormat.AUDIO_TRACK && format != null && format.codec() == codec)
                {
                    bytes.writeBytes(ByteBufUtil.getBytes(payload));
                }
            });

            return bytes.size() >= SECONDS * 8000 - 1024 &&
                server.server().hub().find("live/" + camera).ringLag() == 0;
        }, "journal caught up");
        return bytes.toByteArray();
    }

    private static int indexOf(final byte[] haystack, final byte[] needle)
    {
        for (int i = 0; i + needle.length <= haystack.length; i++)
        {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length))
            {
                return i;
            }
        }

        return -1;
    }
}
