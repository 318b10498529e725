package com.cococam.server.stream;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.TrackFormat;
import com.lmax.disruptor.RingBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class AccessUnitEventTest
{
    private static final TrackFormat[] FORMATS = {
        new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711A, 0, 0, 8000, 1, new byte[0], ""),
        new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711U, 0, 0, 8000, 1, new byte[0], ""),
        new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711A, 0, 0, 16000, 1, new byte[0], "")};

    @Test
    void shouldKeepEachSlotsPayloadAndFormatApartThroughSeveralWrapsOfTheRing()
    {
        final int size = 64;
        final RingBuffer<AccessUnitEvent> ring = AccessUnitEvent.newRing(size);
        for (int i = 0; i < size; i++)
        {
            assertNull(ring.get(i).payload(), "a never-used slot has no payload");
            assertNull(ring.get(i).format(), "a never-used slot has no format");
        }

        final ByteBuf[] published = new ByteBuf[size];
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < size; i++)
            {
                final long sequence = ring.next();
                final ByteBuf payload = Unpooled.buffer(4).writeInt(round * 1000 + i);
                ring.get(sequence).payload(payload);
                ring.get(sequence).format(FORMATS[(int)((sequence + round) % FORMATS.length)]);
                published[(int)(sequence % size)] = payload;
                ring.publish(sequence);
            }

            for (int i = 0; i < size; i++)
            {
                final AccessUnitEvent slot = ring.get(i);
                assertSame(published[i], slot.payload(), "slot " + i + " round " + round);
                assertEquals(round * 1000 + i, slot.payload().getInt(0));
                assertEquals(4, slot.size());
                assertSame(FORMATS[(round * size + i + round) % FORMATS.length], slot.format(), "format of slot " + i);
            }
        }
    }

    @Test
    void shouldGiveEveryEventOutsideARingItsOwnPayloadAndFormat()
    {
        final AccessUnitEvent first = new AccessUnitEvent();
        final AccessUnitEvent second = new AccessUnitEvent();
        final ByteBuf payload = Unpooled.buffer(3).writeMedium(7);
        first.payload(payload);
        first.format(FORMATS[0]);

        assertSame(payload, first.payload());
        assertSame(FORMATS[0], first.format());
        assertNull(second.payload());
        assertNull(second.format());
        assertEquals(0, second.size());
        first.payload(null);
        assertEquals(0, first.size());
    }
}
