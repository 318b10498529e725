package com.cococam.codec.rtp;

import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.codec.media.TrackFormats;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

import java.util.Arrays;
import java.util.Map;

/**
 * AAC over RTP in RFC 6416 {@code MP4A-LATM} to raw AAC frames.
 *
 * <pre>
 *   RTP payload: one or more AudioMuxElements (ISO/IEC 14496-3 1.7.3), or a fragment of one (M bit on the last)
 *   AudioMuxElement(muxConfigPresent):
 *     [useSameStreamMux (1 bit) [StreamMuxConfig]]          only when cpresent=1
 *     per subframe: PayloadLengthInfo (bytes: 255, 255, .., last < 255; summed) | PayloadMux (that many bytes)
 *     [otherData] | byte alignment
 *   StreamMuxConfig: audioMuxVersion(1) [audioMuxVersionA(1)] [taraBufferFullness] allStreamsSameTimeFraming(1)
 *     numSubFrames(6) numProgram(4) numLayer(3) AudioSpecificConfig frameLengthType(3) latmBufferFullness(8)
 *     otherDataPresent(1) [otherDataLenBits] crcCheckPresent(1) [crcCheckSum(8)]
 * </pre>
 *
 * <p>With {@code cpresent=0} the StreamMuxConfig comes from the fmtp {@code config} (hex); with
 * {@code cpresent=1} it comes in-band, and a change of its AudioSpecificConfig changes {@link #currentFormat()}
 * (announced before the next frame). Frames of one packet get timestamps {@code ts + i * 1024} (the RTP clock
 * is assumed to be the sampling rate, as RFC 6416 recommends).
 *
 * <p>Unsupported (counted, packet dropped): audioMuxVersionA 1, more than one program or layer, frameLengthType
 * other than 0 (CELP, HVXC, fixed), an AudioSpecificConfig whose length cannot be known in audioMuxVersion 0
 * (channelConfiguration 0 with a program config element, object types outside the AAC family, error protection
 * configs). An AudioMuxElement larger than {@code maxElementSize} is dropped as oversize; on loss the element
 * being joined is dropped.
 *
 * <p>Thread safety: single thread. Allocation: one pooled buffer per frame, one per fragmented element; arrays and
 * a format only when the StreamMuxConfig changes.
 */
public final class LatmDepacketizer extends RtpDepacketizer
{
    /**
     * Default largest AudioMuxElement: 64 KiB.
     */
    public static final int DEFAULT_MAX_ELEMENT_SIZE = 65_536;

    private static final int FRAME_SAMPLES = 1024;
    private static final int OK = 0;
    private static final int BAD = -1;
    private static final int UNSUPPORTED = -2;

    private final boolean muxConfigPresent;
    private final int maxElementSize;
    private final BufBitReader bits = new BufBitReader();
    private boolean configured;
    private int numSubFrames;
    private boolean otherDataPresent;
    private long otherDataLenBits;
    private byte[] audioSpecificConfig;
    private TrackFormat format;
    private ByteBuf pending;
    private long pendingTimestamp;

    /**
     * @param muxConfigPresent the fmtp {@code cpresent} (default 1 when absent).
     * @param streamMuxConfig  the fmtp {@code config} bytes, or null; required when {@code muxConfigPresent} is
     *                         false.
     * @param allocator        buffers for frames (pooled in production).
     * @param handler          receives the frames.
     * @param maxElementSize   largest AudioMuxElement in bytes, at least 1.
     * @throws IllegalArgumentException if the config is required but missing, malformed or unsupported, or the
     *                                  limit is below 1.
     */
    public LatmDepacketizer(
        final boolean muxConfigPresent,
        final byte[] streamMuxConfig,
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler,
        final int maxElementSize)
    {
        super(allocator, handler);
        if (maxElementSize < 1)
        {
            throw new IllegalArgumentException("max element size: maxElementSize=" + maxElementSize);
        }

        this.muxConfigPresent = muxConfigPresent;
        this.maxElementSize = maxElementSize;
        if (streamMuxConfig != null && streamMuxConfig.length > 0)
        {
            bits.reset(Unpooled.wrappedBuffer(streamMuxConfig), 0, streamMuxConfig.length);
            final int result = readStreamMuxConfig(true);
            if (result != OK)
            {
                throw new IllegalArgumentException("latm config: " + (result == BAD ? "malformed" : "unsupported") +
                    " config=" + RtpFmtp.toHex(streamMuxConfig));
            }
        }
        else if (!muxConfigPresent)
        {
            throw new IllegalArgumentException("latm config: cpresent=0 without config");
        }
    }

    /**
     * @param fmtp      parameters from {@link RtpFmtp#parse} ({@code cpresent}, {@code config}).
     * @param allocator buffers for frames.
     * @param handler   receives the frames.
     * @return a depacketizer with the default element limit.
     * @throws IllegalArgumentException as the constructor, or for a config that is not hex.
     */
    public static LatmDepacketizer fromFmtp(
        final Map<String, String> fmtp,
        final ByteBufAllocator allocator,
        final RtpAccessUnitHandler handler)
    {
        final String config = fmtp.get("config");
        return new LatmDepacketizer(RtpFmtp.intParam(fmtp, "cpresent", 1) != 0,
            config == null || config.isEmpty() ? null : RtpFmtp.hex(config), allocator, handler,
            DEFAULT_MAX_ELEMENT_SIZE);
    }

