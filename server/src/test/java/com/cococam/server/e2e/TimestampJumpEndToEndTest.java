package com.cococam.server.e2e;

import com.cococam.codec.flv.FlvFileReader;
import com.cococam.codec.testing.Peers;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.HlsPlaylist;
import com.cococam.server.testing.RawRtmpClient;
import com.cococam.server.testing.TestServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher whose RTMP timestamps jump: one clip sent three times in real time, the second time restarting at 0
 * (a 3 s jump backwards, as an encoder restart without reconnect does) and the third time 60 s ahead. ffmpeg
 * cannot send such a stream ({@code -re -c copy} clamps backward DTS and sleeps through forward gaps), so the clip
 * is made by ffmpeg, read with {@link FlvFileReader} and sent tag by tag by {@link RawRtmpClient}.
 *
 * <p>What the server does, asserted here: the path's timeline stays continuous (each jump is bridged by one
 * nominal frame step, never backwards), the HLS packager cuts a segment at each jump and marks the next with
 * EXT-X-DISCONTINUITY, every run decodes with increasing timestamps, and an RTMP viewer plays every frame.
 */
@Timeout(120)
class TimestampJumpEndToEndTest
{
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(40);
    private static final String PATH = "live/cam1";
    private static final int CLIP_SECONDS = 3;
    private static final long[] PART_OFFSETS_MS = {0, 0, 60_000};

    @TempDir
    Path temp;

    private TestServer server;
    private Process viewer;

    @BeforeEach
    void startServer() throws Exception
    {
        server = TestServer.start(temp.resolve("rec"), "--hls.segmentDurationMs=1000", "--hls.windowSegments=30");
    }

    @AfterEach
    void stopAll()
    {
        if (viewer != null)
        {
            viewer.destroyForcibly();
        }

        server.close();
    }

    @Test
    void shouldKeepOneDecodableTimelineWhenPublisherTimestampsJumpBackAndForth() throws Exception
    {
        final List<Tag> clip = makeClip();
        final int framesPerPart = (int)clip.stream().filter(t -> t.type == FlvFileReader.TAG_VIDEO &&
            (t.body[0] & 0x0F) == 7 && t.body[1] == 1).count();
        assertEquals(CLIP_SECONDS * 25, framesPerPart, "clip frames");

        viewer = Peers.start(temp.resolve("viewer.txt"), List.of(Peers.ffprobe(), "-v", "error",
            "-rw_timeout", "30000000", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames",
            "-select_streams", "v:0", "-of", "flat", server.rtmpUrl(PATH)));
        Await.until(Duration.ofSeconds(30), () -> server.server().hub().find(PATH) != null &&
            server.server().hub().find(PATH).metrics().viewers.get() == 1, "viewer attached");

        sendInRealTime(clip);

        assertEquals(0, TestServer.waitFor(viewer, PEER_TIMEOUT), () -> read("viewer.txt"));
        final Map<String, String> played = Peers.parseFlat(read("viewer.txt"));
        assertEquals(3 * framesPerPart, Integer.parseInt(played.get("streams.stream.0.nb_read_frames")),
            "RTMP viewer played every frame: " + played);

        Await.until(Duration.ofSeconds(10), () ->
        {
            final HlsPlaylist playlist = HlsPlaylist.fetch(server, "/live/cam1/stream.m3u8");
            return playlist != null && playlist.segments().stream()
                .mapToDouble(HlsPlaylist.Segment::durationSec).sum() >= 3 * CLIP_SECONDS - 0.2;
        }, () -> "HLS covers the three parts: " + server.get("/live/cam1/stream.m3u8").text());
        final HlsPlaylist playlist = HlsPlaylist.fetch(server, "/live/cam1/stream.m3u8");
        assertEquals(2, playlist.discontinuities(), "one discontinuity per jump: " + playlist.text());
        final double total = playlist.segments().stream().mapToDouble(HlsPlaylist.Segment::durationSec).sum();
        assertEquals(3 * CLIP_SECONDS, total, 0.3, "EXTINF sum: no 60 s hole, no negative time: " + playlist.text());

        int frames = 0;
        final List<List<HlsPlaylist.Segment>> runs = playlist.runs();
        assertEquals(3, runs.size(), playlist.text());
        for (int i = 0; i < runs.size(); i++)
        {
            final Path file = temp.resolve("run-" + i + ".mp4");
            HlsPlaylist.download(server, "/live/cam1/", runs.get(i), file);
            frames += assertDecodesWithIncreasingDts(file);
        }

        assertEquals(3 * framesPerPart, frames, "every frame is in the HLS segments");
    }

