package com.cococam.protocols.rtsp.client;

import com.cococam.codec.flv.CollectingSink;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link RtpMediaAssembler} on real streams: libx264 output (with and without B-frames) packetized by the
 * project's RTP packetizers, fed as a camera would send it. Checks decode order, SDP formats, RTCP lip sync and
 * recovery from packet loss; the reordered stream is muxed back into FLV and decoded by ffmpeg.
 */
@Timeout(120)
class RtpMediaAssemblerTest
{
    private static final long NEAR_WRAP_BASE = 0xFFFF_FFFFL - 90_000;

    @TempDir
    Path temp;

    @Test
    void shouldAnnounceTheSdpFormatsBeforeAnyMedia()
    {
        final AssemblerFixtures.Media media = AssemblerFixtures.media(0, 25, 2);
        final CollectingSink sink = new CollectingSink();
        try (RtpMediaAssembler assembler = new RtpMediaAssembler(PooledByteBufAllocator.DEFAULT, sink))
        {
            assertEquals(2, assembler.configure(AssemblerFixtures.tracks(media)));
            assertEquals(2, sink.formats.size(), sink.formats.toString());
            assertEquals(CodecId.H264, sink.format(TrackFormat.VIDEO_TRACK).codec());
            assertEquals(320, sink.format(TrackFormat.VIDEO_TRACK).width());
            assertEquals(CodecId.AAC, sink.format(TrackFormat.AUDIO_TRACK).codec());
            assertEquals(48_000, sink.format(TrackFormat.AUDIO_TRACK).sampleRate());
            assertArrayEquals(media.audio().decoderConfig(), sink.format(TrackFormat.AUDIO_TRACK).decoderConfig());
            assertTrue(sink.units.isEmpty());
        }
    }

