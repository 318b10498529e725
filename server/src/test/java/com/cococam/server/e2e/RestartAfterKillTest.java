package com.cococam.server.e2e;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.testing.Peers;
import com.cococam.server.record.CameraJournal;
import com.cococam.server.record.JournalClock;
import com.cococam.server.record.JournalOptions;
import com.cococam.server.record.JournalReader;
import com.cococam.server.record.JournalRecordHandler;
import com.cococam.server.testing.Await;
import com.cococam.server.testing.ChildServer;
import com.cococam.server.testing.TestServer;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety of recording with the real program: the server runs as its own process, is killed with SIGKILL
 * while a camera publishes, and is started again on the same storage. What was recorded before the kill must
 * still be listed and readable, recording must continue after the restart, and the journal must hold every
 * access unit of both sessions intact (they decode as one H.264 stream without an error).
 */
@Timeout(150)
class RestartAfterKillTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(40);
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern SPAN = Pattern.compile("\"durationMs\":(\\d+),\"bytes\":(\\d+)");
    private static final String YAML = """
        cameras:
          cam1:
            publishKey: key1
            record: true
            retentionDays: 7
        """;

    @TempDir
    Path temp;

    private final List<ChildServer> children = new ArrayList<>();
    private final List<Process> publishers = new ArrayList<>();

    @AfterEach
    void cleanUp()
    {
        publishers.forEach(Process::destroyForcibly);
        children.forEach(ChildServer::close);
    }

    @Test
    void shouldKeepTheRecordingAcrossAKillAndAppendAfterTheRestart() throws Exception
    {
        final Path config = temp.resolve("cococam.yaml");
        Files.writeString(config, YAML);
        final Path storage = temp.resolve("storage");

        final ChildServer first = startChild(config, storage, "server-1.log");
        final Process publisher = TestServer.publishTestPattern(first.publishUrl("live/cam1", TestServer.KEY1), 6,
            "libx264", List.of(), temp.resolve("publisher-1.log"));
        publishers.add(publisher);
        final List<long[]> live = new ArrayList<>();
        Await.until(Duration.ofSeconds(30), () ->
        {
            live.clear();
            live.addAll(spans(first));
            return live.size() == 1 && live.get(0)[0] >= 3000 && live.get(0)[1] > 0;
        }, () -> "3 s recorded while live: " + first.get("/api/v1/cameras/cam1/recordings").text());
        assertTrue(publisher.isAlive(), "killed while the camera was still publishing");
        final long bytesSeenBeforeKill = live.get(0)[1];
        first.kill();
        assertFalse(first.isAlive());
        publisher.waitFor(20, TimeUnit.SECONDS);
        publisher.destroyForcibly();

        final ChildServer second = startChild(config, storage, "server-2.log");
        final List<long[]> afterRestart = spans(second);
        assertEquals(1, afterRestart.size(), () -> second.get("/api/v1/cameras/cam1/recordings").text());
        assertTrue(afterRestart.get(0)[1] >= bytesSeenBeforeKill,
            "bytes listed before the kill (" + bytesSeenBeforeKill + ") survive: " + afterRestart.get(0)[1]);
        assertTrue(afterRestart.get(0)[0] >= 3000, "duration survives: " + afterRestart.get(0)[0]);
        final long bytesAfterRestart = afterRestart.get(0)[1];

        final Process again = TestServer.publishTestPattern(second.publishUrl("live/cam1", TestServer.KEY1), 4,
            "libx264", List.of(), temp.resolve("publisher-2.log"));
        publishers.add(again);
        assertEquals(0, TestServer.waitFor(again, PEER_TIMEOUT), () -> log("publisher-2.log"));
        final List<long[]> grown = new ArrayList<>();
        Await.until(Duration.ofSeconds(15), () ->
        {
            grown.clear();
            grown.addAll(spans(second));
            final long bytes = grown.stream().mapToLong(span -> span[1]).sum();
            final boolean twoSpans = grown.size() == 2 && grown.get(1)[0] >= 3000 && grown.get(1)[1] > 0;
            final boolean longerSpan = grown.size() == 1 && grown.get(0)[0] >= afterRestart.get(0)[0] + 3000;
            return bytes > bytesAfterRestart && (twoSpans || longerSpan);
        }, () -> "recording continued: " + second.get("/api/v1/cameras/cam1/recordings").text());
        assertTrue(grown.get(0)[1] >= bytesAfterRestart, "the first span is untouched: " + grown.get(0)[1]);
        assertTrue(second.stop(Duration.ofSeconds(20)), () -> "clean stop:\n" + second.log());

        final JournalContents journal = readJournal(storage);
        System.out.println("before kill " + describe(live) + ", after restart " + describe(afterRestart)
            + ", after 2nd publish " + describe(grown) + ", journal video units per session " + journal.sessions
            + ", keyframes " + journal.keyframes);
        assertEquals(2, journal.sessions.size(),
            "two recording sessions (split at the restart pause): " + journal.sessions);
        final int before = journal.sessions.get(0);
        final int after = journal.sessions.get(1);
        assertTrue(before >= 3 * 25 && before <= 6 * 25, "video access units recorded before the kill: " + before);
        assertEquals(4 * 25, after, "video access units recorded after the restart");
        assertEquals(0, journal.malformed, "malformed records");
        assertEquals(0, journal.skipped, "access units without a format");
        assertTrue(journal.keyframes >= 2, "each session starts with a keyframe: " + journal.keyframes);

        final Path annexB = temp.resolve("journal.h264");
        Files.write(annexB, journal.annexB.toByteArray());
        final Peers.Result decode = Peers.run(PEER_TIMEOUT, Peers.ffmpeg(), "-v", "error", "-xerror",
            "-f", "h264", "-framerate", "25", "-i", annexB.toString(), "-f", "null", "-");
        assertEquals(0, decode.exitCode(), decode.stderr());
        assertTrue(decode.stderr().isBlank(), "decoder complained about the recorded units: " + decode.stderr());
        final Map<String, String> probe = Peers.ffprobeFlat(PEER_TIMEOUT, "-f", "h264", "-framerate", "25",
            "-count_frames", "-show_entries", "stream=codec_name,width,height,nb_read_frames", annexB.toString());
        assertEquals("640", probe.get("streams.stream.0.width"), probe.toString());
        assertEquals(before + after, Integer.parseInt(probe.get("streams.stream.0.nb_read_frames")),
            "every recorded access unit decodes: " + probe);
    }

    private static String describe(final List<long[]> spans)
    {
        final StringBuilder text = new StringBuilder("[");
        for (final long[] span : spans)
        {
            text.append(text.length() > 1 ? ", " : "").append(span[0]).append(" ms/").append(span[1]).append(" B");
        }

        return text.append(']').toString();
    }

    private ChildServer startChild(final Path config, final Path storage, final String logName) throws IOException
    {
        final ChildServer child = ChildServer.start(config, storage, temp.resolve(logName), START_TIMEOUT);
        children.add(child);
        return child;
    }

    /**
     * @return {durationMs, bytes} of each span the recordings endpoint lists.
     */
    private static List<long[]> spans(final ChildServer child)
    {
        final TestServer.HttpResult result = child.get("/api/v1/cameras/cam1/recordings");
        final List<long[]> spans = new ArrayList<>();
        if (result.status() != 200)
        {
            return spans;
        }

        final Matcher matcher = SPAN.matcher(result.text());
        while (matcher.find())
        {
            spans.add(new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))});
        }

        return spans;
    }

    /**
     * Reads the journal in this JVM (the child has stopped): video access units per session (a session ends
     * where the wall clock jumps by more than a second), and the video as an Annex-B H.264 stream with the
     * parameter sets of the recorded format before each keyframe.
     */
    private static JournalContents readJournal(final Path storage)
    {
        final JournalContents contents = new JournalContents();
        try (CameraJournal journal = CameraJournal.open(storage, "cam1", JournalClock.SYSTEM,
            JournalOptions.defaults()))
        {
            try (JournalReader reader = journal.createReader())
            {
                reader.readAll(contents);
                contents.malformed = reader.malformedRecords();
                contents.skipped = reader.skippedAccessUnits();
            }
        }

        if (contents.count > 0)
        {
            contents.sessions.add(contents.count);
        }

        return contents;
    }

    private String log(final String name)
    {
        try
        {
            return Files.readString(temp.resolve(name));
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    /**
     * Collects what the journal holds.
     */
    private static final class JournalContents implements JournalRecordHandler
    {
        private static final byte[] START_CODE = {0, 0, 0, 1};

        final List<Integer> sessions = new ArrayList<>();
        final ByteArrayOutputStream annexB = new ByteArrayOutputStream();
        long malformed;
        long skipped;
        int keyframes;
        int count;
        private long lastWallClockMs = Long.MIN_VALUE;
        private List<byte[]> parameterSets = List.of();

        @Override
        public void onFormat(final TrackFormat format, final long wallClockMs)
        {
            if (format.isVideo())
            {
                assertEquals(CodecId.H264, format.codec(), format.toString());
                parameterSets = parameterSets(format.decoderConfig());
            }
        }

        @Override
        public void onAccessUnit(
            final int trackId,
            final int flags,
            final long dts90k,
            final long pts90k,
            final long wallClockMs,
            final ByteBuf payload)
        {
            if (trackId != TrackFormat.VIDEO_TRACK)
            {
                return;
            }

            if (lastWallClockMs != Long.MIN_VALUE && wallClockMs - lastWallClockMs > 1000)
            {
                sessions.add(count);
                count = 0;
            }

            assertTrue(wallClockMs >= lastWallClockMs, "wall clock goes forward: " + lastWallClockMs + " then "
                + wallClockMs);
            lastWallClockMs = wallClockMs;
            count++;
            if (FrameFlags.isKeyframe(flags))
            {
                keyframes++;
                for (final byte[] set : parameterSets)
                {
                    annexB.writeBytes(START_CODE);
                    annexB.writeBytes(set);
                }
            }

            int index = payload.readerIndex();
            final int end = payload.writerIndex();
            while (index < end)
            {
                assertTrue(end - index >= 4, "NAL length prefix cut short");
                final int length = payload.getInt(index);
                assertTrue(length > 0 && length <= end - index - 4, "NAL length " + length + " fits the unit");
                final byte[] nal = new byte[length];
                payload.getBytes(index + 4, nal);
                annexB.writeBytes(START_CODE);
                annexB.writeBytes(nal);
                index += 4 + length;
            }
        }

        /**
         * Splits an AVCDecoderConfigurationRecord into its SPS and PPS NAL units.
         */
        private static List<byte[]> parameterSets(final byte[] avcC)
        {
            final List<byte[]> sets = new ArrayList<>();
            assertNotNull(avcC);
            assertTrue(avcC.length >= 7 && avcC[0] == 1, "avcC version 1");
            int offset = 5;
            final int spsCount = avcC[offset++] & 0x1f;
            for (int i = 0; i < spsCount; i++)
            {
                offset = readSet(avcC, offset, sets);
            }

            final int ppsCount = avcC[offset++] & 0xff;
            for (int i = 0; i < ppsCount; i++)
            {
                offset = readSet(avcC, offset, sets);
            }

            return sets;
        }

        private static int readSet(final byte[] avcC, final int offset, final List<byte[]> sets)
        {
            final int length = ((avcC[offset] & 0xff) << 8) | (avcC[offset + 1] & 0xff);
            final byte[] set = new byte[length];
            System.arraycopy(avcC, offset + 2, set, 0, length);
            sets.add(set);
            return offset + 2 + length;
        }
    }
}
