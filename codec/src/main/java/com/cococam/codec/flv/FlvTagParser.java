package com.cococam.codec.flv;

import com.cococam.codec.h264.H264;
import com.cococam.codec.h264.NalUnits;
import com.cococam.codec.h265.H265;
import com.cococam.codec.media.AccessUnitPayloads;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.MediaSink;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import com.cococam.codec.transcode.G711Tracks;
import io.netty.buffer.ByteBuf;

/**
 * Turns FLV tag bodies (the payload of RTMP audio/video messages, FLV file tags) into {@link MediaSink} calls.
 *
 * <pre>
 * Legacy video (FLV spec v10.1 E.4.3):
 *  +--------+--------+--------+--------+--------+-------------
 *  |FT |CID | AVCPkt |  composition time (SI24, ms)| NAL units (length-prefixed) or avcC
 *  +--------+--------+--------+--------+--------+-------------
 *   FT: frame type (1 key, 2 inter, 5 info/command); CID: 7 = AVC (12 = HEVC, a common non-Adobe extension)
 *   AVCPkt: 0 sequence header, 1 NALU, 2 end of sequence
 *
 * Enhanced RTMP video (veovera enhanced-rtmp v1/v2):
 *  +--------+--------+--------+--------+--------+--------+--------+--------+----------
 *  |1|FT |PT|        FourCC ('avc1' / 'hvc1')   | [SI24 composition time]  | payload
 *  +--------+--------+--------+--------+--------+--------+--------+--------+----------
 *   PT: 0 SequenceStart (config record), 1 CodedFrames (with SI24), 2 SequenceEnd,
 *       3 CodedFramesX (no SI24, composition time 0), 4 Metadata (ignored)
 *
 * AAC audio (E.4.2): [1010 rate size type] [AACPacketType: 0 AudioSpecificConfig, 1 raw frame] payload
 * Enhanced RTMP audio: [1001 PT] FourCC 'mp4a' payload (PT 0 SequenceStart, 1 CodedFrames, 2 SequenceEnd)
 * G.711 audio: [0111 rate size type] A-law or [1000 rate size type] mu-law, then the 8-bit samples
 * </pre>
 *
 * <p>G.711 (sound formats 7 and 8): the FLV spec lists them as reserved and its rate bits cannot say 8 kHz (0 is
 * 5.5 kHz); encoders (FFmpeg writes {@code 0x72}/{@code 0x82}: rate 0, 16-bit flag, mono) and players treat them
 * as 8 kHz, and so does this parser: the rate and size bits are ignored, the track is
 * {@link G711Tracks#format} (8000 Hz, mono, no decoder config). A stereo type bit is refused as
 * {@link FlvParseResult#UNSUPPORTED_CODEC}. G.711 has no sequence header: the format is announced with the first
 * frame and again when the audio codec changes.
 *
 * <p>Timestamps: the tag timestamp is the decode time in milliseconds, already unwrapped to 64 bits by the
 * caller; the sink receives dts = 90 * ms and pts = dts + 90 * composition time.
 *
 * <p>Keyframes: an access unit is a keyframe when the FLV frame type says so, or when it holds an IDR (H.264) or
 * IRAP (H.265) slice despite an inter frame type. Audio frames are always keyframes.
 *
 * <p>Formats: {@link MediaSink#onFormat} is called on a sequence header whose format differs from the current
 * one of that track (a repeated, identical sequence header is not re-announced). Config records whose NAL length
 * size is not 4 are rewritten to say 4, and their frames converted, to honour {@link AccessUnitPayloads}.
 *
 * <p>Buffer ownership: the body stays owned by the caller and its indexes are not moved. The payload given to
 * the sink is a slice of the body (no copy, released after the call): a sink that keeps it must retain it. Exception:
 * frames of a stream with 1- to 3-byte NAL lengths are converted into a new buffer from {@code body.alloc()},
 * released right after the sink call.
 *
 * <p>Failures: malformed, unsupported or out-of-order bodies come back as a {@link FlvParseResult}; no exception
 * escapes for any body content. Nothing is delivered on a failure.
 *
 * <p>Allocation: one slice object per access unit; the config copy and the {@link TrackFormat} on a sequence
 * header.
 *
 * <p>Thread safety: single thread (the connection's event loop).
 */
