package com.cococam.protocols.rtmp.amf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

import java.util.List;
import java.util.Map;

/**
 * Writes AMF0 values: what the server sends (command results, status objects, metadata).
 *
 * <p>Mapping: {@code null} -> null (0x05); {@link AmfUndefined} -> 0x06; {@link AmfUnsupported} -> 0x0D;
 * {@link Number} -> number (0x00, as a double); {@link Boolean} -> 0x01; {@link String} -> string (0x02) or long
 * string (0x0C) past 65535 UTF-8 bytes; {@link AmfEcmaArray} -> ECMA array (0x08); {@link AmfTypedObject} ->
 * 0x10; any other {@link Map} -> anonymous object (0x03, keys via {@code toString()}); {@link List} -> strict
 * array (0x0A); {@link AmfDate} -> 0x0B; {@link AmfXmlDocument} -> 0x0F. References are never written.
 *
 * <p>Thread safety: stateless, any thread. Allocation: none beyond growing {@code out}.
 *
 * <p>Note: other value types, keys longer than 65535 UTF-8 bytes and nesting deeper than
 * {@link AmfLimits#DEFAULT_MAX_DEPTH} (e.g. a map that contains itself) throw {@link IllegalArgumentException};
 * those are programming errors on our side, not peer input.
 */
public final class Amf0Encoder
{
    private Amf0Encoder()
    {
    }

    /**
     * Appends one value.
     *
     * @param out   destination; its writer index advances.
     * @param value see the class mapping.
     * @throws IllegalArgumentException for an unsupported value.
     */
    public static void writeValue(final ByteBuf out, final Object value)
    {
        writeValue(out, value, 1);
    }

    /**
     * Appends several values in order (e.g. a command: name, transaction id, command object, arguments).
     *
     * @param out    destination.
     * @param values values, each mapped as in {@link #writeValue(ByteBuf, Object)}.
     */
    public static void writeValues(final ByteBuf out, final Object... values)
    {
        for (final Object value : values)
        {
            writeValue(out, value, 1);
        }
    }

    /**
     * Appends a string value (0x02, or 0x0C when longer than 65535 UTF-8 bytes).
     *
     * @param out   destination.
     * @param value the text.
     */
    public static void writeString(final ByteBuf out, final CharSequence value)
    {
        final int length = ByteBufUtil.utf8Bytes(value);
        if (length > 0xFFFF)
        {
            out.writeByte(Amf0Decoder.LONG_STRING);
            out.writeInt(length);
        }
        else
        {
            out.writeByte(Amf0Decoder.STRING);
            out.writeShort(length);
        }

        ByteBufUtil.reserveAndWriteUtf8(out, value, length);
    }

    /**
     * Appends a number value.
     *
     * @param out   destination.
     * @param value the number.
     */
    public static void writeNumber(final ByteBuf out, final double value)
    {
        out.writeByte(Amf0Decoder.NUMBER);
        out.writeDouble(value);
    }

    private static void writeValue(final ByteBuf out, final Object value, final int depth)
    {
        if (depth > AmfLimits.DEFAULT_MAX_DEPTH)
        {
            throw new IllegalArgumentException("amf0 value nested too deep: depth=" + depth);
        }

        if (value == null)
        {
            out.writeByte(Amf0Decoder.NULL);
        }
        else if (value instanceof Number)
        {
            writeNumber(out, ((Number)value).doubleValue());
        }
        else if (value instanceof Boolean)
        {
            out.writeByte(Amf0Decoder.BOOLEAN);
            out.writeByte((Boolean)value ? 1 : 0);
        }
        else if (value instanceof CharSequence)
        {
            writeString(out, (CharSequence)value);
        }
        else if (value instanceof Map)
        {
            writeMap(out, (Map<?, ?>)value, depth);
        }
        else
        {
            writeOther(out, value, depth);
        }
    }

    private static void writeMap(final ByteBuf out, final Map<?, ?> map, final int depth)
    {
        if (map instanceof AmfEcmaArray)
        {
            out.writeByte(Amf0Decoder.ECMA_ARRAY);
            out.writeInt(map.size());
        }
        else
        {
            out.writeByte(Amf0Decoder.OBJECT);
        }

        writeProperties(out, map, depth);
    }

    private static void writeOther(final ByteBuf out, final Object value, final int depth)
    {
        if (value instanceof List)
        {
            final List<?> list = (List<?>)value;
            out.writeByte(Amf0Decoder.STRICT_ARRAY);
            out.writeInt(list.size());
            for (final Object element : list)
            {
                writeValue(out, element, depth + 1);
            }
        }
        else if (value instanceof AmfTypedObject)
        {
            final AmfTypedObject typed = (AmfTypedObject)value;
            out.writeByte(Amf0Decoder.TYPED_OBJECT);
            writeKey(out, typed.className());
            writeProperties(out, typed.properties(), depth);
        }
        else if (value instanceof AmfDate)
        {
            final AmfDate date = (AmfDate)value;
            out.writeByte(Amf0Decoder.DATE);
            out.writeDouble(date.epochMs());
            out.writeShort(date.timeZoneMinutes());
        }
        else if (value instanceof AmfXmlDocument)
        {
            final String xml = ((AmfXmlDocument)value).xml();
            final int length = ByteBufUtil.utf8Bytes(xml);
            out.writeByte(Amf0Decoder.XML_DOCUMENT);
            out.writeInt(length);
            ByteBufUtil.reserveAndWriteUtf8(out, xml, length);
        }
        else if (value == AmfUndefined.INSTANCE)
        {
            out.writeByte(Amf0Decoder.UNDEFINED);
        }
        else if (value == AmfUnsupported.INSTANCE)
        {
            out.writeByte(Amf0Decoder.UNSUPPORTED);
        }
        else
        {
            throw new IllegalArgumentException("no amf0 mapping: type=" + value.getClass().getName());
        }
    }

    private static void writeProperties(final ByteBuf out, final Map<?, ?> map, final int depth)
    {
        for (final Map.Entry<?, ?> entry : map.entrySet())
        {
            writeKey(out, String.valueOf(entry.getKey()));
            writeValue(out, entry.getValue(), depth + 1);
        }

        out.writeShort(0);
        out.writeByte(Amf0Decoder.OBJECT_END);
    }

    private static void writeKey(final ByteBuf out, final String key)
    {
        final int length = ByteBufUtil.utf8Bytes(key);
        if (length > 0xFFFF)
        {
            throw new IllegalArgumentException("amf0 key too long: length=" + length);
        }

        out.writeShort(length);
        ByteBufUtil.reserveAndWriteUtf8(out, key, length);
    }
}
