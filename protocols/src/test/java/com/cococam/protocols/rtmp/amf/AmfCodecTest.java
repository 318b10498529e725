package com.cococam.protocols.rtmp.amf;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * One case table shared by the AMF0 encoder, the AMF0/AMF3 decoder and the round trip.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AmfCodecTest
{
    private static final String LONG_TEXT = "a".repeat(70_000);

    /**
     * @param name      what the case covers.
     * @param bytes     golden wire bytes.
     * @param values    decoded values.
     * @param canonical whether our AMF0 encoder writes exactly these bytes for these values.
     */
    record Case(String name, byte[] bytes, List<Object> values, boolean canonical)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    static Stream<Case> cases()
    {
        final Map<String, Object> object = map("a", 1.0);
        final AmfEcmaArray ecma = new AmfEcmaArray();
        ecma.put("k", "v");
        final AmfEcmaArray mixed = new AmfEcmaArray();
        mixed.put("a", 7);
        mixed.put("0", 8);
        final Map<String, Object> withNull = map("a", null);
        return Stream.of(
            amf0("number", "00 3ff0000000000000", 1.0),
            amf0("boolean true", "01 01", true),
            amf0("boolean false", "01 00", false),
            amf0("string", "02 0003 616263", "abc"),
            amf0("empty string", "02 0000", ""),
            amf0("object", "03 0001 61 00 3ff0000000000000 0000 09", object),
            amf0("null", "05", (Object)null),
            amf0("undefined", "06", AmfUndefined.INSTANCE),
            amf0("ecma array", "08 00000001 0001 6b 02 0001 76 000009", ecma),
            amf0("strict array", "0a 00000002 00 3ff0000000000000 02 0001 78", List.of(1.0, "x")),
            amf0("date", "0b 4275d3ef79800000 0000", new AmfDate(1.5e12, 0)),
            new Case("long string", longStringBytes(), List.of(LONG_TEXT), true),
            amf0("unsupported", "0d", AmfUnsupported.INSTANCE),
            amf0("xml document", "0f 00000004 3c612f3e", new AmfXmlDocument("<a/>")),
            amf0("typed object", "10 0001 54 0001 78 00 4000000000000000 000009",
                new AmfTypedObject("T", map("x", 2.0))),
            amf0("command", "02 0007 636f6e6e656374 00 3ff0000000000000 03 0003 617070 02 0004 6c697665 000009",
                "connect", 1.0, map("app", "live")),
            decodeOnly("reference", "0a 00000002 03 0001 61 05 000009 07 0001", List.of(withNull, withNull)),
            decodeOnly("ecma array without end marker", "08 00000001 0001 6b 05", new AmfEcmaArray(map("k", null))),
            decodeOnly("amf3 undefined", "11 00", AmfUndefined.INSTANCE),
            decodeOnly("amf3 null", "11 01", (Object)null),
            decodeOnly("amf3 false", "11 02", false),
            decodeOnly("amf3 true", "11 03", true),
            decodeOnly("amf3 integer", "11 04 05", 5),
            decodeOnly("amf3 integer two bytes", "11 04 822c", 300),
            decodeOnly("amf3 integer negative", "11 04 ffffffff", -1),
            decodeOnly("amf3 double", "11 05 3ff8000000000000", 1.5),
            decodeOnly("amf3 string and reference", "11 06 05 6869 11 06 00", "hi", "hi"),
            decodeOnly("amf3 date", "11 08 01 4275d3ef79800000", new AmfDate(1.5e12, 0)),
            decodeOnly("amf3 dense array", "11 09 05 01 04 01 04 02", List.of(1, 2)),
            decodeOnly("amf3 mixed array", "11 09 03 03 61 04 07 01 04 08", mixed),
            decodeOnly("amf3 dynamic object", "11 0a 0b 01 03 61 04 01 01", map("a", 1)),
            decodeOnly("amf3 typed sealed object", "11 0a 13 05 5074 03 78 04 02",
                new AmfTypedObject("Pt", map("x", 2))),
            decodeOnly("amf3 traits reference", "11 09 05 01 0a 13 05 5074 03 78 04 01 0a 01 04 02",
                List.of(new AmfTypedObject("Pt", map("x", 1)), new AmfTypedObject("Pt", map("x", 2)))),
            decodeOnly("amf3 object reference", "11 0a 0b 01 01 11 0a 00", map(), map()),
            decodeOnly("amf3 byte array", "11 0c 07 010203", new byte[] {1, 2, 3}),
            decodeOnly("amf3 xml", "11 0b 09 3c612f3e", new AmfXmlDocument("<a/>")),
            decodeOnly("amf3 xml document", "11 07 09 3c612f3e", new AmfXmlDocument("<a/>")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldDecodeGoldenBytesWithoutTouchingInput(final Case c)
    {
        final ByteBuf in = Unpooled.wrappedBuffer(c.bytes());
        final List<Object> decoded = new Amf0Decoder(AmfLimits.defaults()).decodeAll(in);

        assertEquals(normalise(c.values()), normalise(decoded));
        assertEquals(0, in.readerIndex());
        assertEquals(c.bytes().length, in.writerIndex());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldEncodeCanonicalCasesToGoldenBytes(final Case c)
    {
        if (!c.canonical())
        {
            return;
        }

        final ByteBuf out = Unpooled.buffer();
        for (final Object value : c.values())
        {
            Amf0Encoder.writeValue(out, value);
        }

        assertEquals(ByteBufUtil.hexDump(c.bytes()), ByteBufUtil.hexDump(out));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldRoundTripEveryAmf0EncodableValue(final Case c)
    {
        final ByteBuf out = Unpooled.buffer();
        try
        {
            for (final Object value : c.values())
            {
                Amf0Encoder.writeValue(out, value);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            // byte[] (AMF3 only) has no AMF0 mapping.
            assertEquals("amf3 byte array", c.name());
            return;
        }

        final List<Object> decoded = new Amf0Decoder(AmfLimits.defaults()).decodeAll(out);
        assertEquals(normalise(asAmf0(c.values())), normalise(decoded));
    }

    @Test
    void shouldResolveAmf0ReferenceToTheSameInstance()
    {
        final List<Object> decoded = new Amf0Decoder(AmfLimits.defaults())
            .decodeAll(Unpooled.wrappedBuffer(hex("0a 00000002 03 0001 61 05 000009 07 0001")));

        final List<?> list = (List<?>)decoded.get(0);
        assertSame(list.get(0), list.get(1));
    }

    static Stream<Object[]> malformed()
    {
        return Stream.of(
            new Object[] {"unknown marker", "12", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"movie clip", "04", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"object end as value", "09", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"truncated number", "00 3ff0", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"string longer than input", "02 ffff 61", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"long string longer than input", "0c 7fffffff 61", RtmpErrorCode.AMF_LIMIT},
            new Object[] {"strict array count over input", "0a 0000000a 05", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"strict array count over limit", "0a 00100000 05", RtmpErrorCode.AMF_LIMIT},
            new Object[] {"nesting over limit", "0a00000001".repeat(33) + "05", RtmpErrorCode.AMF_LIMIT},
            new Object[] {"reference out of range", "07 0005", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"bad object end", "03 0000 05", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"object without end", "03 0001 61 05", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"amf3 string reference out of range", "11 06 02", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"amf3 externalizable", "11 0a 07 01", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"amf3 vector", "11 0d 01", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"amf3 byte array over input", "11 0c 7f 01", RtmpErrorCode.AMF_MALFORMED},
            new Object[] {"amf3 truncated u29", "11 04 ff", RtmpErrorCode.AMF_MALFORMED});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void shouldRejectBadInputWithTypedError(final String name, final String bytes, final RtmpErrorCode code)
    {
        final Amf0Decoder decoder = new Amf0Decoder(AmfLimits.defaults());
        final ByteBuf in = Unpooled.wrappedBuffer(hex(bytes));

        final AmfException error = assertThrows(AmfException.class, () -> decoder.decodeAll(in));

        assertEquals(code, error.code(), error.getMessage());
        assertEquals(List.of(1.0), decoder.decodeAll(Unpooled.wrappedBuffer(hex("00 3ff0000000000000"))),
            "decoder usable after an error");
    }

    @Test
    void shouldRejectStringOverConfiguredLimit()
    {
        final Amf0Decoder decoder = new Amf0Decoder(new AmfLimits(8, 4, 8));

        final AmfException error = assertThrows(AmfException.class,
            () -> decoder.decodeAll(Unpooled.wrappedBuffer(hex("02 0005 6162636465"))));

        assertEquals(RtmpErrorCode.AMF_LIMIT, error.code());
    }

    @Test
    void shouldRejectConfiguredDepth()
    {
        final Amf0Decoder decoder = new Amf0Decoder(new AmfLimits(2, 100, 100));
        assertEquals(1, decoder.decodeAll(Unpooled.wrappedBuffer(hex("0a 00000001 0a 00000000"))).size());

        final AmfException error = assertThrows(AmfException.class,
            () -> decoder.decodeAll(Unpooled.wrappedBuffer(hex("0a 00000001 0a 00000001 0a 00000000"))));

        assertEquals(RtmpErrorCode.AMF_LIMIT, error.code());
    }

    @Test
    void shouldRefuseToEncodeUnmappedValue()
    {
        final ByteBuf out = Unpooled.buffer();

        assertThrows(IllegalArgumentException.class, () -> Amf0Encoder.writeValue(out, new Object()));
    }

    private static Case amf0(final String name, final String hex, final Object... values)
    {
        return new Case(name, hex(hex), Arrays.asList(values), true);
    }

    private static Case decodeOnly(final String name, final String hex, final Object... values)
    {
        return new Case(name, hex(hex), Arrays.asList(values), false);
    }

    private static byte[] longStringBytes()
    {
        final ByteBuf out = Unpooled.buffer();
        out.writeByte(0x0C).writeInt(LONG_TEXT.length()).writeBytes(LONG_TEXT.getBytes());
        return ByteBufUtil.getBytes(out);
    }

    static byte[] hex(final String text)
    {
        return ByteBufUtil.decodeHexDump(text.replace(" ", ""));
    }

    private static Map<String, Object> map(final Object... keyValues)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            map.put((String)keyValues[i], keyValues[i + 1]);
        }

        return map;
    }

    /** Integers read back as doubles through AMF0; that is the only difference a round trip may make. */
    private static List<Object> asAmf0(final List<Object> values)
    {
        final List<Object> result = new ArrayList<>();
        for (final Object value : values)
        {
            result.add(asAmf0(value));
        }

        return result;
    }

    @SuppressWarnings("unchecked")
    private static Object asAmf0(final Object value)
    {
        if (value instanceof Integer)
        {
            return ((Integer)value).doubleValue();
        }

        if (value instanceof List)
        {
            return asAmf0((List<Object>)value);
        }

        if (value instanceof AmfTypedObject)
        {
            final AmfTypedObject typed = (AmfTypedObject)value;
            return new AmfTypedObject(typed.className(), (Map<String, Object>)asAmf0(typed.properties()));
        }

        if (value instanceof Map)
        {
            final Map<String, Object> copy = value instanceof AmfEcmaArray ? new AmfEcmaArray() : new LinkedHashMap<>();
            ((Map<String, Object>)value).forEach((k, v) -> copy.put(k, asAmf0(v)));
            return copy;
        }

        return value;
    }

    /** Makes byte arrays comparable and keeps the ECMA-array/object distinction visible to equals. */
    private static Object normalise(final Object value)
    {
        if (value instanceof byte[])
        {
            final List<Byte> bytes = new ArrayList<>();
            for (final byte b : (byte[])value)
            {
                bytes.add(b);
            }

            return bytes;
        }

        if (value instanceof List)
        {
            final List<Object> list = new ArrayList<>();
            ((List<?>)value).forEach(v -> list.add(normalise(v)));
            return list;
        }

        if (value instanceof Map)
        {
            final Map<String, Object> copy = new LinkedHashMap<>();
            copy.put("#kind", value instanceof AmfEcmaArray ? "ecma" : "object");
            ((Map<?, ?>)value).forEach((k, v) -> copy.put(String.valueOf(k), normalise(v)));
            return copy;
        }

        if (value instanceof AmfTypedObject)
        {
            final AmfTypedObject typed = (AmfTypedObject)value;
            return List.of("#typed", typed.className(), normalise(typed.properties()));
        }

        return value;
    }
}