public final class FlvTagParser
{
    static final int FRAME_TYPE_KEY = 1;
    static final int FRAME_TYPE_INTER = 2;
    static final int FRAME_TYPE_COMMAND = 5;
    static final int VIDEO_CODEC_AVC = 7;
    static final int VIDEO_CODEC_HEVC_LEGACY = 12;
    static final int AVC_SEQUENCE_HEADER = 0;
    static final int AVC_NALU = 1;
    static final int AVC_END_OF_SEQUENCE = 2;
    static final int EX_SEQUENCE_START = 0;
    static final int EX_CODED_FRAMES = 1;
    static final int EX_SEQUENCE_END = 2;
    static final int EX_CODED_FRAMES_X = 3;
    static final int EX_METADATA = 4;
    static final int EX_AUDIO_MULTICHANNEL_CONFIG = 4;
    static final int SOUND_FORMAT_G711A = 7;
    static final int SOUND_FORMAT_G711U = 8;
    static final int SOUND_FORMAT_EX_HEADER = 9;
    static final int SOUND_FORMAT_AAC = 10;
    static final int AAC_HEADER_BYTE = 0xAF;
    static final int AAC_SEQUENCE_HEADER = 0;
    static final int AAC_RAW = 1;
    static final int FOURCC_AVC1 = 'a' << 24 | 'v' << 16 | 'c' << 8 | '1';
    /** Enhanced RTMP FourCC of HEVC, {@code hvc1}, as a big-endian int. */
    public static final int FOURCC_HVC1 = 'h' << 24 | 'v' << 16 | 'c' << 8 | '1';
    static final int FOURCC_MP4A = 'm' << 24 | 'p' << 16 | '4' << 8 | 'a';

    private final MediaSink sink;
    private TrackFormat videoFormat;
    private TrackFormat audioFormat;
    private int videoNalLengthSize = AccessUnitPayloads.NAL_LENGTH_SIZE;

    /**
     * @param sink receives formats and access units; audio uses {@link TrackFormat#AUDIO_TRACK}, video
     *             {@link TrackFormat#VIDEO_TRACK}.
     */
    public FlvTagParser(final MediaSink sink)
    {
        this.sink = sink;
    }

    /**
     * Parses one tag body of any type.
     *
     * @param tagType     FLV tag type / RTMP message type: 8 audio, 9 video; others are {@link FlvParseResult#IGNORED}.
     * @param timestampMs decode time, milliseconds, unwrapped.
     * @param extraFlags  {@link FrameFlags} added to a delivered access unit (e.g. {@link FrameFlags#DISCONTINUITY}).
     * @param body        the tag body; readable bytes are parsed, indexes unchanged.
     * @return what happened.
     */
    public FlvParseResult parse(final int tagType, final long timestampMs, final int extraFlags, final ByteBuf body)
    {
        if (tagType == FlvFileReader.TAG_VIDEO)
        {
            return parseVideo(timestampMs, extraFlags, body);
        }

        if (tagType == FlvFileReader.TAG_AUDIO)
        {
            return parseAudio(timestampMs, extraFlags, body);
        }

        return FlvParseResult.IGNORED;
    }

    /**
     * Parses a video tag body.
     *
     * @param timestampMs decode time, milliseconds, unwrapped.
     * @param extraFlags  {@link FrameFlags} added to a delivered access unit.
     * @param body        the body; indexes unchanged.
     * @return what happened.
     */
    public FlvParseResult parseVideo(final long timestampMs, final int extraFlags, final ByteBuf body)
    {
        final int index = body.readerIndex();
        final int length = body.readableBytes();
        if (length < 1)
        {
            return FlvParseResult.IGNORED;
        }

        final int first = body.getUnsignedByte(index);
        if ((first & 0x80) != 0)
        {
            return parseExVideo(timestampMs, extraFlags, body, first);
        }

        final int frameType = first >> 4;
        final int codecId = first & 0x0F;
        if (codecId != VIDEO_CODEC_AVC && codecId != VIDEO_CODEC_HEVC_LEGACY)
        {
            return FlvParseResult.UNSUPPORTED_CODEC;
        }

        if (frameType == FRAME_TYPE_COMMAND)
        {
            return FlvParseResult.IGNORED;
        }

        if (length < 5)
        {
            return FlvParseResult.TRUNCATED;
        }

        final CodecId codec = codecId == VIDEO_CODEC_AVC ? CodecId.H264 : CodecId.H265;
        final int packetType = body.getUnsignedByte(index + 1);
        switch (packetType)
        {
            case AVC_SEQUENCE_HEADER:
                return onVideoConfig(codec, body, index + 5, length - 5);
            case AVC_NALU:
                return onVideoFrame(codec, frameType, timestampMs, body.getMedium(index + 2), extraFlags, body,
                    index + 5, length - 5);
            case AVC_END_OF_SEQUENCE:
                return FlvParseResult.END_OF_SEQUENCE;
            default:
                return FlvParseResult.UNSUPPORTED_PACKET_TYPE;
        }
    }

