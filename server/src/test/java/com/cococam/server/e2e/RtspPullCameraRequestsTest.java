package com.cococam.server.e2e;

import com.cococam.server.pull.CameraPuller;
import com.cococam.server.pull.PullState;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A camera that talks back: the emulator behind a scripted proxy that, mid-stream on the puller's interleaved
 * TCP connection, sends the puller GET_PARAMETER, OPTIONS, SET_PARAMETER and ANNOUNCE as some cameras do. The
 * puller must answer each with the same CSeq (200, 200, 501, 501), keep its session (no reconnect) and keep
 * receiving media. The proxy keeps the answers from the emulator, which never asked.
 */
@Timeout(120)
class RtspPullCameraRequestsTest
{
    private static final List<String> INJECTED = List.of(
        "GET_PARAMETER rtsp://127.0.0.1/cam RTSP/1.0\r\nCSeq: 9001\r\n\r\n",
        "OPTIONS rtsp://127.0.0.1/cam RTSP/1.0\r\nCSeq: 9002\r\n\r\n",
        "SET_PARAMETER rtsp://127.0.0.1/cam RTSP/1.0\r\nCSeq: 9003\r\nContent-Type: text/parameters\r\n" +
            "Content-Length: 12\r\n\r\nbarparam: x\n",
        "ANNOUNCE rtsp://127.0.0.1/cam RTSP/1.0\r\nCSeq: 9004\r\nContent-Type: application/sdp\r\n" +
            "Content-Length: 5\r\n\r\nv=0\r\n");

    @TempDir
    Path temp;

    private RtspPullSupport.Camera camera;
    private TestServer server;
    private ServerSocket proxy;

    @AfterEach
    void stop() throws Exception
    {
        if (server != null)
        {
            server.close();
        }

        if (proxy != null)
        {
            proxy.close();
        }

        if (camera != null)
        {
            camera.close();
        }
    }

    @Test
    void shouldAnswerCameraRequestsMidStreamAndKeepTheSession() throws Exception
    {
        camera = RtspPullSupport.Camera.start(temp, TestServer.freePort(), "--codec", "h264", "--audio", "aac");
        proxy = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        final Map<String, String> answers = new ConcurrentHashMap<>();
        final AtomicLong framesAfterLastRequest = new AtomicLong();
        final AtomicLong connections = new AtomicLong();
        final Thread acceptor = new Thread(() -> serveProxy(answers, framesAfterLastRequest, connections),
            "fake-camera-proxy");
        acceptor.setDaemon(true);
        acceptor.start();

        server = TestServer.start(temp.resolve("rec"),
            "--cameras.cam1.source=rtsp://127.0.0.1:" + proxy.getLocalPort() + "/cam",
            "--cameras.cam1.transport=tcp");
        Await.until(Duration.ofSeconds(40), () -> answers.size() == INJECTED.size() &&
            framesAfterLastRequest.get() >= 250, () -> "answers " + answers + ", frames after the last request " +
            framesAfterLastRequest.get());

        assertEquals("200", answers.get("9001"), "GET_PARAMETER: " + answers);
        assertEquals("200", answers.get("9002"), "OPTIONS: " + answers);
        assertEquals("501", answers.get("9003"), "SET_PARAMETER: " + answers);
        assertEquals("501", answers.get("9004"), "ANNOUNCE: " + answers);
        final CameraPuller puller = server.server().pullers().find("cam1");
        assertEquals(PullState.ONLINE, puller.state());
        assertEquals(0, puller.reconnects(), "the session survived: " + puller.json());
        assertEquals(1, connections.get(), "one RTSP connection throughout");
        final long packets = puller.packets();
        Await.until(Duration.ofSeconds(10), () -> puller.packets() > packets + 100, "media keeps flowing");
        RtspPullSupport.awaitPlaylist(server, "cam1", 2, Duration.ofSeconds(30));
    }

