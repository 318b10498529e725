package com.cococam.codec.fmp4;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.util.List;

/**
 * Writes a CMAF / fragmented MP4 initialization segment (ISO/IEC 14496-12, ISO/IEC 23000-19): {@code ftyp} plus
 * {@code moov} with one {@code trak} per track and {@code mvex/trex} entries, no samples.
 *
 * <pre>
 *  ftyp  (major iso6; compatible iso6 cmfc iso5 mp41)
 *  moov
 *   +- mvhd                        timescale 1000, duration 0
 *   +- trak (per track)
 *   |   +- tkhd                    track_ID = trackId + 1, width/height for video
 *   |   +- mdia
 *   |       +- mdhd                timescale 90000 (video) or sample rate (audio)
 *   |       +- hdlr                vide / soun
 *   |       +- minf
 *   |           +- vmhd | smhd
 *   |           +- dinf / dref / url
 *   |           +- stbl
 *   |               +- stsd        avc1+avcC | hvc1+hvcC | mp4a+esds
 *   |               +- stts stsc stsz stco (empty)
 *   +- mvex
 *       +- trex (per track)
 * </pre>
 *
 * <p>The timescales match {@link Fmp4FragmentWriter}: use both with the same track list.
 *
 * <p>Thread safety: stateless. Allocation: the returned buffer (from {@code alloc}, owned by the caller, who
 * must release it); this is a per-format-change operation, not a per-sample one.
 */
public final class Fmp4InitSegment
{
    /**
     * Timescale of video tracks (the internal 90 kHz clock).
     */
    public static final int VIDEO_TIMESCALE = 90_000;

    /**
     * Longest AudioSpecificConfig accepted (keeps every esds descriptor length in one byte).
     */
    public static final int MAX_AUDIO_CONFIG_SIZE = 100;

    private static final int MOVIE_TIMESCALE = 1000;
    private static final int LANGUAGE_UND = ('u' - 0x60) << 10 | ('n' - 0x60) << 5 | ('d' - 0x60);

    private Fmp4InitSegment()
    {
    }

    /**
     * @param track a track.
     * @return the media timescale used for it: {@link #VIDEO_TIMESCALE} for video, the sample rate for audio.
     */
    public static int timescale(final TrackFormat track)
    {
        return track.isVideo() ? VIDEO_TIMESCALE : track.sampleRate();
    }

    /**
     * @param track a track.
     * @return its track_ID in the file: {@code trackId + 1} (track_ID 0 is not allowed).
     */
    public static int trackIdInFile(final TrackFormat track)
    {
        return track.trackId() + 1;
    }

    /**
     * Writes the init segment.
     *
     * @param alloc  allocator of the returned buffer.
     * @param tracks the tracks, at least one, each with a distinct trackId; audio tracks need a positive sample
     *               rate.
     * @return a new buffer holding ftyp+moov; the caller owns and releases it.
     * @throws IllegalArgumentException if the list is empty, a trackId repeats, an audio sample rate is not
     *                                  positive or an AudioSpecificConfig is longer than
     *                                  {@link #MAX_AUDIO_CONFIG_SIZE}.
     */
    public static ByteBuf write(final ByteBufAllocator alloc, final List<TrackFormat> tracks)
    {
        validate(tracks);
        int configBytes = 0;
        for (final TrackFormat track : tracks)
        {
            configBytes += track.decoderConfig().length;
        }

        final ByteBuf out = alloc.buffer(256 + tracks.size() * 640 + configBytes);
        try
        {
            writeFtyp(out);
            final int moov = Boxes.begin(out, Boxes.fourCc("moov"));
            writeMvhd(out, tracks);
            for (final TrackFormat track : tracks)
            {
                writeTrak(out, track);
            }

            final int mvex = Boxes.begin(out, Boxes.fourCc("mvex"));
            for (final TrackFormat track : tracks)
            {
                final int trex = Boxes.beginFull(out, Boxes.fourCc("trex"), 0, 0);
                out.writeInt(trackIdInFile(track));
                out.writeInt(1);
                out.writeInt(0);
                out.writeInt(0);
                out.writeInt(0);
                Boxes.end(out, trex);
            }

            Boxes.end(out, mvex);
            Boxes.end(out, moov);
            return out;
        }
        catch (final RuntimeException ex)
        {
            out.release();
            throw ex;
        }
    }