    /**
     * Parses an audio tag body.
     *
     * @param timestampMs decode (and presentation) time, milliseconds, unwrapped.
     * @param extraFlags  {@link FrameFlags} added to a delivered access unit.
     * @param body        the body; indexes unchanged.
     * @return what happened.
     */
    public FlvParseResult parseAudio(final long timestampMs, final int extraFlags, final ByteBuf body)
    {
        final int index = body.readerIndex();
        final int length = body.readableBytes();
        if (length < 1)
        {
            return FlvParseResult.IGNORED;
        }

        final int first = body.getUnsignedByte(index);
        final int soundFormat = first >> 4;
        if (soundFormat == SOUND_FORMAT_EX_HEADER)
        {
            return parseExAudio(timestampMs, extraFlags, body, first & 0x0F);
        }

        if (soundFormat == SOUND_FORMAT_G711A || soundFormat == SOUND_FORMAT_G711U)
        {
            return onG711Frame(soundFormat == SOUND_FORMAT_G711A ? CodecId.G711A : CodecId.G711U, first,
                timestampMs, extraFlags, body);
        }

        if (soundFormat != SOUND_FORMAT_AAC)
        {
            return FlvParseResult.UNSUPPORTED_CODEC;
        }

        if (length < 2)
        {
            return FlvParseResult.TRUNCATED;
        }

        final int packetType = body.getUnsignedByte(index + 1);
        if (packetType == AAC_SEQUENCE_HEADER)
        {
            return onAudioConfig(body, index + 2, length - 2);
        }

        if (packetType == AAC_RAW)
        {
            return onAudioFrame(CodecId.AAC, timestampMs, extraFlags, body, index + 2, length - 2);
        }

        return FlvParseResult.UNSUPPORTED_PACKET_TYPE;
    }

    /**
     * @return the current video format, or null before the first valid video sequence header.
     */
    public TrackFormat videoFormat()
    {
        return videoFormat;
    }

    /**
     * @return the current audio format, or null before the first valid AAC sequence header or G.711 frame.
     */
    public TrackFormat audioFormat()
    {
        return audioFormat;
    }

    /**
     * Forgets both formats (a new publisher on the same parser): the next sequence headers are announced again.
     */
    public void reset()
    {
        videoFormat = null;
        audioFormat = null;
        videoNalLengthSize = AccessUnitPayloads.NAL_LENGTH_SIZE;
    }

    private FlvParseResult parseExVideo(
        final long timestampMs,
        final int extraFlags,
        final ByteBuf body,
        final int first)
    {
        final int index = body.readerIndex();
        final int length = body.readableBytes();
        final int frameType = (first >> 4) & 0x07;
        final int packetType = first & 0x0F;
        if (packetType > EX_METADATA)
        {
            return FlvParseResult.UNSUPPORTED_PACKET_TYPE;
        }

        if (frameType == FRAME_TYPE_COMMAND && packetType != EX_METADATA)
        {
            return FlvParseResult.IGNORED;
        }

        if (length < 5)
        {
            return FlvParseResult.TRUNCATED;
        }

        final int fourCc = body.getInt(index + 1);
        final CodecId codec = fourCc == FOURCC_HVC1 ? CodecId.H265 : fourCc == FOURCC_AVC1 ? CodecId.H264 : null;
        if (codec == null)
        {
            return FlvParseResult.UNSUPPORTED_CODEC;
        }

        switch (packetType)
        {
            case EX_SEQUENCE_START:
                return onVideoConfig(codec, body, index + 5, length - 5);
            case EX_CODED_FRAMES:
                if (length < 8)
                {
                    return FlvParseResult.TRUNCATED;
                }

                return onVideoFrame(codec, frameType, timestampMs, body.getMedium(index + 5), extraFlags, body,
                    index + 8, length - 8);
            case EX_CODED_FRAMES_X:
                return onVideoFrame(codec, frameType, timestampMs, 0, extraFlags, body, index + 5, length - 5);
            case EX_SEQUENCE_END:
                return FlvParseResult.END_OF_SEQUENCE;
            default:
                return FlvParseResult.IGNORED;
        }
    }

