package com.cococam.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class NettyLeakCheckTest
{
    @Test
    void shouldReportABufferThatWasNeverReleased()
    {
        NettyLeakCheck.collectReportedLeaks();
        leakOne();

        List<String> leaks = List.of();
        for (int attempt = 0; attempt < 20 && leaks.isEmpty(); attempt++)
        {
            leaks = NettyLeakCheck.collectReportedLeaks();
        }

        assertFalse(leaks.isEmpty(), "the leak must be reported");
        assertTrue(leaks.get(0).contains("leakOne"), leaks.get(0));
    }

    private static void leakOne()
    {
        final ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(128);
        leaked.writeInt(42);
    }
}