    @Test
    void shouldGiveBFramesIncreasingDecodeTimesWithoutLosingAFrame() throws Exception
    {
        final AssemblerFixtures.Media media = AssemblerFixtures.media(2, 25, 4);
        final List<CollectingSink.Unit> input = media.videoUnits();
        assertTrue(hasReordering(input), "the encoder made no B-frames");
        final CollectingSink sink = new CollectingSink();
        final List<RtspTrack> tracks = AssemblerFixtures.tracks(media);
        try (RtpMediaAssembler assembler = new RtpMediaAssembler(PooledByteBufAllocator.DEFAULT, sink))
        {
            assembler.configure(tracks);
            for (final AssemblerFixtures.Packet packet : AssemblerFixtures.videoPackets(input, NEAR_WRAP_BASE))
            {
                feed(assembler, tracks.get(0), packet);
            }

            assembler.flush();
            assertTrue(assembler.reordering());
            assertEquals(0, assembler.reorderClamps());
            assertEquals(0, assembler.droppedUnits());
        }

        final List<CollectingSink.Unit> output = sink.units(TrackFormat.VIDEO_TRACK);
        assertEquals(input.size(), output.size(), "every frame from the first keyframe on comes out");
        final long shift = output.get(0).pts() - input.get(0).pts();
        for (int i = 0; i < output.size(); i++)
        {
            final CollectingSink.Unit in = input.get(i);
            final CollectingSink.Unit out = output.get(i);
            assertArrayEquals(in.payload(), out.payload(), "frame " + i + " in decode order");
            assertEquals(in.pts() + shift, out.pts(), "pts of frame " + i);
            assertEquals(in.keyframe(), out.keyframe(), "keyframe flag of frame " + i);
            assertTrue(out.dts() <= out.pts(), "dts " + out.dts() + " > pts " + out.pts() + " at frame " + i);
            if (i > 0)
            {
                assertTrue(out.dts() > output.get(i - 1).dts(), "dts not increasing at frame " + i);
            }
        }

        final Path flv = temp.resolve("reordered.flv");
        AssemblerFixtures.writeFlv(sink.format(TrackFormat.VIDEO_TRACK), output, flv);
        final Map<String, String> probe = Peers.ffprobeFlat(AssemblerFixtures.PEER_TIMEOUT, "-count_frames",
            "-show_entries", "stream=codec_name,width,nb_read_frames,has_b_frames", flv.toString());
        assertEquals("h264", probe.get("streams.stream.0.codec_name"), probe.toString());
        assertEquals(Integer.toString(input.size()), probe.get("streams.stream.0.nb_read_frames"), probe.toString());
        final Peers.Result frames = Peers.run(AssemblerFixtures.PEER_TIMEOUT, Peers.ffprobe(), "-v", "error",
            "-select_streams", "v", "-show_entries", "frame=pts", "-of", "csv=p=0", flv.toString());
        final long[] shown = frames.stdout().lines().filter((l) -> !l.isBlank()).mapToLong((l) -> Long.parseLong(l.split(",")[0].trim())).toArray();
        assertEquals(input.size(), shown.length, frames.stdout());
        for (int i = 1; i < shown.length; i++)
        {
            assertEquals(40, shown[i] - shown[i - 1], "decoded frames come out every 40 ms: " + Arrays.toString(shown));
        }

        final Peers.Result decode = Peers.run(AssemblerFixtures.PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error",
            "-xerror", "-i", flv.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), decode.stderr());
    }

    @Test
    void shouldKeepDecodeTimesEqualToPresentationTimesWithoutBFrames()
    {
        final AssemblerFixtures.Media media = AssemblerFixtures.media(0, 25, 2);
        final CollectingSink sink = new CollectingSink();
        final List<RtspTrack> tracks = AssemblerFixtures.tracks(media);
        try (RtpMediaAssembler assembler = new RtpMediaAssembler(PooledByteBufAllocator.DEFAULT, sink))
        {
            assembler.configure(tracks);
            for (final AssemblerFixtures.Packet packet : AssemblerFixtures.videoPackets(media.videoUnits(), 7))
            {
                feed(assembler, tracks.get(0), packet);
            }

            assembler.flush();
            assertFalse(assembler.reordering());
        }

        final List<CollectingSink.Unit> output = sink.units(TrackFormat.VIDEO_TRACK);
        assertEquals(media.videoUnits().size(), output.size());
        for (int i = 0; i < output.size(); i++)
        {
            assertEquals(output.get(i).pts(), output.get(i).dts(), "frame " + i);
            assertEquals(i * 3_600L, output.get(i).pts(), "frame " + i);
        }
    }

    /**
     * Video is captured with 300 ms of encoder delay, audio with 20 ms (or the other way round), so their first
     * units arrive out of step; RTP bases differ (audio near the 32-bit wrap). Once both tracks have a sender
     * report, the audio timeline moves onto the video's and frames captured at the same instant carry the same
     * time to within a video frame.
     */
    @ParameterizedTest(name = "video delay {0} ms, audio delay {1} ms")
    @CsvSource({"300, 20", "20, 300"})
    void shouldAlignAudioToVideoWithSenderReports(final int videoDelayMs, final int audioDelayMs)
    {
        final AssemblerFixtures.Media media = AssemblerFixtures.media(0, 25, 4);
        final long videoBase = 0x1234_0000L;
        final long audioBase = 0xFFFF_FFFFL - 20 * 1024;
        final List<AssemblerFixtures.Packet> video = AssemblerFixtures.videoPackets(media.videoUnits(), videoBase);
        final List<AssemblerFixtures.Packet> audio = AssemblerFixtures.audioPackets(media.audioUnits(), audioBase);
        final List<double[]> events = new ArrayList<>();
        for (int i = 0; i < video.size(); i++)
        {
            final double capture = media.videoUnits().get(video.get(i).unit()).pts() / 90_000.0;
            events.add(new double[] {capture + videoDelayMs / 1000.0 + i * 1e-7, 0, i});
        }

        for (int j = 0; j < audio.size(); j++)
        {
            final double capture = (double)audio.get(j).unit() * AssemblerFixtures.AAC_FRAME /
                AssemblerFixtures.AUDIO_RATE;
            events.add(new double[] {capture + audioDelayMs / 1000.0, 1, j});
        }

        final double reportAt = 2.0;
        events.add(new double[] {reportAt + 0.03, 2, 0});
        events.sort((a, b) -> Double.compare(a[0], b[0]));

        final long ntpSeconds = 3_900_000_000L;
        final AssemblerFixtures.ManualClock clock = new AssemblerFixtures.ManualClock();
        final CollectingSink sink = new CollectingSink();
        final List<RtspTrack> tracks = AssemblerFixtures.tracks(media);
        final long shift90k;
        final long audioDrops;
        try (RtpMediaAssembler assembler = new RtpMediaAssembler(PooledByteBufAllocator.DEFAULT, sink, clock))
        {
            assembler.configure(tracks);
            for (final double[] event : events)
            {
                clock.nowNs = 1_000_000_000L + (long)(event[0] * 1e9);
                if (event[1] == 0)
                {
                    feed(assembler, tracks.get(0), video.get((int)event[2]));
                }
                else if (event[1] == 1)
                {
                    feed(assembler, tracks.get(1), audio.get((int)event[2]));
                }
                else
                {
                    // Both sender reports describe the capture instant reportAt (same wall clock, own RTP clock).
                    final long ntp = (ntpSeconds + 2) << 32;
                    assembler.onSenderReport(tracks.get(1), ntp, (audioBase + (long)(reportAt * 48_000)) & 0xFFFF_FFFFL);
                    assertFalse(assembler.synced(), "one report is not enough");
                    assembler.onSenderReport(tracks.get(0), ntp, (videoBase + (long)(reportAt * 90_000)) & 0xFFFF_FFFFL);
                    assertTrue(assembler.synced());
                }
            }

            assembler.flush();
            shift90k = assembler.syncShift90k();
            audioDrops = assembler.droppedUnits();
        }

        final long expectedShift = (videoDelayMs - audioDelayMs) * 90L;
        assertTrue(Math.abs(shift90k - expectedShift) <= 90, "shift " + shift90k + " for " + expectedShift);
        final List<CollectingSink.Unit> videoOut = sink.units(TrackFormat.VIDEO_TRACK);
        final List<CollectingSink.Unit> audioOut = sink.units(TrackFormat.AUDIO_TRACK);
        assertEquals(media.videoUnits().size(), videoOut.size());
        // Video: PTS = capture + constant.
        final long videoOffset = videoOut.get(0).pts() - media.videoUnits().get(0).pts();
        for (int i = 0; i < videoOut.size(); i++)
        {
            assertEquals(media.videoUnits().get(i).pts() + videoOffset, videoOut.get(i).pts(), "video " + i);
        }

        // Audio: identify each output frame by its bytes, compare its time with the video's for the same capture.
        long maxBefore = 0;
        long maxAfter = 0;
        int after = 0;
        long lastDts = Long.MIN_VALUE;
        int searchFrom = 0;
        for (final CollectingSink.Unit unit : audioOut)
        {
            int j = searchFrom;
            while (!Arrays.equals(media.audioUnits().get(j).payload(), unit.payload()))
            {
                j++;
            }

            searchFrom = j + 1;
            assertTrue(unit.dts() > lastDts, "audio dts must increase");
            lastDts = unit.dts();
            final long capture90k = (long)j * AssemblerFixtures.AAC_FRAME * 90_000 / AssemblerFixtures.AUDIO_RATE;
            final long skew = Math.abs(unit.pts() - (capture90k + videoOffset));
            final double arrival = (double)j * AssemblerFixtures.AAC_FRAME / AssemblerFixtures.AUDIO_RATE +
                audioDelayMs / 1000.0;
            if (arrival < reportAt + 0.03)
            {
                maxBefore = Math.max(maxBefore, skew);
            }
            else
            {
                maxAfter = Math.max(maxAfter, skew);
                after++;
            }
        }

        assertTrue(maxBefore > 20_000, "before the reports the tracks are out of step by arrival: " + maxBefore);
        assertTrue(after > 80, "audio frames after the reports: " + after);
        assertTrue(maxAfter <= 3_600, "after the reports audio and video agree to within a frame: " + maxAfter);
        assertTrue(maxAfter <= 2, "in fact to rounding: " + maxAfter);
        // Moving audio back drops the frames that would overlap (280 ms = 13 frames of 21.3 ms), forward drops none.
        final long expectedDrops = expectedShift < 0 ? -expectedShift * AssemblerFixtures.AUDIO_RATE /
            AssemblerFixtures.AAC_FRAME / 90_000 : 0;
        assertTrue(Math.abs(audioDrops - expectedDrops) <= 1, "audio drops " + audioDrops + " for " + expectedDrops);
        assertEquals(media.audioUnits().size() - audioDrops, audioOut.size());
    }

    /**
     * One packet is lost; the depacketizer drops the broken frame and everything up to the next keyframe (the
     * frames that follow reference it). The figure: frames lost = distance to the next keyframe. One exception,
     * by the depacketizer's rule that the unit right after a gap is dropped too (the lost packets may have been
     * its head): when the lost packet is a whole frame just before a keyframe, that keyframe goes as well and
     * output resumes one GOP later (frame 124 lost: resume at 150).
     */
    @ParameterizedTest(name = "packet lost in frame {0}: output resumes at frame {1}")
    @CsvSource({"30, 50", "50, 75", "1, 25", "124, 150"})
    void shouldResumeAtTheNextKeyframeAfterALostPacket(final int lostFrame, final int resumeFrame)
    {
        final AssemblerFixtures.Media media = AssemblerFixtures.media(2, 25, 7);
        final List<CollectingSink.Unit> input = media.videoUnits();
        assertTrue(input.get(resumeFrame).keyframe(), "frame " + resumeFrame + " is a keyframe");
        final CollectingSink sink = new CollectingSink();
        final List<RtspTrack> tracks = AssemblerFixtures.tracks(media);
        final long lost;
        try (RtpMediaAssembler assembler = new RtpMediaAssembler(PooledByteBufAllocator.DEFAULT, sink))
        {
            assembler.configure(tracks);
            boolean dropped = false;
            for (final AssemblerFixtures.Packet packet : AssemblerFixtures.videoPackets(input, NEAR_WRAP_BASE))
            {
                if (!dropped && packet.unit() == lostFrame)
                {
                    dropped = true;
                    continue;
                }

                feed(assembler, tracks.get(0), packet);
            }

            assembler.flush();
            lost = assembler.lostPackets();
        }

        assertEquals(1, lost);
        final List<CollectingSink.Unit> output = sink.units(TrackFormat.VIDEO_TRACK);
        final List<Integer> delivered = new ArrayList<>();
        int search = 0;
        for (final CollectingSink.Unit unit : output)
        {
            while (!Arrays.equals(input.get(search).payload(), unit.payload()))
            {
                search++;
            }

            delivered.add(search++);
        }

        final List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < input.size(); i++)
        {
            if (i < lostFrame || i >= resumeFrame)
            {
                expected.add(i);
            }
        }

        assertEquals(expected, delivered, "frames delivered (decode order)");
        System.out.println("rtp loss recovery: packet lost in frame " + lostFrame + ", output resumes at frame " +
            resumeFrame + " (keyframe) after " + (resumeFrame - lostFrame) + " frames (" +
            (resumeFrame - lostFrame) * 40 + " ms at 25 fps, GOP 25)");
        for (int i = 1; i < output.size(); i++)
        {
            assertTrue(output.get(i).dts() > output.get(i - 1).dts());
            assertTrue(output.get(i).dts() <= output.get(i).pts());
        }
    }

    private static boolean hasReordering(final List<CollectingSink.Unit> units)
    {
        long max = Long.MIN_VALUE;
        for (final CollectingSink.Unit unit : units)
        {
            if (unit.pts() < max)
            {
                return true;
            }

            max = Math.max(max, unit.pts());
        }

        return false;
    }

    private static void feed(final RtpMediaAssembler assembler, final RtspTrack track,
        final AssemblerFixtures.Packet packet)
    {
        final ByteBuf buf = packet.buf();
        assembler.onRtp(track, buf);
        assertEquals(0, buf.readerIndex(), "the assembler must not move the packet's indexes");
    }
}
