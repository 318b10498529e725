package com.cococam.codec.flv;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;

/**
 * Writes FLV tag bodies (the payload of RTMP audio/video messages and of FLV file tags) for our tracks:
 * the reverse of {@link FlvTagParser}.
 *
 * <ul>
 *     <li>H.264: legacy AVC bodies (codec id 7): {@code [frame type|7] [AVCPacketType] [SI24 composition time]}
 *     then the avcC record or the 4-byte length-prefixed NAL units.</li>
 *     <li>H.265: Enhanced RTMP bodies: {@code [1|frame type|PacketType] 'hvc1'} then, for CodedFrames, the SI24
 *     composition time and the NAL units; for SequenceStart the hvcC record.</li>
 *     <li>AAC: {@code 0xAF [AACPacketType]} then the AudioSpecificConfig or the raw frame.</li>
 *     <li>G.711: {@code 0x72} (A-law) or {@code 0x82} (mu-law) then the 8-bit samples; no sequence header. The
 *     rate bits say 5.5 kHz as FFmpeg writes them; every reader takes G.711 in FLV as 8 kHz (see
 *     {@link FlvTagParser}).</li>
 * </ul>
 *
 * <p>{@link #canWrite(CodecId)} tells which codecs FLV/RTMP carries here: H.264, H.265, AAC and G.711 (Opus and
 * MJPEG are not written).
 *
 * <p>For zero-copy output, write only the header with {@link #writeVideoHeader} / {@link #writeAudioHeader} and
 * send the access unit (a retained slice) after it, e.g. as the next component of a composite buffer; the
 * {@code writeVideo}/{@code writeAudio} variants copy the payload after the header.
 *
 * <p>Thread safety: stateless. Allocation: none; {@code out} grows as Netty buffers do. Payload buffers are read
 * without moving their indexes.
 */
public final class FlvTagWriter
{
    /**
     * Largest video header {@link #writeVideoHeader} writes (Enhanced RTMP: 1 + FourCC + SI24).
     */
    public static final int MAX_VIDEO_HEADER_SIZE = 8;

    /**
     * Size of the header {@link #writeAudioHeader} writes.
     */
    public static final int AUDIO_HEADER_SIZE = 2;

    /** Size of the header of a G.711 body. */
    public static final int G711_HEADER_SIZE = 1;

    /** First byte of a G.711 body: format, rate 0 (read as 8 kHz), 16-bit flag, mono; mu-law is format 8. */
    static final int G711_FLAGS = 0x02;

    private static final int SI24_MIN = -(1 << 23);
    private static final int SI24_MAX = (1 << 23) - 1;

    private FlvTagWriter()
    {
    }

    /**
     * Writes the video sequence header for a track: AVC sequence header or Enhanced RTMP SequenceStart.
     *
     * @param format an H.264 or H.265 track; its decoder config (avcC / hvcC) is copied.
     * @param out    receives the body.
     * @return bytes written.
     * @throws IllegalArgumentException if the track is not H.264 or H.265.
     */
    public static int writeVideoSequenceHeader(final TrackFormat format, final ByteBuf out)
    {
        final int start = out.writerIndex();
        final byte[] config = format.decoderConfig();
        if (format.codec() == CodecId.H264)
        {
            out.writeByte(FlvTagParser.FRAME_TYPE_KEY << 4 | FlvTagParser.VIDEO_CODEC_AVC);
            out.writeByte(FlvTagParser.AVC_SEQUENCE_HEADER);
            out.writeMedium(0);
        }
        else if (format.codec() == CodecId.H265)
        {
            out.writeByte(0x80 | FlvTagParser.FRAME_TYPE_KEY << 4 | FlvTagParser.EX_SEQUENCE_START);
            out.writeInt(FlvTagParser.FOURCC_HVC1);
        }
        else
        {
            throw new IllegalArgumentException("not a video track: codec=" + format.codec());
        }

        out.writeBytes(config);
        return out.writerIndex() - start;
    }