    private static void validate(final List<TrackFormat> tracks)
    {
        if (tracks.isEmpty())
        {
            throw new IllegalArgumentException("no tracks");
        }

        for (int i = 0; i < tracks.size(); i++)
        {
            final TrackFormat track = tracks.get(i);
            if (!track.isVideo() && track.sampleRate() <= 0)
            {
                throw new IllegalArgumentException("audio sample rate not positive: sampleRate=" + track.sampleRate());
            }

            if (!track.isVideo() && track.decoderConfig().length > MAX_AUDIO_CONFIG_SIZE)
            {
                throw new IllegalArgumentException(
                    "AudioSpecificConfig too long: length=" + track.decoderConfig().length);
            }

            for (int j = 0; j < i; j++)
            {
                if (tracks.get(j).trackId() == track.trackId())
                {
                    throw new IllegalArgumentException("duplicate track: trackId=" + track.trackId());
                }
            }
        }
    }

    private static void writeFtyp(final ByteBuf out)
    {
        final int ftyp = Boxes.begin(out, Boxes.fourCc("ftyp"));
        out.writeInt(Boxes.fourCc("iso6"));
        out.writeInt(0);
        out.writeInt(Boxes.fourCc("iso6"));
        out.writeInt(Boxes.fourCc("cmfc"));
        out.writeInt(Boxes.fourCc("iso5"));
        out.writeInt(Boxes.fourCc("mp41"));
        Boxes.end(out, ftyp);
    }

    private static void writeMvhd(final ByteBuf out, final List<TrackFormat> tracks)
    {
        int nextTrackId = 1;
        for (final TrackFormat track : tracks)
        {
            nextTrackId = Math.max(nextTrackId, trackIdInFile(track) + 1);
        }

        final int mvhd = Boxes.beginFull(out, Boxes.fourCc("mvhd"), 0, 0);
        out.writeInt(0);
        out.writeInt(0);
        out.writeInt(MOVIE_TIMESCALE);
        out.writeInt(0);
        out.writeInt(0x0001_0000);
        out.writeShort(0x0100);
        Boxes.zeros(out, 10);
        Boxes.unityMatrix(out);
        Boxes.zeros(out, 24);
        out.writeInt(nextTrackId);
        Boxes.end(out, mvhd);
    }

    private static void writeTrak(final ByteBuf out, final TrackFormat track)
    {
        final int trak = Boxes.begin(out, Boxes.fourCc("trak"));
        final int tkhd = Boxes.beginFull(out, Boxes.fourCc("tkhd"), 0, 0x000003);
        out.writeInt(0);
        out.writeInt(0);
        out.writeInt(trackIdInFile(track));
        out.writeInt(0);
        out.writeInt(0);
        Boxes.zeros(out, 8);
        out.writeShort(0);
        out.writeShort(0);
        out.writeShort(track.isVideo() ? 0 : 0x0100);
        out.writeShort(0);
        Boxes.unityMatrix(out);
        out.writeInt(track.isVideo() ? track.width() << 16 : 0);
        out.writeInt(track.isVideo() ? track.height() << 16 : 0);
        Boxes.end(out, tkhd);

        final int mdia = Boxes.begin(out, Boxes.fourCc("mdia"));
        final int mdhd = Boxes.beginFull(out, Boxes.fourCc("mdhd"), 0, 0);
        out.writeInt(0);
        out.writeInt(0);
        out.writeInt(timescale(track));
        out.writeInt(0);
        out.writeShort(LANGUAGE_UND);
        out.writeShort(0);
        Boxes.end(out, mdhd);

        final int hdlr = Boxes.beginFull(out, Boxes.fourCc("hdlr"), 0, 0);
        out.writeInt(0);
        out.writeInt(Boxes.fourCc(track.isVideo() ? "vide" : "soun"));
        Boxes.zeros(out, 12);
        writeCString(out, track.isVideo() ? "VideoHandler" : "SoundHandler");
        Boxes.end(out, hdlr);

        writeMinf(out, track);
        Boxes.end(out, mdia);
        Boxes.end(out, trak);
    }

