package com.cococam.protocols.rtmp;

import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our pipeline on a real socket against the bundled ffmpeg/ffprobe and a raw socket client.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RtmpRealPeerTest
{
    private final RecordingListener listener = new RecordingListener();
    private EventLoopGroup group;
    private Channel server;
    private int port;

    @BeforeEach
    void startServer() throws InterruptedException
    {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        server = new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(new RtmpServerInitializer(listener, RtmpLimits.defaults().withHandshakeTimeoutMs(2_000)))
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
        port = ((InetSocketAddress)server.localAddress()).getPort();
    }

    @AfterEach
    void stopServer()
    {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldReceiveEveryFrameFromFfmpegPublisher() throws InterruptedException
    {
        final Peers.Result result = Peers.run(Duration.ofSeconds(60), publishCommand(3));

        assertEquals(0, result.exitCode(), result.stderr());
        assertTrue(listener.firstClose.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("live|cam1|{key=k}"), listener.publishes);
        assertEquals(1, listener.videoSequenceHeaders.get());
        assertEquals(75, listener.videoFrames.get(), "3 s at 25 fps");
        assertEquals(1, listener.audioSequenceHeaders.get());
        assertTrue(listener.audioFrames.get() >= 125 && listener.audioFrames.get() <= 135,
            "3 s of 1024-sample AAC frames at 44.1 kHz: " + listener.audioFrames.get());
        assertMonotonic(listener.videoTimestamps);
        assertMonotonic(listener.audioTimestamps);
        final long lastVideo = listener.videoTimestamps.get(listener.videoTimestamps.size() - 1);
        assertTrue(lastVideo >= 2_800 && lastVideo <= 3_100, "last video timestamp " + lastVideo);
        assertEquals(1, listener.metadata.size());
        assertEquals(320.0, listener.metadata.get(0).get("width"));
        assertEquals(240.0, listener.metadata.get(0).get("height"));
        assertEquals(1, listener.unpublished.get());
        assertEquals("live", listener.closed.get(0).app());
        assertEquals("rtmp://127.0.0.1:" + port + "/live", listener.closed.get(0).tcUrl());
        assertTrue(listener.errors.isEmpty(), listener.errors.toString());
    }

    @Test
    void shouldMakeFfmpegFailWhenPublishIsRefused() throws InterruptedException
    {
        listener.refusal = new RtmpRefusedException(RtmpRefusedException.PUBLISH_BAD_AUTH, "wrong key");

        final Peers.Result result = Peers.run(Duration.ofSeconds(60), publishCommand(1));

        assertNotEquals(0, result.exitCode());
        assertTrue(result.stderr().contains("NetStream.Publish.BadAuth") || result.stderr().contains("wrong key"),
            result.stderr());
        assertTrue(listener.firstClose.await(10, TimeUnit.SECONDS), "server closed the channel");
        assertEquals(0, listener.videoFrames.get());
        assertEquals(0, listener.unpublished.get());
    }

    @Test
    void shouldServePreEncodedMediaToFfprobe() throws IOException
    {
        final List<FlvTag> tags = readFlvTags(Files.readAllBytes(Peers.sample("flv_srs_avatar_h264_aac.flv")), 2_000);
        final long videoFrames = tags.stream().filter(t -> t.type == 9 && t.body[1] == 1).count();
        final long audioFrames = tags.stream().filter(t -> t.type == 8 && t.body[1] == 1).count();
        listener.onPlayStart = connection -> writeMedia(connection, tags);

        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-rw_timeout", "15000000",
            "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
            "rtmp://127.0.0.1:" + port + "/live/cam1");

        assertEquals(List.of("live|cam1|{}"), listener.plays);
        final Map<String, String> frames = new LinkedHashMap<>();
        for (int i = 0; i < 2; i++)
        {
            frames.put(probe.get("streams.stream." + i + ".codec_name"),
                probe.get("streams.stream." + i + ".nb_read_frames"));
        }

        assertTrue(videoFrames > 40 && audioFrames > 80, videoFrames + "/" + audioFrames);
        assertEquals(String.valueOf(videoFrames), frames.get("h264"), probe.toString());
        assertEquals(String.valueOf(audioFrames), frames.get("aac"), probe.toString());
    }

    @Test
    void shouldCloseBadConnectionsAndKeepServingHealthyOnes() throws IOException
    {
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        try (Socket garbage = connect())
        {
            garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            assertEquals(-1, readUntilClosed(garbage.getInputStream()), "server closed the garbage connection");
        }

        try (Socket oversize = connect())
        {
            final RtmpTestClient client = new RtmpTestClient(alloc);
            handshake(oversize, client);
            write(oversize, client.encode(new RtmpMessage(2, RtmpMessageTypes.SET_CHUNK_SIZE, 0, 0,
                alloc.heapBuffer().writeInt(1 << 20))));
            assertEquals(-1, readUntilClosed(oversize.getInputStream()));
            client.close();
        }

        try (Socket healthy = connect())
        {
            final RtmpTestClient client = new RtmpTestClient(alloc);
            handshake(healthy, client);
            final Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("app", "live");
            properties.put("tcUrl", "rtmp://127.0.0.1/live");
            write(healthy, client.command(0, "connect", 1.0, properties));
            final List<Object> result = awaitCommand(healthy, client, "_result");
            assertEquals(1.0, result.get(1));
            assertEquals("NetConnection.Connect.Success", ((Map<?, ?>)result.get(3)).get("code"));
            assertEquals(4096, client.chunks().chunkSize(), "server announced its chunk size");
            client.close();
        }

        assertEquals(2, listener.errors.size(), listener.errors.toString());
        assertEquals(RtmpErrorCode.HANDSHAKE_VERSION, listener.errors.get(0).code());
        assertEquals(RtmpErrorCode.CHUNK_SIZE, listener.errors.get(1).code());
        assertEquals(0, alloc.metric().usedHeapMemory());
    }

    private List<String> publishCommand(final int seconds)
    {
        return List.of(Peers.ffmpeg(), "-hide_banner", "-nostats", "-re",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
            "-f", "lavfi", "-i", "sine=sample_rate=44100",
            "-t", String.valueOf(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
            "-f", "flv", "rtmp://127.0.0.1:" + port + "/live/cam1?key=k");
    }

    private static void assertMonotonic(final List<Long> timestamps)
    {
        for (int i = 1; i < timestamps.size(); i++)
        {
            assertTrue(timestamps.get(i) >= timestamps.get(i - 1), "timestamps go back at " + i + ": " + timestamps);
        }
    }

    private static void writeMedia(final RtmpConnection connection, final List<FlvTag> tags)
    {
        final Channel channel = connection.channel();
        final int chunkSize = connection.outgoingChunkSize();
        final Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("width", 768.0);
        metadata.put("height", 320.0);
        metadata.put("videocodecid", 7.0);
        metadata.put("audiocodecid", 10.0);
        channel.write(RtmpPlayMedia.encodeMetadata(channel.alloc(), chunkSize, 0, metadata));
        for (final FlvTag tag : tags)
        {
            final ByteBuf body = channel.alloc().buffer(tag.body.length).writeBytes(tag.body);
            final ByteBuf encoded = tag.type == 9
                ? RtmpPlayMedia.encodeVideo(channel.alloc(), chunkSize, tag.timestampMs, body)
                : RtmpPlayMedia.encodeAudio(channel.alloc(), chunkSize, tag.timestampMs, body);
            body.release();
            // What the server does for many players: one encode, a retained duplicate per channel.
            channel.write(encoded.retainedDuplicate());
            encoded.release();
        }

        channel.flush();
        connection.sendPlayStop();
    }

    /** Minimal FLV reader: 9-byte header, then (previous tag size, tag) pairs. Keeps audio/video tags. */
    private static List<FlvTag> readFlvTags(final byte[] file, final long untilMs)
    {
        final List<FlvTag> tags = new ArrayList<>();
        int pos = ((file[5] & 0xFF) << 24 | (file[6] & 0xFF) << 16 | (file[7] & 0xFF) << 8 | (file[8] & 0xFF)) + 4;
        while (pos + 11 <= file.length)
        {
            final int type = file[pos] & 0x1F;
            final int size = (file[pos + 1] & 0xFF) << 16 | (file[pos + 2] & 0xFF) << 8 | (file[pos + 3] & 0xFF);
            final long timestamp = ((file[pos + 7] & 0xFFL) << 24) | (file[pos + 4] & 0xFF) << 16
                | (file[pos + 5] & 0xFF) << 8 | (file[pos + 6] & 0xFF);
            if (pos + 11 + size > file.length || timestamp > untilMs)
            {
                break;
            }

            if (type == 8 || type == 9)
            {
                final byte[] body = new byte[size];
                System.arraycopy(file, pos + 11, body, 0, size);
                tags.add(new FlvTag(type, timestamp, body));
            }

            pos += 11 + size + 4;
        }

        return tags;
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void handshake(final Socket socket, final RtmpTestClient client) throws IOException
    {
        write(socket, client.c0c1());
        final byte[] response = socket.getInputStream().readNBytes(RtmpTestClient.HANDSHAKE_RESPONSE_LENGTH);
        assertEquals(RtmpTestClient.HANDSHAKE_RESPONSE_LENGTH, response.length);
        write(socket, client.c2());
        client.receive(UnpooledByteBufAllocator.DEFAULT.heapBuffer().writeBytes(response))
            .forEach(RtmpMessage::release);
    }

    private static List<Object> awaitCommand(final Socket socket, final RtmpTestClient client, final String name)
        throws IOException
    {
        final byte[] buffer = new byte[8192];
        for (int reads = 0; reads < 100; reads++)
        {
            final int n = socket.getInputStream().read(buffer);
            if (n < 0)
            {
                break;
            }

            List<Object> found = null;
            for (final RtmpMessage message : client.receive(
                UnpooledByteBufAllocator.DEFAULT.heapBuffer(n).writeBytes(buffer, 0, n)))
            {
                if (message.typeId() == RtmpMessageTypes.COMMAND_AMF0 && found == null)
                {
                    final List<Object> values = client.amf(message);
                    found = name.equals(values.get(0)) ? values : null;
                }

                message.release();
            }

            if (found != null)
            {
                return found;
            }
        }

        throw new AssertionError("no " + name + " received");
    }

    private static int readUntilClosed(final InputStream in) throws IOException
    {
        final byte[] buffer = new byte[4096];
        for (int reads = 0; reads < 1000; reads++)
        {
            if (in.read(buffer) < 0)
            {
                return -1;
            }
        }

        return 0;
    }

    private static void write(final Socket socket, final ByteBuf bytes) throws IOException
    {
        final OutputStream out = socket.getOutputStream();
        out.write(ByteBufUtil.getBytes(bytes));
        out.flush();
        bytes.release();
    }

    private record FlvTag(int type, long timestampMs, byte[] body)
    {
    }
}
