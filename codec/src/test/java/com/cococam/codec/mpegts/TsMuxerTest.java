package com.cococam.codec.mpegts;

import com.cococam.codec.flv.CollectingSink;
import com.cococam.codec.flv.FlvInputs;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(300)
class TsMuxerTest
{
    private static final long WRAP = 1L << 33;

    @ParameterizedTest
    @ValueSource(strings = {"generated-h264", "generated-h265", "flv_srs_avatar_h264_aac.flv", "flv_srs_bbb.flv",
        "flv_androidx_sample.flv", "flv_androidx_with_keyframe_index.flv"})
    void shouldMuxFlvInputsIntoTransportStreamThatFfmpegDecodesFrameForFrame(final String source) throws IOException
    {
        final Path flv = source.equals("generated-h264") ? FlvInputs.h264Flv() :
            source.equals("generated-h265") ? FlvInputs.h265Flv() : Peers.sample(source);
        final FlvInputs.Parsed parsed = FlvInputs.parse(flv);
        final Path file = FlvInputs.tempDir().resolve(source + ".ts");
        Files.write(file, mux(parsed, 0));

        final List<CollectingSink.Unit> video = parsed.sink().units(TrackFormat.VIDEO_TRACK);
        final List<CollectingSink.Unit> audio = parsed.sink().units(TrackFormat.AUDIO_TRACK);
        final TrackFormat videoFormat = parsed.sink().format(TrackFormat.VIDEO_TRACK);
        final Map<String, String> streams = FlvInputs.probeStreams(file);
        assertEquals(videoFormat.codec() == CodecId.H264 ? "h264" : "hevc", streams.get("streams.stream.0.codec_name"));
        assertEquals(String.valueOf(videoFormat.width()), streams.get("streams.stream.0.width"));
        assertEquals(String.valueOf(videoFormat.height()), streams.get("streams.stream.0.height"));
        assertEquals(String.valueOf(video.size()), streams.get("streams.stream.0.nb_read_frames"));
        if (!audio.isEmpty())
        {
            assertEquals("aac", streams.get("streams.stream.1.codec_name"));
            assertEquals(String.valueOf(audio.size()), streams.get("streams.stream.1.nb_read_packets"));
            assertEquals(FlvInputs.probeStreams(flv).get("streams.stream.1.nb_read_frames"),
                streams.get("streams.stream.1.nb_read_frames"));
        }

        assertEquals("", FlvInputs.decodeErrors(file));
        final List<Double> videoPts = FlvInputs.packetPts(file, "v:0");
        assertEquals(video.size(), videoPts.size());
        for (int i = 0; i < video.size(); i++)
        {
            assertEquals(video.get(i).pts() / 90_000.0, videoPts.get(i), 0.0001, "video pts " + i);
        }

        if (!audio.isEmpty())
        {
            final List<Double> audioPts = FlvInputs.packetPts(file, "a:0");
            assertEquals(audio.get(0).pts() / 90_000.0, audioPts.get(0), 0.0001);
            assertEquals(audio.get(audio.size() - 1).pts() / 90_000.0, audioPts.get(audioPts.size() - 1), 0.0001);
        }
    }

    @Test
    void shouldDecodeAcrossThePtsWrap() throws IOException
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(FlvInputs.h264Flv());
        final Path file = FlvInputs.tempDir().resolve("wrap.ts");
        // Start 2 s before the 33-bit wrap, so it happens mid-file.
        Files.write(file, mux(parsed, WRAP - 2 * 90_000));

