package com.cococam.server.record;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Layout of one journal record: the bytes of one Chronicle Queue document, little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------------+
 *  |  record type  |    version    |    track id   | format count  |
 *  +---------------+---------------+---------------+---------------+
 *  |                         flags (int)                           |
 *  +---------------------------------------------------------------+
 *  |                        dts90k (long)                          |
 *  +---------------------------------------------------------------+
 *  |                        pts90k (long)                          |
 *  +---------------------------------------------------------------+
 *  |                      wallClockMs (long)                       |
 *  +---------------------------------------------------------------+
 *  |                    payload length (int)                       |
 *  +---------------------------------------------------------------+
 *  |   format count format blocks (see below) ...                  |
 *  +---------------------------------------------------------------+
 *  |   payload bytes ...                                           |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A {@link #TYPE_FORMAT} record has one format block and no payload (flags and timestamps 0). A
 * {@link #TYPE_ACCESS_UNIT} record may carry format blocks in front of its payload: an indexed keyframe carries
 * the formats of every known track, so a reader that seeks to it needs nothing earlier in the journal.
 *
 * <p>Format block: int block length (bytes after this int), byte track id, byte codec name length, codec name
 * (ASCII enum name), int width, int height, int sample rate, int channels, int decoder config length, decoder
 * config bytes, short codecs string length, codecs string (UTF-8).
 */
final class RecordLayout
{
    static final byte TYPE_FORMAT = 1;
    static final byte TYPE_ACCESS_UNIT = 2;
    static final byte VERSION = 1;
    static final int HEADER_LENGTH = 36;

    /**
     * Track ids must be below this (bit masks of tracks are ints and formats live in small arrays).
     */
    static final int MAX_TRACKS = 8;

    /**
     * Largest decoder config accepted (a VPS+SPS+PPS record is far smaller).
     */
    static final int MAX_DECODER_CONFIG_LENGTH = 64 * 1024;

    private RecordLayout()
    {
    }

    /**
     * Encodes a format block. Allocates (called on format changes only).
     *
     * @param format the format; its track id must be in [0, MAX_TRACKS).
     * @return the block bytes, length prefix included.
     */
    static byte[] encodeFormat(final TrackFormat format)
    {
        final byte[] codecName = format.codec().name().getBytes(StandardCharsets.US_ASCII);
        final byte[] codecs = format.codecsString().getBytes(StandardCharsets.UTF_8);
        final byte[] config = format.decoderConfig();
        if (config.length > MAX_DECODER_CONFIG_LENGTH || codecs.length > Short.MAX_VALUE)
        {
            throw new IllegalArgumentException("format: decoderConfig or codecsString too long track=" +
                format.trackId());
        }

        final int bodyLength = 1 + 1 + codecName.length + 16 + 4 + config.length + 2 + codecs.length;
        final ByteBuffer buffer = ByteBuffer.allocate(4 + bodyLength).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(bodyLength);
        buffer.put((byte)format.trackId());
        buffer.put((byte)codecName.length);
        buffer.put(codecName);
        buffer.putInt(format.width());
        buffer.putInt(format.height());
        buffer.putInt(format.sampleRate());
        buffer.putInt(format.channels());
        buffer.putInt(config.length);
        buffer.put(config);
        buffer.putShort((short)codecs.length);
        buffer.put(codecs);

        return buffer.array();
    }

    /**
     * Decodes a format block. Allocates the format.
     *
     * @param block  bytes holding the block, length prefix included, starting at 0.
     * @param length the block length including its prefix.
     * @return the format.
     * @throws JournalException when the block is malformed.
     */
    static TrackFormat decodeFormat(final byte[] block, final int length)
    {
        try
        {
            final ByteBuffer buffer = ByteBuffer.wrap(block, 0, length).order(ByteOrder.LITTLE_ENDIAN);
            buffer.getInt();
            final int trackId = buffer.get();
            final byte[] codecName = new byte[buffer.get()];
            buffer.get(codecName);
            final int width = buffer.getInt();
            final int height = buffer.getInt();
            final int sampleRate = buffer.getInt();
            final int channels = buffer.getInt();
            final byte[] config = new byte[buffer.getInt()];
            buffer.get(config);
            final byte[] codecs = new byte[buffer.getShort()];
            buffer.get(codecs);
            final CodecId codec = CodecId.valueOf(new String(codecName, StandardCharsets.US_ASCII));

            return new TrackFormat(trackId, codec, width, height, sampleRate, channels, config,
                new String(codecs, StandardCharsets.UTF_8));
        }
        catch (final RuntimeException ex)
        {
            throw new JournalException("journal: malformed format block length=" + length, ex);
        }
    }

    /**
     * @param block an encoded block.
     * @return its track id.
     */
    static int trackIdOf(final byte[] block)
    {
        return block[4];
    }
}