    private FlvParseResult parseExAudio(
        final long timestampMs,
        final int extraFlags,
        final ByteBuf body,
        final int packetType)
    {
        final int index = body.readerIndex();
        final int length = body.readableBytes();
        if (packetType > EX_AUDIO_MULTICHANNEL_CONFIG || packetType == EX_CODED_FRAMES_X)
        {
            return FlvParseResult.UNSUPPORTED_PACKET_TYPE;
        }

        if (length < 5)
        {
            return FlvParseResult.TRUNCATED;
        }

        if (body.getInt(index + 1) != FOURCC_MP4A)
        {
            return FlvParseResult.UNSUPPORTED_CODEC;
        }

        switch (packetType)
        {
            case EX_SEQUENCE_START:
                return onAudioConfig(body, index + 5, length - 5);
            case EX_CODED_FRAMES:
                return onAudioFrame(CodecId.AAC, timestampMs, extraFlags, body, index + 5, length - 5);
            case EX_SEQUENCE_END:
                return FlvParseResult.END_OF_SEQUENCE;
            default:
                return FlvParseResult.IGNORED;
        }
    }

    private FlvParseResult onVideoConfig(final CodecId codec, final ByteBuf body, final int offset, final int length)
    {
        // Byte holding lengthSizeMinusOne: 4 in avcC, 21 in hvcC (ISO/IEC 14496-15 5.3.3.1, 8.3.3.1).
        final int lengthSizeIndex = codec == CodecId.H264 ? 4 : 21;
        if (length <= lengthSizeIndex)
        {
            return FlvParseResult.BAD_CONFIG;
        }

        final byte[] config = new byte[length];
        body.getBytes(offset, config);
        final int nalLengthSize = (config[lengthSizeIndex] & 3) + 1;
        config[lengthSizeIndex] = (byte)(config[lengthSizeIndex] | 3);

        final TrackFormat format;
        try
        {
            format = buildVideoFormat(codec, config);
        }
        catch (final RuntimeException ex)
        {
            return FlvParseResult.BAD_CONFIG;
        }

        if (format == null)
        {
            return FlvParseResult.BAD_CONFIG;
        }

        videoNalLengthSize = nalLengthSize;
        if (!format.equals(videoFormat))
        {
            videoFormat = format;
            sink.onFormat(format);
        }

        return FlvParseResult.SEQUENCE_HEADER;
    }

    private FlvParseResult onVideoFrame(
        final CodecId codec,
        final int frameType,
        final long timestampMs,
        final int compositionTimeMs,
        final int extraFlags,
        final ByteBuf body,
        final int offset,
        final int length)
    {
        if (videoFormat == null || videoFormat.codec() != codec)
        {
            return FlvParseResult.NO_SEQUENCE_HEADER;
        }

        if (length == 0)
        {
            return FlvParseResult.IGNORED;
        }

        final long dts = AccessUnitPayloads.millisToTicks(timestampMs);
        final long pts = dts + AccessUnitPayloads.millisToTicks(compositionTimeMs);
        if (videoNalLengthSize != AccessUnitPayloads.NAL_LENGTH_SIZE)
        {
            return onConvertedVideoFrame(codec, frameType, dts, pts, extraFlags, body, offset, length);
        }

        // A retained slice of a pooled buffer comes from Netty's recycler (a plain slice is a new object).
        final ByteBuf au = body.retainedSlice(offset, length);
        try
        {
            if (NalUnits.countLengthPrefixed(au) <= 0)
            {
                return FlvParseResult.BAD_PAYLOAD;
            }

            sink.onAccessUnit(videoFormat.trackId(), dts, pts, extraFlags | keyFlag(codec, frameType, au), au);
            return FlvParseResult.ACCESS_UNIT;
        }
        finally
        {
            au.release();
        }
    }

