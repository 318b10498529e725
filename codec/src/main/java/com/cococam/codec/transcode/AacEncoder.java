package com.cococam.codec.transcode;

import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * AAC-LC encoder for mono 16-bit PCM, on FFmpeg's native {@code aac} encoder (LGPL) through Bytedeco's JavaCPP
 * bindings.
 *
 * <p>Input: any number of samples per {@link #encode} call; they are gathered into 1024-sample frames, and each
 * full frame is sent to the encoder. Output: raw AAC frames (no ADTS header), handed to a {@link PacketHandler}
 * with their presentation time in samples on the input's sample counter (sample 0 is the first sample given to
 * {@link #encode}). The encoder delays its output by {@link #delaySamples()} (1024 for FFmpeg's encoder): the first
 * frame out has a negative time ({@code -delaySamples()}) and carries the priming; frame {@code k} starts at
 * {@code k * 1024 - delaySamples()}. Each frame lasts {@link #FRAME_SAMPLES} samples. The decoder configuration
 * is {@link #audioSpecificConfig()} (also inside {@link #format()}).
 *
 * <p>End of stream: {@link #flush} sends the samples still waiting for a full frame as a short last frame (the
 * encoder pads it with silence) and drains the encoder, so every input sample comes out; the encoder then takes no
 * more input. {@link #close()} without a flush drops those samples.
 *
 * <p>Sample rate: any rate of the MPEG-4 table (8000 ... 96000); no resampling happens here. 8 kHz, G.711's rate,
 * is decoded by FFmpeg/ffprobe and by Chromium's MSE.
 *
 * <p>Native resources: one {@code AVCodecContext}, one {@code AVFrame} with its sample buffer and one
 * {@code AVPacket}, made in {@link #open} and freed by {@link #close()} (idempotent). Nothing native is allocated
 * per frame: the frame buffer is reused (the encoder copies the samples), the packet is unreferenced after each
 * use.
 *
 * <p>Logging: opening the first encoder sets FFmpeg's process-wide log level to quiet (errors come back as
 * values and exceptions here); a process that wants FFmpeg's own messages sets it back afterwards.
 *
 * <p>Thread safety: one thread at a time. Allocation per output frame: one pooled buffer from the allocator
 * (released after the handler returns) and two small JavaCPP view objects; none per input call.
 */
public final class AacEncoder implements AutoCloseable
{
    /** Samples in one AAC-LC frame. */
    public static final int FRAME_SAMPLES = 1024;

    /** FFmpeg's {@code AVERROR(EAGAIN)} on Linux: the encoder wants more input before it gives a packet. */
    private static final int AVERROR_EAGAIN = -11;

    private static volatile boolean logLevelSet;

    private final int sampleRate;
    private final ByteBufAllocator alloc;
    private final byte[] audioSpecificConfig;
    private final TrackFormat format;
    private final int delaySamples;
    private AVCodecContext context;
    private AVFrame frame;
    private AVPacket packet;
    private FloatBuffer samples;
    private int filled;
    private long framesSent;
    private int lastFrameShortBy;
    private boolean flushed;
    private boolean failed;

    /**
     * Receives encoded frames.
     */
    @FunctionalInterface
    public interface PacketHandler
    {
        /**
         * @param ptsSamples presentation time of the frame's first sample, in samples on the input counter (may be
         *                   negative for the priming frame).
         * @param frame      one raw AAC frame; owned by the encoder and released when this returns: retain it (or
         *                   a retained slice) to keep it.
         */
        void onPacket(long ptsSamples, ByteBuf frame);
    }

    private AacEncoder(
        final int sampleRate,
        final ByteBufAllocator alloc,
        final AVCodecContext context,
        final AVFrame frame,
        final AVPacket packet,
        final byte[] audioSpecificConfig)
    {
        this.sampleRate = sampleRate;
        this.alloc = alloc;
        this.context = context;
        this.frame = frame;
        this.packet = packet;
        this.audioSpecificConfig = audioSpecificConfig;
        this.format = TrackFormats.aac(audioSpecificConfig);
        this.delaySamples = Math.max(0, context.initial_padding());
        refreshSampleView();
    }

    /**
     * Loads the native libraries (first use only; JavaCPP extracts them to its cache folder) and opens a mono AAC-LC
     * encoder.
     *
     * @param sampleRate input and output sample rate, Hz (e.g. 8000).
     * @param bitRateBps target bit rate, bits per second (e.g. 24000 for 8 kHz speech).
     * @param alloc      allocator for the output frames.
     * @return an open encoder; close it.
     * @throws TranscodeException if the natives cannot be loaded, the {@code aac} encoder is missing, or it refuses
     *                            the settings.
     */
    public static AacEncoder open(final int sampleRate, final int bitRateBps, final ByteBufAllocator alloc)
        throws TranscodeException
    {
        if (sampleRate <= 0 || bitRateBps <= 0)
        {
            throw new TranscodeException("bad settings: rate=" + sampleRate + " bitrate=" + bitRateBps);
        }

        final AVCodec codec;
        try
        {
            setQuietOnce();
            codec = avcodec.avcodec_find_encoder(avcodec.AV_CODEC_ID_AAC);
        }
        catch (final LinkageError ex)
        {
            throw new TranscodeException("ffmpeg natives unavailable: " + ex, ex);
        }

        if (codec == null || codec.isNull())
        {
            throw new TranscodeException("no aac encoder in the ffmpeg libraries");
        }

        AVCodecContext context = null;
        AVFrame frame = null;
        AVPacket packet = null;
        try
        {
            context = avcodec.avcodec_alloc_context3(codec);
            frame = avutil.av_frame_alloc();
            packet = avcodec.av_packet_alloc();
            if (context == null || context.isNull() || frame == null || frame.isNull() || packet == null ||
                packet.isNull())
            {
                throw new TranscodeException("out of native memory");
            }

            context.sample_fmt(avutil.AV_SAMPLE_FMT_FLTP);
            context.sample_rate(sampleRate);
            avutil.av_channel_layout_default(context.ch_layout(), 1);
            context.bit_rate(bitRateBps);
            context.profile(avcodec.AV_PROFILE_AAC_LOW);
            context.time_base(avutil.av_make_q(1, sampleRate));
            context.flags(context.flags() | avcodec.AV_CODEC_FLAG_GLOBAL_HEADER);
            check(avcodec.avcodec_open2(context, codec, (AVDictionary)null), "avcodec_open2");
            if (context.frame_size() != FRAME_SAMPLES)
            {
                throw new TranscodeException("unexpected aac frame size " + context.frame_size());
            }

            final int ascSize = context.extradata_size();
            if (ascSize < 2 || context.extradata() == null || context.extradata().isNull())
            {
                throw new TranscodeException("encoder gave no AudioSpecificConfig");
            }

            final byte[] asc = new byte[ascSize];
            context.extradata().get(asc, 0, ascSize);

            frame.nb_samples(FRAME_SAMPLES);
            frame.format(avutil.AV_SAMPLE_FMT_FLTP);
            frame.sample_rate(sampleRate);
            check(avutil.av_channel_layout_copy(frame.ch_layout(), context.ch_layout()), "av_channel_layout_copy");
            check(avutil.av_frame_get_buffer(frame, 0), "av_frame_get_buffer");
            return new AacEncoder(sampleRate, alloc, context, frame, packet, asc);
        }
        catch (final TranscodeException | RuntimeException ex)
        {
            free(context, frame, packet);
            throw ex instanceof TranscodeException te ? te : new TranscodeException("cannot open encoder: " + ex, ex);
        }
    }

    /**
     * @return the AudioSpecificConfig of the output (a copy).
     */
    public byte[] audioSpecificConfig()
    {
        return audioSpecificConfig.clone();
    }

    /**
     * @return the output track: AAC on {@link TrackFormat#AUDIO_TRACK}, {@code mp4a.40.2}, this sample rate, mono.
     */
    public TrackFormat format()
    {
        return format;
    }

    /**
     * @return the sample rate, Hz.
     */
    public int sampleRate()
    {
        return sampleRate;
    }

    /**
     * @return samples by which the output lags the input (the priming the decoder drops), from the encoder.
     */
    public int delaySamples()
    {
        return delaySamples;
    }

    /**
     * @return samples given to {@link #encode} so far (including the ones waiting for a full frame).
     */
    public long samplesIn()
    {
        return framesSent * FRAME_SAMPLES + filled - lastFrameShortBy;
    }

    /**
     * @return whether {@link #flush} has ended the stream.
     */
    public boolean isFlushed()
    {
        return flushed;
    }

    /**
     * Adds samples; every completed 1024-sample frame is encoded and the frames the encoder gives back go to
     * {@code out}, in order, before this returns. The encoder never waits for anything but its own CPU work.
     *
     * @param pcm    16-bit samples.
     * @param offset first sample.
     * @param count  number of samples.
     * @param out    receives the encoded frames.
     * @return frames handed to {@code out}.
     * @throws TranscodeException if a native call fails (the encoder is unusable afterwards), or it is closed.
     */
    public int encode(final short[] pcm, final int offset, final int count, final PacketHandler out)
        throws TranscodeException
    {
        ensureUsable();
        int emitted = 0;
        int index = offset;
        final int end = offset + count;
        while (index < end)
        {
            if (filled == 0)
            {
                prepareFrame();
            }

            final int n = Math.min(FRAME_SAMPLES - filled, end - index);
            for (int i = 0; i < n; i++)
            {
                samples.put(filled + i, pcm[index + i] * (1.0f / 32768.0f));
            }

            filled += n;
            index += n;
            if (filled == FRAME_SAMPLES)
            {
                emitted += sendFrame(out);
            }
        }

        return emitted;
    }

    /**
     * Adds {@code count} samples of silence (digital zero), as {@link #encode} does with samples.
     *
     * @param count samples of silence.
     * @param out   receives the encoded frames.
     * @return frames handed to {@code out}.
     * @throws TranscodeException if a native call fails, or the encoder is closed.
     */
    public int encodeSilence(final long count, final PacketHandler out) throws TranscodeException
    {
        ensureUsable();
        int emitted = 0;
        long left = count;
        while (left > 0)
        {
            if (filled == 0)
            {
                prepareFrame();
            }

            final int n = (int)Math.min(FRAME_SAMPLES - filled, left);
            for (int i = 0; i < n; i++)
            {
                samples.put(filled + i, 0.0f);
            }

            filled += n;
            left -= n;
            if (filled == FRAME_SAMPLES)
            {
                emitted += sendFrame(out);
            }
        }

        return emitted;
    }

    /**
     * Ends the stream: the samples waiting for a full frame go to the encoder as a short last frame (padded with
     * silence by the encoder, so the last packet's real length is what came in), then the encoder is drained and
     * every frame it still holds goes to {@code out}, in order, before this returns. Packet times follow the same
     * rule as for {@link #encode}. Afterwards {@link #encode} and {@link #encodeSilence} throw; a second flush
     * returns 0.
     *
     * <p>Allocation: as for {@link #encode}, per output frame.
     *
     * @param out receives the remaining frames.
     * @return frames handed to {@code out} (typically one or two for FFmpeg's one-frame delay plus the partial
     *         frame).
     * @throws TranscodeException if a native call fails (the encoder is unusable afterwards), or it is closed.
     */
    public int flush(final PacketHandler out) throws TranscodeException
    {
        if (context == null)
        {
            throw new TranscodeException("encoder closed");
        }

        if (flushed)
        {
            return 0;
        }

        ensureUsable();
        flushed = true;
        int emitted = 0;
        if (filled > 0)
        {
            // The aac encoder takes a short last frame (AV_CODEC_CAP_SMALL_LAST_FRAME) and pads it itself.
            final int partial = filled;
            frame.nb_samples(partial);
            lastFrameShortBy = FRAME_SAMPLES - partial;
            emitted += sendFrame(out);
        }

        fail(avcodec.avcodec_send_frame(context, null), "avcodec_send_frame(flush)");
        return emitted + receivePackets(out);
    }

    private void prepareFrame() throws TranscodeException
    {
        // The encoder copies each frame's samples and drops its reference in send_frame, so the buffer is
        // normally writable again; if it ever is not, FFmpeg gives the frame a new buffer and we re-map it.
        if (avutil.av_frame_is_writable(frame) == 0)
        {
            fail(avutil.av_frame_make_writable(frame), "av_frame_make_writable");
            refreshSampleView();
        }
    }

    private int sendFrame(final PacketHandler out) throws TranscodeException
    {
        frame.pts(framesSent * FRAME_SAMPLES);
        framesSent++;
        filled = 0;
        fail(avcodec.avcodec_send_frame(context, frame), "avcodec_send_frame");
        return receivePackets(out);
    }

    private int receivePackets(final PacketHandler out) throws TranscodeException
    {
        int emitted = 0;
        while (true)
        {
            final int result = avcodec.avcodec_receive_packet(context, packet);
            if (result == AVERROR_EAGAIN || result == avutil.AVERROR_EOF)
            {
                return emitted;
            }

            fail(result, "avcodec_receive_packet");
            try
            {
                final int size = packet.size();
                if (size > 0)
                {
                    final ByteBuf data = alloc.buffer(size);
                    try
                    {
                        final BytePointer bytes = packet.data();
                        data.writeBytes(bytes.capacity(size).asByteBuffer());
                        out.onPacket(packet.pts(), data);
                        emitted++;
                    }
                    finally
                    {
                        data.release();
                    }
                }
            }
            finally
            {
                avcodec.av_packet_unref(packet);
            }
        }
    }

    private void refreshSampleView()
    {
        samples = frame.data(0).capacity((long)FRAME_SAMPLES * Float.BYTES).asByteBuffer()
            .order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private void ensureUsable() throws TranscodeException
    {
        if (context == null)
        {
            throw new TranscodeException("encoder closed");
        }

        if (failed)
        {
            throw new TranscodeException("encoder failed earlier");
        }

        if (flushed)
        {
            throw new TranscodeException("encoder flushed: the stream has ended");
        }
    }

    private void fail(final int result, final String what) throws TranscodeException
    {
        if (result < 0)
        {
            failed = true;
            throw new TranscodeException(what + " failed: " + errorText(result));
        }
    }

    private static void check(final int result, final String what) throws TranscodeException
    {
        if (result < 0)
        {
            throw new TranscodeException(what + " failed: " + errorText(result));
        }
    }

    private static String errorText(final int result)
    {
        final byte[] text = new byte[128];
        avutil.av_strerror(result, text, text.length);
        int length = 0;
        while (length < text.length && text[length] != 0)
        {
            length++;
        }

        return new String(text, 0, length, java.nio.charset.StandardCharsets.US_ASCII) + " (" + result + ")";
    }

    private static void setQuietOnce()
    {
        if (!logLevelSet)
        {
            avutil.av_log_set_level(avutil.AV_LOG_QUIET);
            logLevelSet = true;
        }
    }

    private static void free(final AVCodecContext context, final AVFrame frame, final AVPacket packet)
    {
        if (packet != null && !packet.isNull())
        {
            avcodec.av_packet_free(packet);
        }

        if (frame != null && !frame.isNull())
        {
            avutil.av_frame_free(frame);
        }

        if (context != null && !context.isNull())
        {
            avcodec.avcodec_free_context(context);
        }
    }

    /**
     * Frees the native encoder, frame and packet; unless {@link #flush} ran first, samples waiting for a full frame
     * and frames inside the encoder's delay are dropped. Idempotent.
     */
    @Override
    public void close()
    {
        if (context != null)
        {
            free(context, frame, packet);
            context = null;
            frame = null;
            packet = null;
            samples = null;
        }
    }
}
