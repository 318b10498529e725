package com.cococam.server.stream;

import java.util.function.Consumer;

/**
 * Encodes access units once for every viewer of one output protocol. One instance per stream and protocol,
 * used by the thread that runs the stream's fan-out only (see {@link FanoutDrain}).
 */
public interface FrameEncoder
{
    /**
     * Encodes one unit. When the unit's format differs from the last one seen, the encoder first emits the
     * frames that announce the new format (sequence headers).
     *
     * @param stream the stream.
     * @param event  the unit; valid during the call only.
     * @param out    receives the encoded frames in order; each with one reference that the receiver owns.
     */
    void encode(LiveStream stream, AccessUnitEvent event, Consumer<OutFrame> out);

    /**
     * Frames a newly joined viewer needs before any media: metadata and sequence headers of the current formats.
     *
     * @param stream the stream.
     * @param out    receives the frames, each with one reference that the receiver owns.
     */
    void writeHeaders(LiveStream stream, Consumer<OutFrame> out);

    /**
     * Whether the frames this encoder made for the group may be replayed as they are to a viewer that joins later
     * (after {@link #writeHeaders} from a fresh encoder). True when a frame's bytes do not depend on when it is
     * sent (RTMP: absolute timestamps on fixed chunk streams). An encoder whose frames carry running state (RTP
     * sequence numbers and sender reports) says false, and each joiner's GOP is encoded afresh for it.
     *
     * @return whether the group's frames can be shared with joiners.
     */
    default boolean framesReplayable()
    {
        return true;
    }

    /**
     * Releases what the encoder holds (scratch buffers). Called once, by the fan-out owner.
     */
    default void close()
    {
    }
}
