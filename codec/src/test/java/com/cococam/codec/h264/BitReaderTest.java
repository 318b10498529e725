package com.cococam.codec.h264;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.cococam.codec.h264.CodecSamples.bits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class BitReaderTest
{
    @ParameterizedTest(name = "ue {0} = {1}")
    @CsvSource({
        "1, 0, 1",
        "010, 1, 3",
        "011, 2, 3",
        "00100, 3, 5",
        "00111, 6, 5",
        "0001000, 7, 7",
        "000011111, 30, 9",
        "0000000011111111 1, 510, 17",
    })
    void shouldDecodeUnsignedExpGolombTable(final String code, final int expected, final int consumedBits)
    {
        final byte[] data = bits(code);
        final BitReader reader = new BitReader(data, 0, data.length);

        assertEquals(expected, reader.readUe());
        assertEquals(consumedBits, reader.bitPosition());
    }

    @ParameterizedTest(name = "se {0} = {1}")
    @CsvSource({
        "1, 0",
        "010, 1",
        "011, -1",
        "00100, 2",
        "00101, -2",
        "00110, 3",
        "00111, -3",
        "0001000, 4",
    })
    void shouldDecodeSignedExpGolombTable(final String code, final int expected)
    {
        final byte[] data = bits(code);

        assertEquals(expected, new BitReader(data, 0, data.length).readSe());
    }

    @Test
    void shouldReadFixedFieldsAcrossByteBoundaries()
    {
        final byte[] data = {(byte)0xAB, (byte)0xCD, (byte)0xEF, 0x12, 0x34, 0x56, 0x78, (byte)0x9A};
        final BitReader reader = new BitReader(data, 1, 7);

        assertEquals(0xC, reader.readBits(4));
        assertEquals(0xDEF, reader.readBits(12));
        assertEquals(0x12345678, reader.readBits(32));
        assertEquals(0x9A, reader.readLong(8));
        assertEquals(0, reader.bitsLeft());
    }

    @Test
    void shouldReadLongFields()
    {
        final byte[] data = {(byte)0x90, 0, 0, 0, 0, 0x01, (byte)0xFF};
        final BitReader reader = new BitReader(data, 0, data.length);

        assertEquals(0x9000_0000_0001L, reader.readLong(48));
        assertEquals(0xFF, reader.readBits(8));
    }

    @Test
    void shouldAcceptLargestCodeThatFitsAnInt()
    {
        final byte[] data = bits("0".repeat(31) + "1" + "0".repeat(31));

        assertEquals(Integer.MAX_VALUE, new BitReader(data, 0, data.length).readUe());
    }

    @Test
    void shouldRejectCodesLongerThanAnInt()
    {
        final byte[] tooLong = bits("0".repeat(31) + "1" + "0".repeat(30) + "1");
        final byte[] tooManyZeros = new byte[8];

        assertEquals("exp-golomb code too long",
            assertThrows(BitstreamException.class, () -> new BitReader(tooLong, 0, tooLong.length).readUe())
                .getMessage());
        assertThrows(BitstreamException.class, () -> new BitReader(tooManyZeros, 0, 8).readUe());
    }

    @Test
    void shouldFailCleanlyWhenReadingPastTheEnd()
    {
        final byte[] data = bits("00001");
        final BitReader reader = new BitReader(data, 0, 1);

        final BitstreamException ex = assertThrows(BitstreamException.class, reader::readUe);
        assertEquals("bitstream truncated", ex.getMessage());
        assertThrows(BitstreamException.class, () -> new BitReader(data, 0, 1).readBits(9));
        assertThrows(BitstreamException.class, () -> new BitReader(data, 0, 1).skipBits(9));
        assertThrows(BitstreamException.class, () -> new BitReader(data, 0, 0).readBit());
    }

    @Test
    void shouldNotReadOutsideItsRange()
    {
        final byte[] data = {(byte)0xFF, 0x00, (byte)0xFF};
        final BitReader reader = new BitReader(data, 1, 1);

        assertEquals(0, reader.readBits(8));
        assertThrows(BitstreamException.class, reader::readBit);
        assertTrue(reader.isByteAligned());
    }

    @Test
    void shouldRestartOnReset()
    {
        final byte[] first = bits("011");
        final byte[] second = bits("00100");
        final BitReader reader = new BitReader(first, 0, 1);
        assertEquals(2, reader.readUe());

        reader.reset(second, 0, 1);

        assertEquals(3, reader.readUe());
        assertEquals(5, reader.bitPosition());
    }
}
