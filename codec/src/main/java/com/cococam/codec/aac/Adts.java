package com.cococam.codec.aac;

import io.netty.buffer.ByteBuf;

/**
 * ADTS framing of raw AAC frames (ISO/IEC 13818-7 6.2; ISO/IEC 14496-3 1.A.2).
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |   syncword 0xFFF      |I|Lay|A|Prf|  SFI  |P| ch  |O|H|B|S|len|
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   |  frame_length (cont.)   |  buffer fullness    |RDB| [CRC 16]  |
 *   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *   I: ID (0 = MPEG-4), Lay: layer (00), A: protection_absent, Prf: profile (object type - 1),
 *   SFI: sampling_frequency_index, len: 13-bit frame_length including the header, RDB: raw blocks - 1
 * </pre>
 *
 * <p>Thread safety: stateless. Allocation: {@link #parse} allocates one small record.
 */
public final class Adts
{
    /**
     * Size of an ADTS header without CRC.
     */
    public static final int HEADER_SIZE = 7;

    /**
     * Size of an ADTS header with CRC.
     */
    public static final int HEADER_SIZE_WITH_CRC = 9;

    /**
     * Largest frame_length the 13-bit field can carry.
     */
    public static final int MAX_FRAME_LENGTH = 0x1FFF;

    private static final int VBR_BUFFER_FULLNESS = 0x7FF;

    private Adts()
    {
    }

    /**
     * Writes a 7-byte ADTS header (MPEG-4 ID, no CRC, buffer fullness 0x7FF meaning VBR, one raw data block).
     *
     * @param config         the stream's config: its object type must be 1 to 4 (ADTS has a 2-bit profile), its
     *                       sampling frequency index 0 to 12 and its channel configuration 0 to 7.
     * @param rawFrameLength length of the raw frame that will follow, 0 to {@code 8191 - 7}.
     * @param out            receives 7 bytes at its writer index.
     * @throws IllegalArgumentException if the config or length cannot be expressed in ADTS (nothing written).
     */
    public static void writeHeader(final AudioSpecificConfig config, final int rawFrameLength, final ByteBuf out)
    {
        final int profile = config.objectType() - 1;
        if (profile < 0 || profile > 3)
        {
            throw new IllegalArgumentException("adts object type: objectType=" + config.objectType());
        }

        if (config.samplingFrequencyIndex() > 12)
        {
            throw new IllegalArgumentException("adts sampling frequency index: index=" +
                config.samplingFrequencyIndex());
        }

        if (config.channelConfiguration() > 7)
        {
            throw new IllegalArgumentException("adts channels: channelConfiguration=" +
                config.channelConfiguration());
        }

        final int frameLength = rawFrameLength + HEADER_SIZE;
        if (rawFrameLength < 0 || frameLength > MAX_FRAME_LENGTH)
        {
            throw new IllegalArgumentException("adts frame length: rawFrameLength=" + rawFrameLength);
        }

        final int channels = config.channelConfiguration();
        out.writeByte(0xFF);
        out.writeByte(0xF1);
        out.writeByte((profile << 6) | (config.samplingFrequencyIndex() << 2) | (channels >> 2));
        out.writeByte(((channels & 3) << 6) | (frameLength >> 11));
        out.writeByte((frameLength >> 3) & 0xFF);
        out.writeByte(((frameLength & 7) << 5) | (VBR_BUFFER_FULLNESS >> 6));
        out.writeByte((VBR_BUFFER_FULLNESS & 0x3F) << 2);
    }

    /**
     * Parses the ADTS header at {@code buf.readerIndex()} without moving any index.
     *
     * @param buf the buffer; at least 7 readable bytes are needed (the CRC bytes are not needed).
     * @return the header, or null if fewer than 7 bytes are readable, the sync word or layer is wrong, the sampling
     *         frequency index is reserved, or frame_length is smaller than the header.
     */
    public static AdtsHeader parse(final ByteBuf buf)
    {
        return parse(buf, buf.readerIndex());
    }

    /**
     * Parses the ADTS header at an absolute index without moving any index.
     *
     * @param buf   the buffer.
     * @param index absolute index of the header's first byte; bytes up to {@code writerIndex} are available.
     * @return the header, or null as for {@link #parse(ByteBuf)}.
     */
    public static AdtsHeader parse(final ByteBuf buf, final int index)
    {
        if (index < 0 || buf.writerIndex() - index < HEADER_SIZE)
        {
            return null;
        }

        final int b1 = buf.getUnsignedByte(index + 1);
        if (buf.getUnsignedByte(index) != 0xFF || (b1 & 0xF6) != 0xF0)
        {
            return null;
        }

        final boolean crcPresent = (b1 & 1) == 0;
        final int b2 = buf.getUnsignedByte(index + 2);
        final int b3 = buf.getUnsignedByte(index + 3);
        final int profileObjectType = (b2 >> 6) + 1;
        final int samplingFrequencyIndex = (b2 >> 2) & 0xF;
        final int sampleRate = AudioSpecificConfig.sampleRateOf(samplingFrequencyIndex);
        final int channels = ((b2 & 1) << 2) | (b3 >> 6);
        final int frameLength = ((b3 & 3) << 11) | (buf.getUnsignedByte(index + 4) << 3) |
            (buf.getUnsignedByte(index + 5) >> 5);
        final int headerLength = crcPresent ? HEADER_SIZE_WITH_CRC : HEADER_SIZE;
        if (sampleRate < 0 || frameLength < headerLength)
        {
            return null;
        }

        return new AdtsHeader(profileObjectType, sampleRate, samplingFrequencyIndex, channels, frameLength,
            headerLength, crcPresent);
    }

    /**
     * Measures an ID3v2 tag (ID3v2.4 structure, section 3.1) at an index. ADTS streams can carry such tags in
     * front of or between frames (HLS timed metadata, encoder comments); a demuxer skips them.
     *
     * <pre>
     *   "ID3" | version(2) | flags(1) | size(4, syncsafe: 7 bits per byte) | body | [footer 10 bytes if flag 0x10]
     * </pre>
     *
     * @param buf   the buffer; indexes unchanged.
     * @param index absolute index to look at.
     * @return the whole tag length in bytes (header, body, footer), or 0 if no complete ID3v2 header (10 bytes)
     *         with a valid syncsafe size starts there. The tag body may extend past {@code writerIndex}.
     */
    public static int id3TagLength(final ByteBuf buf, final int index)
    {
        if (index < 0 || buf.writerIndex() - index < 10 || buf.getByte(index) != 'I' ||
            buf.getByte(index + 1) != 'D' || buf.getByte(index + 2) != '3')
        {
            return 0;
        }

        int size = 0;
        for (int i = 6; i < 10; i++)
        {
            final int b = buf.getUnsignedByte(index + i);
            if (b > 0x7F)
            {
                return 0;
            }

            size = (size << 7) | b;
        }

        final boolean footer = (buf.getUnsignedByte(index + 5) & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }
}
