package com.cococam.server.stream;

import com.cococam.codec.media.CodecId;
import com.cococam.codec.media.FrameFlags;
import com.cococam.codec.media.TrackFormat;
import com.cococam.server.testing.Await;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workers' ready-queue polling: every unit of every stream reaches its consumers once and in order, whichever
 * threads publish, however bursty (past {@link StreamWorker#MAX_EVENTS_PER_POLL}), and housekeeping still reaches
 * streams that publish nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamWorkerTest
{
    private static final TrackFormat AUDIO = new TrackFormat(TrackFormat.AUDIO_TRACK, CodecId.G711A, 0, 0, 8000, 1,
        new byte[0], "");

    private final Map<String, CountingConsumer> live = new ConcurrentHashMap<>();
    private final Map<String, CountingConsumer> recorded = new ConcurrentHashMap<>();
    private StreamHub hub;

    @AfterEach
    void closeHub()
    {
        if (hub != null)
        {
            hub.close();
        }
    }

    private void startHub(final int liveWorkers, final boolean record)
    {
        hub = new StreamHub(liveWorkers, 4096, 5_000, new StreamPipeline()
        {
            @Override
            public StreamConsumer[] liveConsumers(final String path)
            {
                return new StreamConsumer[] {live.computeIfAbsent(path, p -> new CountingConsumer())};
            }

            @Override
            public StreamConsumer recordConsumer(final String path)
            {
                return record ? recorded.computeIfAbsent(path, p -> new CountingConsumer()) : null;
            }
        });
    }

    /**
     * A worker with nothing bound parks long instead of its 5 ms period (a recorder with no recorded camera used to
     * wake 100 times a second for nothing), and a command still reaches it at once.
     */
    @Test
    void shouldParkAnUnboundWorkerLongAndStillRunCommandsAtOnce() throws Exception
    {
        final WakeableIdleStrategy strategy = new WakeableIdleStrategy(TimeUnit.MILLISECONDS.toNanos(5));
        final StreamWorker worker = new StreamWorker("test-unbound", strategy);
        final AtomicInteger cycles = new AtomicInteger();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread = new Thread(() ->
        {
            try
            {
                while (running.get())
                {
                    cycles.incrementAndGet();
                    strategy.idle(worker.doWork());
                }
            }
            catch (final Exception ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "test-unbound-worker");
        thread.start();
        Thread.sleep(200);
        final int before = cycles.get();
        Thread.sleep(600);
        final int idleCycles = cycles.get() - before;
        // 5 ms parks would be ~120 parks (each after 16 spins: ~2,000 cycles); a 1 s park at most one.
        assertTrue(idleCycles <= 2 * 17, "duty cycles of an idle unbound worker in 600 ms: " + idleCycles);

        final long postedNs = System.nanoTime();
        final CompletableFuture<Long> ran = new CompletableFuture<>();
        worker.execute(() -> ran.complete(System.nanoTime() - postedNs));
        final long delayMs = TimeUnit.NANOSECONDS.toMillis(ran.get(5, TimeUnit.SECONDS));
        assertTrue(delayMs < 200, "a command waits for no park: " + delayMs + " ms");
        running.set(false);
        strategy.wake();
        thread.join(5_000);
    }

    @Test
    void shouldDeliverEveryUnitOfManyStreamsOnceAndInOrderFromConcurrentPublishers() throws Exception
    {
        startHub(2, true);
        final int streams = 40;
        final int threads = 4;
        final int unitsPerStream = 1200;
        final int burst = 500;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Thread> publishers = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final int first = t * (streams / threads);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    final PublishSession[] sessions = new PublishSession[streams / threads];
                    for (int i = 0; i < sessions.length; i++)
                    {
                        sessions[i] = hub.startPublish("live/s" + (first + i), "test " + i, () -> { });
                        sessions[i].onFormat(AUDIO);
                    }

                    for (int start = 0; start < unitsPerStream; start += burst)
                    {
                        for (final PublishSession session : sessions)
                        {
                            for (int dts = start; dts < Math.min(unitsPerStream, start + burst); dts++)
                            {
                                publish(session, dts);
                            }
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "publisher-" + t);
            publishers.add(thread);
            thread.start();
        }

        for (final Thread thread : publishers)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }

        assertNull(failure.get(), "a publisher failed");
        await(() -> live.size() == streams && live.values().stream().allMatch(c -> c.count.get() >= unitsPerStream) &&
            recorded.values().stream().allMatch(c -> c.count.get() >= unitsPerStream), "every unit delivered");

        for (int s = 0; s < streams; s++)
        {
            final String path = "live/s" + s;
            assertEquals(0, hub.find(path).metrics().ringDrops.sum(), path + " dropped units");
            for (final CountingConsumer consumer : List.of(live.get(path), recorded.get(path)))
            {
                assertEquals(unitsPerStream, consumer.count.get(), path + " unit count");
                assertEquals(0, consumer.outOfOrder.get(), path + " units out of order");
                assertEquals(unitsPerStream - 1, consumer.lastDts, path + " last unit");
            }
        }
    }

    @Test
    void shouldRunHousekeepingOnStreamsThatPublishNothing() throws Exception
    {
        startHub(1, false);
        final int streams = 30;
        for (int s = 0; s < streams; s++)
        {
            hub.getOrCreate("live/idle" + s);
        }

        final PublishSession busy = hub.startPublish("live/busy", "busy", () -> { });
        busy.onFormat(AUDIO);
        for (int dts = 0; dts < 100; dts++)
        {
            publish(busy, dts);
        }

        // The idle tick is 100 ms: within a few seconds every binding must have had several calls.
        await(() -> live.values().stream().allMatch(c -> c.idleCalls.get() >= 5), "housekeeping on every stream");
        for (int s = 0; s < streams; s++)
        {
            assertEquals(0, live.get("live/idle" + s).count.get(), "no units on an idle stream");
        }

        await(() -> live.get("live/busy").count.get() == 100, "busy stream delivered");
    }

    @Test
    void shouldDeliverUnitsStillInTheRingWhenTheHubCloses() throws Exception
    {
        startHub(1, true);
        final PublishSession session = hub.startPublish("live/closing", "closing", () -> { });
        session.onFormat(AUDIO);
        for (int dts = 0; dts < 200; dts++)
        {
            publish(session, dts);
        }

        // The recorder drains every 10 ms and is not woken per unit: most of these are still in the ring now.
        hub.close();
        hub = null;
        assertEquals(200, recorded.get("live/closing").count.get(), "units recorded before the workers stopped");
        assertEquals(0, recorded.get("live/closing").outOfOrder.get());
        assertEquals(200, live.get("live/closing").count.get(), "units the live consumers saw");
    }

    private static void publish(final PublishSession session, final long dts)
    {
        final ByteBuf payload = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeLong(dts).writeLong(~dts);
        try
        {
            session.onAccessUnit(TrackFormat.AUDIO_TRACK, dts, dts, FrameFlags.KEYFRAME, payload);
        }
        finally
        {
            payload.release();
        }
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        Await.until(Duration.ofSeconds(20), condition, what);
    }

    /** Counts units and checks their order (worker thread writes, test thread reads the atomics). */
    private static final class CountingConsumer implements StreamConsumer
    {
        final AtomicInteger count = new AtomicInteger();
        final AtomicInteger outOfOrder = new AtomicInteger();
        final AtomicInteger idleCalls = new AtomicInteger();
        volatile long lastDts = -1;

        @Override
        public void onEvent(final LiveStream stream, final AccessUnitEvent event, final long nowNs)
        {
            if (FrameFlags.isEndOfStream(event.flags))
            {
                return;
            }

            final long value = event.payload().getLong(event.payload().readerIndex());
            if (value != lastDts + 1 || event.dts != value)
            {
                outOfOrder.incrementAndGet();
            }

            lastDts = value;
            count.incrementAndGet();
        }

        @Override
        public int onIdle(final LiveStream stream, final long nowNs)
        {
            idleCalls.incrementAndGet();
            return 0;
        }
    }
}
