package com.cococam.server.e2e;

import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtsp.sdp.Sdp;
import com.cococam.protocols.rtsp.sdp.SdpMedia;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted RTSP camera on 127.0.0.1 for the pull tests: it answers OPTIONS, DESCRIBE, SETUP, PLAY,
 * GET_PARAMETER and TEARDOWN (each answer can be replaced, e.g. by a real camera's answer from
 * {@code shared/samples}, whose CSeq is then set to the request's and whose Transport is rewritten to the channels
 * or ports of this session), records every request with its arrival time, sends RTP over TCP interleaved or UDP
 * (from its own RTP port to the puller's) paced by the packets' RTP timestamps, and records the RTCP the puller
 * sends (interleaved or to its UDP RTCP ports).
 *
 * <p>Media: per SDP media type ({@code video}, {@code audio}) a list of RTP packets; each is sent with the payload
 * type of the SDP media the SETUP chose, the track's SSRC (when given) and, when looping, sequence numbers and
 * timestamps that carry on. Connections are served one after the other (a puller that reconnects gets a fresh
 * session). Options: no {@code server_port} in UDP SETUP answers, an RTCP port that is not RTP + 1, sender
 * reports every second, silence over UDP (for the fallback to TCP), a session timeout it enforces (a session
 * without a request for that long is closed, as cameras do), and a gate that may answer any request first
 * (authentication).
 *
 * <p>Thread safety: configure before {@link #start()}; the records may be read from any thread while it runs.
 * Test code: allocates freely.
 */
final class FakeRtspCamera implements AutoCloseable
{
    static final Pattern CSEQ = Pattern.compile("(?im)^cseq:\\s*(\\d+)");
    private static final Pattern INTERLEAVED = Pattern.compile("interleaved=(\\d+)-(\\d+)");
    private static final Pattern CLIENT_PORT = Pattern.compile("client_port=(\\d+)-(\\d+)");
    private static final Pattern SERVER_PORT = Pattern.compile(";?server_port=(\\d+)-(\\d+)");
    private static final Pattern TRANSPORT_LINE = Pattern.compile("(?im)^transport:[ \\t]*(.*)$");
    private static final long SR_PERIOD_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long NTP_UNIX_OFFSET_S = 2_208_988_800L;
    private static final int PAIRS = 2;

    /**
     * One request as it arrived.
     *
     * @param connection 1 for the first connection, 2 for the next, ...
     * @param atNs       arrival, {@link System#nanoTime()}.
     * @param method     method.
     * @param uri        request URI.
     * @param text       start line and headers.
     */
    record Request(int connection, long atNs, String method, String uri, String text)
    {
        /**
         * @param name a header name.
         * @return every value of that header, trimmed, in order.
         */
        List<String> headers(final String name)
        {
            final List<String> values = new ArrayList<>();
            final String prefix = name.toLowerCase(Locale.ROOT) + ":";
            for (final String line : text.split("\r\n"))
            {
                if (line.toLowerCase(Locale.ROOT).startsWith(prefix))
                {
                    values.add(line.substring(prefix.length()).trim());
                }
            }

            return values;
        }

        /**
         * @param name a header name.
         * @return its first value, or null.
         */
        String header(final String name)
        {
            final List<String> values = headers(name);
            return values.isEmpty() ? null : values.get(0);
        }
    }

    /**
     * One RTCP packet (compound) the puller sent.
     *
     * @param atNs   arrival, {@link System#nanoTime()}.
     * @param setup  the SETUP (0, 1) whose RTCP channel or port it came to.
     * @param bytes  the packet.
     * @param udp    whether it came over UDP.
     * @param toPort the camera port it came to (UDP), else -1.
     */
    record Rtcp(long atNs, int setup, byte[] bytes, boolean udp, int toPort)
    {
        /**
         * @return the first RTCP packet's type (201 for a receiver report).
         */
        int type()
        {
            return bytes.length < 2 ? -1 : bytes[1] & 0xFF;
        }

        /**
         * @return report blocks of the first packet.
         */
        int reportCount()
        {
            return bytes.length < 1 ? 0 : bytes[0] & 0x1F;
        }

        /**
         * @return SSRC of the first report block's source, or -1.
         */
        long reportedSsrc()
        {
            return reportCount() == 0 || bytes.length < 12 ? -1 :
                ByteBuffer.wrap(bytes, 8, 4).getInt() & 0xFFFF_FFFFL;
        }
    }

    /**
     * RTP packets of one media type.
     *
     * @param packets   the packets (copied before they are changed).
     * @param clockRate RTP clock rate, for the pacing.
     * @param ssrc      SSRC written into each packet, or -1 to keep the packets' own.
     * @param loop      send the packets again and again (timestamps and sequence numbers carry on).
     */
    record Media(List<byte[]> packets, int clockRate, long ssrc, boolean loop)
    {
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final List<Rtcp> rtcp = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger expiredSessions = new AtomicInteger();
    final AtomicLong rtpSent = new AtomicLong();
    final AtomicLong srSent = new AtomicLong();
    volatile long firstPlayNs;

    private final ServerSocket listener;
    private final DatagramSocket[] rtpSockets = new DatagramSocket[PAIRS];
    private final DatagramSocket[] rtcpSockets = new DatagramSocket[PAIRS];
    private final Map<String, Media> media = new HashMap<>();
    private final Map<String, String> heads = new HashMap<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private String sdp = "";
    private String describeHead;
    private String[] setupHeads = new String[0];
    private String publicMethods = "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER";
    private String session = "4242;timeout=60";
    private double speed = 1.0;
    private boolean serverPortInReply = true;
    private boolean rtcpNextToRtp = true;
    private boolean senderReports;
    private boolean silentOverUdp;
    private int enforcedTimeoutSec;
    private Function<Request, String> gate;
    private volatile Connection current;
    private volatile boolean closed;

    /**
     * Binds the RTSP port and, per possible SETUP, an RTP/RTCP UDP port pair; serves nothing before {@link #start()}.
     *
     * @throws IOException if a port cannot be bound.
     */
    FakeRtspCamera() throws IOException
    {
        listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
    }

    /**
     * @param text the SDP the DESCRIBE answer carries.
     * @return this.
     */
    FakeRtspCamera sdp(final String text)
    {
        this.sdp = text;
        return this;
    }

    /**
     * @param head the DESCRIBE answer's start line and headers (CSeq and Content-Length are set here).
     * @return this.
     */
    FakeRtspCamera describeHead(final String head)
    {
        this.describeHead = head;
        return this;
    }

    /**
     * @param method OPTIONS, PLAY, GET_PARAMETER, TEARDOWN, ...
     * @param head   the answer's start line and headers, instead of the default one.
     * @return this.
     */
    FakeRtspCamera head(final String method, final String head)
    {
        heads.put(method, head);
        return this;
    }

    /**
     * @param headsInOrder SETUP answers, one per SETUP (the last one repeats); their Transport is rewritten.
     * @return this.
     */
    FakeRtspCamera setupHeads(final String... headsInOrder)
    {
        this.setupHeads = headsInOrder.clone();
        return this;
    }

    /**
     * @param methods the OPTIONS answer's Public value, or null for none.
     * @return this.
     */
    FakeRtspCamera publicMethods(final String methods)
    {
        this.publicMethods = methods;
        return this;
    }

    /**
     * @param value the Session header of the default SETUP answers (e.g. {@code 77;timeout=3}), or null for none.
     * @return this.
     */
    FakeRtspCamera session(final String value)
    {
        this.session = value;
        return this;
    }

    /**
     * @param type   the SDP media type whose SETUP gets these packets ({@code video}, {@code audio}).
     * @param tracks the packets.
     * @return this.
     */
    FakeRtspCamera media(final String type, final Media tracks)
    {
        media.put(type, tracks);
        return this;
    }

    /**
     * @param factor media time per wall-clock time (2: twice as fast as real time).
     * @return this.
     */
    FakeRtspCamera speed(final double factor)
    {
        this.speed = factor;
        return this;
    }

    /**
     * @param value whether UDP SETUP answers name the camera's ports ({@code server_port}).
     * @return this.
     */
    FakeRtspCamera serverPortInReply(final boolean value)
    {
        this.serverPortInReply = value;
        return this;
    }

    /**
     * @param value whether each RTCP port is its RTP port + 1 (else another port).
     * @return this.
     */
    FakeRtspCamera rtcpNextToRtp(final boolean value)
    {
        this.rtcpNextToRtp = value;
        return this;
    }

    /**
     * @param value whether an RTCP sender report goes out every second per SETUP (from the RTCP port over UDP).
     * @return this.
     */
    FakeRtspCamera senderReports(final boolean value)
    {
        this.senderReports = value;
        return this;
    }

    /**
     * @param value whether sessions over UDP get no media at all (TCP sessions still do).
     * @return this.
     */
    FakeRtspCamera silentOverUdp(final boolean value)
    {
        this.silentOverUdp = value;
        return this;
    }

    /**
     * @param seconds close a playing session that sent no request for this long (0: never).
     * @return this.
     */
    FakeRtspCamera enforceSessionTimeout(final int seconds)
    {
        this.enforcedTimeoutSec = seconds;
        return this;
    }

    /**
     * @param check returns a complete answer head (e.g. a 401 with its challenges) to send instead of the normal
     *              answer, or null to let the request through.
     * @return this.
     */
    FakeRtspCamera gate(final Function<Request, String> check)
    {
        this.gate = check;
        return this;
    }

    /**
     * Binds the UDP ports and starts serving.
     *
     * @return this.
     * @throws IOException if a UDP port cannot be bound.
     */
    FakeRtspCamera start() throws IOException
    {
        for (int i = 0; i < PAIRS; i++)
        {
            bindPair(i);
            final int index = i;
            startThread("fake-camera-rtcp-" + i, () -> receiveRtcp(index));
        }

        startThread("fake-camera", this::serve);
        return this;
    }

    int port()
    {
        return listener.getLocalPort();
    }

    /**
     * @param setup SETUP index.
     * @return the camera's RTP port of that SETUP.
     */
    int rtpPort(final int setup)
    {
        return rtpSockets[setup].getLocalPort();
    }

    /**
     * @param setup SETUP index.
     * @return the camera's RTCP port of that SETUP.
     */
    int rtcpPort(final int setup)
    {
        return rtcpSockets[setup].getLocalPort();
    }

    /**
     * @param method a method.
     * @return the requests with that method, in order.
     */
    List<Request> requests(final String method)
    {
        return requests.stream().filter((r) -> r.method().equals(method)).toList();
    }

    /**
     * @return the receiver reports (compound packets starting with an RR) the puller sent.
     */
    List<Rtcp> receiverReports()
    {
        return rtcp.stream().filter((p) -> p.type() == 201).toList();
    }

    /**
     * Writes raw bytes on the current RTSP connection, between two interleaved frames.
     *
     * @param bytes the bytes.
     * @throws IOException if there is no connection or the write fails.
     */
    void inject(final byte[] bytes) throws IOException
    {
        final Connection connection = current;
        if (connection == null)
        {
            throw new IOException("no connection");
        }

        connection.write(bytes);
    }

    /**
     * The camera goes away: the current connection and the listening socket close (later connects are refused).
     */
    void goAway()
    {
        closed = true;
        closeQuietly(listener);
        final Connection connection = current;
        if (connection != null)
        {
            connection.close();
        }
    }

    @Override
    public void close()
    {
        goAway();
        for (int i = 0; i < PAIRS; i++)
        {
            closeQuietly(rtpSockets[i]);
            closeQuietly(rtcpSockets[i]);
        }

        for (final Thread thread : threads)
        {
            thread.interrupt();
        }
    }

    /**
     * @return the H.264 RTP packets (channel 2) of the Wowza interleaved capture.
     * @throws IOException if the sample cannot be read.
     */
    static List<byte[]> wowzaVideo() throws IOException
    {
        final byte[] data = Files.readAllBytes(Peers.sample("rtsp_wowza_bunny_interleaved_tcp.rtsp"));
        final List<byte[]> packets = new ArrayList<>();
        int i = 0;
        while (i + 4 <= data.length && data[i] == '$')
        {
            final int length = (data[i + 2] & 0xFF) << 8 | data[i + 3] & 0xFF;
            if (data[i + 1] == 2)
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
     * @param file a classic pcap (Ethernet, IPv4, UDP).
     * @return the UDP payloads, in capture order.
     * @throws IOException if it cannot be read.
     */
    static List<byte[]> pcapUdpPayloads(final Path file) throws IOException
    {
        final ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (in.getInt(0) != 0xA1B2C3D4 || in.getInt(20) != 1)
        {
            throw new IOException("not a little-endian Ethernet pcap: " + file);
        }

        final List<byte[]> payloads = new ArrayList<>();
        int offset = 24;
        while (offset + 16 <= in.limit())
        {
            final int captured = in.getInt(offset + 8);
            final int frame = offset + 16;
            final int ip = frame + 14;
            final int ipHeader = (in.get(ip) & 0x0F) * 4;
            // Record headers are little-endian here, packet headers big-endian.
            final int etherType = Short.toUnsignedInt(Short.reverseBytes(in.getShort(frame + 12)));
            if (etherType == 0x0800 && in.get(ip + 9) == 17)
            {
                final int udp = ip + ipHeader;
                final int length = Short.toUnsignedInt(Short.reverseBytes(in.getShort(udp + 4))) - 8;
                final byte[] payload = new byte[length];
                in.get(udp + 8, payload);
                payloads.add(payload);
            }

            offset = frame + captured;
        }

        return payloads;
    }

    /**
     * @param name a sample file holding an RTSP answer.
     * @return its start line and headers, CRLF-terminated (the body, if any, left out).
     * @throws IOException if it cannot be read.
     */
    static String sampleHead(final String name) throws IOException
    {
        final String text = Files.readString(Peers.sample(name), StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
        final int end = text.indexOf("\n\n");
        return (end < 0 ? text.strip() : text.substring(0, end)).replace("\n", "\r\n") + "\r\n";
    }

    /**
     * @param name a sample file holding an RTSP answer with a body, or a bare SDP ({@code .sdp}).
     * @return its body (the whole file for an SDP).
     * @throws IOException if it cannot be read.
     */
    static String sampleBody(final String name) throws IOException
    {
        final String text = Files.readString(Peers.sample(name), StandardCharsets.ISO_8859_1);
        if (name.endsWith(".sdp"))
        {
            return text;
        }

        int split = text.indexOf("\r\n\r\n");
        int skip = 4;
        if (split < 0)
        {
            split = text.indexOf("\n\n");
            skip = 2;
        }

        return text.substring(split + skip);
    }

    private void bindPair(final int index) throws IOException
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 64; attempt++)
        {
            final DatagramSocket rtp = new DatagramSocket(new InetSocketAddress(loopback, 0));
            final int port = rtp.getLocalPort();
            if ((port & 1) == 0 && port < 65_000)
            {
                try
                {
                    // With rtcpNextToRtp off the RTCP port is deliberately not RTP + 1.
                    final DatagramSocket rtcp = new DatagramSocket(new InetSocketAddress(loopback,
                        rtcpNextToRtp ? port + 1 : 0));
                    if (rtcpNextToRtp || rtcp.getLocalPort() != port + 1)
                    {
                        rtpSockets[index] = rtp;
                        rtcpSockets[index] = rtcp;
                        return;
                    }

                    rtcp.close();
                }
                catch (final SocketException ex)
                {
                    // Taken: try another pair.
                }
            }

            rtp.close();
        }

        throw new IOException("no free UDP port pair");
    }

    private void startThread(final String name, final Runnable body)
    {
        final Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
    }

    private void receiveRtcp(final int index)
    {
        final byte[] buffer = new byte[2048];
        while (!rtcpSockets[index].isClosed())
        {
            try
            {
                final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                rtcpSockets[index].receive(packet);
                final byte[] bytes = new byte[packet.getLength()];
                System.arraycopy(buffer, 0, bytes, 0, bytes.length);
                rtcp.add(new Rtcp(System.nanoTime(), index, bytes, true, rtcpSockets[index].getLocalPort()));
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    private void serve()
    {
        while (!closed)
        {
            final Connection connection;
            try
            {
                connection = new Connection(listener.accept(), connections.incrementAndGet());
            }
            catch (final IOException ex)
            {
                return;
            }

            current = connection;
            try
            {
                connection.serve();
            }
            catch (final IOException ex)
            {
                // The puller left, or the session was closed here.
            }
            finally
            {
                connection.close();
            }
        }
    }

    private static void closeQuietly(final AutoCloseable closeable)
    {
        try
        {
            if (closeable != null)
            {
                closeable.close();
            }
        }
        catch (final Exception ex)
        {
            // Closing anyway.
        }
    }

    /**
     * One accepted SETUP.
     */
    private record Setup(int index, int payloadType, Media media, boolean tcp, int channel, int clientPort)
    {
    }

    /**
     * One RTSP connection: requests in, answers and interleaved media out.
     */
    private final class Connection
    {
        private final Socket socket;
        private final int number;
        private final InputStream in;
        private final OutputStream out;
        private final List<Setup> setups = new ArrayList<>();
        private List<SdpMedia> sdpMedia = List.of();
        private volatile long lastRequestNs = System.nanoTime();
        private volatile boolean ended;

        Connection(final Socket socket, final int number) throws IOException
        {
            this.socket = socket;
            this.number = number;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        void serve() throws IOException
        {
            while (!ended)
            {
                final Request request = readRequest();
                if (request == null)
                {
                    return;
                }

                requests.add(request);
                lastRequestNs = request.atNs();
                if (answer(request))
                {
                    return;
                }
            }
        }

        /**
         * @return whether the connection ends after this answer (TEARDOWN).
         */
        private boolean answer(final Request request) throws IOException
        {
            final Function<Request, String> check = gate;
            final String refusal = check == null ? null : check.apply(request);
            if (refusal != null)
            {
                write(withCseq(refusal, request, 0), new byte[0]);
                return false;
            }

            switch (request.method())
            {
                case "OPTIONS" -> write(withCseq(heads.getOrDefault("OPTIONS", "RTSP/1.0 200 OK\r\n" +
                    (publicMethods == null ? "" : "Public: " + publicMethods + "\r\n")), request, 0), new byte[0]);
                case "DESCRIBE" -> describe(request);
                case "SETUP" -> setup(request);
                case "PLAY" ->
                {
                    write(withCseq(heads.getOrDefault("PLAY", "RTSP/1.0 200 OK\r\n" + sessionLine(false) +
                        "Range: npt=0.000-\r\n"), request, 0), new byte[0]);
                    if (firstPlayNs == 0)
                    {
                        firstPlayNs = System.nanoTime();
                    }

                    startThread("fake-camera-media-" + number, this::pump);
                }
                case "TEARDOWN" ->
                {
                    write(withCseq(heads.getOrDefault("TEARDOWN", "RTSP/1.0 200 OK\r\n"), request, 0),
                        new byte[0]);
                    return true;
                }
                default -> write(withCseq(heads.getOrDefault(request.method(), "RTSP/1.0 200 OK\r\n" +
                    sessionLine(false)), request, 0), new byte[0]);
            }

            return false;
        }

        private void describe(final Request request) throws IOException
        {
            final byte[] body = sdp.getBytes(StandardCharsets.ISO_8859_1);
            sdpMedia = Sdp.parse(sdp).media();
            final String head = describeHead != null ? describeHead :
                "RTSP/1.0 200 OK\r\nContent-Type: application/sdp\r\nContent-Base: " + request.uri() + "/\r\n";
            write(withCseq(head, request, body.length), body);
        }

        private void setup(final Request request) throws IOException
        {
            final String asked = request.header("Transport");
            final Matcher channels = INTERLEAVED.matcher(asked);
            final Matcher ports = CLIENT_PORT.matcher(asked);
            final boolean tcp = channels.find();
            final int index = setups.size();
            final SdpMedia chosen = mediaFor(request.uri());
            final Setup setup = new Setup(index, chosen == null ? 96 : chosen.payloadType(),
                chosen == null ? null : media.get(chosen.type().toLowerCase(Locale.ROOT)), tcp,
                tcp ? Integer.parseInt(channels.group(1)) : -1,
                !tcp && ports.find() ? Integer.parseInt(ports.group(1)) : -1);
            setups.add(setup);
            final String head = setupHeads.length == 0 ?
                "RTSP/1.0 200 OK\r\n" + sessionLine(true) + "Transport: x\r\n" :
                setupHeads[Math.min(index, setupHeads.length - 1)];
            write(withCseq(rewriteTransport(head, setup), request, 0), new byte[0]);
        }

        /**
         * The SDP media a SETUP URI names: an absolute control equal to it, a relative one it ends with, or the only
         * media without a control.
         */
        private SdpMedia mediaFor(final String uri)
        {
            for (final SdpMedia candidate : sdpMedia)
            {
                final String control = candidate.control();
                if (control != null && !control.isBlank() && !"*".equals(control.trim()) &&
                    (uri.equals(control.trim()) || uri.endsWith("/" + control.trim())))
                {
                    return candidate;
                }
            }

            return sdpMedia.size() == 1 ? sdpMedia.get(0) : null;
        }

        private String rewriteTransport(final String head, final Setup setup)
        {
            final Matcher line = TRANSPORT_LINE.matcher(head);
            String value = line.find() ? line.group(1).trim() : "";
            if (setup.tcp())
            {
                final String channels = "interleaved=" + setup.channel() + "-" + (setup.channel() + 1);
                value = value.contains("interleaved=") ? INTERLEAVED.matcher(value).replaceFirst(channels) :
                    "RTP/AVP/TCP;unicast;" + channels;
            }
            else
            {
                final String ports = "client_port=" + setup.clientPort() + "-" + (setup.clientPort() + 1);
                final String server = ";server_port=" + rtpPort(setup.index()) + "-" + rtcpPort(setup.index());
                value = value.contains("client_port=") ? CLIENT_PORT.matcher(value).replaceFirst(ports) :
                    "RTP/AVP;unicast;" + ports;
                value = SERVER_PORT.matcher(value).replaceAll("") + (serverPortInReply ? server : "");
            }

            final String replaced = "Transport: " + Matcher.quoteReplacement(value);
            return line.reset().find() ? line.replaceFirst(replaced) : head + replaced + "\r\n";
        }

        private String sessionLine(final boolean withTimeout)
        {
            if (session == null)
            {
                return "";
            }

            final int semicolon = session.indexOf(';');
            return "Session: " + (withTimeout || semicolon < 0 ? session : session.substring(0, semicolon)) + "\r\n";
        }

        /**
         * Sends every SETUP's media, merged in timestamp order and paced by it, plus sender reports; enforces the
         * session timeout.
         */
        private void pump()
        {
            final List<Cursor> cursors = new ArrayList<>();
            for (final Setup setup : setups)
            {
                if (setup.media() != null && !setup.media().packets().isEmpty() && !(silentOverUdp && !setup.tcp()))
                {
                    cursors.add(new Cursor(setup, speed));
                }
            }

            final boolean udp = !setups.isEmpty() && !setups.get(0).tcp();
            final long playNs = System.nanoTime();
            // Over UDP the first RTP must not beat the PLAY answer to the puller: wait for its first report (sent
            // once it has taken the answer), at most half a second.
            while (udp && rtcp.stream().noneMatch((p) -> p.atNs() > playNs) &&
                System.nanoTime() - playNs < TimeUnit.MILLISECONDS.toNanos(500) && !ended)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }

            final long startNs = System.nanoTime();
            long nextSrNs = startNs;
            try
            {
                while (!ended)
                {
                    final long nowNs = System.nanoTime();
                    if (enforcedTimeoutSec > 0 && nowNs - lastRequestNs > TimeUnit.SECONDS.toNanos(enforcedTimeoutSec))
                    {
                        expiredSessions.incrementAndGet();
                        close();
                        return;
                    }

                    if (senderReports && nowNs >= nextSrNs)
                    {
                        nextSrNs = nowNs + SR_PERIOD_NS;
                        for (final Cursor cursor : cursors)
                        {
                            sendSenderReport(cursor);
                        }
                    }

                    Cursor next = null;
                    for (final Cursor cursor : cursors)
                    {
                        if (!cursor.done() && (next == null || cursor.dueNs(startNs) < next.dueNs(startNs)))
                        {
                            next = cursor;
                        }
                    }

                    final long dueNs = next == null ? nowNs + TimeUnit.MILLISECONDS.toNanos(50) : next.dueNs(startNs);
                    if (dueNs > nowNs)
                    {
                        LockSupport.parkNanos(Math.min(dueNs - nowNs, TimeUnit.MILLISECONDS.toNanos(50)));
                        continue;
                    }

                    send(next.setup, next.nextPacket());
                }
            }
            catch (final IOException ex)
            {
                close();
            }
        }

        private void send(final Setup setup, final byte[] packet) throws IOException
        {
            if (setup.tcp())
            {
                final byte[] frame = new byte[4 + packet.length];
                frame[0] = '$';
                frame[1] = (byte)setup.channel();
                frame[2] = (byte)(packet.length >> 8);
                frame[3] = (byte)packet.length;
                System.arraycopy(packet, 0, frame, 4, packet.length);
                write(frame);
            }
            else
            {
                rtpSockets[setup.index()].send(new DatagramPacket(packet, packet.length,
                    InetAddress.getLoopbackAddress(), setup.clientPort()));
            }

            rtpSent.incrementAndGet();
        }

        private void sendSenderReport(final Cursor cursor) throws IOException
        {
            final long nowMs = System.currentTimeMillis();
            final long ntp = (nowMs / 1_000 + NTP_UNIX_OFFSET_S) << 32 | ((nowMs % 1_000) << 32) / 1_000;
            final ByteBuffer sr = ByteBuffer.allocate(28)
                .put((byte)0x80).put((byte)200).putShort((short)6)
                .putInt((int)cursor.ssrc()).putLong(ntp).putInt((int)cursor.lastTimestamp)
                .putInt((int)cursor.sent).putInt((int)cursor.octets);
            final byte[] bytes = sr.array();
            final Setup setup = cursor.setup;
            if (setup.tcp())
            {
                final byte[] frame = new byte[4 + bytes.length];
                frame[0] = '$';
                frame[1] = (byte)(setup.channel() + 1);
                frame[3] = (byte)bytes.length;
                System.arraycopy(bytes, 0, frame, 4, bytes.length);
                write(frame);
            }
            else
            {
                rtcpSockets[setup.index()].send(new DatagramPacket(bytes, bytes.length,
                    InetAddress.getLoopbackAddress(), setup.clientPort() + 1));
            }

            srSent.incrementAndGet();
        }

        private Request readRequest() throws IOException
        {
            final ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0;
            while (head.size() < 16_384)
            {
                final int b = in.read();
                if (b < 0)
                {
                    return null;
                }

                if (b == '$' && head.size() == 0)
                {
                    readInterleaved();
                    continue;
                }

                head.write(b);
                state = b == '\n' ? (state == 1 ? 2 : 1) : (b == '\r' ? state : 0);
                if (state == 2)
                {
                    break;
                }
            }

            final String text = head.toString(StandardCharsets.ISO_8859_1).strip();
            final String[] start = text.substring(0, text.indexOf('\r') < 0 ? text.length() : text.indexOf('\r'))
                .split(" ");
            final Request request = new Request(number, System.nanoTime(), start[0], start.length > 1 ? start[1] : "",
                text.replace("\r\n", "\n").replace("\n", "\r\n"));
            final String length = request.header("Content-Length");
            if (length != null)
            {
                in.readNBytes(Integer.parseInt(length));
            }

            return request;
        }

        private void readInterleaved() throws IOException
        {
            final int channel = in.read();
            final int length = in.read() << 8 | in.read();
            final byte[] bytes = in.readNBytes(length);
            for (final Setup setup : setups)
            {
                if (setup.tcp() && channel == setup.channel() + 1)
                {
                    rtcp.add(new Rtcp(System.nanoTime(), setup.index(), bytes, false, -1));
                }
            }
        }

        private String withCseq(final String head, final Request request, final int bodyLength)
        {
            final Matcher cseq = CSEQ.matcher(request.text());
            final String value = cseq.find() ? cseq.group(1) : "0";
            String text = head.replaceAll("(?im)^content-length:.*\\r\\n", "");
            text = CSEQ.matcher(text).find() ? text.replaceAll("(?im)^cseq:.*$", "CSeq: " + value) :
                text.replaceFirst("\r\n", "\r\nCSeq: " + value + "\r\n");
            if (bodyLength > 0)
            {
                text += "Content-Length: " + bodyLength + "\r\n";
            }

            return text + "\r\n";
        }

        private void write(final String head, final byte[] body) throws IOException
        {
            final byte[] start = head.getBytes(StandardCharsets.ISO_8859_1);
            final byte[] all = new byte[start.length + body.length];
            System.arraycopy(start, 0, all, 0, start.length);
            System.arraycopy(body, 0, all, start.length, body.length);
            write(all);
        }

        private void write(final byte[] bytes) throws IOException
        {
            synchronized (out)
            {
                out.write(bytes);
                out.flush();
            }
        }

        void close()
        {
            ended = true;
            closeQuietly(socket);
        }
    }

    /**
     * Where one SETUP's media stands: the next packet, the loop, and what a sender report needs.
     */
    private static final class Cursor
    {
        final Setup setup;
        private final List<byte[]> packets;
        private final long firstTimestamp;
        private final long span;
        private final int seqSpan;
        private final double speed;
        private int index;
        private int loop;
        long lastTimestamp;
        long sent;
        long octets;

        Cursor(final Setup setup, final double speed)
        {
            this.setup = setup;
            this.speed = speed;
            this.packets = setup.media().packets();
            this.firstTimestamp = timestamp(packets.get(0));
            this.seqSpan = ((seq(packets.get(packets.size() - 1)) - seq(packets.get(0))) & 0xFFFF) + 1;
            final long last = timestamp(packets.get(packets.size() - 1));
            final long distinct = packets.stream().mapToLong(Cursor::timestamp).distinct().count();
            final long whole = (last - firstTimestamp) & 0xFFFF_FFFFL;
            // One more frame duration after the last one, so that a loop's first frame does not repeat a time.
            this.span = distinct > 1 ? whole + whole / (distinct - 1) : setup.media().clockRate() / 25;
        }

        boolean done()
        {
            return !setup.media().loop() && index >= packets.size();
        }

        long ssrc()
        {
            return setup.media().ssrc() >= 0 ? setup.media().ssrc() :
                ByteBuffer.wrap(packets.get(0), 8, 4).getInt() & 0xFFFF_FFFFL;
        }

        long dueNs(final long startNs)
        {
            final long ticks = ((timestamp(packets.get(index)) - firstTimestamp) & 0xFFFF_FFFFL) + loop * span;
            return startNs + (long)(ticks * 1e9 / setup.media().clockRate() / speed);
        }

        byte[] nextPacket()
        {
            final byte[] packet = packets.get(index).clone();
            packet[1] = (byte)(packet[1] & 0x80 | setup.payloadType());
            final ByteBuffer header = ByteBuffer.wrap(packet);
            if (loop > 0)
            {
                header.putShort(2, (short)(seq(packet) + loop * seqSpan));
                header.putInt(4, (int)(timestamp(packet) + loop * span));
            }

            if (setup.media().ssrc() >= 0)
            {
                header.putInt(8, (int)setup.media().ssrc());
            }

            lastTimestamp = header.getInt(4) & 0xFFFF_FFFFL;
            sent++;
            octets += packet.length - 12;
            index++;
            if (index == packets.size() && setup.media().loop())
            {
                index = 0;
                loop++;
            }

            return packet;
        }

        private static long timestamp(final byte[] packet)
        {
            return ByteBuffer.wrap(packet, 4, 4).getInt() & 0xFFFF_FFFFL;
        }

        private static int seq(final byte[] packet)
        {
            return ByteBuffer.wrap(packet, 2, 2).getShort() & 0xFFFF;
        }
    }
}
