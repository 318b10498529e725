package com.cococam.protocols.rtmp;

import io.netty.buffer.ByteBuf;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Test listener: records what the session reports, counts media bodies by FLV packet type, refuses on demand.
 */
final class RecordingListener implements RtmpServerListener
{
    final List<String> publishes = new CopyOnWriteArrayList<>();
    final List<String> plays = new CopyOnWriteArrayList<>();
    final List<Map<String, Object>> metadata = new CopyOnWriteArrayList<>();
    final List<Long> videoTimestamps = new CopyOnWriteArrayList<>();
    final List<Long> audioTimestamps = new CopyOnWriteArrayList<>();
    final AtomicInteger videoSequenceHeaders = new AtomicInteger();
    final AtomicInteger videoFrames = new AtomicInteger();
    final AtomicInteger audioSequenceHeaders = new AtomicInteger();
    final AtomicInteger audioFrames = new AtomicInteger();
    final AtomicInteger unpublished = new AtomicInteger();
    final AtomicInteger playStops = new AtomicInteger();
    final List<RtmpProtocolException> errors = new CopyOnWriteArrayList<>();
    final List<RtmpConnection> closed = new CopyOnWriteArrayList<>();
    final CountDownLatch firstClose = new CountDownLatch(1);
    volatile RtmpRefusedException refusal;
    volatile Consumer<RtmpConnection> onPlayStart = connection -> { };

    @Override
    public RtmpPublishHandle onPublish(
        final RtmpConnection connection,
        final String app,
        final String streamName,
        final Map<String, String> query) throws RtmpRefusedException
    {
        publishes.add(app + "|" + streamName + "|" + query);
        if (refusal != null)
        {
            throw refusal;
        }

        return new RtmpPublishHandle()
        {
            @Override
            public void onMetadata(final Map<String, Object> values)
            {
                metadata.add(values);
            }

            @Override
            public void onVideo(final long timestamp32Ms, final ByteBuf body)
            {
                videoTimestamps.add(timestamp32Ms);
                final int packetType = body.readableBytes() > 1 ? body.getUnsignedByte(body.readerIndex() + 1) : -1;
                (packetType == 0 ? videoSequenceHeaders : packetType == 1 ? videoFrames : new AtomicInteger())
                    .incrementAndGet();
            }

            @Override
            public void onAudio(final long timestamp32Ms, final ByteBuf body)
            {
                audioTimestamps.add(timestamp32Ms);
                final int packetType = body.readableBytes() > 1 ? body.getUnsignedByte(body.readerIndex() + 1) : -1;
                (packetType == 0 ? audioSequenceHeaders : packetType == 1 ? audioFrames : new AtomicInteger())
                    .incrementAndGet();
            }

            @Override
            public void onUnpublish()
            {
                unpublished.incrementAndGet();
            }
        };
    }

    @Override
    public RtmpPlayHandle onPlay(
        final RtmpConnection connection,
        final String app,
        final String streamName,
        final Map<String, String> query) throws RtmpRefusedException
    {
        plays.add(app + "|" + streamName + "|" + query);
        if (refusal != null)
        {
            throw refusal;
        }

        return new RtmpPlayHandle()
        {
            @Override
            public void onStart()
            {
                onPlayStart.accept(connection);
            }

            @Override
            public void onStop()
            {
                playStops.incrementAndGet();
            }
        };
    }

    @Override
    public void onProtocolError(final RtmpConnection connection, final RtmpProtocolException error)
    {
        errors.add(error);
    }

    @Override
    public void onClosed(final RtmpConnection connection)
    {
        closed.add(connection);
        firstClose.countDown();
    }
}
