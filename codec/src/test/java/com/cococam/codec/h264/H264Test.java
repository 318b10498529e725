package com.cococam.codec.h264;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static com.cococam.codec.h264.CodecSamples.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(30)
class H264Test
{
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"0x67, 7", "0x27, 7", "0x68, 8", "0x65, 5", "0x25, 5", "0x41, 1", "0x09, 9", "0x06, 6", "0xff, 31"})
    void shouldReadNalTypeFromHeaderByte(final String header, final int type)
    {
        assertEquals(type, H264.nalType(Integer.decode(header)));
        assertEquals(type, H264.nalType((byte)(int)Integer.decode(header)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "idr after sps and pps, 00000002 6742 00000002 68ce 00000003 658800, true",
        "idr with low nal_ref_idc, 00000002 2588, true",
        "non-idr slice, 00000003 41 9a 00, false",
        "aud then idr, 00000002 09f0 00000002 6588, true",
        "sps and pps only, 00000002 6742 00000002 68ce, false",
        "malformed before idr, 00000009 41 00000002 6588, false",
        "empty, '', false",
    })
    void shouldDetectKeyframesInLengthPrefixedAccessUnits(final String name, final String au, final boolean keyframe)
    {
        final ByteBuf buf = Unpooled.wrappedBuffer(hex(au));

        assertEquals(keyframe, H264.isKeyframe(buf));
        assertEquals(0, buf.readerIndex());
    }

    @Test
    void shouldCountTheDocumentedIdrPicturesOfASample()
    {
        // Each IDR slice becomes its own one-NAL access unit here; h264_srs_avatar has one slice per picture.
        final ByteBuf prefixed = PooledByteBufAllocator.DEFAULT.buffer();
        NalUnits.annexBToLengthPrefixed(Unpooled.wrappedBuffer(CodecSamples.bytes("h264_srs_avatar.h264")), prefixed);
        final int[] keyframes = new int[1];
        final int end = prefixed.writerIndex();
        int index = 0;
        while (index < end)
        {
            final int length = prefixed.getInt(index);
            if (H264.isKeyframe(prefixed.slice(index, 4 + length)))
            {
                keyframes[0]++;
            }

            index += 4 + length;
        }

        prefixed.release();
        assertEquals(CodecSamples.documentedNalTypeCounts("h264_srs_avatar.h264").get(H264.NAL_IDR), keyframes[0]);
    }
}