    /**
     * Writes the end-of-sequence body for a video codec.
     *
     * @param codec H.264 or H.265.
     * @param out   receives the body.
     * @return bytes written.
     * @throws IllegalArgumentException if the codec is not a video codec.
     */
    public static int writeVideoEndOfSequence(final CodecId codec, final ByteBuf out)
    {
        final int start = out.writerIndex();
        if (codec == CodecId.H264)
        {
            out.writeByte(FlvTagParser.FRAME_TYPE_KEY << 4 | FlvTagParser.VIDEO_CODEC_AVC);
            out.writeByte(FlvTagParser.AVC_END_OF_SEQUENCE);
            out.writeMedium(0);
        }
        else if (codec == CodecId.H265)
        {
            out.writeByte(0x80 | FlvTagParser.FRAME_TYPE_KEY << 4 | FlvTagParser.EX_SEQUENCE_END);
            out.writeInt(FlvTagParser.FOURCC_HVC1);
        }
        else
        {
            throw new IllegalArgumentException("not a video codec: codec=" + codec);
        }

        return out.writerIndex() - start;
    }

    /**
     * Writes the header of a coded video frame body; the 4-byte length-prefixed access unit must follow it.
     *
     * @param codec             H.264 or H.265.
     * @param keyframe          whether the access unit is a random access point (FLV frame type 1, else 2).
     * @param compositionTimeMs pts - dts in milliseconds, clamped to the SI24 range.
     * @param out               receives 5 (H.264) or 8 (H.265) bytes.
     * @return bytes written.
     * @throws IllegalArgumentException if the codec is not a video codec.
     */
    public static int writeVideoHeader(
        final CodecId codec,
        final boolean keyframe,
        final int compositionTimeMs,
        final ByteBuf out)
    {
        final int frameType = keyframe ? FlvTagParser.FRAME_TYPE_KEY : FlvTagParser.FRAME_TYPE_INTER;
        final int cts = Math.max(SI24_MIN, Math.min(SI24_MAX, compositionTimeMs));
        if (codec == CodecId.H264)
        {
            out.writeByte(frameType << 4 | FlvTagParser.VIDEO_CODEC_AVC);
            out.writeByte(FlvTagParser.AVC_NALU);
            out.writeMedium(cts);
            return 5;
        }

        if (codec == CodecId.H265)
        {
            out.writeByte(0x80 | frameType << 4 | FlvTagParser.EX_CODED_FRAMES);
            out.writeInt(FlvTagParser.FOURCC_HVC1);
            out.writeMedium(cts);
            return 8;
        }

        throw new IllegalArgumentException("not a video codec: codec=" + codec);
    }

    /**
     * Writes a whole coded video frame body: header, then a copy of the access unit's readable bytes.
     *
     * @param codec    H.264 or H.265.
     * @param dts90k   decode time, 90 kHz.
     * @param pts90k   presentation time, 90 kHz.
     * @param keyframe whether the access unit is a random access point.
     * @param au       4-byte length-prefixed access unit; not modified, indexes unchanged.
     * @param out      receives the body.
     * @return bytes written.
     */
    public static int writeVideo(
        final CodecId codec,
        final long dts90k,
        final long pts90k,
        final boolean keyframe,
        final ByteBuf au,
        final ByteBuf out)
    {
        final int header = writeVideoHeader(codec, keyframe, compositionTimeMs(dts90k, pts90k), out);
        out.writeBytes(au, au.readerIndex(), au.readableBytes());
        return header + au.readableBytes();
    }

    /**
     * @param codec a codec.
     * @return whether FLV/RTMP bodies can be written for it here: H.264, H.265, AAC, G.711 A-law and mu-law.
     */
    public static boolean canWrite(final CodecId codec)
    {
        return codec == CodecId.H264 || codec == CodecId.H265 || codec == CodecId.AAC || codec == CodecId.G711A ||
            codec == CodecId.G711U;
    }

    /**
     * @param codec an audio codec.
     * @return whether its tracks start with a sequence header body ({@link #writeAudioSequenceHeader}): AAC only.
     */
    public static boolean hasAudioSequenceHeader(final CodecId codec)
    {
        return codec == CodecId.AAC;
    }

    /**
     * @param codec an audio codec that {@link #canWrite}.
     * @return its FLV SoundFormat number, for {@code onMetaData}'s {@code audiocodecid}: 10 AAC, 7 A-law, 8 mu-law.
     * @throws IllegalArgumentException for another codec.
     */
    public static int soundFormat(final CodecId codec)
    {
        switch (codec)
        {
            case AAC:
                return FlvTagParser.SOUND_FORMAT_AAC;
            case G711A:
                return FlvTagParser.SOUND_FORMAT_G711A;
            case G711U:
                return FlvTagParser.SOUND_FORMAT_G711U;
            default:
                throw new IllegalArgumentException("not an FLV audio codec: codec=" + codec);
        }
    }

