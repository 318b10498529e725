package com.cococam.codec.mpegts;

import com.cococam.codec.aac.Adts;
import com.cococam.codec.aac.AudioSpecificConfig;
import com.cococam.codec.h264.AvcDecoderConfigurationRecord;
import com.cococam.codec.h264.H264;
import com.cococam.codec.h264.NalUnits;
import com.cococam.codec.h265.H265;
import com.cococam.codec.h265.HevcDecoderConfigurationRecord;
import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Muxes one stream (at most one video and one audio track) into MPEG-2 transport stream packets
 * (ISO/IEC 13818-1), as HLS segments need: PAT/PMT, one PES per access unit, PCR on the video PID.
 *
 * <pre>
 * TS packet (188 bytes):
 *  +--------+--------+--------+--------+------------------------------+-------------------+
 *  |  0x47  |E|S|P|  PID (13)  |SC|AF|CC| [adaptation field]           | payload           |
 *  +--------+--------+--------+--------+------------------------------+-------------------+
 *   S: payload_unit_start_indicator (first packet of a PES or section), AF: 01 payload, 11 adaptation + payload
 *   adaptation field: length | flags (0x40 random_access, 0x10 PCR) | [PCR 6 bytes] | stuffing 0xFF
 *
 * PES: 00 00 01 stream_id | length (0 for video) | 0x84 | 0xC0 or 0x80 | header length | PTS [DTS]
 *  video ES: AUD, then on keyframes the decoder config's VPS/SPS/PPS, then the access unit's NAL units,
 *            all with 4-byte Annex-B start codes (AUD NAL units already in the access unit are dropped)
 *  audio ES: ADTS header + raw AAC frame
 * </pre>
 *
 * <p>PIDs: PMT {@link #PID_PMT}, video {@link #PID_VIDEO} (stream_type 0x1B H.264, 0x24 H.265), audio
 * {@link #PID_AUDIO} (0x0F AAC ADTS). PCR PID: video, or audio when there is no video; every PES on the PCR PID
 * carries a PCR equal to its DTS. Timestamps are taken modulo 2^33 (the PTS wrap). Continuity counters run per
 * PID over the life of the muxer, so consecutive HLS segments from one muxer play as one stream.
 *
 * <p>Usage: {@link #writeTables} at the start of every segment (and before the first frame), then
 * {@link #writeVideo}/{@link #writeAudio} per access unit in decode order.
 *
 * <p>Buffer ownership: input payloads are read, not kept, and their indexes are not moved; output is appended at
 * {@code out}'s writer index, always whole 188-byte packets.
 *
 * <p>Allocation: none per frame (header scratch and parameter sets are prepared once); {@code out} grows as
 * Netty buffers do. Each payload byte is copied once, into {@code out}.
 *
 * <p>Thread safety: single thread.
 */
public final class TsMuxer
{
    /**
     * Size of a TS packet.
     */
    public static final int PACKET_SIZE = 188;

    /**
     * PID of the PMT.
     */
    public static final int PID_PMT = 0x1000;

    /**
     * PID of the video elementary stream.
     */
    public static final int PID_VIDEO = 0x100;

    /**
     * PID of the audio elementary stream.
     */
    public static final int PID_AUDIO = 0x101;

    /**
     * stream_type of H.264 video.
     */
    public static final int STREAM_TYPE_H264 = 0x1B;

    /**
     * stream_type of H.265 video.
     */
    public static final int STREAM_TYPE_H265 = 0x24;

    /**
     * stream_type of AAC in ADTS.
     */
    public static final int STREAM_TYPE_AAC_ADTS = 0x0F;

    private static final int PID_PAT = 0;
    private static final int PAYLOAD_SIZE = PACKET_SIZE - 4;
    private static final long TIMESTAMP_MASK = (1L << 33) - 1;
    private static final int STREAM_ID_VIDEO = 0xE0;
    private static final int STREAM_ID_AUDIO = 0xC0;
    private static final byte[] AUD_H264 = {0, 0, 0, 1, 0x09, (byte)0xF0};
    private static final byte[] AUD_H265 = {0, 0, 0, 1, 0x46, 0x01, 0x50};
    private static final int[] CRC_TABLE = crcTable();
    private static final ByteBuf FILL = fill();

    private final TrackFormat video;
    private final TrackFormat audio;
    private final AudioSpecificConfig adtsConfig;
    private final ByteBuf patSection;
    private final ByteBuf pmtSection;
    private final ByteBuf parameterSets;
    private final ByteBuf aud;
    private final ByteBuf startCode = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 1});
    private final ByteBuf header = Unpooled.wrappedBuffer(new byte[64]);
    private final int pcrPid;
    private int ccPat;
    private int ccPmt;
    private int ccVideo;
    private int ccAudio;

    private int pid;
    private int packetRemaining;
    private long pesRemaining;

    /**
     * @param video the H.264 or H.265 track, or null.
     * @param audio the AAC track, or null.
     * @throws IllegalArgumentException if both are null, a track has the wrong codec, the video config record
     *                                  does not parse, or the AAC config cannot be written as ADTS.
     */
    public TsMuxer(final TrackFormat video, final TrackFormat audio)
    {
        if (video == null && audio == null)
        {
            throw new IllegalArgumentException("no tracks");
        }

        if (video != null && !video.isVideo())
        {
            throw new IllegalArgumentException("not a video track: codec=" + video.codec());
        }

        if (audio != null && audio.codec() != CodecId.AAC)
        {
            throw new IllegalArgumentException("not an AAC track: codec=" + audio.codec());
        }

        this.video = video;
        this.audio = audio;
        this.pcrPid = video != null ? PID_VIDEO : PID_AUDIO;
        this.adtsConfig = audio != null ? adtsConfig(audio) : null;
        this.parameterSets = Unpooled.wrappedBuffer(video != null ? parameterSets(video) : new byte[0]);
        this.aud = Unpooled.wrappedBuffer(video != null && video.codec() == CodecId.H265 ? AUD_H265 : AUD_H264);
        this.patSection = Unpooled.wrappedBuffer(patSection());
        this.pmtSection = Unpooled.wrappedBuffer(pmtSection());
    }

    /**
     * Writes a PAT and a PMT packet.
     *
     * @param out receives 2 * {@link #PACKET_SIZE} bytes.
     */
    public void writeTables(final ByteBuf out)
    {
        writeSection(out, PID_PAT, ccPat, patSection);
        ccPat = (ccPat + 1) & 0x0F;
        writeSection(out, PID_PMT, ccPmt, pmtSection);
        ccPmt = (ccPmt + 1) & 0x0F;
    }

    /**
     * Writes one video access unit as one PES.
     *
     * @param out              receives whole TS packets.
     * @param dts90k           decode time, 90 kHz (any 64-bit value; written modulo 2^33).
     * @param pts90k           presentation time, 90 kHz.
     * @param keyframe         whether it is a random access point: the parameter sets are inserted and the
     *                         random_access_indicator is set.
     * @param lengthPrefixedAu the access unit with 4-byte NAL lengths; indexes unchanged.
     * @return true if written; false (nothing written) if the access unit is malformed or has no NAL unit.
     * @throws IllegalStateException if the muxer has no video track.
     */
    public boolean writeVideo(
        final ByteBuf out,
        final long dts90k,
        final long pts90k,
        final boolean keyframe,
        final ByteBuf lengthPrefixedAu)
    {
        if (video == null)
        {
            throw new IllegalStateException("no video track");
        }

        if (NalUnits.countLengthPrefixed(lengthPrefixedAu) <= 0)
        {
            return false;
        }

        final boolean h265 = video.codec() == CodecId.H265;
        long esSize = aud.readableBytes() + (keyframe ? parameterSets.readableBytes() : 0);
        final int end = lengthPrefixedAu.writerIndex();
        for (int index = lengthPrefixedAu.readerIndex(); index < end; )
        {
            final int length = lengthPrefixedAu.getInt(index);
            if (length > 0 && !isAud(h265, lengthPrefixedAu.getByte(index + 4)))
            {
                esSize += 4 + length;
            }

            index += 4 + length;
        }

        header.clear();
        writePesHeader(header, STREAM_ID_VIDEO, 0, pts90k, dts90k, pts90k != dts90k);
        beginPes(out, PID_VIDEO, header.readableBytes() + esSize, dts90k, keyframe);
        emit(out, header, 0, header.readableBytes());
        emit(out, aud, 0, aud.readableBytes());
        if (keyframe)
        {
            emit(out, parameterSets, 0, parameterSets.readableBytes());
        }

        for (int index = lengthPrefixedAu.readerIndex(); index < end; )
        {
            final int length = lengthPrefixedAu.getInt(index);
            index += 4;
            if (length > 0 && !isAud(h265, lengthPrefixedAu.getByte(index)))
            {
                emit(out, startCode, 0, 4);
                emit(out, lengthPrefixedAu, index, length);
            }

            index += length;
        }

        return true;
    }

    /**
     * Writes one raw AAC frame as one PES with an ADTS header.
     *
     * @param out         receives whole TS packets.
     * @param pts90k      presentation time, 90 kHz.
     * @param rawAacFrame one raw AAC frame (no ADTS header); indexes unchanged.
     * @return true if written; false (nothing written) if the frame is empty or too long for ADTS.
     * @throws IllegalStateException if the muxer has no audio track.
     */
    public boolean writeAudio(final ByteBuf out, final long pts90k, final ByteBuf rawAacFrame)
    {
        if (audio == null)
        {
            throw new IllegalStateException("no audio track");
        }

        final int length = rawAacFrame.readableBytes();
        if (length == 0 || length > Adts.MAX_FRAME_LENGTH - Adts.HEADER_SIZE)
        {
            return false;
        }

        header.clear();
        writePesHeader(header, STREAM_ID_AUDIO, 3 + 5 + Adts.HEADER_SIZE + length, pts90k, pts90k, false);
        Adts.writeHeader(adtsConfig, length, header);
        beginPes(out, PID_AUDIO, header.readableBytes() + length, pts90k, true);
        emit(out, header, 0, header.readableBytes());
        emit(out, rawAacFrame, rawAacFrame.readerIndex(), length);
        return true;
    }

    private static boolean isAud(final boolean h265, final byte nalHeader)
    {
        return h265 ? H265.nalType(nalHeader) == H265.NAL_AUD : H264.nalType(nalHeader) == H264.NAL_AUD;
    }

    private void beginPes(final ByteBuf out, final int pesPid, final long size, final long dts90k, final boolean rap)
    {
        pid = pesPid;
        pesRemaining = size;
        startPacket(out, true, rap ? 0x40 : 0, pesPid == pcrPid ? dts90k & TIMESTAMP_MASK : -1);
    }

    private void startPacket(final ByteBuf out, final boolean unitStart, final int flags, final long pcrBase)
    {
        final boolean pcr = pcrBase >= 0;
        int adaptation = flags != 0 || pcr ? 2 + (pcr ? 6 : 0) : 0;
        final int capacity = PAYLOAD_SIZE - adaptation;
        adaptation += pesRemaining < capacity ? (int)(capacity - pesRemaining) : 0;
        writePacketHeader(out, unitStart, adaptation);
        if (adaptation > 0)
        {
            // A one-byte adaptation field is just its length byte (0): the way to stuff a single byte.
            out.writeByte(adaptation - 1);
            if (adaptation > 1)
            {
                out.writeByte(flags | (pcr ? 0x10 : 0));
                int written = 2;
                if (pcr)
                {
                    out.writeInt((int)(pcrBase >>> 1));
                    out.writeByte((int)((pcrBase & 1) << 7) | 0x7E);
                    out.writeByte(0);
                    written += 6;
                }

                out.writeBytes(FILL, 0, adaptation - written);
            }
        }

        packetRemaining = PAYLOAD_SIZE - adaptation;
    }

    private void writePacketHeader(final ByteBuf out, final boolean unitStart, final int adaptation)
    {
        final int cc;
        if (pid == PID_VIDEO)
        {
            cc = ccVideo;
            ccVideo = (ccVideo + 1) & 0x0F;
        }
        else
        {
            cc = ccAudio;
            ccAudio = (ccAudio + 1) & 0x0F;
        }

        out.writeByte(0x47);
        out.writeByte((unitStart ? 0x40 : 0) | (pid >> 8 & 0x1F));
        out.writeByte(pid & 0xFF);
        out.writeByte((adaptation > 0 ? 0x30 : 0x10) | cc);
    }

    private void emit(final ByteBuf out, final ByteBuf src, final int offset, final int length)
    {
        int index = offset;
        int left = length;
        while (left > 0)
        {
            if (packetRemaining == 0)
            {
                startPacket(out, false, 0, -1);
            }

            final int chunk = Math.min(left, packetRemaining);
            out.writeBytes(src, index, chunk);
            index += chunk;
            left -= chunk;
            packetRemaining -= chunk;
            pesRemaining -= chunk;
        }
    }

    private static void writePesHeader(
        final ByteBuf out,
        final int streamId,
        final int packetLength,
        final long pts90k,
        final long dts90k,
        final boolean withDts)
    {
        out.writeMedium(0x000001);
        out.writeByte(streamId);
        out.writeShort(packetLength > 0xFFFF ? 0 : packetLength);
        out.writeByte(0x84);
        out.writeByte(withDts ? 0xC0 : 0x80);
        out.writeByte(withDts ? 10 : 5);
        writeTimestamp(out, withDts ? 0x3 : 0x2, pts90k);
        if (withDts)
        {
            writeTimestamp(out, 0x1, dts90k);
        }
    }

    private static void writeTimestamp(final ByteBuf out, final int prefix, final long t90k)
    {
        final long t = t90k & TIMESTAMP_MASK;
        out.writeByte((int)(prefix << 4 | ((t >>> 29) & 0x0E) | 1));
        out.writeByte((int)(t >>> 22));
        out.writeByte((int)(((t >>> 14) & 0xFE) | 1));
        out.writeByte((int)(t >>> 7));
        out.writeByte((int)(((t << 1) & 0xFE) | 1));
    }

    private static void writeSection(final ByteBuf out, final int sectionPid, final int cc, final ByteBuf section)
    {
        out.writeByte(0x47);
        out.writeByte(0x40 | (sectionPid >> 8 & 0x1F));
        out.writeByte(sectionPid & 0xFF);
        out.writeByte(0x10 | cc);
        out.writeByte(0);
        out.writeBytes(section, 0, section.readableBytes());
        out.writeBytes(FILL, 0, PAYLOAD_SIZE - 1 - section.readableBytes());
    }

    private static byte[] patSection()
    {
        final ByteBuf section = Unpooled.buffer(16);
        section.writeByte(0x00);
        section.writeShort(0xB000 | 13);
        section.writeShort(1);
        section.writeByte(0xC1);
        section.writeByte(0);
        section.writeByte(0);
        section.writeShort(1);
        section.writeShort(0xE000 | PID_PMT);
        return withCrc(section);
    }

    private byte[] pmtSection()
    {
        final int streams = (video != null ? 1 : 0) + (audio != null ? 1 : 0);
        final ByteBuf section = Unpooled.buffer(32);
        section.writeByte(0x02);
        section.writeShort(0xB000 | (13 + 5 * streams));
        section.writeShort(1);
        section.writeByte(0xC1);
        section.writeByte(0);
        section.writeByte(0);
        section.writeShort(0xE000 | pcrPid);
        section.writeShort(0xF000);
        if (video != null)
        {
            section.writeByte(video.codec() == CodecId.H265 ? STREAM_TYPE_H265 : STREAM_TYPE_H264);
            section.writeShort(0xE000 | PID_VIDEO);
            section.writeShort(0xF000);
        }

        if (audio != null)
        {
            section.writeByte(STREAM_TYPE_AAC_ADTS);
            section.writeShort(0xE000 | PID_AUDIO);
            section.writeShort(0xF000);
        }

        return withCrc(section);
    }

    private static byte[] withCrc(final ByteBuf section)
    {
        final int crc = crc32(section, 0, section.readableBytes());
        section.writeInt(crc);
        final byte[] bytes = new byte[section.readableBytes()];
        section.getBytes(0, bytes);
        return bytes;
    }

    /**
     * CRC-32/MPEG-2 (polynomial 0x04C11DB7, initial value all ones, no reflection, no final xor) used by PSI
     * sections.
     *
     * @param buf    the bytes.
     * @param offset first byte.
     * @param length byte count.
     * @return the CRC.
     */
    static int crc32(final ByteBuf buf, final int offset, final int length)
    {
        int crc = 0xFFFF_FFFF;
        for (int i = offset; i < offset + length; i++)
        {
            crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ buf.getUnsignedByte(i)) & 0xFF];
        }

        return crc;
    }

    private static int[] crcTable()
    {
        final int[] table = new int[256];
        for (int i = 0; i < 256; i++)
        {
            int c = i << 24;
            for (int bit = 0; bit < 8; bit++)
            {
                c = (c & 0x8000_0000) != 0 ? (c << 1) ^ 0x04C1_1DB7 : c << 1;
            }

            table[i] = c;
        }

        return table;
    }

    private static byte[] parameterSets(final TrackFormat video)
    {
        final List<byte[]> nals = new ArrayList<>();
        if (video.codec() == CodecId.H264)
        {
            final AvcDecoderConfigurationRecord record = AvcDecoderConfigurationRecord.parse(video.decoderConfig());
            nals.addAll(record.sps());
            nals.addAll(record.pps());
        }
        else
        {
            final HevcDecoderConfigurationRecord record = HevcDecoderConfigurationRecord.parse(video.decoderConfig());
            nals.addAll(record.vps());
            nals.addAll(record.sps());
            nals.addAll(record.pps());
        }

        final ByteArrayOutputStream annexB = new ByteArrayOutputStream();
        for (final byte[] nal : nals)
        {
            annexB.write(0);
            annexB.write(0);
            annexB.write(0);
            annexB.write(1);
            annexB.write(nal, 0, nal.length);
        }

        return annexB.toByteArray();
    }

    private static AudioSpecificConfig adtsConfig(final TrackFormat audio)
    {
        final AudioSpecificConfig asc = AudioSpecificConfig.parse(audio.decoderConfig());
        // ADTS has no room for explicit SBR/PS signalling: describe the AAC LC core, decoders find SBR implicitly.
        final AudioSpecificConfig adts = asc.objectType() == AudioSpecificConfig.AOT_SBR ||
            asc.objectType() == AudioSpecificConfig.AOT_PS ?
            new AudioSpecificConfig(AudioSpecificConfig.AOT_AAC_LC, asc.samplingFrequencyIndex(), asc.sampleRate(),
                asc.channelConfiguration(), asc.raw()) :
            asc;
        Adts.writeHeader(adts, 0, Unpooled.buffer(Adts.HEADER_SIZE));
        return adts;
    }

    private static ByteBuf fill()
    {
        final byte[] bytes = new byte[PACKET_SIZE];
        Arrays.fill(bytes, (byte)0xFF);
        return Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(bytes));
    }
}
