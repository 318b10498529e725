package com.cococam.protocols.rtmp.handshake;

import com.cococam.protocols.rtmp.RtmpErrorCode;
import com.cococam.protocols.rtmp.RtmpProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RtmpServerHandshakeHandlerTest
{
    private static final byte[] KEY_SUFFIX = ByteBufUtil.decodeHexDump(
        "f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae");

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final List<Throwable> errors = new ArrayList<>();

    @Test
    void shouldEchoC1AsS2InPlainHandshakeAndPassLeftoverBytesOn()
    {
        final EmbeddedChannel channel = channel(5_000);
        final byte[] c1 = random(1536, 1);
        Arrays.fill(c1, 0, 8, (byte)0);

        channel.writeInbound(buffer(new byte[] {3}, c1));
        final byte[] response = readAll(channel);

        assertEquals(3073, response.length);
        assertEquals(3, response[0]);
        assertArrayEquals(new byte[8], Arrays.copyOfRange(response, 1, 9), "S1 time and zero fields");
        assertArrayEquals(c1, Arrays.copyOfRange(response, 1537, 3073), "S2 echoes C1");
        assertEquals(-1, handshake(channel).clientScheme());

        channel.writeInbound(buffer(random(1536, 2), new byte[] {7, 8, 9}));
        assertNull(channel.pipeline().get(RtmpServerHandshakeHandler.class), "handler removed itself");
        final ByteBuf leftover = channel.readInbound();
        assertEquals("070809", ByteBufUtil.hexDump(leftover));
        leftover.release();
        assertTrue(channel.isOpen());
        finish(channel);
    }

    @ParameterizedTest(name = "scheme {0}")
    @ValueSource(ints = {0, 1})
    void shouldAnswerDigestC1WithSignedS1AndS2(final int scheme) throws Exception
    {
        final EmbeddedChannel channel = channel(5_000);
        final byte[] c1 = random(1536, 10 + scheme);
        c1[4] = (byte)0x80;
        c1[5] = 0;
        c1[6] = 7;
        c1[7] = 2;
        final int clientOffset = offset(c1, scheme);
        final byte[] clientDigest = hmac(key("Genuine Adobe Flash Player 001", 30), without(c1, clientOffset));
        System.arraycopy(clientDigest, 0, c1, clientOffset, 32);

        channel.writeInbound(buffer(new byte[] {3}, c1));
        final byte[] response = readAll(channel);

        assertEquals(scheme, handshake(channel).clientScheme());
        final byte[] s1 = Arrays.copyOfRange(response, 1, 1537);
        final byte[] s2 = Arrays.copyOfRange(response, 1537, 3073);
        assertNotEquals(0, s1[4] | s1[5] | s1[6] | s1[7], "S1 version field set");
        final int serverOffset = offset(s1, scheme);
        assertArrayEquals(hmac(key("Genuine Adobe Flash Media Server 001", 36), without(s1, serverOffset)),
            Arrays.copyOfRange(s1, serverOffset, serverOffset + 32), "S1 digest at the client's scheme");
        final byte[] s2Key = hmac(key("Genuine Adobe Flash Media Server 001", 68), clientDigest);
        assertArrayEquals(hmac(s2Key, Arrays.copyOf(s2, 1504)), Arrays.copyOfRange(s2, 1504, 1536),
            "S2 signed with the key derived from the client digest");

        channel.writeInbound(buffer(random(1536, 3)));
        assertNull(channel.pipeline().get(RtmpServerHandshakeHandler.class));
        finish(channel);
    }

    @Test
    void shouldFallBackToPlainWhenVersionSetButNoDigestVerifies()
    {
        final EmbeddedChannel channel = channel(5_000);
        final byte[] c1 = random(1536, 4);
        c1[4] = 9;

        channel.writeInbound(buffer(new byte[] {3}, c1));
        final byte[] response = readAll(channel);

        assertEquals(-1, handshake(channel).clientScheme());
        assertArrayEquals(c1, Arrays.copyOfRange(response, 1537, 3073));
        finish(channel);
    }

    @Test
    void shouldCloseWithTypedErrorOnWrongVersion()
    {
        final EmbeddedChannel channel = channel(5_000);

        channel.writeInbound(buffer(new byte[] {6}, random(1536, 5)));

        assertFalse(channel.isOpen());
        assertEquals(RtmpErrorCode.HANDSHAKE_VERSION, onlyError().code());
        assertNull(channel.readOutbound(), "nothing answered");
        finish(channel);
    }

    @Test
    void shouldCloseWithTypedErrorWhenHandshakeIsTruncated()
    {
        final EmbeddedChannel channel = channel(1_000);
        channel.writeInbound(buffer(new byte[] {3}, random(100, 6)));

        channel.advanceTimeBy(999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertTrue(channel.isOpen());
        channel.advanceTimeBy(2, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertFalse(channel.isOpen());
        assertEquals(RtmpErrorCode.HANDSHAKE_TIMEOUT, onlyError().code());
        finish(channel);
    }

    @Test
    void shouldNotTimeOutAfterCompletedHandshake()
    {
        final EmbeddedChannel channel = channel(1_000);
        final byte[] c1 = random(1536, 7);
        Arrays.fill(c1, 0, 8, (byte)0);
        channel.writeInbound(buffer(new byte[] {3}, c1));
        readAll(channel);
        channel.writeInbound(buffer(random(1536, 8)));

        channel.advanceTimeBy(5, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertTrue(channel.isOpen());
        assertTrue(errors.isEmpty());
        finish(channel);
    }

    private EmbeddedChannel channel(final long timeoutMs)
    {
        final EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.freezeTime();
        channel.pipeline().addLast(new RtmpServerHandshakeHandler(timeoutMs), new ChannelInboundHandlerAdapter()
        {
            @Override
            public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
            {
                errors.add(cause);
            }
        });
        return channel;
    }

    private static RtmpServerHandshakeHandler handshake(final EmbeddedChannel channel)
    {
        return channel.pipeline().get(RtmpServerHandshakeHandler.class);
    }

    private RtmpProtocolException onlyError()
    {
        assertEquals(1, errors.size(), errors.toString());
        final RtmpProtocolException error = RtmpProtocolException.find(errors.get(0));
        assertTrue(error instanceof RtmpHandshakeException, String.valueOf(errors.get(0)));
        return error;
    }

    private void finish(final EmbeddedChannel channel)
    {
        channel.finishAndReleaseAll();
        assertEquals(0, alloc.metric().usedHeapMemory(), "every buffer released");
    }

    private ByteBuf buffer(final byte[]... parts)
    {
        final ByteBuf buf = alloc.heapBuffer();
        for (final byte[] part : parts)
        {
            buf.writeBytes(part);
        }

        return buf;
    }

    private static byte[] readAll(final EmbeddedChannel channel)
    {
        final ByteBuf out = channel.readOutbound();
        final byte[] bytes = ByteBufUtil.getBytes(out);
        out.release();
        return bytes;
    }

    private static byte[] random(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int offset(final byte[] packet, final int scheme)
    {
        final int base = scheme == 0 ? 8 : 772;
        int sum = 0;
        for (int i = 0; i < 4; i++)
        {
            sum += packet[base + i] & 0xFF;
        }

        return sum % 728 + base + 4;
    }

    private static byte[] without(final byte[] packet, final int offset)
    {
        final byte[] rest = new byte[packet.length - 32];
        System.arraycopy(packet, 0, rest, 0, offset);
        System.arraycopy(packet, offset + 32, rest, offset, packet.length - offset - 32);
        return rest;
    }

    private static byte[] key(final String prefix, final int length)
    {
        final byte[] ascii = prefix.getBytes(StandardCharsets.US_ASCII);
        final byte[] key = Arrays.copyOf(ascii, ascii.length + KEY_SUFFIX.length);
        System.arraycopy(KEY_SUFFIX, 0, key, ascii.length, KEY_SUFFIX.length);
        return Arrays.copyOf(key, length);
    }

    private static byte[] hmac(final byte[] key, final byte[] data) throws Exception
    {
        final Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