    @Override
    public TrackFormat currentFormat()
    {
        return format;
    }

    /**
     * @return the AudioSpecificConfig of the current StreamMuxConfig (a copy), or null if none yet.
     */
    public byte[] audioSpecificConfig()
    {
        return audioSpecificConfig == null ? null : audioSpecificConfig.clone();
    }

    @Override
    public void flush()
    {
        dropPending();
    }

    @Override
    public void close()
    {
        if (pending != null)
        {
            pending.release();
            pending = null;
        }
    }

    @Override
    void onLoss()
    {
        dropPending();
    }

    @Override
    DepacketizeResult depacketize(final RtpPacket packet)
    {
        final long timestamp = packet.timestamp();
        if (pending != null && timestamp != pendingTimestamp)
        {
            dropPending();
        }

        if (pending == null && packet.marker())
        {
            return parseElements(packet.buffer(), packet.payloadOffset(), packet.payloadLength(), timestamp);
        }

        if (pending == null)
        {
            pending = allocator.buffer(Math.min(maxElementSize, Math.max(256, 2 * packet.payloadLength())));
            pendingTimestamp = timestamp;
        }

        if (pending.readableBytes() + packet.payloadLength() > maxElementSize)
        {
            dropPending();
            return DepacketizeResult.OVERSIZE;
        }

        pending.writeBytes(packet.buffer(), packet.payloadOffset(), packet.payloadLength());
        if (!packet.marker())
        {
            return DepacketizeResult.OK;
        }

        final ByteBuf element = pending;
        pending = null;
        try
        {
            return parseElements(element, element.readerIndex(), element.readableBytes(), timestamp);
        }
        finally
        {
            element.release();
        }
    }

    private DepacketizeResult parseElements(final ByteBuf buf, final int offset, final int length, final long ts)
    {
        if (length == 0)
        {
            return DepacketizeResult.MALFORMED;
        }

        bits.reset(buf, offset, length);
        int frames = 0;
        while (bits.bitsLeft() >= 8)
        {
            if (muxConfigPresent && !bits.readFlag())
            {
                final int result = readStreamMuxConfig(false);
                if (result != OK)
                {
                    brokenAccessUnits++;
                    return result == BAD ? DepacketizeResult.MALFORMED : DepacketizeResult.UNSUPPORTED;
                }
            }

            if (!configured)
            {
                return DepacketizeResult.MALFORMED;
            }

            for (int subFrame = 0; subFrame <= numSubFrames; subFrame++)
            {
                if (!emitSubFrame(ts + (long)frames * FRAME_SAMPLES))
                {
                    brokenAccessUnits++;
                    return DepacketizeResult.MALFORMED;
                }

                frames++;
            }

            if (otherDataPresent)
            {
                bits.skipBits(otherDataLenBits);
            }

            bits.byteAlign();
            if (bits.overrun())
            {
                return DepacketizeResult.MALFORMED;
            }
        }

        return DepacketizeResult.OK;
    }

    private boolean emitSubFrame(final long timestamp)
    {
        int size = 0;
        int chunk;
        do
        {
            chunk = (int)bits.readBits(8);
            size += chunk;
        }
        while (chunk == 255 && !bits.overrun());

        if (bits.overrun() || size == 0 || 8L * size > bits.bitsLeft())
        {
            return false;
        }

        final ByteBuf frame = allocator.buffer(size, size);
        bits.copyBytes(size, frame);
        announceFormat();
        emittedAccessUnits++;
        try
        {
            handler.onAccessUnit(timestamp & 0xFFFF_FFFFL, FrameFlags.KEYFRAME, frame);
        }
        finally
        {
            frame.release();
        }

        return true;
    }

