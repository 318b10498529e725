package com.cococam.protocols.rtmp.amf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the AMF3 values RTMP clients send (Adobe "AMF 3 Specification", 2013), reached through the AMF0
 * AVM+ marker or the AMF3 command/data message types.
 *
 * <pre>
 *   marker  type         Java value
 *   0x00    undefined    AmfUndefined.INSTANCE
 *   0x01    null         null
 *   0x02    false        Boolean.FALSE
 *   0x03    true         Boolean.TRUE
 *   0x04    integer      Integer (U29, sign-extended from 29 bits)
 *   0x05    double       Double
 *   0x06    string       String (string reference table)
 *   0x07    XMLDocument  AmfXmlDocument
 *   0x08    date         AmfDate (time zone 0)
 *   0x09    array        ArrayList when there is no associative part, else AmfEcmaArray with the associative
 *                        entries then the dense ones keyed "0", "1", ...
 *   0x0A    object       LinkedHashMap (anonymous) or AmfTypedObject; sealed then dynamic members
 *   0x0B    XML          AmfXmlDocument
 *   0x0C    ByteArray    byte[]
 * </pre>
 *
 * <p>Note: externalizable objects, vectors (0x0D-0x10) and dictionaries (0x11) throw {@link AmfException}:
 * no RTMP client we serve sends them. A reference to an array that is still being decoded resolves to null.
 *
 * <p>Thread safety: single thread; owned by an {@link Amf0Decoder}.
 */
final class Amf3Decoder
{
    private static final int UNDEFINED = 0x00;
    private static final int NULL = 0x01;
    private static final int FALSE = 0x02;
    private static final int TRUE = 0x03;
    private static final int INTEGER = 0x04;
    private static final int DOUBLE = 0x05;
    private static final int STRING = 0x06;
    private static final int XML_DOC = 0x07;
    private static final int DATE = 0x08;
    private static final int ARRAY = 0x09;
    private static final int OBJECT = 0x0A;
    private static final int XML = 0x0B;
    private static final int BYTE_ARRAY = 0x0C;

    private final AmfReader reader;
    private final ArrayList<String> strings = new ArrayList<>();
    private final ArrayList<Object> objects = new ArrayList<>();
    private final ArrayList<Traits> traits = new ArrayList<>();

    Amf3Decoder(final AmfReader reader)
    {
        this.reader = reader;
    }

    void resetReferences()
    {
        strings.clear();
        objects.clear();
        traits.clear();
    }

    Object readValue(final int depth)
    {
        final int marker = reader.u8();
        switch (marker)
        {
            case UNDEFINED:
                return AmfUndefined.INSTANCE;
            case NULL:
                return null;
            case FALSE:
                return Boolean.FALSE;
            case TRUE:
                return Boolean.TRUE;
            case INTEGER:
                return (reader.u29() << 3) >> 3;
            case DOUBLE:
                return reader.f64();
            case STRING:
                return readString();
            case XML_DOC:
            case XML:
                return readXml();
            case DATE:
                return readDate();
            case ARRAY:
                return readArray(depth);
            case OBJECT:
                return readObject(depth);
            case BYTE_ARRAY:
                return readByteArray();
            default:
                throw AmfException.malformed("unsupported amf3 marker: marker=0x" + Integer.toHexString(marker));
        }
    }

    private String readString()
    {
        final int header = reader.u29();
        if ((header & 1) == 0)
        {
            return stringReference(header >>> 1);
        }

        final int length = header >>> 1;
        if (length == 0)
        {
            return "";
        }

        final String value = reader.utf8(length);
        strings.add(value);
        return value;
    }

    private String stringReference(final int index)
    {
        if (index >= strings.size())
        {
            throw AmfException.malformed("amf3 string reference out of range: index=" + index);
        }

        return strings.get(index);
    }

    private Object objectReference(final int index)
    {
        if (index >= objects.size())
        {
            throw AmfException.malformed("amf3 object reference out of range: index=" + index);
        }

        return objects.get(index);
    }