    private void serveProxy(final Map<String, String> answers, final AtomicLong framesAfter, final AtomicLong count)
    {
        // At most a few connections (a reconnect would show as a second one), each with two pump threads.
        for (int i = 0; i < 4 && !proxy.isClosed(); i++)
        {
            try
            {
                final Socket client = proxy.accept();
                count.incrementAndGet();
                final Socket upstream = new Socket("127.0.0.1", camera.port);
                final Thread down = new Thread(() -> pumpDown(upstream, client, framesAfter),
                    "fake-camera-down");
                final Thread up = new Thread(() -> pumpUp(client, upstream, answers), "fake-camera-up");
                down.setDaemon(true);
                up.setDaemon(true);
                down.start();
                up.start();
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    /** Camera to puller: forwards whole units, and after 100, 150, 200, 250 RTP frames injects a request. */
    private static void pumpDown(final Socket upstream, final Socket client, final AtomicLong after)
    {
        try (upstream; client)
        {
            final DataInputStream in = new DataInputStream(upstream.getInputStream());
            final OutputStream out = client.getOutputStream();
            long frames = 0;
            int injected = 0;
            while (true)
            {
                final byte[] unit = readUnit(in);
                if (unit == null)
                {
                    return;
                }

                out.write(unit);
                if (unit[0] == '$')
                {
                    frames++;
                    if (injected == INJECTED.size())
                    {
                        after.incrementAndGet();
                    }
                    else if (frames == 100 + 50L * injected)
                    {
                        out.write(INJECTED.get(injected++).getBytes(StandardCharsets.US_ASCII));
                    }
                }

                out.flush();
            }
        }
        catch (final IOException ex)
        {
            // Connection ended.
        }
    }

    /** Puller to camera: forwards requests and frames, keeps answers (to our injected requests) to itself. */
    private static void pumpUp(final Socket client, final Socket upstream, final Map<String, String> answers)
    {
        try (client; upstream)
        {
            final DataInputStream in = new DataInputStream(client.getInputStream());
            final OutputStream out = upstream.getOutputStream();
            while (true)
            {
                final byte[] unit = readUnit(in);
                if (unit == null)
                {
                    return;
                }

                final String text = new String(unit, 0, Math.min(unit.length, 400), StandardCharsets.ISO_8859_1);
                if (text.startsWith("RTSP/1.0 "))
                {
                    final String status = text.substring(9, 12);
                    for (final String line : text.split("\r\n"))
                    {
                        if (line.toLowerCase(Locale.ROOT).startsWith("cseq:"))
                        {
                            answers.put(line.substring(5).trim(), status);
                        }
                    }

                    continue;
                }

                out.write(unit);
                out.flush();
            }
        }
        catch (final IOException ex)
        {
            // Connection ended.
        }
    }

    /** @return one interleaved frame or one RTSP message with its body, or null at the end of the stream. */
    private static byte[] readUnit(final DataInputStream in) throws IOException
    {
        final int first = in.read();
        if (first < 0)
        {
            return null;
        }

        final ByteArrayOutputStream unit = new ByteArrayOutputStream();
        unit.write(first);
        if (first == '$')
        {
            final int channel = in.readUnsignedByte();
            final int length = in.readUnsignedShort();
            unit.write(channel);
            unit.write(length >> 8);
            unit.write(length);
            unit.write(in.readNBytes(length));
            return unit.toByteArray();
        }

        int contentLength = 0;
        final StringBuilder line = new StringBuilder();
        line.append((char)first);
        while (unit.size() < 65_536)
        {
            final int b = in.readUnsignedByte();
            unit.write(b);
            if (b == '\n')
            {
                final String text = line.toString().trim();
                if (text.isEmpty())
                {
                    break;
                }

                if (text.toLowerCase(Locale.ROOT).startsWith("content-length:"))
                {
                    contentLength = Integer.parseInt(text.substring(15).trim());
                }

                line.setLength(0);
            }
            else
            {
                line.append((char)b);
            }
        }

        unit.write(readBody(in, contentLength));
        return unit.toByteArray();
    }

    private static byte[] readBody(final InputStream in, final int length) throws IOException
    {
        return in.readNBytes(length);
    }
}
