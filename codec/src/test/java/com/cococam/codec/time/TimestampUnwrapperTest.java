package com.cococam.codec.time;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimestampUnwrapperTest
{
    @Test
    void shouldCarryAcross32BitWrap()
    {
        final TimestampUnwrapper unwrapper = new TimestampUnwrapper(10_000, 40);

        assertEquals(0xFFFF_FFF0L, unwrapper.unwrap(0xFFFF_FFF0L));
        assertEquals(0x1_0000_0010L, unwrapper.unwrap(0x10));
        assertFalse(unwrapper.lastWasJump());
        assertEquals(0x1_0000_0050L, unwrapper.unwrap(0x50));
    }

    @Test
    void shouldBridgeBackwardJumpAndFlagIt()
    {
        final TimestampUnwrapper unwrapper = new TimestampUnwrapper(10_000, 40);
        unwrapper.unwrap(500_000);
        unwrapper.unwrap(500_040);

        final long bridged = unwrapper.unwrap(0);

        assertTrue(unwrapper.lastWasJump());
        assertEquals(500_080, bridged);
        assertEquals(500_120, unwrapper.unwrap(40));
        assertFalse(unwrapper.lastWasJump());
    }

    @Test
    void shouldBridgeForwardJump()
    {
        final TimestampUnwrapper unwrapper = new TimestampUnwrapper(10_000, 40);
        unwrapper.unwrap(1000);

        assertEquals(1040, unwrapper.unwrap(1000 + 3_600_000));
        assertTrue(unwrapper.lastWasJump());
    }

    @Test
    void shouldAcceptSmallBackwardSteps()
    {
        final TimestampUnwrapper unwrapper = new TimestampUnwrapper(10_000, 40);
        unwrapper.unwrap(1000);

        assertEquals(990, unwrapper.unwrap(990));
        assertFalse(unwrapper.lastWasJump());
    }
}
