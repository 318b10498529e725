package com.cococam.codec.transcode;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Turns a G.711 track (A-law or mu-law, 8 kHz mono, any number of samples per access unit) into an AAC-LC track at
 * 8 kHz mono: {@link G711Decoder} then {@link AacEncoder}.
 *
 * <p>Timestamps: every output frame's time comes from the input access unit that holds its first sample: that
 * unit's 90 kHz dts plus the sample offset inside it (11.25 ticks per sample, rounded down). The encoder's delay
 * is compensated, so output sample {@code n} plays when input sample {@code n} was due, and nothing accumulates:
 * a camera whose sample clock runs off the 90 kHz clock moves the AAC timestamps with it, frame by frame. The
 * priming frame is stamped 1024 samples (128 ms) before the first input. Output dts always increase.
 *
 * <p>Gaps: when an access unit starts later than the previous one ended by more than {@link #GAP_FILL_MIN_TICKS}
 * and at most {@link #GAP_FILL_MAX_TICKS}, the gap is filled with silence so that the AAC track stays
 * continuous; longer gaps, overlaps and units flagged {@link FrameFlags#DISCONTINUITY} are not filled (the
 * timestamps jump with the input), and the first output frame that starts at or after a flagged unit carries
 * {@link FrameFlags#DISCONTINUITY}. Every output frame carries {@link FrameFlags#KEYFRAME}.
 *
 * <p>Latency: output trails the input by up to two AAC frames (256 ms at 8 kHz): one frame of gathering and the
 * encoder's one-frame lookahead. At the end of the stream (or before a change of input), {@link #flush} gives out
 * those frames, the last one padded with silence, with the same timestamp rule; frames still inside the encoder at
 * a {@link #close()} without a flush are dropped.
 *
 * <p>Native resources: those of one {@link AacEncoder}, freed by {@link #close()}.
 *
 * <p>Thread safety: one thread at a time (a stream's live worker). Allocation: one pooled buffer per output
 * frame (released after the handler returns); none per input unit.
 */
public final class G711AacTranscoder implements AutoCloseable
{
    /** G.711's sample rate, Hz. */
    public static final int SAMPLE_RATE = 8000;

    /** Default AAC bit rate for 8 kHz mono speech, bits per second. */
    public static final int DEFAULT_BIT_RATE_BPS = 24_000;

    /** Smallest gap (90 kHz ticks, 30 ms) filled with silence: below it, timestamp jitter is taken as no gap. */
    public static final long GAP_FILL_MIN_TICKS = 2_700;

    /** Largest gap (90 kHz ticks, 2 s) filled with silence; a longer one is left as a jump. */
    public static final long GAP_FILL_MAX_TICKS = 180_000;

    /** Largest access unit accepted, in samples (one second of G.711). */
    public static final int MAX_UNIT_SAMPLES = SAMPLE_RATE;

    private static final int ANCHORS = 256;

    private final CodecId inputCodec;
    private final AacEncoder encoder;
    private final short[] pcm = new short[MAX_UNIT_SAMPLES];
    private final long[] anchorSample = new long[ANCHORS];
    private final long[] anchorTicks = new long[ANCHORS];
    private final boolean[] anchorJump = new boolean[ANCHORS];
    private final AacEncoder.PacketHandler onPacket = this::onPacket;
    private int anchorHead;
    private int anchorCount;
    private long lastOutDts = Long.MIN_VALUE;
    private boolean pendingJump;
    private FrameHandler handler;
    private int emitted;

    /**
     * Receives transcoded frames.
     */
    @FunctionalInterface
    public interface FrameHandler
    {
        /**
         * @param dts90k  decode (= presentation) time of the frame, 90 kHz, on the input's timeline.
         * @param flags   {@link FrameFlags#KEYFRAME}, plus {@link FrameFlags#DISCONTINUITY} after a flagged input.
         * @param aacFrame one raw AAC frame (no ADTS); released when this returns: retain it to keep it.
         */
        void onFrame(long dts90k, int flags, ByteBuf aacFrame);
    }

    private G711AacTranscoder(final CodecId inputCodec, final AacEncoder encoder)
    {
        this.inputCodec = inputCodec;
        this.encoder = encoder;
    }

    /**
     * @param inputCodec {@link CodecId#G711A} or {@link CodecId#G711U}.
     * @param bitRateBps AAC bit rate, e.g. {@link #DEFAULT_BIT_RATE_BPS}.
     * @param alloc      allocator for output frames.
     * @return an open transcoder; close it.
     * @throws TranscodeException if the codec is not G.711 or the AAC encoder cannot be opened (natives missing).
     */
    public static G711AacTranscoder open(final CodecId inputCodec, final int bitRateBps, final ByteBufAllocator alloc)
        throws TranscodeException
    {
        if (!G711Decoder.isG711(inputCodec))
        {
            throw new TranscodeException("not a G.711 codec: " + inputCodec);
        }

        return new G711AacTranscoder(inputCodec, AacEncoder.open(SAMPLE_RATE, bitRateBps, alloc));
    }

    /**
     * @param format a track format.
     * @return whether this transcoder takes that track (G.711 of this law).
     */
    public boolean accepts(final TrackFormat format)
    {
        return format.codec() == inputCodec;
    }

    /**
     * @return the G.711 law this transcoder decodes.
     */
    public CodecId inputCodec()
    {
        return inputCodec;
    }

    /**
     * @return the output track: AAC-LC, 8 kHz, mono, on {@link TrackFormat#AUDIO_TRACK}, the same instance for the
     *         transcoder's life.
     */
    public TrackFormat outputFormat()
    {
        return encoder.format();
    }

    /**
     * Transcodes one G.711 access unit; the AAC frames it completes go to {@code out} before this returns.
     *
     * @param dts90k  the unit's decode time, 90 kHz.
     * @param flags   the unit's {@link FrameFlags} ({@link FrameFlags#DISCONTINUITY} is honoured).
     * @param payload one byte per sample; indexes unchanged. Units over {@link #MAX_UNIT_SAMPLES} are cut there.
     * @param out     receives the output frames.
     * @return AAC frames handed to {@code out} (often 0: a frame needs 1024 samples).
     * @throws TranscodeException if the encoder fails; the transcoder is unusable afterwards.
     */
    public int transcode(final long dts90k, final int flags, final ByteBuf payload, final FrameHandler out)
        throws TranscodeException
    {
        final int samples = Math.min(payload.readableBytes(), MAX_UNIT_SAMPLES);
        if (samples == 0)
        {
            return 0;
        }

        handler = out;
        emitted = 0;
        try
        {
            final boolean jump = FrameFlags.isDiscontinuity(flags);
            if (!jump && anchorCount > 0)
            {
                final long gap = dts90k - expectedTicks();
                if (gap >= GAP_FILL_MIN_TICKS && gap <= GAP_FILL_MAX_TICKS)
                {
                    final long silence = gap * SAMPLE_RATE / 90_000;
                    addAnchor(encoder.samplesIn(), dts90k - ticksFor(silence), false);
                    encoder.encodeSilence(silence, onPacket);
                }
            }

            addAnchor(encoder.samplesIn(), dts90k, jump);
            G711Decoder.decode(inputCodec, payload.slice(payload.readerIndex(), samples), pcm, 0);
            encoder.encode(pcm, 0, samples, onPacket);
            return emitted;
        }
        finally
        {
            handler = null;
        }
    }

    private long expectedTicks()
    {
        final int last = (anchorHead + anchorCount - 1) % ANCHORS;
        return anchorTicks[last] + ticksFor(encoder.samplesIn() - anchorSample[last]);
    }

    private static long ticksFor(final long samples)
    {
        return Math.floorDiv(samples * 90_000, SAMPLE_RATE);
    }

    private void addAnchor(final long sample, final long ticks, final boolean jump)
    {
        if (anchorCount == ANCHORS)
        {
            // Output lags by two frames at most, so the oldest anchor is long consumed: drop it.
            pendingJump |= anchorJump[anchorHead];
            anchorHead = (anchorHead + 1) % ANCHORS;
            anchorCount--;
        }

        final int slot = (anchorHead + anchorCount) % ANCHORS;
        anchorSample[slot] = sample;
        anchorTicks[slot] = ticks;
        anchorJump[slot] = jump;
        anchorCount++;
    }

    private void onPacket(final long ptsSamples, final ByteBuf frame)
    {
        // FFmpeg stamps each frame with the input sample its decoded output starts at (the delay is already taken
        // off, so the priming frame is negative): ptsSamples is on the input's sample counter. Find its anchor.
        while (anchorCount > 1 && anchorSample[(anchorHead + 1) % ANCHORS] <= ptsSamples)
        {
            pendingJump |= anchorJump[anchorHead];
            anchorHead = (anchorHead + 1) % ANCHORS;
            anchorCount--;
        }

        int flags = FrameFlags.KEYFRAME;
        if (ptsSamples >= anchorSample[anchorHead])
        {
            pendingJump |= anchorJump[anchorHead];
            anchorJump[anchorHead] = false;
        }

        if (pendingJump)
        {
            flags |= FrameFlags.DISCONTINUITY;
            pendingJump = false;
        }

        long dts = anchorTicks[anchorHead] + ticksFor(ptsSamples - anchorSample[anchorHead]);
        if (lastOutDts != Long.MIN_VALUE && dts <= lastOutDts)
        {
            dts = lastOutDts + 1;
        }

        lastOutDts = dts;
        emitted++;
        handler.onFrame(dts, flags, frame);
    }

    /**
     * Ends the stream: the samples still gathering for a frame and the frames inside the encoder's lookahead are
     * encoded (the last frame padded with silence) and go to {@code out} before this returns, stamped as
     * {@link #transcode} stamps frames. The transcoder takes no more input afterwards ({@link #transcode} throws,
     * {@link #isFlushed()} is true); close it. A second flush gives nothing; a flush before the first unit does
     * nothing at all (the transcoder still takes input).
     *
     * @param out receives the remaining frames.
     * @return AAC frames handed to {@code out} (0 if nothing was ever transcoded, usually 1 or 2 otherwise).
     * @throws TranscodeException if the encoder fails; the transcoder is unusable afterwards.
     */
    public int flush(final FrameHandler out) throws TranscodeException
    {
        if (anchorCount == 0)
        {
            return 0;
        }

        handler = out;
        emitted = 0;
        try
        {
            encoder.flush(onPacket);
            return emitted;
        }
        finally
        {
            handler = null;
        }
    }

    /**
     * @return whether {@link #flush} ended this transcoder's stream (it takes no more input).
     */
    public boolean isFlushed()
    {
        return encoder.isFlushed();
    }

    /**
     * @return the 90 kHz time just past the last input sample (where the next unit would start if it follows
     *         without a gap), or {@link Long#MIN_VALUE} before the first unit.
     */
    public long inputEndDts90k()
    {
        return anchorCount == 0 ? Long.MIN_VALUE : expectedTicks();
    }

    /**
     * Frees the encoder; unless {@link #flush} ran first, samples not yet encoded are dropped. Idempotent.
     */
    @Override
    public void close()
    {
        encoder.close();
    }
}