    /**
     * @param outOfBand whether the config comes from the SDP's {@code config=} parameter.
     */
    private int readStreamMuxConfig(final boolean outOfBand)
    {
        final int version = (int)bits.readBits(1);
        if (version == 1 && bits.readFlag())
        {
            return UNSUPPORTED;
        }

        if (version == 1)
        {
            readLatmValue();
        }

        bits.readBits(1);
        final int subFrames = (int)bits.readBits(6);
        final int programs = (int)bits.readBits(4);
        final int layers = (int)bits.readBits(3);
        if (programs != 0 || layers != 0)
        {
            return bits.overrun() ? BAD : UNSUPPORTED;
        }

        final byte[] asc = readAudioSpecificConfig(version);
        if (asc == null)
        {
            return bits.overrun() ? BAD : UNSUPPORTED;
        }

        if (outOfBand && version == 0 && bits.bitsLeft() < 13)
        {
            // GStreamer's rtpmp4apay (e.g. config=40002320) ends the SDP config right after the
            // AudioSpecificConfig; the fields it leaves out have the values such senders use: frame length type 0,
            // no other data, no CRC.
            return configure(subFrames, false, 0, asc);
        }

        final int frameLengthType = (int)bits.readBits(3);
        if (frameLengthType != 0)
        {
            return bits.overrun() ? BAD : UNSUPPORTED;
        }

        bits.readBits(8);
        final boolean otherData = bits.readFlag();
        long otherBits = 0;
        if (otherData && version == 1)
        {
            otherBits = readLatmValue();
        }
        else if (otherData)
        {
            boolean escape;
            int rounds = 0;
            do
            {
                escape = bits.readFlag();
                otherBits = (otherBits << 8) + bits.readBits(8);
            }
            while (escape && ++rounds < 4 && !bits.overrun());
        }

        if (bits.readFlag())
        {
            bits.readBits(8);
        }

        if (bits.overrun())
        {
            return BAD;
        }

        return configure(subFrames, otherData, otherBits, asc);
    }

    private int configure(final int subFrames, final boolean otherData, final long otherBits, final byte[] asc)
    {
        numSubFrames = subFrames;
        otherDataPresent = otherData;
        otherDataLenBits = otherBits;
        configured = true;
        if (!Arrays.equals(asc, audioSpecificConfig))
        {
            audioSpecificConfig = asc;
            format = formatOf(asc);
        }

        return OK;
    }

    private byte[] readAudioSpecificConfig(final int version)
    {
        if (version == 1)
        {
            final long ascBits = readLatmValue();
            if (ascBits <= 0 || ascBits > bits.bitsLeft() || ascBits > 8 * 64)
            {
                return null;
            }

            return copyBits(bits.bitPosition(), (int)ascBits);
        }

        final long start = bits.bitPosition();
        final int length = audioSpecificConfigBits();
        if (length < 0 || bits.overrun())
        {
            return null;
        }

        final byte[] asc = copyBits(start, length);
        bits.seek(start + length);
        return asc;
    }

    private byte[] copyBits(final long start, final int count)
    {
        bits.seek(start);
        final byte[] out = new byte[(count + 7) / 8];
        int left = count;
        for (int i = 0; i < out.length; i++)
        {
            final int take = Math.min(8, left);
            out[i] = (byte)(bits.readBits(take) << (8 - take));
            left -= take;
        }

        return out;
    }

    /**
     * Measures an AudioSpecificConfig by parsing it (ISO/IEC 14496-3 1.6.2.1, GASpecificConfig 4.4.1).
     *
     * @return its length in bits, or -1 if its length cannot be known here.
     */
    private int audioSpecificConfigBits()
    {
        final long start = bits.bitPosition();
        int objectType = readObjectType();
        skipSamplingFrequency();
        final int channelConfiguration = (int)bits.readBits(4);
        if (objectType == 5 || objectType == 29)
        {
            skipSamplingFrequency();
            objectType = readObjectType();
            if (objectType == 22)
            {
                bits.readBits(4);
            }
        }

        switch (objectType)
        {
            case 1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23 ->
            {
                if (!skipGaSpecificConfig(objectType, channelConfiguration))
                {
                    return -1;
                }
            }
            default ->
            {
                return -1;
            }
        }

        if (objectType >= 17)
        {
            final int epConfig = (int)bits.readBits(2);
            if (epConfig == 2 || epConfig == 3)
            {
                return -1;
            }
        }

        return (int)(bits.bitPosition() - start);
    }

    private boolean skipGaSpecificConfig(final int objectType, final int channelConfiguration)
    {
        bits.readBits(1);
        if (bits.readFlag())
        {
            bits.readBits(14);
        }

        final boolean extension = bits.readFlag();
        if (channelConfiguration == 0)
        {
            return false;
        }

        if (objectType == 6 || objectType == 20)
        {
            bits.readBits(3);
        }

        if (extension)
        {
            if (objectType == 22)
            {
                bits.readBits(16);
            }

            if (objectType == 17 || objectType == 19 || objectType == 20 || objectType == 23)
            {
                bits.readBits(3);
            }

            bits.readBits(1);
        }

        return true;
    }

    private int readObjectType()
    {
        final int objectType = (int)bits.readBits(5);
        return objectType == 31 ? 32 + (int)bits.readBits(6) : objectType;
    }

    private void skipSamplingFrequency()
    {
        if (bits.readBits(4) == 15)
        {
            bits.readBits(24);
        }
    }

    private long readLatmValue()
    {
        final int bytes = (int)bits.readBits(2);
        long value = 0;
        for (int i = 0; i <= bytes; i++)
        {
            value = (value << 8) | bits.readBits(8);
        }

        return value;
    }

    private void dropPending()
    {
        if (pending != null)
        {
            pending.release();
            pending = null;
            brokenAccessUnits++;
        }
    }

    private static TrackFormat formatOf(final byte[] asc)
    {
        try
        {
            return TrackFormats.aac(asc);
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }
}