    private List<Tag> makeClip() throws Exception
    {
        final Path flv = temp.resolve("clip.flv");
        final Peers.Result made = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=sample_rate=48000",
            "-t", Integer.toString(CLIP_SECONDS), "-c:v", "libx264", "-preset", "veryfast", "-g", "25",
            "-pix_fmt", "yuv420p", "-c:a", "aac", "-f", "flv", flv.toString());
        assertEquals(0, made.exitCode(), made.stderr());

        final ByteBuf file = Unpooled.wrappedBuffer(Files.readAllBytes(flv));
        final List<Tag> tags = new ArrayList<>();
        try
        {
            final FlvFileReader reader = new FlvFileReader(file);
            assertEquals(FlvFileReader.Step.TAG, reader.readHeader());
            while (reader.next() == FlvFileReader.Step.TAG)
            {
                if (reader.tagType() == FlvFileReader.TAG_AUDIO || reader.tagType() == FlvFileReader.TAG_VIDEO)
                {
                    tags.add(new Tag(reader.tagType(), reader.timestampMs(), ByteBufUtil.getBytes(reader.body())));
                }
            }
        }
        finally
        {
            file.release();
        }

        return tags;
    }

    private void sendInRealTime(final List<Tag> clip) throws Exception
    {
        final long partMs = clip.stream().mapToLong(t -> t.timestampMs).max().orElse(0) + 40;
        try (RawRtmpClient client = RawRtmpClient.open(server.server().rtmpPort(), 0))
        {
            client.startPublishing(server.server().rtmpPort(), "live", "cam1?key=" + TestServer.KEY1);
            assertTrue(client.readUntil("NetStream.Publish.Start", Duration.ofSeconds(10)), "publish accepted");
            client.setChunkSize(4096);
            final long startNs = System.nanoTime();
            for (int part = 0; part < PART_OFFSETS_MS.length; part++)
            {
                for (final Tag tag : clip)
                {
                    final long dueNs = startNs + (part * partMs + tag.timestampMs) * 1_000_000;
                    long waitNs;
                    while ((waitNs = dueNs - System.nanoTime()) > 0)
                    {
                        LockSupport.parkNanos(waitNs);
                    }

                    client.sendMessage(tag.type == FlvFileReader.TAG_VIDEO ? RawRtmpClient.VIDEO_CSID :
                        RawRtmpClient.AUDIO_CSID, tag.type, RawRtmpClient.MEDIA_STREAM_ID,
                        tag.timestampMs + PART_OFFSETS_MS[part], tag.body);
                }
            }

            client.sendCommand(RawRtmpClient.MEDIA_STREAM_ID, RawRtmpClient.Amf0.string("deleteStream"),
                RawRtmpClient.Amf0.number(0), RawRtmpClient.Amf0.nul(), RawRtmpClient.Amf0.number(1));
        }
    }

    private static int assertDecodesWithIncreasingDts(final Path file)
    {
        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror", "-i",
            file.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained about " + file + ": " + decode.stderr());

        final Peers.Result packets = Peers.run(PEER_TIMEOUT, Peers.ffprobe(), "-v", "error", "-select_streams",
            "v:0", "-show_entries", "packet=dts", "-of", "csv=p=0", file.toString());
        assertEquals(0, packets.exitCode(), packets.stderr());
        long previous = Long.MIN_VALUE;
        int count = 0;
        for (final String line : packets.stdout().split("\n"))
        {
            if (!line.isBlank())
            {
                final long dts = Long.parseLong(line.trim());
                assertTrue(dts > previous, "video dts must increase in " + file + ": " + previous + " then " + dts);
                previous = dts;
                count++;
            }
        }

        return count;
    }

    private String read(final String name)
    {
        try
        {
            return Files.readString(temp.resolve(name));
        }
        catch (final java.io.IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    private record Tag(int type, long timestampMs, byte[] body)
    {
    }
}