    private Object readXml()
    {
        final int header = reader.u29();
        if ((header & 1) == 0)
        {
            return objectReference(header >>> 1);
        }

        final AmfXmlDocument xml = new AmfXmlDocument(reader.utf8(header >>> 1));
        objects.add(xml);
        return xml;
    }

    private Object readDate()
    {
        final int header = reader.u29();
        if ((header & 1) == 0)
        {
            return objectReference(header >>> 1);
        }

        final AmfDate date = new AmfDate(reader.f64(), 0);
        objects.add(date);
        return date;
    }

    private Object readByteArray()
    {
        final int header = reader.u29();
        if ((header & 1) == 0)
        {
            return objectReference(header >>> 1);
        }

        final byte[] bytes = reader.bytes(header >>> 1);
        objects.add(bytes);
        return bytes;
    }

    private Object readArray(final int depth)
    {
        final int header = reader.u29();
        if ((header & 1) == 0)
        {
            return objectReference(header >>> 1);
        }

        reader.checkDepth(depth);
        final int slot = objects.size();
        objects.add(null);
        final Map<String, Object> associative = new LinkedHashMap<>();
        readDynamicMembers(associative, depth);
        final int denseCount = reader.count(header >>> 1, 1, "amf3 array");
        final List<Object> dense = new ArrayList<>(denseCount);
        for (int i = 0; i < denseCount; i++)
        {
            dense.add(readValue(depth + 1));
        }

        final Object result;
        if (associative.isEmpty())
        {
            result = dense;
        }
        else
        {
            final AmfEcmaArray mixed = new AmfEcmaArray(associative);
            for (int i = 0; i < denseCount; i++)
            {
                mixed.put(Integer.toString(i), dense.get(i));
            }

            result = mixed;
        }

        objects.set(slot, result);
        return result;
    }

    private Object readObject(final int depth)
    {
        final int header = reader.u29();
        if ((header & 1) == 0)
        {
            return objectReference(header >>> 1);
        }

        reader.checkDepth(depth);
        final Traits objectTraits = readTraits(header);
        final Map<String, Object> members = new LinkedHashMap<>();
        final Object result = objectTraits.className.isEmpty()
            ? members : new AmfTypedObject(objectTraits.className, members);
        objects.add(result);
        for (final String name : objectTraits.sealedNames)
        {
            members.put(name, readValue(depth + 1));
        }

        if (objectTraits.dynamic)
        {
            readDynamicMembers(members, depth);
        }

        return result;
    }

    private Traits readTraits(final int header)
    {
        if ((header & 2) == 0)
        {
            final int index = header >>> 2;
            if (index >= traits.size())
            {
                throw AmfException.malformed("amf3 traits reference out of range: index=" + index);
            }

            return traits.get(index);
        }

        if ((header & 4) != 0)
        {
            throw AmfException.malformed("amf3 externalizable object not supported");
        }

        final boolean dynamic = (header & 8) != 0;
        final int sealedCount = reader.count(header >>> 4, 1, "amf3 sealed member");
        final String className = readString();
        final List<String> names = new ArrayList<>(sealedCount);
        for (int i = 0; i < sealedCount; i++)
        {
            names.add(readString());
        }

        final Traits result = new Traits(className, dynamic, names);
        traits.add(result);
        return result;
    }

    private void readDynamicMembers(final Map<String, Object> target, final int depth)
    {
        int count = 0;
        while (true)
        {
            final String key = readString();
            if (key.isEmpty())
            {
                return;
            }

            if (++count > reader.limits().maxElements())
            {
                throw AmfException.limit("amf3 members over limit: max=" + reader.limits().maxElements());
            }

            target.put(key, readValue(depth + 1));
        }
    }

    private static final class Traits
    {
        final String className;
        final boolean dynamic;
        final List<String> sealedNames;

        Traits(final String className, final boolean dynamic, final List<String> sealedNames)
        {
            this.className = className;
            this.dynamic = dynamic;
            this.sealedNames = sealedNames;
        }
    }
}
