package com.cococam.codec.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fails a test class when Netty reports a leaked buffer, instead of only logging it.
 *
 * <p>Registered for every test class of every module through JUnit's extension auto-detection (see
 * {@code junit-platform.properties} and {@code META-INF/services} in the codec test jar). It installs a leak
 * detector factory before any buffer class loads; after each class it collects garbage, touches the allocator
 * so pending reports are flushed, and throws if any leak was reported since the previous class. Tests run with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked.
 */
public final class NettyLeakCheck implements AfterAllCallback
{
    private static final ConcurrentLinkedQueue<String> LEAKS = new ConcurrentLinkedQueue<>();

    static
    {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    @Override
    public void afterAll(final ExtensionContext context)
    {
        final List<String> leaks = collectReportedLeaks();
        if (!leaks.isEmpty())
        {
            throw new AssertionError(leaks.size() + " Netty buffer leak(s) reported during or before " +
                context.getDisplayName() + ":\n" + String.join("\n----\n", leaks));
        }
    }

    /**
     * Collects garbage, flushes pending leak reports and takes them.
     *
     * @return the leaks reported since the last call.
     */
    static List<String> collectReportedLeaks()
    {
        for (int round = 0; round < 3; round++)
        {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 64; i++)
            {
                final ByteBuf probe = PooledByteBufAllocator.DEFAULT.buffer(64);
                probe.release();
            }
        }

        final List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null)
        {
            leaks.add(leak);
        }

        return leaks;
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory
    {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(
            final Class<T> resource,
            final int samplingInterval,
            final long maxActive)
        {
            return new RecordingDetector<>(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(final Class<T> resource, final int samplingInterval)
        {
            return new RecordingDetector<>(resource, samplingInterval);
        }
    }

    private static final class RecordingDetector<T> extends ResourceLeakDetector<T>
    {
        RecordingDetector(final Class<T> resource, final int samplingInterval)
        {
            super(resource, samplingInterval);
        }

        @Override
        protected void reportTracedLeak(final String resourceType, final String records)
        {
            LEAKS.add("LEAK " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(final String resourceType)
        {
            LEAKS.add("LEAK " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }
    }
}
