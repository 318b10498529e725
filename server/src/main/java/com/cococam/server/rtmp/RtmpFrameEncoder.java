package com.cococam.server.rtmp;

import com.cococam.codec.flv.FlvTagParser;
import com.cococam.codec.flv.FlvTagWriter;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.protocols.rtmp.RtmpPlayMedia;
import com.cococam.server.stream.AccessUnitEvent;
import com.cococam.server.stream.FrameEncoder;
import com.cococam.server.stream.LiveStream;
import com.cococam.server.stream.OutFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Encodes a stream's access units once as RTMP play messages (FLV tag bodies in type-0/type-3 chunks on the
 * reserved play chunk streams), shared by every RTMP viewer of the stream.
 *
 * <p>H.264, H.265, AAC and G.711 (A-law, mu-law; passed through as FLV sound formats 7/8, no sequence header) go
 * out ({@link FlvTagWriter#canWrite}); Opus and MJPEG tracks are left out.
 *
 * <p>Timestamps are the stream's DTS in milliseconds, low 32 bits; composition offsets travel in the FLV
 * video header. H.265 goes out as Enhanced RTMP ({@code hvc1}).
 *
 * <p>Note: the FLV body is built in a reusable scratch buffer and then chunked into the output, so a frame is
 * copied twice (once per frame, never per viewer); a gathering chunk writer would save one copy.
 *
 * <p>Thread safety: the stream's live worker only. Allocation: one pooled output buffer per frame.
 */
public final class RtmpFrameEncoder implements FrameEncoder
{
    private final ByteBufAllocator alloc;
    private final int chunkSize;
    private final ByteBuf scratch;
    private final TrackFormat[] lastFormats = new TrackFormat[2];

    /**
     * @param alloc     allocator for encoded frames.
     * @param chunkSize the chunk size announced to every viewer.
     */
    public RtmpFrameEncoder(final ByteBufAllocator alloc, final int chunkSize)
    {
        this.alloc = alloc;
        this.chunkSize = chunkSize;
        this.scratch = alloc.heapBuffer(64 * 1024);
    }

    @Override
    public void encode(final LiveStream stream, final AccessUnitEvent event, final Consumer<OutFrame> out)
    {
        final TrackFormat format = event.format();
        if (!FlvTagWriter.canWrite(format.codec()))
        {
            return;
        }

        final long timestampMs = FlvTagWriter.timestampMs(event.dts);
        if (lastFormats[event.trackId] != format)
        {
            lastFormats[event.trackId] = format;
            if (format.isVideo())
            {
                out.accept(metadataFrame(stream));
            }

            if (hasSequenceHeader(format))
            {
                out.accept(sequenceHeader(format, timestampMs));
            }
        }

        scratch.clear();
        final ByteBuf data;
        if (format.isVideo())
        {
            FlvTagWriter.writeVideo(format.codec(), event.dts, event.pts, FrameFlags.isKeyframe(event.flags),
                event.payload(), scratch);
            data = RtmpPlayMedia.encodeVideo(alloc, chunkSize, timestampMs, scratch);
        }
        else
        {
            FlvTagWriter.writeAudio(format.codec(), event.payload(), scratch);
            data = RtmpPlayMedia.encodeAudio(alloc, chunkSize, timestampMs, scratch);
        }

        final boolean randomAccess = format.isVideo() ?
            FrameFlags.isKeyframe(event.flags) : stream.format(TrackFormat.VIDEO_TRACK) == null;
        out.accept(OutFrame.newInstance(data, format.isVideo(), randomAccess, Math.max(1, event.ingestNanos)));
    }

    @Override
    public void writeHeaders(final LiveStream stream, final Consumer<OutFrame> out)
    {
        final TrackFormat video = carried(stream.format(TrackFormat.VIDEO_TRACK));
        final TrackFormat audio = carried(stream.format(TrackFormat.AUDIO_TRACK));
        final long timestampMs = Math.max(0, FlvTagWriter.timestampMs(Math.max(0, stream.lastDts())));
        out.accept(metadataFrame(stream));
        if (video != null)
        {
            lastFormats[TrackFormat.VIDEO_TRACK] = video;
            out.accept(sequenceHeader(video, timestampMs));
        }

        if (audio != null)
        {
            lastFormats[TrackFormat.AUDIO_TRACK] = audio;
            if (hasSequenceHeader(audio))
            {
                out.accept(sequenceHeader(audio, timestampMs));
            }
        }
    }

    private OutFrame sequenceHeader(final TrackFormat format, final long timestampMs)
    {
        scratch.clear();
        final ByteBuf data;
        if (format.isVideo())
        {
            FlvTagWriter.writeVideoSequenceHeader(format, scratch);
            data = RtmpPlayMedia.encodeVideo(alloc, chunkSize, timestampMs, scratch);
        }
        else
        {
            FlvTagWriter.writeAudioSequenceHeader(format, scratch);
            data = RtmpPlayMedia.encodeAudio(alloc, chunkSize, timestampMs, scratch);
        }

        return OutFrame.newInstance(data, format.isVideo(), false, 0);
    }

    /**
     * onMetaData, always at timestamp 0: ffmpeg's FLV reader takes a metadata message with any other timestamp for
     * a data track and shows the player a subtitle stream.
     */
    private OutFrame metadataFrame(final LiveStream stream)
    {
        final Map<String, Object> metadata = new LinkedHashMap<>();
        final TrackFormat video = carried(stream.format(TrackFormat.VIDEO_TRACK));
        final TrackFormat audio = carried(stream.format(TrackFormat.AUDIO_TRACK));
        if (video != null)
        {
            metadata.put("width", (double)video.width());
            metadata.put("height", (double)video.height());
            // Legacy codec id 7 for AVC; Enhanced RTMP puts the FourCC, as a number, for HEVC.
            metadata.put("videocodecid", video.codec() == CodecId.H264 ? 7.0 : (double)FlvTagParser.FOURCC_HVC1);
        }

        if (audio != null)
        {
            metadata.put("audiosamplerate", (double)audio.sampleRate());
            metadata.put("audiochannels", (double)audio.channels());
            metadata.put("audiocodecid", (double)FlvTagWriter.soundFormat(audio.codec()));
        }

        metadata.put("encoder", "cococam");
        final ByteBuf data = RtmpPlayMedia.encodeMetadata(alloc, chunkSize, 0, metadata);
        return OutFrame.newInstance(data, false, false, 0);
    }

    private static TrackFormat carried(final TrackFormat format)
    {
        return format != null && FlvTagWriter.canWrite(format.codec()) ? format : null;
    }

    private static boolean hasSequenceHeader(final TrackFormat format)
    {
        return format.isVideo() || FlvTagWriter.hasAudioSequenceHeader(format.codec());
    }

    @Override
    public void close()
    {
        scratch.release();
    }
}
