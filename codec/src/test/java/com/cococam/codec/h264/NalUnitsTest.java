package com.cococam.codec.h264;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

@Timeout(60)
class NalUnitsTest
{
    /**
     * The case table: Annex-B input, the NAL units it holds (hex, comma separated), and the length-prefixed form.
     */
    static Stream<Arguments> annexBCases()
    {
        return Stream.of(
            Arguments.of("4-byte start codes", "00000001 6742 00000001 68ce", "6742,68ce",
                "00000002 6742 00000002 68ce"),
            Arguments.of("3-byte start codes", "000001 6742 000001 68ce 000001 65", "6742,68ce,65",
                "00000002 6742 00000002 68ce 00000001 65"),
            Arguments.of("mixed start codes", "00000001 09f0 000001 6588", "09f0,6588",
                "00000002 09f0 00000002 6588"),
            Arguments.of("leading garbage and trailing zeros", "ffee 000001 41aa 0000 00000001 41bb 000000",
                "41aa,41bb", "00000002 41aa 00000002 41bb"),
            Arguments.of("empty nal skipped", "00000001 00000001 0000000001 6501", "6501", "00000002 6501"),
            Arguments.of("escaped bytes kept", "00000001 65 000003 01 00", "6500000301", "00000005 6500000301"),
            Arguments.of("no start code", "6742001f", "", ""),
            Arguments.of("empty", "", "", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annexBCases")
    void shouldSplitAnnexBTable(final String name, final String annexB, final String nals, final String prefixed)
    {
        final ByteBuf buf = Unpooled.buffer().writeZero(3).writeBytes(hex(annexB)).readerIndex(3);
        final List<String> seen = new ArrayList<>();

        final int count = NalUnits.forEachAnnexB(buf, (b, offset, length) ->
            seen.add(ByteBufUtil.hexDump(b, offset, length)));

        assertEquals(nals.isEmpty() ? List.of() : Arrays.asList(nals.split(",")), seen);
        assertEquals(seen.size(), count);
        assertEquals(3, buf.readerIndex());
        buf.release();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annexBCases")
    void shouldConvertAnnexBToLengthPrefixedTable(final String name, final String annexB, final String nals,
        final String prefixed)
    {
        final ByteBuf in = Unpooled.wrappedBuffer(hex(annexB));
        final ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();

        final int written = NalUnits.annexBToLengthPrefixed(in, out);

        assertEquals(prefixed.replace(" ", ""), ByteBufUtil.hexDump(out));
        assertEquals(out.readableBytes(), written);
        assertEquals(0, in.readerIndex());
        out.release();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("annexBCases")
    void shouldConvertLengthPrefixedToAnnexBTable(final String name, final String annexB, final String nals,
        final String prefixed)
    {
        final ByteBuf in = Unpooled.wrappedBuffer(hex(prefixed));
        final ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        final StringBuilder expected = new StringBuilder();
        for (final String nal : nals.isEmpty() ? new String[0] : nals.split(","))
        {
            expected.append("00000001").append(nal);
        }

        final int written = NalUnits.lengthPrefixedToAnnexB(in, out);

        assertEquals(expected.toString(), ByteBufUtil.hexDump(out));
        assertEquals(out.readableBytes(), written);
        assertEquals(in.readableBytes() == 0 ? 0 : nals.split(",").length, NalUnits.countLengthPrefixed(in));
        out.release();
    }

    static Stream<Arguments> malformedLengthPrefixed()
    {
        return Stream.of(
            Arguments.of("length past end", "00000003 6742"),
            Arguments.of("second length past end after an idr", "00000001 65 00000009 41"),
            Arguments.of("cut length field after an idr", "00000001 65 0000"),
            Arguments.of("negative length", "ffffffff 65"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedLengthPrefixed")
    void shouldRejectMalformedLengthPrefixedWithoutWriting(final String name, final String au)
    {
        final ByteBuf in = Unpooled.wrappedBuffer(hex(au));
        final ByteBuf out = Unpooled.buffer().writeByte(0x7F);

        assertEquals(-1, NalUnits.forEachLengthPrefixed(in, (b, o, l) -> { }));
        assertEquals(-1, NalUnits.lengthPrefixedToAnnexB(in, out));
        assertEquals(1, out.readableBytes());
        assertFalse(H264.isKeyframe(in));
        out.release();
    }

    @Test
    void shouldSkipZeroLengthNalUnits()
    {
        final ByteBuf in = Unpooled.wrappedBuffer(hex("00000000 00000001 65 00000000"));
        final List<Integer> offsets = new ArrayList<>();

        assertEquals(1, NalUnits.forEachLengthPrefixed(in, (b, offset, length) -> offsets.add(offset)));
        assertEquals(List.of(8), offsets);
    }

    @Test
    void shouldUnescapeRbspTable()
    {
        final String[][] cases = {
            {"000003", "0000"},
            {"00000300000301", "0000000001"},
            {"000000", "000000"},
            {"0003", "0003"},
            {"00000303", "000003"},
            {"aa00000300bb", "aa000000bb"},
            {"", ""},
        };
        for (final String[] testCase : cases)
        {
            final byte[] in = hex("ff" + testCase[0] + "ff");

            assertArrayEquals(hex(testCase[1]), NalUnits.unescapeRbsp(in, 1, in.length - 2), testCase[0]);
        }
    }

    @Test
    void shouldRoundTripEverySampleThroughLengthPrefixedForm()
    {
        final List<String> names = new ArrayList<>(CodecSamples.names("h264_"));
        names.addAll(CodecSamples.names("h265_"));
        for (final String name : names)
        {
            final byte[] original = CodecSamples.bytes(name);
            final ByteBuf annexB = Unpooled.wrappedBuffer(original);
            final ByteBuf prefixed = PooledByteBufAllocator.DEFAULT.buffer();
            final ByteBuf back = PooledByteBufAllocator.DEFAULT.buffer();
            final ByteBuf prefixedAgain = PooledByteBufAllocator.DEFAULT.buffer();
            final ByteBuf backAgain = PooledByteBufAllocator.DEFAULT.buffer();
            try
            {
                NalUnits.annexBToLengthPrefixed(annexB, prefixed);
                final int written = NalUnits.lengthPrefixedToAnnexB(prefixed, back);
                NalUnits.annexBToLengthPrefixed(back, prefixedAgain);
                NalUnits.lengthPrefixedToAnnexB(prefixedAgain, backAgain);

                assertEquals(back.readableBytes(), written, name);
                // The first pass normalises start codes to 4 bytes; from then on conversion is lossless.
                assertEquals(back, backAgain, name);
                assertEquals(prefixed, prefixedAgain, name);
                assertNalListsEqual(CodecSamples.nals(original), CodecSamples.nals(ByteBufUtil.getBytes(back)), name);
                if (usesOnlyFourByteStartCodes(original))
                {
                    assertEquals(Unpooled.wrappedBuffer(original), back, name + " byte-exact");
                }
            }
            finally
            {
                prefixed.release();
                back.release();
                prefixedAgain.release();
                backAgain.release();
            }
        }
    }

    @Test
    void shouldFindTheDocumentedNalTypesInEverySample()
    {
        final List<String> names = new ArrayList<>(CodecSamples.names("h264_"));
        names.addAll(CodecSamples.names("h265_"));
        for (final String name : names)
        {
            final boolean hevc = name.startsWith("h265_");
            final Map<Integer, Integer> counts = new TreeMap<>();
            NalUnits.forEachAnnexB(Unpooled.wrappedBuffer(CodecSamples.bytes(name)), (b, offset, length) ->
                counts.merge(hevc ? com.cococam.codec.h265.H265.nalType(b.getByte(offset)) :
                    H264.nalType(b.getByte(offset)), 1, Integer::sum));

            final Map<Integer, Integer> documented = CodecSamples.documentedNalTypeCounts(name);
            assertFalse(documented.isEmpty(), name);
            assertEquals(documented, counts, name);
        }
    }

    private static boolean usesOnlyFourByteStartCodes(final byte[] data)
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(data);
        int index = NalUnits.findStartCode(buf, 0, data.length);
        if (index != 1 || data[0] != 0)
        {
            return false;
        }

        while (index >= 0)
        {
            if (index == 0 || data[index - 1] != 0 || (index >= 2 && data[index - 2] == 0))
            {
                return false;
            }

            index = NalUnits.findStartCode(buf, index + 3, data.length);
        }

        return data[data.length - 1] != 0;
    }

    static void assertNalListsEqual(final List<byte[]> expected, final List<byte[]> actual, final String what)
    {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), actual.get(i), what + " nal " + i);
        }
    }
}
