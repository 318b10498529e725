package com.cococam.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * Receives RTP packets made by a packetizer.
 *
 * <p>Buffer ownership: each packet is a new pooled buffer whose ownership passes to the handler, which must
 * release it (writing it to a Netty channel does so).
 *
 * <p>Thread safety: called on the thread that calls the packetizer, from inside its call.
 */
@FunctionalInterface
public interface RtpPacketHandler
{
    /**
     * @param packet one whole RTP packet (header and payload) in its readable bytes; owned by the handler.
     */
    void onPacket(ByteBuf packet);
}
