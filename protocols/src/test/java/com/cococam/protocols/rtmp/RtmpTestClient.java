package com.cococam.protocols.rtmp;

import com.cococam.protocols.rtmp.amf.Amf0Decoder;
import com.cococam.protocols.rtmp.amf.Amf0Encoder;
import com.cococam.protocols.rtmp.amf.AmfLimits;
import com.cococam.protocols.rtmp.chunk.RtmpChunkDecoder;
import com.cococam.protocols.rtmp.chunk.RtmpChunkEncoder;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Client side codec for tests: our own encoder/decoder in embedded channels, plus a plain handshake.
 */
final class RtmpTestClient
{
    static final int HANDSHAKE_RESPONSE_LENGTH = 1 + 2 * 1536;

    private final ByteBufAllocator alloc;
    private final EmbeddedChannel encoder;
    private final RtmpChunkDecoder chunks = new RtmpChunkDecoder();
    private final EmbeddedChannel decoder;
    private final Amf0Decoder amf = new Amf0Decoder(AmfLimits.defaults());
    private int handshakeBytesLeft = HANDSHAKE_RESPONSE_LENGTH;

    RtmpTestClient(final ByteBufAllocator alloc)
    {
        this.alloc = alloc;
        this.encoder = new EmbeddedChannel(new RtmpChunkEncoder());
        this.encoder.config().setAllocator(alloc);
        this.decoder = new EmbeddedChannel();
        this.decoder.config().setAllocator(alloc);
        this.decoder.pipeline().addLast(chunks);
    }

    RtmpChunkDecoder chunks()
    {
        return chunks;
    }

    ByteBuf c0c1()
    {
        final byte[] c1 = new byte[1536];
        new Random(1).nextBytes(c1);
        for (int i = 0; i < 8; i++)
        {
            c1[i] = 0;
        }

        return alloc.heapBuffer().writeByte(3).writeBytes(c1);
    }

    ByteBuf c2()
    {
        return alloc.heapBuffer().writeZero(1536);
    }

    ByteBuf command(final int messageStreamId, final Object... values)
    {
        final ByteBuf body = alloc.heapBuffer();
        Amf0Encoder.writeValues(body, values);
        return encode(new RtmpMessage(3, RtmpMessageTypes.COMMAND_AMF0, messageStreamId, 0, body));
    }

    ByteBuf encode(final RtmpMessage message)
    {
        encoder.writeOutbound(message);
        final ByteBuf all = alloc.heapBuffer();
        ByteBuf out;
        while ((out = encoder.readOutbound()) != null)
        {
            all.writeBytes(out);
            out.release();
        }

        return all;
    }

    /**
     * Feeds server bytes (the handshake response first) and returns the messages decoded so far; the caller
     * releases them.
     */
    List<RtmpMessage> receive(final ByteBuf serverBytes)
    {
        try
        {
            if (handshakeBytesLeft > 0)
            {
                final int skip = Math.min(handshakeBytesLeft, serverBytes.readableBytes());
                serverBytes.skipBytes(skip);
                handshakeBytesLeft -= skip;
            }

            if (serverBytes.isReadable())
            {
                decoder.writeInbound(serverBytes.retain());
            }
        }
        finally
        {
            serverBytes.release();
        }

        final List<RtmpMessage> messages = new ArrayList<>();
        RtmpMessage message;
        while ((message = decoder.readInbound()) != null)
        {
            messages.add(message);
        }

        return messages;
    }

    List<Object> amf(final RtmpMessage message)
    {
        return amf.decodeAll(message.payload());
    }

    void close()
    {
        encoder.finishAndReleaseAll();
        decoder.finishAndReleaseAll();
    }
}
