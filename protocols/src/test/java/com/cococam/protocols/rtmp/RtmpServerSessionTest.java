package com.cococam.protocols.rtmp;

import com.cococam.protocols.rtmp.amf.Amf0Encoder;
import com.cococam.protocols.rtmp.amf.AmfEcmaArray;
import com.cococam.protocols.rtmp.amf.AmfUndefined;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole server pipeline in an {@link EmbeddedChannel}, driven by our client-side codec.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtmpServerSessionTest
{
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final RecordingListener listener = new RecordingListener();
    private EmbeddedChannel channel;
    private RtmpTestClient client;

    @BeforeEach
    void createPipeline()
    {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.freezeTime();
        RtmpServerInitializer.install(channel.pipeline(), listener,
            RtmpLimits.defaults().withHandshakeTimeoutMs(1_000));
        client = new RtmpTestClient(alloc);
    }

    @AfterEach
    void shouldReleaseEveryBuffer()
    {
        client.close();
        channel.finishAndReleaseAll();
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    @Test
    void shouldRunPublishCommandsAndDeliverMediaAndMetadata()
    {
        handshake();
        final List<List<Object>> connect = send(client.command(0, "connect", 1.0, connectObject("live")));
        assertEquals("_result", connect.get(0).get(0));
        assertEquals(1.0, connect.get(0).get(1));
        assertEquals("NetConnection.Connect.Success", ((Map<?, ?>)connect.get(0).get(3)).get("code"));
        assertEquals(4096, client.chunks().chunkSize(), "Set Chunk Size before _result");
        assertEquals(RtmpLimits.DEFAULT_WINDOW_ACK_SIZE, client.chunks().windowAckSize());

        assertEquals(Arrays.asList("_result", 2.0, null, AmfUndefined.INSTANCE),
            send(client.command(0, "releaseStream", 2.0, null, "cam1")).get(0));
        assertEquals("onFCPublish", send(client.command(0, "FCPublish", 3.0, null, "cam1")).get(0).get(0));
        assertEquals(Arrays.asList("_result", 4.0, null, 1.0),
            send(client.command(0, "createStream", 4.0, null)).get(0));
        final List<List<Object>> publish = send(client.command(1, "publish", 5.0, null, "cam1?key=k", "live"));
        assertEquals("NetStream.Publish.Start", ((Map<?, ?>)publish.get(0).get(3)).get("code"));
        assertEquals(List.of("live|cam1|{key=k}"), listener.publishes);

        final AmfEcmaArray metadata = new AmfEcmaArray();
        metadata.put("width", 640.0);
        sendRaw(data(client, "@setDataFrame", "onMetaData", metadata));
        sendRaw(client.encode(new RtmpMessage(6, RtmpMessageTypes.VIDEO, 1, 0, bytes("1700000000 0164001f"))));
        sendRaw(client.encode(new RtmpMessage(6, RtmpMessageTypes.VIDEO, 1, 40, bytes("2701000000 00000001"))));
        sendRaw(client.encode(new RtmpMessage(4, RtmpMessageTypes.AUDIO, 1, 23, bytes("af01 2110"))));

        assertEquals(List.of(metadata), listener.metadata);
        assertEquals(List.of(0L, 40L), listener.videoTimestamps);
        assertEquals(1, listener.videoSequenceHeaders.get());
        assertEquals(1, listener.videoFrames.get());
        assertEquals(List.of(23L), listener.audioTimestamps);

        send(client.command(1, "deleteStream", 6.0, null, 1.0));
        assertEquals(1, listener.unpublished.get());
        assertTrue(channel.isOpen());
    }

    @Test
    void shouldAnswerPingAndUnknownCommandAndIgnoreUnknownMessageType()
    {
        handshake();
        send(client.command(0, "connect", 1.0, connectObject("live")));

        final List<RtmpMessage> pong = exchange(client.encode(new RtmpMessage(2, RtmpMessageTypes.USER_CONTROL, 0, 0,
            bytes("0006 12345678"))));
        assertEquals(1, pong.size());
        assertEquals("000712345678", ByteBufUtil.hexDump(pong.get(0).payload()));
        pong.forEach(RtmpMessage::release);

        assertTrue(send(client.encode(new RtmpMessage(3, 0x7F, 0, 0, bytes("01020304")))).isEmpty());
        final List<List<Object>> error = send(client.command(0, "_checkbw", 7.0, null));
        assertEquals("_error", error.get(0).get(0));
        assertEquals(7.0, error.get(0).get(1));
        assertTrue(send(client.command(0, "receiveVideo", 0.0, null, true)).isEmpty(), "transaction 0: no answer");
        assertTrue(channel.isOpen(), "unknown message type is ignored, not fatal");
        assertEquals(3, channel.pipeline().get(RtmpServerSession.class).ignoredMessages(),
            "unknown type, _checkbw, receiveVideo");
    }

    @Test
    void shouldSendErrorStatusAndCloseWhenPublishIsRefused()
    {
        listener.refusal = new RtmpRefusedException(RtmpRefusedException.PUBLISH_BAD_NAME, "no such camera");
        handshake();
        send(client.command(0, "connect", 1.0, connectObject("live?token=t")));

        final List<List<Object>> status = send(client.command(1, "publish", 2.0, null, "cam9", "live"));

        final Map<?, ?> info = (Map<?, ?>)status.get(0).get(3);
        assertEquals("error", info.get("level"));
        assertEquals("NetStream.Publish.BadName", info.get("code"));
        assertEquals(List.of("live|cam9|{token=t}"), listener.publishes, "app query merged");
        assertFalse(channel.isOpen());
        assertEquals(1, listener.closed.size());
        assertTrue(listener.errors.isEmpty());
    }

    @Test
    void shouldStartPlayAndLetTheListenerWriteMedia()
    {
        listener.onPlayStart = connection ->
        {
            final ByteBuf body = bytes("1700000000 0164001f");
            connection.channel().writeAndFlush(RtmpPlayMedia.encodeVideo(
                connection.channel().alloc(), connection.outgoingChunkSize(), 80, body));
            body.release();
        };
        handshake();
        send(client.command(0, "connect", 1.0, connectObject("live")));
        send(client.command(0, "createStream", 2.0, null));

        final List<RtmpMessage> replies = exchange(client.command(1, "play", 3.0, null, "cam1", -2000.0));

        final List<String> seen = new ArrayList<>();
        for (final RtmpMessage message : replies)
        {
            if (message.typeId() == RtmpMessageTypes.COMMAND_AMF0)
            {
                seen.add(String.valueOf(((Map<?, ?>)client.amf(message).get(3)).get("code")));
            }
            else if (message.typeId() == RtmpMessageTypes.DATA_AMF0)
            {
                seen.add(String.valueOf(client.amf(message).get(0)));
            }
            else
            {
                seen.add(message.typeId() + "@" + message.chunkStreamId() + "/" + message.timestamp32Ms());
            }

            message.release();
        }

        assertEquals(List.of("4@2/0", "NetStream.Play.Reset", "NetStream.Play.Start", "|RtmpSampleAccess",
            "9@6/80"), seen);
        send(client.command(1, "closeStream", 0.0, null));
        assertEquals(1, listener.playStops.get());
    }

    @Test
    void shouldCloseOnGarbageBytes()
    {
        sendRaw(bytes("474554202f20485454502f312e310d0a"));

        assertClosedWith(RtmpErrorCode.HANDSHAKE_VERSION);
    }

    @Test
    void shouldCloseOnWrongVersionByte()
    {
        final ByteBuf c0c1 = client.c0c1();
        c0c1.setByte(0, 6);

        sendRaw(c0c1);

        assertClosedWith(RtmpErrorCode.HANDSHAKE_VERSION);
    }

    @Test
    void shouldCloseOnTruncatedHandshakeAfterTimeout()
    {
        sendRaw(client.c0c1().writerIndex(700));
        channel.advanceTimeBy(1_001, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertClosedWith(RtmpErrorCode.HANDSHAKE_TIMEOUT);
    }

    @Test
    void shouldCloseOnChunkSizeOverBound()
    {
        handshake();

        sendRaw(client.encode(new RtmpMessage(2, RtmpMessageTypes.SET_CHUNK_SIZE, 0, 0, bytes("00100000"))));

        assertClosedWith(RtmpErrorCode.CHUNK_SIZE);
    }

    @Test
    void shouldCloseOnMessageLengthOverBound()
    {
        handshake();

        sendRaw(bytes("06 000000 ffffff 09 01000000 00"));

        assertClosedWith(RtmpErrorCode.MESSAGE_LENGTH);
    }

    @Test
    void shouldCloseOnTooManyChunkStreamsAndReleasePartialMessages()
    {
        handshake();
        final ByteBuf many = alloc.heapBuffer();
        for (int csid = 3; csid < 3 + 65; csid++)
        {
            // Each opens a 200-byte message and sends only its first 128-byte chunk.
            if (csid < 64)
            {
                many.writeByte(csid);
            }
            else
            {
                many.writeByte(0).writeByte(csid - 64);
            }

            many.writeMedium(0).writeMedium(200).writeByte(9).writeIntLE(1).writeZero(128);
        }

        sendRaw(many);

        assertClosedWith(RtmpErrorCode.CHUNK_STREAMS);
    }

    @Test
    void shouldCloseOnAmfThatDoesNotParse()
    {
        handshake();

        sendRaw(client.encode(new RtmpMessage(3, RtmpMessageTypes.COMMAND_AMF0, 0, 0, bytes("02 0007 636f6e6e 12"))));

        assertClosedWith(RtmpErrorCode.AMF_MALFORMED);
    }

    @Test
    void shouldCloseOnPublishBeforeConnect()
    {
        handshake();

        sendRaw(client.command(1, "publish", 2.0, null, "cam1"));

        assertClosedWith(RtmpErrorCode.COMMAND);
    }

    private void assertClosedWith(final RtmpErrorCode code)
    {
        drainOutbound();
        assertFalse(channel.isOpen());
        assertEquals(1, listener.errors.size(), listener.errors.toString());
        assertEquals(code, listener.errors.get(0).code(), listener.errors.get(0).getMessage());
        assertEquals(1, listener.closed.size());
    }

    private void handshake()
    {
        sendRaw(client.c0c1());
        sendRaw(client.c2());
        assertTrue(exchange(alloc.heapBuffer(0)).isEmpty());
    }

    private void sendRaw(final ByteBuf bytes)
    {
        channel.writeInbound(bytes);
    }

    /** Sends bytes and returns every message the server wrote back; caller releases them. */
    private List<RtmpMessage> exchange(final ByteBuf bytes)
    {
        channel.writeInbound(bytes);
        final List<RtmpMessage> messages = new ArrayList<>();
        ByteBuf out;
        while ((out = channel.readOutbound()) != null)
        {
            messages.addAll(client.receive(out));
        }

        return messages;
    }

    /** Sends bytes and returns the AMF values of the commands the server answered with. */
    private List<List<Object>> send(final ByteBuf bytes)
    {
        final List<List<Object>> commands = new ArrayList<>();
        for (final RtmpMessage message : exchange(bytes))
        {
            if (message.typeId() == RtmpMessageTypes.COMMAND_AMF0)
            {
                commands.add(client.amf(message));
            }

            message.release();
        }

        return commands;
    }

    private void drainOutbound()
    {
        ByteBuf out;
        while ((out = channel.readOutbound()) != null)
        {
            out.release();
        }
    }

    private ByteBuf data(final RtmpTestClient codec, final Object... values)
    {
        final ByteBuf body = alloc.heapBuffer();
        Amf0Encoder.writeValues(body, values);
        return codec.encode(new RtmpMessage(5, RtmpMessageTypes.DATA_AMF0, 1, 0, body));
    }

    private static Map<String, Object> connectObject(final String app)
    {
        final Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("app", app);
        properties.put("type", "nonprivate");
        properties.put("tcUrl", "rtmp://127.0.0.1:1935/" + app);
        return properties;
    }

    private ByteBuf bytes(final String hex)
    {
        return alloc.heapBuffer().writeBytes(ByteBufUtil.decodeHexDump(hex.replace(" ", "")));
    }
}