    private FlvParseResult onConvertedVideoFrame(
        final CodecId codec,
        final int frameType,
        final long dts,
        final long pts,
        final int extraFlags,
        final ByteBuf body,
        final int offset,
        final int length)
    {
        final int size = videoNalLengthSize;
        final int end = offset + length;
        int nals = 0;
        for (int index = offset; index < end; nals++)
        {
            if (end - index < size)
            {
                return FlvParseResult.BAD_PAYLOAD;
            }

            final int nalLength = readLength(body, index, size);
            index += size;
            if (nalLength > end - index)
            {
                return FlvParseResult.BAD_PAYLOAD;
            }

            index += nalLength;
        }

        final ByteBuf au = body.alloc().buffer(length + nals * (AccessUnitPayloads.NAL_LENGTH_SIZE - size));
        try
        {
            for (int index = offset; index < end; )
            {
                final int nalLength = readLength(body, index, size);
                index += size;
                au.writeInt(nalLength);
                au.writeBytes(body, index, nalLength);
                index += nalLength;
            }

            if (NalUnits.countLengthPrefixed(au) <= 0)
            {
                return FlvParseResult.BAD_PAYLOAD;
            }

            sink.onAccessUnit(videoFormat.trackId(), dts, pts, extraFlags | keyFlag(codec, frameType, au), au);
            return FlvParseResult.ACCESS_UNIT;
        }
        finally
        {
            au.release();
        }
    }

    private static int readLength(final ByteBuf body, final int index, final int size)
    {
        switch (size)
        {
            case 1:
                return body.getUnsignedByte(index);
            case 2:
                return body.getUnsignedShort(index);
            default:
                return body.getUnsignedMedium(index);
        }
    }

    private static int keyFlag(final CodecId codec, final int frameType, final ByteBuf au)
    {
        if (frameType == FRAME_TYPE_KEY)
        {
            return FrameFlags.KEYFRAME;
        }

        final boolean irap = codec == CodecId.H264 ? H264.isKeyframe(au) : H265.isKeyframe(au);
        return irap ? FrameFlags.KEYFRAME : 0;
    }

    private FlvParseResult onAudioConfig(final ByteBuf body, final int offset, final int length)
    {
        if (length < 2)
        {
            return FlvParseResult.BAD_CONFIG;
        }

        final byte[] config = new byte[length];
        body.getBytes(offset, config);
        final TrackFormat format;
        try
        {
            format = buildAudioFormat(config);
        }
        catch (final RuntimeException ex)
        {
            return FlvParseResult.BAD_CONFIG;
        }

        if (format == null || format.sampleRate() <= 0)
        {
            return FlvParseResult.BAD_CONFIG;
        }

        if (!format.equals(audioFormat))
        {
            audioFormat = format;
            sink.onFormat(format);
        }

        return FlvParseResult.SEQUENCE_HEADER;
    }

    private FlvParseResult onAudioFrame(
        final CodecId codec,
        final long timestampMs,
        final int extraFlags,
        final ByteBuf body,
        final int offset,
        final int length)
    {
        if (audioFormat == null || audioFormat.codec() != codec)
        {
            return FlvParseResult.NO_SEQUENCE_HEADER;
        }

        if (length == 0)
        {
            return FlvParseResult.IGNORED;
        }

        final long dts = AccessUnitPayloads.millisToTicks(timestampMs);
        final ByteBuf frame = body.retainedSlice(offset, length);
        try
        {
            sink.onAccessUnit(audioFormat.trackId(), dts, dts, extraFlags | FrameFlags.KEYFRAME, frame);
        }
        finally
        {
            frame.release();
        }

        return FlvParseResult.ACCESS_UNIT;
    }

    private FlvParseResult onG711Frame(
        final CodecId codec,
        final int first,
        final long timestampMs,
        final int extraFlags,
        final ByteBuf body)
    {
        if ((first & 0x01) != 0)
        {
            return FlvParseResult.UNSUPPORTED_CODEC;
        }

        final int length = body.readableBytes() - 1;
        if (length == 0)
        {
            return FlvParseResult.IGNORED;
        }

        if (audioFormat == null || audioFormat.codec() != codec)
        {
            audioFormat = G711Tracks.format(codec);
            sink.onFormat(audioFormat);
        }

        return onAudioFrame(codec, timestampMs, extraFlags, body, body.readerIndex() + 1, length);
    }

    private static TrackFormat buildVideoFormat(final CodecId codec, final byte[] config)
    {
        return codec == CodecId.H264 ? TrackFormats.h264(config) : TrackFormats.h265(config);
    }

    private static TrackFormat buildAudioFormat(final byte[] config)
    {
        return TrackFormats.aac(config);
    }
}