    /**
     * Writes the header of an audio frame body for any audio codec that {@link #canWrite}; the frame must follow.
     *
     * @param codec AAC, G.711 A-law or mu-law.
     * @param out   receives {@link #AUDIO_HEADER_SIZE} (AAC) or {@link #G711_HEADER_SIZE} (G.711) bytes.
     * @return bytes written.
     * @throws IllegalArgumentException for another codec.
     */
    public static int writeAudioHeader(final CodecId codec, final ByteBuf out)
    {
        if (codec == CodecId.AAC)
        {
            return writeAudioHeader(out);
        }

        if (codec == CodecId.G711A || codec == CodecId.G711U)
        {
            out.writeByte(soundFormat(codec) << 4 | G711_FLAGS);
            return G711_HEADER_SIZE;
        }

        throw new IllegalArgumentException("not an FLV audio codec: codec=" + codec);
    }

    /**
     * Writes a whole audio frame body for any audio codec that {@link #canWrite}: header, then a copy of the
     * frame's readable bytes.
     *
     * @param codec AAC, G.711 A-law or mu-law.
     * @param frame one raw AAC frame, or G.711 samples; indexes unchanged.
     * @param out   receives the body.
     * @return bytes written.
     * @throws IllegalArgumentException for another codec.
     */
    public static int writeAudio(final CodecId codec, final ByteBuf frame, final ByteBuf out)
    {
        final int header = writeAudioHeader(codec, out);
        out.writeBytes(frame, frame.readerIndex(), frame.readableBytes());
        return header + frame.readableBytes();
    }

    /**
     * Writes the AAC sequence header body (AACPacketType 0 and the AudioSpecificConfig).
     *
     * @param format an AAC track.
     * @param out    receives the body.
     * @return bytes written.
     * @throws IllegalArgumentException if the track is not AAC.
     */
    public static int writeAudioSequenceHeader(final TrackFormat format, final ByteBuf out)
    {
        if (format.codec() != CodecId.AAC)
        {
            throw new IllegalArgumentException("not an AAC track: codec=" + format.codec());
        }

        out.writeByte(FlvTagParser.AAC_HEADER_BYTE);
        out.writeByte(FlvTagParser.AAC_SEQUENCE_HEADER);
        out.writeBytes(format.decoderConfig());
        return AUDIO_HEADER_SIZE + format.decoderConfig().length;
    }

    /**
     * Writes the header of a raw AAC frame body; the raw frame must follow it.
     *
     * @param out receives {@link #AUDIO_HEADER_SIZE} bytes.
     * @return bytes written.
     */
    public static int writeAudioHeader(final ByteBuf out)
    {
        out.writeByte(FlvTagParser.AAC_HEADER_BYTE);
        out.writeByte(FlvTagParser.AAC_RAW);
        return AUDIO_HEADER_SIZE;
    }

    /**
     * Writes a whole raw AAC frame body: header, then a copy of the frame's readable bytes.
     *
     * @param rawFrame one raw AAC frame (no ADTS header); indexes unchanged.
     * @param out      receives the body.
     * @return bytes written.
     */
    public static int writeAudio(final ByteBuf rawFrame, final ByteBuf out)
    {
        writeAudioHeader(out);
        out.writeBytes(rawFrame, rawFrame.readerIndex(), rawFrame.readableBytes());
        return AUDIO_HEADER_SIZE + rawFrame.readableBytes();
    }

    /**
     * @param dts90k decode time, 90 kHz.
     * @return the FLV/RTMP timestamp for it: milliseconds, rounded down.
     */
    public static long timestampMs(final long dts90k)
    {
        return Math.floorDiv(dts90k, 90);
    }

    /**
     * The composition time such that {@code timestampMs(dts) + cts} is the pts in milliseconds (rounded down), so
     * rounding does not accumulate.
     *
     * @param dts90k decode time, 90 kHz.
     * @param pts90k presentation time, 90 kHz.
     * @return pts - dts in milliseconds (not clamped).
     */
    public static int compositionTimeMs(final long dts90k, final long pts90k)
    {
        return (int)(Math.floorDiv(pts90k, 90) - Math.floorDiv(dts90k, 90));
    }
}
