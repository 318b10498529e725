package com.cococam.bench.load;

import com.cococam.protocols.rtmp.amf.Amf0Decoder;
import com.cococam.protocols.rtmp.amf.Amf0Encoder;
import com.cococam.protocols.rtmp.amf.AmfLimits;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few client messages the load tool sends (NetConnection and NetStream commands, chunk size, ping reply) and
 * the reading of the server's command replies.
 *
 * <p>Thread safety: stateless helpers; {@link #decode} uses a decoder per call (cold path: commands only).
 * Allocation: every call allocates (commands are sent a few times per connection, never per frame).
 */
final class RtmpClientCommands
{
    /** Chunk stream of protocol control messages. */
    static final int CONTROL_CSID = 2;
    /** Chunk stream of commands. */
    static final int COMMAND_CSID = 3;
    /** Chunk stream of pre-encoded audio (reserved: the chunk encoder refuses messages on it). */
    static final int AUDIO_CSID = 6;
    /** Chunk stream of pre-encoded video (reserved likewise). */
    static final int VIDEO_CSID = 7;
    /** Chunk stream of stream data messages (metadata). */
    static final int DATA_CSID = 5;
    /** Chunk size the publishers announce and use. */
    static final int PUBLISH_CHUNK_SIZE = 4096;

    private RtmpClientCommands()
    {
    }

    static RtmpMessage setChunkSize(final ByteBufAllocator alloc, final int size)
    {
        final ByteBuf body = alloc.buffer(4).writeInt(size);
        return new RtmpMessage(CONTROL_CSID, RtmpMessageTypes.SET_CHUNK_SIZE, 0, 0, body);
    }

    static RtmpMessage pong(final ByteBufAllocator alloc, final int value)
    {
        final ByteBuf body = alloc.buffer(6).writeShort(RtmpMessageTypes.EVENT_PING_RESPONSE).writeInt(value);
        return new RtmpMessage(CONTROL_CSID, RtmpMessageTypes.USER_CONTROL, 0, 0, body);
    }

    static RtmpMessage connect(final ByteBufAllocator alloc, final String app, final String tcUrl)
    {
        final Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("app", app);
        properties.put("type", "nonprivate");
        properties.put("flashVer", "FMLE/3.0 (compatible; cococam-load)");
        properties.put("tcUrl", tcUrl);
        return command(alloc, 0, "connect", 1.0, properties);
    }

    static RtmpMessage command(
        final ByteBufAllocator alloc,
        final int messageStreamId,
        final String name,
        final double transactionId,
        final Object... arguments)
    {
        final ByteBuf body = alloc.buffer(64);
        Amf0Encoder.writeString(body, name);
        Amf0Encoder.writeNumber(body, transactionId);
        for (final Object argument : arguments)
        {
            Amf0Encoder.writeValue(body, argument);
        }

        return new RtmpMessage(COMMAND_CSID, RtmpMessageTypes.COMMAND_AMF0, messageStreamId, 0, body);
    }

    static RtmpMessage metadata(final ByteBufAllocator alloc, final int messageStreamId, final ByteBuf scriptBody)
    {
        final ByteBuf body = alloc.buffer(16 + scriptBody.readableBytes());
        Amf0Encoder.writeString(body, "@setDataFrame");
        body.writeBytes(scriptBody, scriptBody.readerIndex(), scriptBody.readableBytes());
        return new RtmpMessage(DATA_CSID, RtmpMessageTypes.DATA_AMF0, messageStreamId, 0, body);
    }

    /**
     * @param payload a command message body (not released).
     * @return the AMF0 values, or an empty list when the body does not decode.
     */
    static List<Object> decode(final ByteBuf payload)
    {
        try
        {
            return new Amf0Decoder(AmfLimits.defaults()).decodeAll(payload);
        }
        catch (final RuntimeException ex)
        {
            return List.of();
        }
    }

    /**
     * @param values a decoded {@code onStatus} or {@code _error} command.
     * @return the info object's {@code code}, or "" when absent.
     */
    static String statusCode(final List<Object> values)
    {
        for (final Object value : values)
        {
            if (value instanceof Map<?, ?> map && map.get("code") instanceof String code)
            {
                return code;
            }
        }

        return "";
    }

    /**
     * @param values a decoded {@code onStatus} command.
     * @return whether its info object has level "error".
     */
    static boolean isErrorStatus(final List<Object> values)
    {
        for (final Object value : values)
        {
            if (value instanceof Map<?, ?> map && "error".equals(map.get("level")))
            {
                return true;
            }
        }

        return false;
    }
}
