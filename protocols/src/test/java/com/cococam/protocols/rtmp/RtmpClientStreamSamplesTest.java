package com.cococam.protocols.rtmp;

import com.cococam.codec.testing.Peers;
import com.cococam.protocols.rtmp.amf.Amf0Decoder;
import com.cococam.protocols.rtmp.amf.AmfLimits;
import com.cococam.protocols.rtmp.chunk.RtmpChunkDecoder;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import com.cococam.protocols.rtmp.handshake.RtmpServerHandshakeHandler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Real client-to-server byte streams (ffmpeg and a Flash Player) through our handshake and chunk decoder.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtmpClientStreamSamplesTest
{
    @Test
    void shouldDecodeFfmpegPlayCommandsFromSample() throws IOException
    {
        final Decoded decoded = decode("rtmp_ffmpeg_tcp_client_to_server.bin");

        assertEquals(0, decoded.handshakeScheme, "ffmpeg signs C1 with digest scheme 0, and it verifies");
        assertEquals(List.of("connect", "createStream", "_checkbw", "getStreamLength", "play", "deleteStream"),
            decoded.commandNames());
        assertEquals(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0), decoded.transactionIds());
        final Map<?, ?> connect = (Map<?, ?>)decoded.commands.get(0).get(2);
        assertEquals("test_stream", connect.get("app"));
        assertEquals("rtmp://localhost:1935/test_stream", connect.get("tcUrl"));
        assertEquals("LNX 9,0,124,2", connect.get("flashVer"));
        final List<Object> play = decoded.commands.get(4);
        assertNull(play.get(2));
        assertEquals("", play.get(3));
        assertEquals(-2000.0, play.get(4));
        assertEquals(1, decoded.messageStreamIds.get(4));
        assertEquals(2_500_000L, decoded.windowAckSize);
        assertEquals(1, decoded.countOfType(RtmpMessageTypes.USER_CONTROL), "SetBufferLength");
        assertEquals(7, decoded.messages.size());
    }

    @Test
    void shouldDecodeFlashPlayerCommandsFromSample() throws IOException
    {
        final Decoded decoded = decode("rtmp_tcp_client_to_server.bin");

        assertEquals(1, decoded.handshakeScheme, "Flash Player 10 signs C1 with digest scheme 1, and it verifies");
        assertEquals(List.of("connect", "createStream", "_error", "_error", "receiveVideo", "play", "pause",
            "pauseRaw", "pauseRaw", "pause", "seek", "deleteStream"), decoded.commandNames());
        assertEquals(List.of(1.0, 2.0, 17796.0, 17796.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
            decoded.transactionIds());
        final Map<?, ?> connect = (Map<?, ?>)decoded.commands.get(0).get(2);
        assertEquals("ondemand/content-vod-storage1/", connect.get("app"));
        assertEquals("LNX 10,0,32,18", connect.get("flashVer"));
        final int play = decoded.commandNames().indexOf("play");
        assertEquals("0/1/1/1514/1514287/1_192254_1514287", decoded.commands.get(play).get(3));
        assertEquals(1, decoded.messageStreamIds.get(play));
        assertEquals(23, decoded.messages.size());
        assertEquals(11, decoded.countOfType(RtmpMessageTypes.USER_CONTROL));
    }

    private static Decoded decode(final String sample) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(Peers.sample(sample));
        final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
        final RtmpServerHandshakeHandler handshake = new RtmpServerHandshakeHandler(5_000);
        final RtmpChunkDecoder chunks = new RtmpChunkDecoder();
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(handshake, chunks);
        final Decoded decoded = new Decoded();

        // Split the stream at odd places so the decoders see partial headers and chunks.
        int offset = 0;
        int step = 1;
        while (offset < bytes.length)
        {
            final int length = Math.min(step, bytes.length - offset);
            channel.writeInbound(alloc.heapBuffer(length).writeBytes(bytes, offset, length));
            offset += length;
            step = step * 3 % 1031 + 1;
        }

        decoded.handshakeScheme = handshake.clientScheme();
        decoded.windowAckSize = chunks.windowAckSize();
        final Amf0Decoder amf = new Amf0Decoder(AmfLimits.defaults());
        RtmpMessage message;
        while ((message = channel.readInbound()) != null)
        {
            try
            {
                decoded.messages.add(message.typeId());
                if (message.typeId() == RtmpMessageTypes.COMMAND_AMF0)
                {
                    decoded.commands.add(amf.decodeAll(message.payload()));
                    decoded.messageStreamIds.add(message.messageStreamId());
                }
            }
            finally
            {
                message.release();
            }
        }

        final ByteBuf response = channel.readOutbound();
        assertEquals(1 + 2 * 1536, response.readableBytes());
        assertEquals(3, response.getByte(0));
        response.release();
        channel.finishAndReleaseAll();
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
        return decoded;
    }

    private static final class Decoded
    {
        final List<Integer> messages = new ArrayList<>();
        final List<List<Object>> commands = new ArrayList<>();
        final List<Integer> messageStreamIds = new ArrayList<>();
        int handshakeScheme;
        long windowAckSize;

        List<String> commandNames()
        {
            final List<String> names = new ArrayList<>();
            commands.forEach(command -> names.add((String)command.get(0)));
            return names;
        }

        List<Object> transactionIds()
        {
            final List<Object> ids = new ArrayList<>();
            commands.forEach(command -> ids.add(command.get(1)));
            return ids;
        }

        long countOfType(final int type)
        {
            return messages.stream().filter(t -> t == type).count();
        }
    }
}