    private static void writeMinf(final ByteBuf out, final TrackFormat track)
    {
        final int minf = Boxes.begin(out, Boxes.fourCc("minf"));
        if (track.isVideo())
        {
            final int vmhd = Boxes.beginFull(out, Boxes.fourCc("vmhd"), 0, 1);
            Boxes.zeros(out, 8);
            Boxes.end(out, vmhd);
        }
        else
        {
            final int smhd = Boxes.beginFull(out, Boxes.fourCc("smhd"), 0, 0);
            Boxes.zeros(out, 4);
            Boxes.end(out, smhd);
        }

        final int dinf = Boxes.begin(out, Boxes.fourCc("dinf"));
        final int dref = Boxes.beginFull(out, Boxes.fourCc("dref"), 0, 0);
        out.writeInt(1);
        final int url = Boxes.beginFull(out, Boxes.fourCc("url "), 0, 1);
        Boxes.end(out, url);
        Boxes.end(out, dref);
        Boxes.end(out, dinf);

        final int stbl = Boxes.begin(out, Boxes.fourCc("stbl"));
        final int stsd = Boxes.beginFull(out, Boxes.fourCc("stsd"), 0, 0);
        out.writeInt(1);
        if (track.isVideo())
        {
            writeVisualSampleEntry(out, track);
        }
        else
        {
            writeMp4a(out, track);
        }

        Boxes.end(out, stsd);
        writeEmptyTable(out, "stts", 0);
        writeEmptyTable(out, "stsc", 0);
        writeEmptyTable(out, "stsz", 1);
        writeEmptyTable(out, "stco", 0);
        Boxes.end(out, stbl);
        Boxes.end(out, minf);
    }

    private static void writeEmptyTable(final ByteBuf out, final String type, final int leadingZeroInts)
    {
        final int box = Boxes.beginFull(out, Boxes.fourCc(type), 0, 0);
        // stsz has sample_size before sample_count; the others only an entry count.
        for (int i = 0; i < leadingZeroInts; i++)
        {
            out.writeInt(0);
        }

        out.writeInt(0);
        Boxes.end(out, box);
    }

    private static void writeVisualSampleEntry(final ByteBuf out, final TrackFormat track)
    {
        final boolean h264 = track.codec() == CodecId.H264;
        final int entry = Boxes.begin(out, Boxes.fourCc(h264 ? "avc1" : "hvc1"));
        Boxes.zeros(out, 6);
        out.writeShort(1);
        Boxes.zeros(out, 16);
        out.writeShort(track.width());
        out.writeShort(track.height());
        out.writeInt(0x0048_0000);
        out.writeInt(0x0048_0000);
        out.writeInt(0);
        out.writeShort(1);
        Boxes.zeros(out, 32);
        out.writeShort(0x0018);
        out.writeShort(0xFFFF);

        final int config = Boxes.begin(out, Boxes.fourCc(h264 ? "avcC" : "hvcC"));
        out.writeBytes(track.decoderConfig());
        Boxes.end(out, config);
        Boxes.end(out, entry);
    }

    private static void writeMp4a(final ByteBuf out, final TrackFormat track)
    {
        final byte[] asc = track.decoderConfig();
        final int entry = Boxes.begin(out, Boxes.fourCc("mp4a"));
        Boxes.zeros(out, 6);
        out.writeShort(1);
        Boxes.zeros(out, 8);
        out.writeShort(track.channels() > 0 ? track.channels() : 2);
        out.writeShort(16);
        out.writeShort(0);
        out.writeShort(0);
        // 16.16 fixed point: rates above 65535 Hz do not fit; the AudioSpecificConfig carries the true rate.
        out.writeInt(track.sampleRate() <= 0xFFFF ? track.sampleRate() << 16 : 0);

        // ISO/IEC 14496-1 descriptors: ES_Descriptor > DecoderConfigDescriptor > DecoderSpecificInfo, SLConfig.
        final int decoderSpecificSize = 2 + asc.length;
        final int decoderConfigSize = 2 + 13 + decoderSpecificSize;
        final int esSize = 3 + decoderConfigSize + 3;
        final int esds = Boxes.beginFull(out, Boxes.fourCc("esds"), 0, 0);
        out.writeByte(0x03);
        out.writeByte(esSize);
        out.writeShort(0);
        out.writeByte(0);
        out.writeByte(0x04);
        out.writeByte(decoderConfigSize - 2);
        out.writeByte(0x40);
        out.writeByte(0x15);
        out.writeMedium(0);
        out.writeInt(0);
        out.writeInt(0);
        out.writeByte(0x05);
        out.writeByte(asc.length);
        out.writeBytes(asc);
        out.writeByte(0x06);
        out.writeByte(0x01);
        out.writeByte(0x02);
        Boxes.end(out, esds);
        Boxes.end(out, entry);
    }

    private static void writeCString(final ByteBuf out, final String ascii)
    {
        for (int i = 0; i < ascii.length(); i++)
        {
            out.writeByte(ascii.charAt(i));
        }

        out.writeByte(0);
    }
}
