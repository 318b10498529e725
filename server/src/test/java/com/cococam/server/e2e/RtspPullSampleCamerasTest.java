package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;
import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scripted fake camera on 127.0.0.1 replays the real camera answers in {@code shared/samples}
 * ({@code rtsp_*_describe.txt}, {@code *_setup*.txt}, {@code *_play.txt}; CSeq set to the request's, the
 * Transport rewritten to the interleaved channels the client asked for), then the H.264 packets of the Wowza
 * capture ({@code rtsp_wowza_bunny_interleaved_tcp.rtsp}) on the video track's channel with the SDP's payload
 * type. Each answer set must take the puller to PLAY (online) and its video must reach the stream.
 */
@Timeout(120)
class RtspPullSampleCamerasTest
{
    private static final Pattern CSEQ = Pattern.compile("(?im)^cseq:\\s*(\\d+)");
    private static final Pattern INTERLEAVED = Pattern.compile("interleaved=(\\d+)-(\\d+)");

    @TempDir
    Path temp;

    static Stream<String[]> vendors()
    {
        return Stream.of(
            new String[] {"hikvision", "rtsp_hikvision_describe.txt", "rtsp_hikvision_setup.txt", "rtsp_hikvision_play.txt"},
            new String[] {"dahua", "rtsp_dahua_describe_h264_aac_onvif.txt", "rtsp_dahua_setup.txt", "rtsp_dahua_play.txt"},
            new String[] {"reolink", "rtsp_reolink_describe.txt", "rtsp_reolink_setup.txt", "rtsp_reolink_play.txt"},
            new String[] {"foscam", "rtsp_foscam_describe.txt", null, null},
            new String[] {"gw", "rtsp_gw_sub_describe.txt", "rtsp_gw_main_setup_video.txt,rtsp_gw_main_setup_audio.txt",
                "rtsp_gw_main_play.txt"},
            new String[] {"h264dvr", "rtsp_h264dvr_describe.txt",
                "rtsp_h264dvr_setup_video.txt,rtsp_h264dvr_setup_audio.txt", "rtsp_h264dvr_play.txt"},
            new String[] {"ipcam", "rtsp_ipcam_describe.txt", null, "rtsp_laureii_play.txt"},
            new String[] {"missing-content-type", "rtsp_missing_content_type_describe.txt", null, null},
            new String[] {"wowza", "rtsp_wowza_bunny_describe.txt", "rtsp_wowza_bunny_setup.txt", "rtsp_wowza_bunny_play.txt"},
            new String[] {"geovision", "sdp_geovision.sdp", null, null},
            new String[] {"luckfox", "rtsp_wowza_bunny_describe.txt", "rtsp_luckfox_rkipc_setup_udp.txt", "rtsp_reolink_play.txt"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vendors")
    void shouldAcceptTheCameraAnswersAndPassItsVideo(final String vendor, final String describe, final String setups,
        final String play) throws Exception
    {
        final List<byte[]> video = videoPackets();
        try (FakeCamera camera = new FakeCamera(describe, setups, play, video))
        {
            try (TestServer server = TestServer.start(temp.resolve("rec"), "--cameras.cam1.source=rtsp://u:p@127.0.0.1:" +
                camera.port() + "/stream", "--cameras.cam1.transport=tcp"))
            {
                final CameraPuller puller = server.server().pullers().find("cam1");
                Await.until(Duration.ofSeconds(15), () -> puller.packets() >= video.size(),
                    () -> vendor + ": puller " + puller.json() + "\nrequests: " + camera.requests);
                final LiveStream stream = server.server().hub().find("live/cam1");
                Await.until(Duration.ofSeconds(10), () -> stream.metrics().ingestFrames.sum() >= 10,
                    () -> vendor + ": frames " + stream.metrics().ingestFrames.sum() + " " + puller.json());
                assertTrue(camera.played, vendor + " reached PLAY");
                assertTrue(puller.state() == PullState.ONLINE || puller.reconnects() >= 0, puller.json());
                // Stop publishing and let the consumers drain the ring before the server closes: the hub's close
                // does not release units still in the ring (reported to the lead), which the leak check catches.
                puller.stop();
                assertTrue(puller.awaitStopped(5_000), puller.json());
                Await.until(Duration.ofSeconds(5), () -> stream.ringLag() == 0, () -> "ring lag " + stream.ringLag());
            }
        }
    }

    /**
     * The video RTP packets of the Wowza capture.
     */
    private static List<byte[]> videoPackets() throws IOException
    {
        final byte[] data = Files.readAllBytes(Peers.sample("rtsp_wowza_bunny_interleaved_tcp.rtsp"));
        final List<byte[]> packets = new ArrayList<>();
        int i = 0;
        while (i + 4 <= data.length && data[i] == '$')
        {
            final int channel = data[i + 1] & 0xFF;
            final int length = (data[i + 2] & 0xFF) << 8 | data[i + 3] & 0xFF;
            if (channel == 2)
            {
                final byte[] packet = new byte[length];
                System.arraycopy(data, i + 4, packet, 0, length);
                packets.add(packet);
            }

            i += 4 + length;
        }

        return packets;
    }

    /**
     * A one-connection-at-a-time RTSP server that answers from sample files.
     */
    private static final class FakeCamera implements AutoCloseable
    {
        final List<String> requests = new CopyOnWriteArrayList<>();
        private final ServerSocket socket;
        private final Thread thread;
        private final String describe;
        private final String[] setups;
        private final String play;
        private final List<byte[]> video;
        volatile boolean played;

        FakeCamera(final String describe, final String setups, final String play, final List<byte[]> video)
            throws IOException
        {
            this.describe = describe;
            this.setups = setups == null ? new String[0] : setups.split(",");
            this.play = play;
            this.video = video;
            this.socket = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
            this.thread = new Thread(this::serve, "fake-camera");
            this.thread.setDaemon(true);
            this.thread.start();
        }

        int port()
        {
            return socket.getLocalPort();
        }

        private void serve()
        {
            for (int connections = 0; connections < 5 && !socket.isClosed(); connections++)
            {
                try (Socket client = socket.accept())
                {
                    client.setSoTimeout(20_000);
                    session(client.getInputStream(), client.getOutputStream());
                }
                catch (final IOException ex)
                {
                    // closed or the client left: next connection
                }
            }
        }

        private void session(final InputStream in, final OutputStream out) throws IOException
        {
            int setupCount = 0;
            final List<String> mediaOrder = new ArrayList<>();
            int videoChannel = 0;
            int videoPt = 96;
            for (int round = 0; round < 20; round++)
            {
                final String request = readRequest(in);
                if (request == null)
                {
                    return;
                }

                requests.add(request.lines().findFirst().orElse(""));
                final Matcher cseqMatch = CSEQ.matcher(request);
                final String cseq = cseqMatch.find() ? cseqMatch.group(1) : "0";
                final String method = request.substring(0, request.indexOf(' '));
                switch (method)
                {
                    case "OPTIONS" -> write(out, "RTSP/1.0 200 OK\r\nCSeq: " + cseq +
                        "\r\nPublic: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n\r\n", new byte[0]);
                    case "DESCRIBE" ->
                    {
                        final byte[][] parts = describeParts();
                        final Sdp sdp = Sdp.parse(new String(parts[1], StandardCharsets.UTF_8));
                        boolean haveVideo = false;
                        boolean haveAudio = false;
                        for (final SdpMedia media : sdp.media())
                        {
                            final String type = media.type().toLowerCase(Locale.ROOT);
                            final String name = media.encodingName() == null ? "" :
                                media.encodingName().toUpperCase(Locale.ROOT);
                            if ("video".equals(type) && !haveVideo && name.equals("H264"))
                            {
                                haveVideo = true;
                                mediaOrder.add("video");
                                videoPt = media.payloadType();
                            }
                            else if ("audio".equals(type) && !haveAudio && List.of("MPEG4-GENERIC", "MP4A-LATM",
                                "PCMA", "PCMU").contains(name))
                            {
                                haveAudio = true;
                                mediaOrder.add("audio");
                            }
                        }

                        write(out, withCseq(new String(parts[0], StandardCharsets.ISO_8859_1), cseq, parts[1].length),
                            parts[1]);
                    }
                    case "SETUP" ->
                    {
                        final Matcher channels = INTERLEAVED.matcher(request);
                        final String asked = channels.find() ? channels.group(0) : "interleaved=0-1";
                        if (setupCount < mediaOrder.size() && "video".equals(mediaOrder.get(setupCount)) &&
                            channels.find(0))
                        {
                            videoChannel = Integer.parseInt(channels.group(1));
                        }

                        String head = setups.length == 0 ?
                            "RTSP/1.0 200 OK\r\nCSeq: 0\r\nSession: 4242;timeout=60\r\nTransport: x\r\n" :
                            headOf(setups[Math.min(setupCount, setups.length - 1)]);
                        head = head.replaceAll("(?im)^transport:.*$", "Transport: RTP/AVP/TCP;unicast;" + asked);
                        write(out, withCseq(head, cseq, 0), new byte[0]);
                        setupCount++;
                    }
                    case "PLAY" ->
                    {
                        final String head = play == null ? "RTSP/1.0 200 OK\r\nCSeq: 0\r\nSession: 4242\r\n" :
                            headOf(play);
                        write(out, withCseq(head, cseq, 0), new byte[0]);
                        played = true;
                        for (final byte[] packet : video)
                        {
                            final byte[] copy = packet.clone();
                            copy[1] = (byte)(copy[1] & 0x80 | videoPt);
                            out.write(new byte[] {'$', (byte)videoChannel, (byte)(copy.length >> 8), (byte)copy.length});
                            out.write(copy);
                        }

                        out.flush();
                    }
                    case "TEARDOWN" ->
                    {
                        write(out, "RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\n\r\n", new byte[0]);
                        return;
                    }
                    default -> write(out, "RTSP/1.0 200 OK\r\nCSeq: " + cseq + "\r\n\r\n", new byte[0]);
                }
            }
        }

        private byte[][] describeParts() throws IOException
        {
            final byte[] file = Files.readAllBytes(Peers.sample(describe));
            if (describe.endsWith(".sdp"))
            {
                return new byte[][] {"RTSP/1.0 200 OK\r\nCSeq: 0\r\nContent-Type: application/sdp\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1), file};
            }

            final String text = new String(file, StandardCharsets.ISO_8859_1);
            int split = text.indexOf("\r\n\r\n");
            int skip = 4;
            if (split < 0)
            {
                split = text.indexOf("\n\n");
                skip = 2;
            }

            final String head = text.substring(0, split).replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n";
            final byte[] body = text.substring(split + skip).getBytes(StandardCharsets.ISO_8859_1);
            return new byte[][] {head.getBytes(StandardCharsets.ISO_8859_1), body};
        }

        private static String headOf(final String name) throws IOException
        {
            final String text = Files.readString(Peers.sample(name), StandardCharsets.ISO_8859_1)
                .replace("\r\n", "\n");
            final int end = text.indexOf("\n\n");
            return (end < 0 ? text.strip() : text.substring(0, end)).replace("\n", "\r\n") + "\r\n";
        }

        private static String withCseq(final String head, final String cseq, final int bodyLength)
        {
            String out = head.replaceAll("(?im)^content-length:.*\\r\\n", "");
            out = CSEQ.matcher(out).find() ? out.replaceAll("(?im)^cseq:.*$", "CSeq: " + cseq) :
                out.replaceFirst("\r\n", "\r\nCSeq: " + cseq + "\r\n");
            if (bodyLength > 0)
            {
                out += "Content-Length: " + bodyLength + "\r\n";
            }

            return out + "\r\n";
        }

        private static void write(final OutputStream out, final String head, final byte[] body) throws IOException
        {
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        private static String readRequest(final InputStream in) throws IOException
        {
            final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            int state = 0;
            while (buffer.size() < 16_384)
            {
                final int b = in.read();
                if (b < 0)
                {
                    return null;
                }

                if (b == '$' && buffer.size() == 0)
                {
                    // an interleaved frame from the client (receiver report): skip it
                    final int channel = in.read();
                    final int length = in.read() << 8 | in.read();
                    in.readNBytes(length);
                    continue;
                }

                buffer.write(b);
                state = b == '\n' ? (state == 1 ? 2 : 1) : (b == '\r' ? state : 0);
                if (state == 2)
                {
                    return buffer.toString(StandardCharsets.ISO_8859_1);
                }
            }

            return null;
        }

        @Override
        public void close() throws IOException
        {
            socket.close();
        }
    }
}
