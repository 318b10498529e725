package com.cococam.protocols.rtmp;

import com.cococam.protocols.rtmp.amf.Amf0Encoder;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builders for the messages the session sends, on the session's own chunk streams: 2 for protocol control and
 * user control, 3 for NetConnection commands, 5 for NetStream commands and data.
 *
 * <p>Thread safety: stateless. Allocation: one buffer per message from the given allocator; the caller owns the
 * returned message.
 */
final class RtmpMessages
{
    static final int CONTROL_CSID = 2;
    static final int COMMAND_CSID = 3;
    static final int STREAM_CSID = 5;

    private RtmpMessages()
    {
    }

    static RtmpMessage control(final ByteBufAllocator alloc, final int typeId, final int value)
    {
        final ByteBuf body = alloc.buffer(4, 4).writeInt(value);
        return new RtmpMessage(CONTROL_CSID, typeId, 0, 0, body);
    }

    static RtmpMessage peerBandwidth(final ByteBufAllocator alloc, final int window)
    {
        final ByteBuf body = alloc.buffer(5, 5).writeInt(window).writeByte(2);
        return new RtmpMessage(CONTROL_CSID, RtmpMessageTypes.SET_PEER_BANDWIDTH, 0, 0, body);
    }

    static RtmpMessage userControl(final ByteBufAllocator alloc, final int event, final int value)
    {
        final ByteBuf body = alloc.buffer(6, 6).writeShort(event).writeInt(value);
        return new RtmpMessage(CONTROL_CSID, RtmpMessageTypes.USER_CONTROL, 0, 0, body);
    }

    static RtmpMessage command(
        final ByteBufAllocator alloc,
        final int csid,
        final int messageStreamId,
        final Object... values)
    {
        final ByteBuf body = alloc.buffer(128);
        try
        {
            Amf0Encoder.writeValues(body, values);
        }
        catch (final RuntimeException ex)
        {
            body.release();
            throw ex;
        }

        return new RtmpMessage(csid, RtmpMessageTypes.COMMAND_AMF0, messageStreamId, 0, body);
    }

    static RtmpMessage data(final ByteBufAllocator alloc, final int messageStreamId, final Object... values)
    {
        final RtmpMessage command = command(alloc, STREAM_CSID, messageStreamId, values);
        return new RtmpMessage(STREAM_CSID, RtmpMessageTypes.DATA_AMF0, messageStreamId, 0, command.payload());
    }

    static RtmpMessage onStatus(
        final ByteBufAllocator alloc,
        final int messageStreamId,
        final String level,
        final String code,
        final String description)
    {
        return command(alloc, STREAM_CSID, messageStreamId, "onStatus", 0.0, null, status(level, code, description));
    }

    static Map<String, Object> status(final String level, final String code, final String description)
    {
        final Map<String, Object> info = new LinkedHashMap<>();
        info.put("level", level);
        info.put("code", code);
        info.put("description", description);
        return info;
    }
}
