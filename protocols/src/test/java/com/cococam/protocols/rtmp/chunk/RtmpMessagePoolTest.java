package com.cococam.protocols.rtmp.chunk;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtmpMessagePoolTest
{
    @Test
    void shouldReuseTheDecodedHolderOnAnEventLoopThreadWithTheNextMessagesFields() throws Exception
    {
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final Thread thread = new FastThreadLocalThread(() ->
        {
            try
            {
                outcome.complete(decodeTwoOnThisThread());
            }
            catch (final Throwable ex)
            {
                outcome.completeExceptionally(ex);
            }
        }, "rtmp-pool-test");
        thread.start();
        assertEquals("ok", outcome.get(20, TimeUnit.SECONDS));
        thread.join(TimeUnit.SECONDS.toMillis(20));
    }

    @Test
    void shouldRecycleTheHolderWhileItsPayloadLivesOnInASlice() throws Exception
    {
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final Thread thread = new FastThreadLocalThread(() ->
        {
            final EmbeddedChannel channel = new EmbeddedChannel(new RtmpChunkDecoder());
            channel.config().setAllocator(PooledByteBufAllocator.DEFAULT);
            try
            {
                channel.writeInbound(wire(6, RtmpMessageTypes.VIDEO, 1, 40, 100));
                final RtmpMessage first = channel.readInbound();
                // What an ingest does: keep a slice of the body beyond the message.
                final ByteBuf kept = first.payload().retainedSlice(10, 50);
                first.releaseHolder();
                assertEquals(1, kept.refCnt(), "the slice keeps the body");
                assertEquals(10, kept.getByte(0), "body bytes intact");

                channel.writeInbound(wire(4, RtmpMessageTypes.AUDIO, 1, 63, 20));
                final RtmpMessage second = channel.readInbound();
                assertSame(first, second, "holder back in the pool although its payload was still referenced");
                assertEquals(63, second.timestamp32Ms());
                assertEquals(20, second.payload().readableBytes());
                assertEquals(10, kept.getByte(0), "the kept slice is not disturbed by the reuse");
                second.releaseHolder();
                assertTrue(kept.release(), "the slice was the last reference of the first body");
                outcome.complete("ok");
            }
            catch (final Throwable ex)
            {
                outcome.completeExceptionally(ex);
            }
            finally
            {
                channel.finishAndReleaseAll();
            }
        }, "rtmp-pool-holder-test");
        thread.start();
        assertEquals("ok", outcome.get(20, TimeUnit.SECONDS));
        thread.join(TimeUnit.SECONDS.toMillis(20));
    }

    @Test
    void shouldRefuseAccessAfterTheFreeingReleaseAndKeepRetainedMessages()
    {
        final RtmpMessage pooled = RtmpMessage.pooled(4, RtmpMessageTypes.AUDIO, 1, 7,
            Unpooled.buffer(3).writeBytes(new byte[] {1, 2, 3}));
        pooled.retain();
        assertFalse(pooled.release(), "one reference left");
        assertEquals(3, pooled.payload().readableBytes());
        assertTrue(pooled.release());
        assertEquals(0, pooled.refCnt());
        assertThrows(IllegalReferenceCountException.class, pooled::payload);
        assertThrows(IllegalReferenceCountException.class, pooled::release);
    }

    @Test
    void shouldKeepConstructedMessagesOutOfThePool()
    {
        final ByteBuf body = Unpooled.buffer(2).writeShort(0x1234);
        final RtmpMessage message = new RtmpMessage(3, RtmpMessageTypes.COMMAND_AMF0, 0, 0x1_0000_0005L, body);
        final RtmpMessage copy = message.copy();
        assertEquals(5, message.timestamp32Ms(), "timestamp kept to 32 bits");
        assertTrue(message.release());
        assertEquals(0x1234, copy.payload().getUnsignedShort(0));
        assertEquals(RtmpMessageTypes.COMMAND_AMF0, copy.typeId());
        assertTrue(copy.release());
    }

    private static String decodeTwoOnThisThread()
    {
        final EmbeddedChannel channel = new EmbeddedChannel(new RtmpChunkDecoder());
        channel.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        try
        {
            channel.writeInbound(wire(6, RtmpMessageTypes.VIDEO, 1, 40, 100));
            final RtmpMessage first = channel.readInbound();
            assertEquals(100, first.payload().readableBytes());
            assertEquals(40, first.timestamp32Ms());
            assertTrue(first.release());

            channel.writeInbound(wire(4, RtmpMessageTypes.AUDIO, 1, 63, 20));
            final RtmpMessage second = channel.readInbound();
            assertSame(first, second, "holder recycled on a FastThreadLocalThread");
            assertEquals(4, second.chunkStreamId());
            assertEquals(RtmpMessageTypes.AUDIO, second.typeId());
            assertEquals(63, second.timestamp32Ms());
            assertEquals(20, second.payload().readableBytes());
            assertEquals(19, second.payload().getByte(second.payload().readerIndex() + 19));
            assertTrue(second.release());
            return "ok";
        }
        finally
        {
            channel.finishAndReleaseAll();
        }
    }

    private static ByteBuf wire(final int csid, final int type, final int msid, final long ts, final int length)
    {
        final ByteBuf body = Unpooled.buffer(length);
        for (int i = 0; i < length; i++)
        {
            body.writeByte(i);
        }

        final ByteBuf encoded = RtmpChunkWriter.preEncode(PooledByteBufAllocator.DEFAULT, 128, csid, msid, type, ts,
            body);
        body.release();
        return encoded;
    }
}
