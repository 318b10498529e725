package com.cococam.codec.media;

import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h264.CodecSamples;
import com.cococam.codec.testing.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

@Timeout(120)
class TrackFormatsTest
{
    @Test
    void shouldDescribeEverySdpSpropAsFfmpegDecodedIt()
    {
        for (final CodecSamples.Sprop sprop : CodecSamples.sprops())
        {
            final AvcDecoderConfigurationRecord record = AvcDecoderConfigurationRecord.fromParameterSets(sprop.nals());

            final TrackFormat format = TrackFormats.h264(record.encode());

            assertEquals(TrackFormat.VIDEO_TRACK, format.trackId(), sprop.file());
            assertEquals(CodecId.H264, format.codec(), sprop.file());
            assertEquals(sprop.width(), format.width(), sprop.file());
            assertEquals(sprop.height(), format.height(), sprop.file());
            assertEquals(String.format("avc1.%02x%02x%02x", sprop.profile(), record.profileCompatibility(),
                sprop.level()), format.codecsString(), sprop.file());
        }
    }

    @Test
    void shouldDescribeFoscamStreamWithGoldenCodecs()
    {
        final AvcDecoderConfigurationRecord record = AvcDecoderConfigurationRecord.of(
            List.of(hex("674D001F95A814016E40")), List.of(hex("68EE3C80")));

        final TrackFormat format = TrackFormats.h264(record.encode());

        assertEquals(new TrackFormat(TrackFormat.VIDEO_TRACK, CodecId.H264, 1280, 720, 0, 0, record.encode(),
            "avc1.4d001f"), format);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "mp4_androidx_avc_bpyramid_3b.mp4, avcC",
        "fmp4_mp4ff_v300_multiple_segments.mp4, avcC",
        "fmp4_androidx_sample_fragmented.mp4, avcC",
        "cmaf_androidx_video_init.mp4, avcC",
        "fmp4_mp4ff_hvc1_init.mp4, hvcC",
        "mp4_androidx_h265_bframes.mp4, hvcC",
    })
    void shouldMatchFfprobeForRecordsInMp4Samples(final String name, final String box)
    {
        final byte[] record = CodecSamples.boxBody(CodecSamples.bytes(name), box);
        assertNotNull(record, name);

        final TrackFormat format = "avcC".equals(box) ? TrackFormats.h264(record) : TrackFormats.h265(record);

        final Map<String, String> probe = Peers.ffprobeFlat(Duration.ofSeconds(60), "-select_streams", "v:0",
            "-show_entries", "stream=width,height,profile,codec_name", Peers.sample(name).toString());
        assertEquals(probe.get("streams.stream.0.codec_name"), "avcC".equals(box) ? "h264" : "hevc", name);
        assertEquals(probe.get("streams.stream.0.width"), Integer.toString(format.width()), name);
        assertEquals(probe.get("streams.stream.0.height"), Integer.toString(format.height()), name);
        assertArrayEquals(record, format.decoderConfig(), name);
        assertTrue(format.codecsString().startsWith("avcC".equals(box) ? "avc1." : "hvc1."), format.codecsString());
    }

    @Test
    void shouldGiveTheAnnexECodecsStringForTheMp4ffHevcInit()
    {
        final TrackFormat format = TrackFormats.h265(
            CodecSamples.boxBody(CodecSamples.bytes("fmp4_mp4ff_hvc1_init.mp4"), "hvcC"));

        assertEquals(CodecId.H265, format.codec());
        assertEquals(640, format.width());
        assertEquals(360, format.height());
        assertTrue(format.codecsString().matches("hvc1\\.1\\.6\\.L\\d+\\.[0-9A-F]{1,2}(\\.[0-9A-F]{1,2})*"),
            format.codecsString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1188, 48000, 1, mp4a.40.2", "1210, 44100, 2, mp4a.40.2", "119056E500, 48000, 2, mp4a.40.2",
        "2B118800, 24000, 2, mp4a.40.5"})
    void shouldDescribeAacConfigs(final String config, final int rate, final int channels, final String codecs)
    {
        final TrackFormat format = TrackFormats.aac(hex(config));

        assertEquals(new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.AAC, 0, 0, rate, channels, hex(config), codecs),
            format);
    }

    @Test
    void shouldCopyTheRecordSoCallersMayReuseTheirArray()
    {
        final byte[] record = AvcDecoderConfigurationRecord.of(List.of(hex("674D001F95A814016E40")),
            List.of(hex("68EE3C80"))).encode();
        final TrackFormat format = TrackFormats.h264(record);

        record[8] = 0;

        assertNotEquals(record[8], format.decoderConfig()[8]);
    }

    @Test
    void shouldThrowOnlyIllegalArgumentForTruncatedOrCorruptRecords()
    {
        final List<byte[]> avc = new ArrayList<>();
        for (final CodecSamples.Sprop sprop : CodecSamples.sprops())
        {
            avc.add(AvcDecoderConfigurationRecord.fromParameterSets(sprop.nals()).encode());
        }

        avc.add(CodecSamples.boxBody(CodecSamples.bytes("mp4_androidx_avc_bpyramid_3b.mp4"), "avcC"));
        final List<byte[]> hevc = List.of(
            CodecSamples.boxBody(CodecSamples.bytes("fmp4_mp4ff_hvc1_init.mp4"), "hvcC"),
            CodecSamples.boxBody(CodecSamples.bytes("mp4_androidx_h265_bframes.mp4"), "hvcC"));
        final List<byte[]> aac = List.of(hex("1188"), hex("119056E500"), hex("17800DAC08"), hex("2B118800"));

        final int[] rejected = new int[1];
        exercise(avc, TrackFormats::h264, rejected);
        exercise(hevc, TrackFormats::h265, rejected);
        exercise(aac, TrackFormats::aac, rejected);
        assertTrue(rejected[0] > 500, "rejected=" + rejected[0]);
    }

    private static void exercise(final List<byte[]> records, final Function<byte[], TrackFormat> factory,
        final int[] rejected)
    {
        final Random random = new Random(records.size());
        for (final byte[] record : records)
        {
            final List<byte[]> inputs = new ArrayList<>();
            for (int length = 0; length < record.length; length++)
            {
                inputs.add(Arrays.copyOf(record, length));
            }

            for (int i = 0; i < 200; i++)
            {
                final byte[] corrupt = record.clone();
                corrupt[random.nextInt(corrupt.length)] ^= (byte)(1 << random.nextInt(8));
                inputs.add(corrupt);
            }

            for (final byte[] input : inputs)
            {
                try
                {
                    final TrackFormat format = factory.apply(input);
                    assertTrue(format.isVideo() ? format.width() > 0 && format.height() > 0 : format.sampleRate() > 0);
                }
                catch (final IllegalArgumentException expected)
                {
                    rejected[0]++;
                }
                catch (final RuntimeException ex)
                {
                    fail("leaked " + ex + " for " + Arrays.toString(input));
                }
            }
        }
    }
}