        final Map<String, String> streams = FlvInputs.probeStreams(file);
        assertEquals(String.valueOf(FlvInputs.GENERATED_VIDEO_FRAMES), streams.get("streams.stream.0.nb_read_frames"));
        assertEquals(String.valueOf(parsed.sink().units(TrackFormat.AUDIO_TRACK).size()),
            streams.get("streams.stream.1.nb_read_packets"));
        assertEquals("", FlvInputs.decodeErrors(file));
    }

    @Test
    void shouldWriteTheGoldenPatAndAPmtWithVideoAsPcrPid()
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(FlvInputs.h265Flv());
        final TsMuxer muxer = new TsMuxer(parsed.sink().format(0), parsed.sink().format(1));
        final ByteBuf out = Unpooled.buffer();

        muxer.writeTables(out);

        assertEquals(2 * TsMuxer.PACKET_SIZE, out.readableBytes());
        assertEquals("474000100000b00d0001c100000001f0002ab104b2ffff", ByteBufUtil.hexDump(out, 0, 23));
        assertEquals("4750001000" + "02b0170001c10000" + "e100" + "f000" + "24e100f000" + "0fe101f000",
            ByteBufUtil.hexDump(out, 188, 27));
        // section_length 23: 3 header bytes + 23, the last 4 of which are the CRC of the rest.
        final int crc = TsMuxer.crc32(out, 188 + 5, 3 + 23 - 4);
        assertEquals(crc, out.getInt(188 + 5 + 3 + 23 - 4));
        assertEquals(0xFF, out.getUnsignedByte(188 + 5 + 3 + 23));
    }

    @Test
    void shouldRefuseAMalformedAccessUnitWithoutWriting()
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(FlvInputs.h264Flv());
        final TsMuxer muxer = new TsMuxer(parsed.sink().format(0), null);
        final ByteBuf out = Unpooled.buffer();

        assertFalse(muxer.writeVideo(out, 0, 0, true, Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 9, 0x65})));
        assertFalse(muxer.writeVideo(out, 0, 0, true, Unpooled.EMPTY_BUFFER));
        assertEquals(0, out.readableBytes());
        assertTrue(muxer.writeVideo(out, 0, 0, false, Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1, 0x41})));
        assertEquals(TsMuxer.PACKET_SIZE, out.readableBytes());
    }

    @Test
    void shouldWriteAudioOnlyStreamsWithPcrOnTheAudioPid() throws IOException
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(FlvInputs.h264Flv());
        final TsMuxer muxer = new TsMuxer(null, parsed.sink().format(TrackFormat.AUDIO_TRACK));
        final ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try
        {
            muxer.writeTables(out);
            int frames = 0;
            for (final CollectingSink.Unit unit : parsed.sink().units(TrackFormat.AUDIO_TRACK))
            {
                assertTrue(muxer.writeAudio(out, unit.pts(), unit.buf()));
                frames++;
            }

            assertEquals(0x10, out.getByte(188 + 5 + 8) >> 4 & 0x1F & 0x10);
            assertEquals(TsMuxer.PID_AUDIO, out.getUnsignedShort(188 + 5 + 8) & 0x1FFF);
            final byte[] bytes = ByteBufUtil.getBytes(out);
            checkPackets(bytes);
            final Path file = FlvInputs.tempDir().resolve("audio-only.ts");
            Files.write(file, bytes);
            final Map<String, String> streams = FlvInputs.probeStreams(file);
            assertEquals("aac", streams.get("streams.stream.0.codec_name"));
            assertEquals(String.valueOf(frames), streams.get("streams.stream.0.nb_read_packets"));
            assertEquals("", FlvInputs.decodeErrors(file));
        }
        finally
        {
            out.release();
        }
    }

    @Test
    void shouldNotAllocatePerFrameInSteadyState()
    {
        final FlvInputs.Parsed parsed = FlvInputs.parse(FlvInputs.h264Flv());
        final TsMuxer muxer = new TsMuxer(parsed.sink().format(0), parsed.sink().format(1));
        final List<CollectingSink.Unit> units = parsed.sink().units;
        final ByteBuf[] payloads = new ByteBuf[units.size()];
        for (int i = 0; i < payloads.length; i++)
        {
            payloads[i] = Unpooled.wrappedBuffer(units.get(i).payload());
        }

        // Plain wrapped heap buffers: leak-aware wrappers (paranoid level) would record a trace per access.
        final ByteBuf out = Unpooled.wrappedBuffer(new byte[4 << 20]);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = 0;
        for (int round = 0; round < 20; round++)
        {
            final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
            out.clear();
            for (int i = 0; i < payloads.length; i++)
            {
                final CollectingSink.Unit unit = units.get(i);
                if (unit.trackId() == TrackFormat.VIDEO_TRACK)
                {
                    muxer.writeVideo(out, unit.dts(), unit.pts(), unit.keyframe(), payloads[i]);
                }
                else
                {
                    muxer.writeAudio(out, unit.pts(), payloads[i]);
                }
            }

            allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        }

        // The measuring call itself may allocate a little; nothing may scale with the frame count.
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for " + payloads.length + " frames");
    }

    private static byte[] mux(final FlvInputs.Parsed parsed, final long offset90k)
    {
        final TrackFormat video = parsed.sink().format(TrackFormat.VIDEO_TRACK);
        final TrackFormat audio = parsed.sink().format(TrackFormat.AUDIO_TRACK);
        final TsMuxer muxer = new TsMuxer(video, audio);
        final ByteBuf out = PooledByteBufAllocator.DEFAULT.buffer();
        try
        {
            muxer.writeTables(out);
            for (final CollectingSink.Unit unit : parsed.sink().units)
            {
                final ByteBuf payload = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(unit.payload());
                try
                {
                    if (unit.trackId() == TrackFormat.VIDEO_TRACK)
                    {
                        if (unit.keyframe())
                        {
                            muxer.writeTables(out);
                        }

                        assertTrue(muxer.writeVideo(out, unit.dts() + offset90k, unit.pts() + offset90k,
                            unit.keyframe(), payload));
                    }
                    else
                    {
                        assertTrue(muxer.writeAudio(out, unit.pts() + offset90k, payload));
                    }

                    assertEquals(0, payload.readerIndex());
                    assertEquals(unit.payload().length, payload.writerIndex());
                }
                finally
                {
                    payload.release();
                }
            }

            final byte[] bytes = ByteBufUtil.getBytes(out);
            checkPackets(bytes);
            return bytes;
        }
        finally
        {
            out.release();
        }
    }

    /**
     * Whole packets, sync bytes, known PIDs, and continuity counters that step by one per PID.
     */
    private static void checkPackets(final byte[] bytes)
    {
        assertEquals(0, bytes.length % TsMuxer.PACKET_SIZE);
        final ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        final Map<Integer, Integer> counters = new HashMap<>();
        for (int offset = 0; offset < bytes.length; offset += TsMuxer.PACKET_SIZE)
        {
            assertEquals(0x47, buf.getUnsignedByte(offset));
            final int pid = buf.getUnsignedShort(offset + 1) & 0x1FFF;
            assertTrue(List.of(0, TsMuxer.PID_PMT, TsMuxer.PID_VIDEO, TsMuxer.PID_AUDIO).contains(pid));
            final int cc = buf.getUnsignedByte(offset + 3) & 0x0F;
            final Integer previous = counters.put(pid, cc);
            if (previous != null)
            {
                assertEquals((previous + 1) & 0x0F, cc, "continuity of pid " + pid + " at " + offset);
            }

            if ((buf.getUnsignedByte(offset + 3) & 0x20) != 0)
            {
                assertTrue(buf.getUnsignedByte(offset + 4) <= 183);
            }
        }
    }
}
