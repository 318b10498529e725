package com.cococam.bench;

import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * JMH executor whose benchmark threads are Netty {@link FastThreadLocalThread}s, like the server's event loop
 * threads. Selected per fork with {@code -Djmh.executor=CUSTOM -Djmh.executor.class=...} (see
 * {@link BenchJvm#NETTY_EXECUTOR} and {@link BenchJvm#NETTY_EXECUTOR_CLASS}).
 *
 * <p>Why it matters: since Netty 4.2 the {@code Recycler} pools objects only on threads that clean up their
 * fast thread-locals (FastThreadLocalThreads); on any other thread {@code Recycler.get()} returns a new,
 * unpooled object every time. Pooled slices and duplicates ({@code retainedSlice()}, {@code
 * retainedDuplicate()}), pooled buffer shells and {@code OutFrame}s therefore cost an allocation on a plain
 * thread and none on an event loop. A benchmark of code that runs on an event loop in production must run on
 * such a thread to report production's B/op.
 *
 * <p>Thread safety: a standard {@link ThreadPoolExecutor}.
 */
public final class NettyThreadExecutor extends ThreadPoolExecutor
{
    /**
     * Called reflectively by JMH.
     *
     * @param maxThreads   benchmark threads JMH needs.
     * @param threadPrefix JMH's thread name prefix.
     */
    public NettyThreadExecutor(final int maxThreads, final String threadPrefix)
    {
        super(maxThreads, maxThreads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            new NettyThreadFactory(threadPrefix));
    }

    private static final class NettyThreadFactory implements ThreadFactory
    {
        private final String prefix;
        private final AtomicInteger count = new AtomicInteger();

        NettyThreadFactory(final String prefix)
        {
            this.prefix = prefix;
        }

        @Override
        public Thread newThread(final Runnable task)
        {
            final Thread thread = new FastThreadLocalThread(task, prefix + "-netty-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}
