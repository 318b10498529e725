package com.cococam.codec.aac;

import com.cococam.codec.h264.BitstreamException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.HexFormat;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class AudioSpecificConfigTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // config= values from the camera SDPs in shared/samples, plus built cases.
        "1188, 2, 3, 48000, 1, 1, mp4a.40.2",
        "1408, 2, 8, 16000, 1, 1, mp4a.40.2",
        "1490, 2, 9, 12000, 2, 2, mp4a.40.2",
        "119056E500, 2, 3, 48000, 2, 2, mp4a.40.2",
        "1210, 2, 4, 44100, 2, 2, mp4a.40.2",
        "17800DAC08, 2, 15, 7000, 1, 1, mp4a.40.2",
        "2B118800, 5, 6, 24000, 2, 2, mp4a.40.5",
        "0A10, 1, 4, 44100, 2, 2, mp4a.40.1",
        "11B8, 2, 3, 48000, 7, 8, mp4a.40.2",
        "1180, 2, 3, 48000, 0, 0, mp4a.40.2",
        "F8E640, 39, 3, 48000, 2, 2, mp4a.40.39",
    })
    void shouldParseConfigTable(final String config, final int objectType, final int index, final int rate,
        final int channelConfiguration, final int channels, final String codecs)
    {
        final AudioSpecificConfig parsed = AudioSpecificConfig.parse(hex(config));

        assertEquals(objectType, parsed.objectType());
        assertEquals(index, parsed.samplingFrequencyIndex());
        assertEquals(rate, parsed.sampleRate());
        assertEquals(channelConfiguration, parsed.channelConfiguration());
        assertEquals(channels, parsed.channelCount());
        assertEquals(codecs, parsed.codecsString());
        assertEquals(config.toLowerCase(), HexFormat.of().formatHex(parsed.raw()));
    }

    @ParameterizedTest(name = "{0} Hz x{1}")
    @CsvSource({
        "48000, 1, 2, 1188",
        "44100, 2, 2, 1210",
        "8000, 1, 2, 1588",
        "96000, 6, 2, 1030",
        "48000, 8, 2, 11B8",
        "7000, 1, 2, 17800DAC08",
        "44100, 2, 1, 0A10",
    })
    void shouldBuildConfigTable(final int rate, final int channels, final int objectType, final String expected)
    {
        final AudioSpecificConfig built = AudioSpecificConfig.of(objectType, rate, channels);

        assertEquals(expected.toLowerCase(), HexFormat.of().formatHex(built.raw()));
        assertEquals(built, AudioSpecificConfig.parse(built.raw()));
        assertEquals(channels, built.channelCount());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "empty, ''",
        "one byte, 11",
        "object type zero, 0188",
        "reserved frequency index, 1680",
        "explicit rate cut short, 17800D",
        "zero explicit rate, 1780000008",
        "escaped object type cut short, F8",
        "he-aac extension cut short, 2B11",
    })
    void shouldRejectMalformedConfigs(final String name, final String config)
    {
        final IllegalArgumentException ex = assertThrows(BitstreamException.class,
            () -> AudioSpecificConfig.parse(hex(config)));
        assertTrue(Character.isLowerCase(ex.getMessage().charAt(0)), ex.getMessage());
    }

    @Test
    void shouldRejectArgumentsAdtsAndMp4CannotCarry()
    {
        assertThrows(IllegalArgumentException.class, () -> AudioSpecificConfig.of(2, 48000, 7));
        assertThrows(IllegalArgumentException.class, () -> AudioSpecificConfig.of(2, 48000, 0));
        assertThrows(IllegalArgumentException.class, () -> AudioSpecificConfig.of(0, 48000, 2));
        assertThrows(IllegalArgumentException.class, () -> AudioSpecificConfig.of(31, 48000, 2));
        assertThrows(IllegalArgumentException.class, () -> AudioSpecificConfig.of(2, 0, 2));
    }

    @Test
    void shouldFailCleanlyOnEveryTruncation()
    {
        for (final String config : new String[] {"1188", "119056E500", "17800DAC08", "2B118800", "F8E640"})
        {
            final byte[] full = hex(config);
            for (int length = 0; length < full.length; length++)
            {
                final byte[] cut = Arrays.copyOf(full, length);
                try
                {
                    final AudioSpecificConfig parsed = AudioSpecificConfig.parse(cut);
                    assertEquals(AudioSpecificConfig.parse(full).sampleRate(), parsed.sampleRate());
                }
                catch (final BitstreamException expected)
                {
                    assertTrue(expected.getMessage().length() > 0);
                }
            }
        }
    }

    @Test
    void shouldCompareByContent()
    {
        assertEquals(AudioSpecificConfig.parse(hex("1188")), AudioSpecificConfig.of(2, 48000, 1));
        assertEquals(AudioSpecificConfig.parse(hex("1188")).hashCode(), AudioSpecificConfig.of(2, 48000, 1).hashCode());
    }
}
