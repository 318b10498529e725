package com.cococam.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately small RTMP client for tests, written from the Adobe RTMP 1.0 specification: the plain handshake
 * (C0/C1/C2, no digest), hand-built chunks (format 0 headers, format 3 continuations) and the few AMF0 values the
 * commands need. It can behave (connect, publish, play) or misbehave (raw bytes, oversize fields, no reading).
 *
 * <pre>
 *  chunk basic header (1 byte, csid 2..63) | message header, format 0 (11 bytes):
 *  timestamp (u24, 0xFFFFFF = extended) | length (u24) | type id (u8) | message stream id (u32 little endian)
 *  [extended timestamp (u32), on the first and on every continuation chunk]
 * </pre>
 *
 * <p>Thread safety: one thread, apart from {@link #close()}. Not a production client: it ignores what the server
 * sends except for searching it for text.
 */
public final class RawRtmpClient implements AutoCloseable
{
    /** Chunk stream of commands. */
    public static final int COMMAND_CSID = 3;
    /** Chunk stream used for audio. */
    public static final int AUDIO_CSID = 4;
    /** Chunk stream used for video. */
    public static final int VIDEO_CSID = 6;
    /** Message stream id the server hands out in createStream. */
    public static final int MEDIA_STREAM_ID = 1;

    private static final int HANDSHAKE_SIZE = 1536;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int chunkSize = 128;

    private RawRtmpClient(final Socket socket) throws IOException
    {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /**
     * Opens a TCP connection to 127.0.0.1.
     *
     * @param port               the server's RTMP port.
     * @param receiveBufferBytes socket receive buffer, 0 for the system default (small values make a slow reader).
     * @return the connected client (no handshake yet).
     * @throws IOException if the connection fails.
     */
    public static RawRtmpClient open(final int port, final int receiveBufferBytes) throws IOException
    {
        final Socket socket = new Socket();
        if (receiveBufferBytes > 0)
        {
            socket.setReceiveBufferSize(receiveBufferBytes);
        }

        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return new RawRtmpClient(socket);
    }

    /**
     * @param bytes written as they are.
     * @throws IOException on a write failure.
     */
    public void sendRaw(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        out.flush();
    }

    /**
     * Plain handshake: C0+C1, read S0+S1+S2, C2 (echo of S1).
     *
     * @throws IOException if the server closes or answers short.
     */
    public void handshake() throws IOException
    {
        final byte[] c0c1 = new byte[1 + HANDSHAKE_SIZE];
        c0c1[0] = 3;
        final byte[] random = new byte[HANDSHAKE_SIZE - 8];
        ThreadLocalRandom.current().nextBytes(random);
        System.arraycopy(random, 0, c0c1, 9, random.length);
        sendRaw(c0c1);

        socket.setSoTimeout(5000);
        final byte[] s0s1s2 = in.readNBytes(1 + 2 * HANDSHAKE_SIZE);
        if (s0s1s2.length != 1 + 2 * HANDSHAKE_SIZE || s0s1s2[0] != 3)
        {
            throw new IOException("bad handshake answer: " + s0s1s2.length + " bytes");
        }

        final byte[] c2 = new byte[HANDSHAKE_SIZE];
        System.arraycopy(s0s1s2, 1, c2, 0, HANDSHAKE_SIZE);
        sendRaw(c2);
    }

    /**
     * Sends one message as a format 0 chunk followed by format 3 continuations at the current chunk size.
     *
     * @param csid            chunk stream id, 2..63.
     * @param typeId          message type id.
     * @param messageStreamId message stream id.
     * @param timestampMs     32-bit timestamp.
     * @param payload         body.
     * @throws IOException on a write failure.
     */
    public void sendMessage(
        final int csid,
        final int typeId,
        final int messageStreamId,
        final long timestampMs,
        final byte[] payload) throws IOException
    {
        sendMessage(csid, typeId, messageStreamId, timestampMs, payload.length, payload);
    }

    /**
     * Sends a message header announcing {@code declaredLength}, followed by {@code payload} (which may be shorter:
     * a lie about the length).
     *
     * @param csid            chunk stream id, 2..63.
     * @param typeId          message type id.
     * @param messageStreamId message stream id.
     * @param timestampMs     32-bit timestamp.
     * @param declaredLength  the length field, 0..0xFFFFFF.
     * @param payload         bytes sent.
     * @throws IOException on a write failure.
     */
    public void sendMessage(
        final int csid,
        final int typeId,
        final int messageStreamId,
        final long timestampMs,
        final int declaredLength,
        final byte[] payload) throws IOException
    {
        final long timestamp = timestampMs & 0xFFFF_FFFFL;
        final boolean extended = timestamp >= 0xFF_FFFF;
        final ByteArrayOutputStream chunk = new ByteArrayOutputStream(payload.length + 64);
        chunk.write(csid & 0x3F);
        writeU24(chunk, extended ? 0xFF_FFFF : (int)timestamp);
        writeU24(chunk, declaredLength);
        chunk.write(typeId);
        chunk.write(messageStreamId);
        chunk.write(messageStreamId >>> 8);
        chunk.write(messageStreamId >>> 16);
        chunk.write(messageStreamId >>> 24);
        if (extended)
        {
            writeU32(chunk, timestamp);
        }

        int offset = 0;
        while (true)
        {
            final int n = Math.min(chunkSize, payload.length - offset);
            chunk.write(payload, offset, n);
            offset += n;
            if (offset >= payload.length)
            {
                break;
            }

            chunk.write(0xC0 | (csid & 0x3F));
            if (extended)
            {
                writeU32(chunk, timestamp);
            }
        }

        sendRaw(chunk.toByteArray());
    }

    /**
     * Sends Set Chunk Size and uses that size from now on.
     *
     * @param size the new chunk size (sent as is, even when out of range).
     * @throws IOException on a write failure.
     */
    public void setChunkSize(final int size) throws IOException
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(4);
        writeU32(body, size & 0xFFFF_FFFFL);
        sendMessage(2, 1, 0, 0, body.toByteArray());
        chunkSize = size;
    }

    /**
     * Sends {@code connect} (transaction 1) for an app.
     *
     * @param port the server port (for tcUrl).
     * @param app  the application, e.g. {@code live}.
     * @throws IOException on a write failure.
     */
    public void connect(final int port, final String app) throws IOException
    {
        sendCommand(0, Amf0.string("connect"), Amf0.number(1), Amf0.object(Map.of(
            "app", app,
            "type", "nonprivate",
            "flashVer", "FMLE/3.0 (compatible; cococam-test)",
            "tcUrl", "rtmp://127.0.0.1:" + port + "/" + app)));
    }

    /**
     * Sends {@code createStream} (transaction 2); the server answers stream id 1.
     *
     * @throws IOException on a write failure.
     */
    public void createStream() throws IOException
    {
        sendCommand(0, Amf0.string("createStream"), Amf0.number(2), Amf0.nul());
    }

    /**
     * Sends {@code publish} on stream 1.
     *
     * @param streamName e.g. {@code cam1?key=key1}.
     * @throws IOException on a write failure.
     */
    public void publish(final String streamName) throws IOException
    {
        sendCommand(MEDIA_STREAM_ID, Amf0.string("publish"), Amf0.number(0), Amf0.nul(), Amf0.string(streamName),
            Amf0.string("live"));
    }

    /**
     * Sends {@code play} on stream 1.
     *
     * @param streamName e.g. {@code cam1}.
     * @throws IOException on a write failure.
     */
    public void play(final String streamName) throws IOException
    {
        sendCommand(MEDIA_STREAM_ID, Amf0.string("play"), Amf0.number(0), Amf0.nul(), Amf0.string(streamName));
    }

    /**
     * Handshake, connect, createStream and publish.
     *
     * @param port       the server port.
     * @param app        application.
     * @param streamName stream name with query.
     * @throws IOException on failure.
     */
    public void startPublishing(final int port, final String app, final String streamName) throws IOException
    {
        handshake();
        connect(port, app);
        createStream();
        publish(streamName);
    }

    /**
     * Sends an AMF0 command message.
     *
     * @param messageStreamId 0 for NetConnection commands, 1 for NetStream ones.
     * @param values          encoded AMF0 values.
     * @throws IOException on a write failure.
     */
    public void sendCommand(final int messageStreamId, final byte[]... values) throws IOException
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (final byte[] value : values)
        {
            body.write(value);
        }

        sendMessage(COMMAND_CSID, 20, messageStreamId, 0, body.toByteArray());
    }

    /**
     * Reads what the server sends until its bytes contain {@code marker} (as ASCII) or the time is up.
     *
     * @param marker  text to find, e.g. {@code NetStream.Publish.Start}.
     * @param timeout longest wait.
     * @return whether it was found (false also when the server closed first).
     * @throws IOException on a read failure other than a timeout.
     */
    public boolean readUntil(final String marker, final Duration timeout) throws IOException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final byte[] buffer = new byte[8192];
        while (!receivedText().contains(marker))
        {
            final long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0)
            {
                return false;
            }

            socket.setSoTimeout((int)Math.max(1, leftMs));
            try
            {
                final int n = in.read(buffer);
                if (n < 0)
                {
                    return receivedText().contains(marker);
                }

                received.write(buffer, 0, n);
            }
            catch (final SocketTimeoutException ex)
            {
                return false;
            }
        }

        return true;
    }

    /**
     * @return everything read so far as ISO-8859-1 text (binary parts are noise).
     */
    public String receivedText()
    {
        return received.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads and discards until the server closes the connection (read returns -1 or the connection is reset).
     *
     * @param timeout longest wait.
     * @return milliseconds until the close, or -1 if the connection was still open at the deadline.
     * @throws IOException on an unexpected failure.
     */
    public long awaitClosedMs(final Duration timeout) throws IOException
    {
        final long start = System.nanoTime();
        final long deadline = start + timeout.toNanos();
        final byte[] buffer = new byte[8192];
        while (true)
        {
            final long leftMs = (deadline - System.nanoTime()) / 1_000_000;
            if (leftMs <= 0)
            {
                return -1;
            }

            socket.setSoTimeout((int)Math.max(1, leftMs));
            try
            {
                if (in.read(buffer) < 0)
                {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            }
            catch (final SocketTimeoutException ex)
            {
                return -1;
            }
            catch (final SocketException ex)
            {
                return (System.nanoTime() - start) / 1_000_000;
            }
        }
    }

    @Override
    public void close()
    {
        try
        {
            socket.close();
        }
        catch (final IOException ex)
        {
            // nothing to do in a test teardown
        }
    }

    private static void writeU24(final ByteArrayOutputStream out, final int value)
    {
        out.write(value >>> 16);
        out.write(value >>> 8);
        out.write(value);
    }

    private static void writeU32(final ByteArrayOutputStream out, final long value)
    {
        out.write((int)(value >>> 24));
        out.write((int)(value >>> 16));
        out.write((int)(value >>> 8));
        out.write((int)value);
    }

    /**
     * The AMF0 values the commands need (AMF0 specification, section 2).
     */
    public static final class Amf0
    {
        private Amf0()
        {
        }

        /**
         * @param value a number.
         * @return marker 0x00 and the IEEE double.
         */
        public static byte[] number(final double value)
        {
            final long bits = Double.doubleToLongBits(value);
            final byte[] out = new byte[9];
            for (int i = 0; i < 8; i++)
            {
                out[1 + i] = (byte)(bits >>> (56 - 8 * i));
            }

            return out;
        }

        /**
         * @param value a short string.
         * @return marker 0x02, u16 length, UTF-8 bytes.
         */
        public static byte[] string(final String value)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(2);
            writeKey(out, value);
            return out.toByteArray();
        }

        /**
         * @return marker 0x05.
         */
        public static byte[] nul()
        {
            return new byte[] {5};
        }

        /**
         * @param properties string properties.
         * @return marker 0x03, the properties, end marker 00 00 09.
         */
        public static byte[] object(final Map<String, String> properties)
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(3);
            for (final Map.Entry<String, String> entry : properties.entrySet())
            {
                writeKey(out, entry.getKey());
                out.writeBytes(string(entry.getValue()));
            }

            out.write(0);
            out.write(0);
            out.write(9);
            return out.toByteArray();
        }

        private static void writeKey(final ByteArrayOutputStream out, final String key)
        {
            final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
            out.write(bytes.length >>> 8);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
    }
}
