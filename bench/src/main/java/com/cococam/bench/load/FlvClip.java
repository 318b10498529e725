package com.cococam.bench.load;

import com.cococam.codec.flv.FlvFileReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A pre-encoded FLV file held in memory as a list of tags, played in a loop at real time by every publisher.
 *
 * <p>Loop {@code k} sends every media tag with timestamp {@code tag + k * loopMs}; the script (metadata) tag and
 * the sequence headers go out only in loop 0. The intended send time of a tag is the publisher's start time plus
 * its (looped) timestamp, so the schedule is a pure function of the timestamp, which players use to identify
 * frames.
 *
 * <p>Thread safety: immutable after {@link #load}; the tag bodies are read-only slices of one direct buffer that
 * lives as long as the process, read by many event loops at once with absolute-index reads only.
 */
final class FlvClip
{
    private final int[] types;
    private final long[] timestampsMs;
    private final boolean[] config;
    private final boolean[] videoFrame;
    private final ByteBuf[] bodies;
    private final long loopMs;
    private final long videoIntervalMs;
    private final int firstMediaIndex;

    private FlvClip(
        final int[] types,
        final long[] timestampsMs,
        final boolean[] config,
        final boolean[] videoFrame,
        final ByteBuf[] bodies,
        final long loopMs,
        final long videoIntervalMs)
    {
        this.types = types;
        this.timestampsMs = timestampsMs;
        this.config = config;
        this.videoFrame = videoFrame;
        this.bodies = bodies;
        this.loopMs = loopMs;
        this.videoIntervalMs = videoIntervalMs;
        int first = 0;
        while (first < types.length && config[first])
        {
            first++;
        }

        this.firstMediaIndex = first;
    }

    /**
     * Reads a whole FLV file.
     *
     * @param file the file.
     * @return the clip.
     * @throws IOException when the file cannot be read, is not FLV or has no video.
     */
    static FlvClip load(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        final ByteBuf data = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
        final FlvFileReader reader = new FlvFileReader(data);
        if (reader.readHeader() != FlvFileReader.Step.TAG)
        {
            throw new IOException("not an FLV file: " + file);
        }

        final List<long[]> tags = new ArrayList<>();
        final List<ByteBuf> bodies = new ArrayList<>();
        while (reader.next() == FlvFileReader.Step.TAG)
        {
            final int type = reader.tagType();
            if (type != FlvFileReader.TAG_AUDIO && type != FlvFileReader.TAG_VIDEO && type != FlvFileReader.TAG_SCRIPT)
            {
                continue;
            }

            final ByteBuf body = reader.body();
            tags.add(new long[] {type, reader.timestampMs()});
            bodies.add(body);
        }

        return build(tags, bodies, file);
    }

    private static FlvClip build(final List<long[]> tags, final List<ByteBuf> bodyList, final Path file)
        throws IOException
    {
        final int n = tags.size();
        final int[] types = new int[n];
        final long[] ts = new long[n];
        final boolean[] config = new boolean[n];
        final boolean[] videoFrame = new boolean[n];
        final ByteBuf[] bodies = bodyList.toArray(new ByteBuf[0]);
        long lastVideo = -1;
        long lastAudio = -1;
        long prevVideo = -1;
        long minVideoDelta = Long.MAX_VALUE;
        long prevAudio = -1;
        long audioDelta = 0;
        for (int i = 0; i < n; i++)
        {
            types[i] = (int)tags.get(i)[0];
            ts[i] = tags.get(i)[1];
            config[i] = isConfig(types[i], bodies[i]);
            videoFrame[i] = types[i] == FlvFileReader.TAG_VIDEO && !config[i] && isVideoFrame(bodies[i]);
            if (videoFrame[i])
            {
                if (prevVideo >= 0 && ts[i] > prevVideo)
                {
                    minVideoDelta = Math.min(minVideoDelta, ts[i] - prevVideo);
                }

                prevVideo = ts[i];
                lastVideo = Math.max(lastVideo, ts[i]);
            }
            else if (types[i] == FlvFileReader.TAG_AUDIO && !config[i])
            {
                if (prevAudio >= 0 && ts[i] > prevAudio)
                {
                    audioDelta = ts[i] - prevAudio;
                }

                prevAudio = ts[i];
                lastAudio = Math.max(lastAudio, ts[i]);
            }
        }

        if (lastVideo < 0 || minVideoDelta == Long.MAX_VALUE)
        {
            throw new IOException("no video frames in " + file);
        }

        final long loop = Math.max(lastVideo + minVideoDelta, lastAudio + audioDelta);
        return new FlvClip(types, ts, config, videoFrame, bodies, loop, minVideoDelta);
    }

    private static boolean isConfig(final int type, final ByteBuf body)
    {
        if (type == FlvFileReader.TAG_SCRIPT)
        {
            return true;
        }

        if (body.readableBytes() < 2)
        {
            return false;
        }

        final int first = body.getUnsignedByte(body.readerIndex());
        final int second = body.getUnsignedByte(body.readerIndex() + 1);
        if (type == FlvFileReader.TAG_AUDIO)
        {
            return (first >> 4) == 10 && second == 0;
        }

        if ((first & 0x80) != 0)
        {
            return (first & 0x0F) == 0;
        }

        return (first & 0x0F) == 7 && second == 0 || (first & 0x0F) == 12 && second == 0;
    }

    /**
     * @param body an FLV video tag body (or RTMP video message body).
     * @return whether it carries a coded picture (not a sequence header, end of sequence or info frame).
     */
    static boolean isVideoFrame(final ByteBuf body)
    {
        if (body.readableBytes() < 2)
        {
            return false;
        }

        final int first = body.getUnsignedByte(body.readerIndex());
        if ((first & 0x80) != 0)
        {
            final int packetType = first & 0x0F;
            return packetType == 1 || packetType == 3;
        }

        return (first >> 4) != 5 && body.getUnsignedByte(body.readerIndex() + 1) == 1;
    }

    int size()
    {
        return types.length;
    }

    int type(final int index)
    {
        return types[index];
    }

    long timestampMs(final int index)
    {
        return timestampsMs[index];
    }

    boolean isConfig(final int index)
    {
        return config[index];
    }

    boolean isVideoFrame(final int index)
    {
        return videoFrame[index];
    }

    ByteBuf body(final int index)
    {
        return bodies[index];
    }

    int firstMediaIndex()
    {
        return firstMediaIndex;
    }

    long loopMs()
    {
        return loopMs;
    }

    long videoIntervalMs()
    {
        return videoIntervalMs;
    }

    /**
     * Counts what the schedule sends in a window of intended send times.
     *
     * @param fromMs window start, in the publisher's (looped) timeline, inclusive.
     * @param toMs   window end, exclusive.
     * @return {video frames, media body bytes (audio + video, config excluded)}.
     */
    long[] scheduledIn(final long fromMs, final long toMs)
    {
        long frames = 0;
        long bytes = 0;
        if (toMs <= fromMs)
        {
            return new long[] {0, 0};
        }

        final long firstLoop = Math.max(0, fromMs / loopMs - 1);
        final long lastLoop = toMs / loopMs + 1;
        for (long loop = firstLoop; loop <= lastLoop; loop++)
        {
            for (int i = firstMediaIndex; i < types.length; i++)
            {
                if (config[i] || types[i] == FlvFileReader.TAG_SCRIPT)
                {
                    continue;
                }

                final long t = timestampsMs[i] + loop * loopMs;
                if (t >= fromMs && t < toMs)
                {
                    bytes += bodies[i].readableBytes();
                    if (videoFrame[i])
                    {
                        frames++;
                    }
                }
            }
        }

        return new long[] {frames, bytes};
    }

    /**
     * @return average media bit rate of the clip, bits per second.
     */
    double bitrateBps()
    {
        long bytes = 0;
        for (int i = 0; i < types.length; i++)
        {
            if (!config[i])
            {
                bytes += bodies[i].readableBytes();
            }
        }

        return bytes * 8.0 * 1000.0 / loopMs;
    }
}
