package com.cococam.protocols.rtmp.chunk;

/**
 * RTMP message type ids (Adobe RTMP specification 1.0, sections 5.4 and 7.1) and user control event types
 * (section 7.1.7).
 */
public final class RtmpMessageTypes
{
    /** Protocol control: Set Chunk Size (u32, top bit zero). */
    public static final int SET_CHUNK_SIZE = 1;
    /** Protocol control: Abort Message (u32 chunk stream id). */
    public static final int ABORT = 2;
    /** Protocol control: Acknowledgement (u32 sequence number = bytes received). */
    public static final int ACKNOWLEDGEMENT = 3;
    /** User Control Message (u16 event type + event data). */
    public static final int USER_CONTROL = 4;
    /** Protocol control: Window Acknowledgement Size (u32). */
    public static final int WINDOW_ACK_SIZE = 5;
    /** Protocol control: Set Peer Bandwidth (u32 window + u8 limit type). */
    public static final int SET_PEER_BANDWIDTH = 6;
    /** Audio data: an FLV audio tag body. */
    public static final int AUDIO = 8;
    /** Video data: an FLV video tag body. */
    public static final int VIDEO = 9;
    /** Data message, AMF3 flavour (first byte 0x00 then AMF0 values in practice). */
    public static final int DATA_AMF3 = 15;
    /** Shared object, AMF3. */
    public static final int SHARED_OBJECT_AMF3 = 16;
    /** Command message, AMF3 flavour (first byte 0x00 then AMF0 values). */
    public static final int COMMAND_AMF3 = 17;
    /** Data message, AMF0 (e.g. @setDataFrame, onMetaData). */
    public static final int DATA_AMF0 = 18;
    /** Shared object, AMF0. */
    public static final int SHARED_OBJECT_AMF0 = 19;
    /** Command message, AMF0 (connect, createStream, publish, play, ...). */
    public static final int COMMAND_AMF0 = 20;
    /** Aggregate message: a run of FLV tags. */
    public static final int AGGREGATE = 22;

    /** User control event: Stream Begin (u32 stream id). */
    public static final int EVENT_STREAM_BEGIN = 0;
    /** User control event: Stream EOF (u32 stream id). */
    public static final int EVENT_STREAM_EOF = 1;
    /** User control event: Stream Dry (u32 stream id). */
    public static final int EVENT_STREAM_DRY = 2;
    /** User control event: Set Buffer Length (u32 stream id, u32 buffer ms). */
    public static final int EVENT_SET_BUFFER_LENGTH = 3;
    /** User control event: Stream Is Recorded (u32 stream id). */
    public static final int EVENT_STREAM_IS_RECORDED = 4;
    /** User control event: Ping Request (u32 timestamp). */
    public static final int EVENT_PING_REQUEST = 6;
    /** User control event: Ping Response (u32 timestamp echoed). */
    public static final int EVENT_PING_RESPONSE = 7;

    private RtmpMessageTypes()
    {
    }
}
