package com.cococam.server.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bare RTSP player for tests: writes requests by hand on one TCP connection and reads answers and interleaved
 * frames in order, so a test sees exactly what the server sent and when. Not thread safe; bounded reads.
 */
final class RawRtspPlayer implements AutoCloseable
{
    /** One interleaved frame as read. */
    record Frame(int channel, byte[] data)
    {
        boolean isRtp()
        {
            return data.length >= 12 && (data[1] & 0xFF) < 200 || data.length >= 12 && (data[1] & 0xFF) > 204;
        }

        int seq()
        {
            return (data[2] & 0xFF) << 8 | data[3] & 0xFF;
        }

        long rtpTime()
        {
            return ((long)(data[4] & 0xFF) << 24 | (data[5] & 0xFF) << 16 | (data[6] & 0xFF) << 8 | data[7] & 0xFF) &
                0xFFFF_FFFFL;
        }

        /** @return the H.264 NAL type the payload starts (for STAP-A its first NAL, for FU-A the fragment's). */
        int h264NalType()
        {
            final int type = data[12] & 0x1F;
            if (type == 24 && data.length > 15)
            {
                return data[15] & 0x1F;
            }

            if (type == 28 && data.length > 13)
            {
                return data[13] & 0x1F;
            }

            return type;
        }
    }

    /** One answer. */
    record Response(int status, Map<String, String> headers, String body, List<Frame> framesBefore)
    {
        String header(final String name)
        {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int cseq;

    RawRtspPlayer(final int port) throws IOException
    {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /**
     * Sends a request and reads up to its answer; frames read on the way are in {@link Response#framesBefore()}.
     */
    Response request(final String method, final String uri, final String... headers) throws IOException
    {
        final int sent = ++cseq;
        final StringBuilder text = new StringBuilder(method + " " + uri + " RTSP/1.0\r\nCSeq: " + sent +
            "\r\nUser-Agent: raw-test\r\n");
        for (final String header : headers)
        {
            text.append(header).append("\r\n");
        }

        out.write(text.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        final List<Frame> before = new ArrayList<>();
        for (int i = 0; i < 100_000; i++)
        {
            final Object next = read();
            if (next instanceof Frame frame)
            {
                before.add(frame);
                continue;
            }

            final Response response = (Response)next;
            if (Integer.toString(sent).equals(response.header("CSeq")))
            {
                return new Response(response.status(), response.headers(), response.body(), before);
            }
        }

        throw new IOException("no answer to " + method);
    }

    /**
     * @param timeoutMs longest wait.
     * @return the next frame, or null when none came in time (answers in between are skipped).
     * @throws EOFException when the server closed the connection.
     */
    Frame nextFrame(final int timeoutMs) throws IOException
    {
        socket.setSoTimeout(timeoutMs);
        try
        {
            for (int i = 0; i < 1000; i++)
            {
                final Object next = read();
                if (next instanceof Frame frame)
                {
                    return frame;
                }
            }

            return null;
        }
        catch (final SocketTimeoutException ex)
        {
            return null;
        }
        finally
        {
            socket.setSoTimeout(10_000);
        }
    }

    /**
     * Reads and drops everything until the server closes the connection.
     *
     * @param timeoutMs longest wait.
     * @return whether the connection was closed in time.
     */
    boolean awaitClosed(final long timeoutMs) throws IOException
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        final byte[] sink = new byte[65_536];
        while (System.nanoTime() < deadline)
        {
            socket.setSoTimeout((int)Math.max(1, (deadline - System.nanoTime()) / 1_000_000L));
            try
            {
                if (in.read(sink) < 0)
                {
                    return true;
                }
            }
            catch (final SocketTimeoutException ex)
            {
                return false;
            }
            catch (final IOException ex)
            {
                return true;
            }
        }

        return false;
    }

    private Object read() throws IOException
    {
        final int first = in.readUnsignedByte();
        if (first == '$')
        {
            final int channel = in.readUnsignedByte();
            final int length = in.readUnsignedShort();
            final byte[] data = new byte[length];
            in.readFully(data);
            return new Frame(channel, data);
        }

        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(first);
        while (head.size() < 65_536)
        {
            head.write(in.readUnsignedByte());
            final byte[] bytes = head.toByteArray();
            final int n = bytes.length;
            if (n >= 4 && bytes[n - 4] == '\r' && bytes[n - 3] == '\n' && bytes[n - 2] == '\r' && bytes[n - 1] == '\n')
            {
                break;
            }
        }

        final String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        final String[] start = lines[0].split(" ", 3);
        if (!start[0].startsWith("RTSP/"))
        {
            throw new IOException("not an answer: " + lines[0]);
        }

        final Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++)
        {
            final int colon = lines[i].indexOf(':');
            if (colon > 0)
            {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
            }
        }

        final int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        final byte[] body = new byte[length];
        in.readFully(body);
        return new Response(Integer.parseInt(start[1]), headers, new String(body, StandardCharsets.UTF_8), List.of());
    }

    @Override
    public void close() throws IOException
    {
        socket.close();
    }
}
