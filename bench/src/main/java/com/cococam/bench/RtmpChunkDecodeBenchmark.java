package com.cococam.bench;

import com.cococam.codec.flv.FlvTagWriter;
import com.cococam.codec.media.CodecId;
import com.cococam.protocols.rtmp.chunk.RtmpChunkDecoder;
import com.cococam.protocols.rtmp.chunk.RtmpChunkWriter;
import com.cococam.protocols.rtmp.chunk.RtmpMessage;
import com.cococam.protocols.rtmp.chunk.RtmpMessageTypes;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * RTMP ingest: {@link RtmpChunkDecoder} reassembling one 30 KB video message sent as chunks of 4096 bytes (after a
 * Set Chunk Size), in an {@link EmbeddedChannel} with the server's pooled allocator. One operation = the bytes of
 * one message delivered (as one read, or as 1448-byte TCP segments), the message read from the channel and
 * released.
 *
 * <p>Runs on a FastThreadLocalThread: in production the decoder runs on the connection's event loop.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {BenchJvm.NO_LEAK_DETECTION, BenchJvm.NO_ANALYTICS, BenchJvm.QUIET_LOGS,
    BenchJvm.XMS, BenchJvm.XMX, BenchJvm.NETTY_EXECUTOR, BenchJvm.NETTY_EXECUTOR_CLASS})
public class RtmpChunkDecodeBenchmark
{
    /** Chunk size the publisher announced. */
    public static final int CHUNK_SIZE = 4096;

    /** Bytes per read: a whole message at once, or one Ethernet-MSS segment at a time. */
    @Param({"whole", "1448"})
    public String read;

    private EmbeddedChannel channel;
    private ByteBuf wire;
    private int segment;

    /**
     * Announces the chunk size and pre-encodes the video message.
     */
    @Setup(Level.Trial)
    public void setUp()
    {
        channel = new EmbeddedChannel();
        channel.config().setAllocator(BenchMedia.ALLOC);
        channel.pipeline().addLast(new RtmpChunkDecoder());

        final ByteBuf setChunkSize = BenchMedia.ALLOC.buffer(4).writeInt(CHUNK_SIZE);
        final ByteBuf control = RtmpChunkWriter.preEncode(BenchMedia.ALLOC, 128, 2, 0,
            RtmpMessageTypes.SET_CHUNK_SIZE, 0, setChunkSize);
        setChunkSize.release();
        channel.writeInbound(control);

        final ByteBuf au = BenchMedia.videoUnit(BenchMedia.VIDEO_UNIT_BYTES, false, 3);
        final ByteBuf body = BenchMedia.ALLOC.buffer(BenchMedia.VIDEO_UNIT_BYTES + 16);
        FlvTagWriter.writeVideo(CodecId.H264, 0, 0, false, au, body);
        au.release();
        wire = RtmpChunkWriter.preEncode(BenchMedia.ALLOC, CHUNK_SIZE, 6, 1, RtmpMessageTypes.VIDEO, 40, body);
        body.release();
        segment = "whole".equals(read) ? wire.readableBytes() : Integer.parseInt(read);
        if (decodeOne() != BenchMedia.VIDEO_UNIT_BYTES + 5)
        {
            throw new IllegalStateException("decoded message has the wrong length");
        }
    }

    /**
     * Frees the channel and the encoded bytes.
     */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        channel.finishAndReleaseAll();
        wire.release();
    }

    /**
     * One message through the decoder.
     *
     * @return the decoded body length.
     */
    @Benchmark
    public int decode()
    {
        return decodeOne();
    }

    private int decodeOne()
    {
        final int total = wire.readableBytes();
        for (int offset = 0; offset < total; offset += segment)
        {
            channel.pipeline().fireChannelRead(wire.retainedSlice(offset, Math.min(segment, total - offset)));
        }

        channel.pipeline().fireChannelReadComplete();
        final RtmpMessage message = channel.readInbound();
        if (message == null)
        {
            throw new IllegalStateException("no message decoded");
        }

        final int length = message.payload().readableBytes();
        message.release();
        return length;
    }
}
