package com.cococam.protocols.rtmp.amf;

import io.netty.buffer.ByteBuf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes AMF0 values (Adobe "Action Message Format -- AMF 0", 2007) into plain Java values, including AMF3
 * values behind the AVM+ marker.
 *
 * <pre>
 *   marker  type              Java value
 *   0x00    number            Double
 *   0x01    boolean           Boolean
 *   0x02    string (u16 len)  String
 *   0x03    object            LinkedHashMap&lt;String,Object&gt; (wire order)
 *   0x05    null              null
 *   0x06    undefined         AmfUndefined.INSTANCE
 *   0x07    reference (u16)   the earlier object, same instance
 *   0x08    ECMA array        AmfEcmaArray (a LinkedHashMap)
 *   0x0A    strict array      ArrayList&lt;Object&gt;
 *   0x0B    date              AmfDate
 *   0x0C    long string       String
 *   0x0D    unsupported       AmfUnsupported.INSTANCE
 *   0x0F    XML document      AmfXmlDocument
 *   0x10    typed object      AmfTypedObject
 *   0x11    AVM+ switch       one AMF3 value, see {@link Amf3Decoder}
 * </pre>
 *
 * <p>Reference tables (AMF0 objects, AMF3 strings/objects/traits) live for one {@link #decodeAll} call, i.e.
 * one RTMP message.
 *
 * <p>Note: limits come from {@link AmfLimits}; every length and count is checked against the remaining bytes
 * before allocating. An ECMA array that ends with the message but lacks its end marker (seen from old GStreamer
 * muxers) is accepted; a missing end marker anywhere else is malformed. Movie clip (0x04), record set (0x0E)
 * and unknown markers throw {@link AmfException}.
 *
 * <p>Thread safety: single thread; reuse one instance per connection. Allocation: the returned values only.
 * The input buffer's reader and writer indices are not touched.
 */
public final class Amf0Decoder
{
    static final int NUMBER = 0x00;
    static final int BOOLEAN = 0x01;
    static final int STRING = 0x02;
    static final int OBJECT = 0x03;
    static final int MOVIECLIP = 0x04;
    static final int NULL = 0x05;
    static final int UNDEFINED = 0x06;
    static final int REFERENCE = 0x07;
    static final int ECMA_ARRAY = 0x08;
    static final int OBJECT_END = 0x09;
    static final int STRICT_ARRAY = 0x0A;
    static final int DATE = 0x0B;
    static final int LONG_STRING = 0x0C;
    static final int UNSUPPORTED = 0x0D;
    static final int RECORDSET = 0x0E;
    static final int XML_DOCUMENT = 0x0F;
    static final int TYPED_OBJECT = 0x10;
    static final int AVMPLUS = 0x11;

    private final AmfReader reader;
    private final Amf3Decoder amf3;
    private final ArrayList<Object> references = new ArrayList<>();

    /**
     * @param limits bounds on depth, string length and element counts.
     */
    public Amf0Decoder(final AmfLimits limits)
    {
        this.reader = new AmfReader(limits);
        this.amf3 = new Amf3Decoder(reader);
    }

    /**
     * Decodes every value between the reader and writer index of {@code in}.
     *
     * @param in AMF0 bytes; not modified, not released.
     * @return the values in order; never null.
     * @throws AmfException when the bytes do not parse or break a limit.
     */
    public List<Object> decodeAll(final ByteBuf in)
    {
        return decodeAll(in, in.readerIndex(), in.readableBytes());
    }

    /**
     * Decodes every value in a region of {@code in}.
     *
     * @param in     AMF0 bytes; not modified, not released.
     * @param index  first byte.
     * @param length region length.
     * @return the values in order; never null.
     * @throws AmfException when the bytes do not parse or break a limit.
     */
    public List<Object> decodeAll(final ByteBuf in, final int index, final int length)
    {
        reader.reset(in, index, length);
        references.clear();
        amf3.resetReferences();
        try
        {
            final List<Object> values = new ArrayList<>();
            while (reader.remaining() > 0)
            {
                if (values.size() >= reader.limits().maxElements())
                {
                    throw AmfException.limit("too many values: max=" + reader.limits().maxElements());
                }

                values.add(readValue(1));
            }

            return values;
        }
        finally
        {
            reader.clear();
            references.clear();
            amf3.resetReferences();
        }
    }

    private Object readValue(final int depth)
    {
        final int marker = reader.u8();
        switch (marker)
        {
            case NUMBER:
                return reader.f64();
            case BOOLEAN:
                return reader.u8() != 0;
            case STRING:
                return reader.utf8(reader.u16());
            case OBJECT:
            {
                reader.checkDepth(depth);
                final Map<String, Object> map = new LinkedHashMap<>();
                references.add(map);
                readProperties(map, depth, false);
                return map;
            }
            case NULL:
                return null;
            case UNDEFINED:
                return AmfUndefined.INSTANCE;
            case REFERENCE:
                return readReference();
            case ECMA_ARRAY:
            {
                reader.checkDepth(depth);
                reader.u32();
                final AmfEcmaArray map = new AmfEcmaArray();
                references.add(map);
                readProperties(map, depth, true);
                return map;
            }
            case STRICT_ARRAY:
                return readStrictArray(depth);
            case DATE:
            {
                final double epochMs = reader.f64();
                return new AmfDate(epochMs, reader.s16());
            }
            case LONG_STRING:
                return reader.utf8(reader.u32());
            case UNSUPPORTED:
                return AmfUnsupported.INSTANCE;
            case XML_DOCUMENT:
                return new AmfXmlDocument(reader.utf8(reader.u32()));
            case TYPED_OBJECT:
            {
                reader.checkDepth(depth);
                final String className = reader.utf8(reader.u16());
                final Map<String, Object> map = new LinkedHashMap<>();
                final AmfTypedObject typed = new AmfTypedObject(className, map);
                references.add(typed);
                readProperties(map, depth, false);
                return typed;
            }
            case AVMPLUS:
                return amf3.readValue(depth);
            default:
                throw AmfException.malformed("unexpected amf0 marker: marker=0x" + Integer.toHexString(marker)
                    + " position=" + (reader.position() - 1));
        }
    }

    private Object readReference()
    {
        final int index = reader.u16();
        if (index >= references.size())
        {
            throw AmfException.malformed("amf0 reference out of range: index=" + index
                + " size=" + references.size());
        }

        return references.get(index);
    }

    private List<Object> readStrictArray(final int depth)
    {
        reader.checkDepth(depth);
        final int count = reader.count(reader.u32(), 1, "strict array");
        final List<Object> list = new ArrayList<>(count);
        references.add(list);
        for (int i = 0; i < count; i++)
        {
            list.add(readValue(depth + 1));
        }

        return list;
    }

    private void readProperties(final Map<String, Object> target, final int depth, final boolean lenientEnd)
    {
        int count = 0;
        while (true)
        {
            if (lenientEnd && reader.remaining() == 0)
            {
                return;
            }

            final int keyLength = reader.u16();
            if (keyLength == 0)
            {
                final int end = reader.u8();
                if (end != OBJECT_END)
                {
                    throw AmfException.malformed("expected object end marker: marker=0x" + Integer.toHexString(end));
                }

                return;
            }

            if (++count > reader.limits().maxElements())
            {
                throw AmfException.limit("object members over limit: max=" + reader.limits().maxElements());
            }

            final String key = reader.utf8(keyLength);
            target.put(key, readValue(depth + 1));
        }
    }
}
