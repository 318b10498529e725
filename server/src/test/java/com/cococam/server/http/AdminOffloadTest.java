package com.cococam.server.http;

import com.cococam.server.hls.HlsRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metrics and API documents are built on the admin executor: the event loop answers nothing of that connection
 * until the document is ready, then answers in request order; a full admin queue is a 503, a failing document a
 * 500, and no request buffer is left behind.
 */
class AdminOffloadTest
{
    private final ArrayDeque<Runnable> adminTasks = new ArrayDeque<>();

    private final HttpRoutes routes = new HttpRoutes()
    {
        @Override
        public String metrics()
        {
            return "cococam_up 1\n";
        }

        @Override
        public String recordingsJson(final String camera)
        {
            throw new IllegalStateException("journal unreadable");
        }

        @Override
        public String camerasJson()
        {
            return "[]";
        }
    };

    @Test
    void shouldHoldLaterRequestsUntilTheOffloadedAnswerIsWrittenThenAnswerInOrder()
    {
        final EmbeddedChannel channel = channelWithAdminQueue();
        final FullHttpRequest metrics = get("/metrics");
        final FullHttpRequest favicon = get("/favicon.ico");
        channel.writeInbound(metrics);
        channel.writeInbound(favicon);
        assertNull(channel.readOutbound(), "nothing answered while the document is being built");
        assertFalse(channel.config().isAutoRead(), "reading paused behind the offloaded request");
        assertEquals(1, metrics.refCnt(), "the offloaded request is kept until its answer");
        assertEquals(1, favicon.refCnt(), "the waiting request is kept");

        adminTasks.poll().run();
        channel.runPendingTasks();
        final FullHttpResponse first = channel.readOutbound();
        final FullHttpResponse second = channel.readOutbound();
        assertEquals(200, first.status().code());
        assertEquals("cococam_up 1\n", first.content().toString(StandardCharsets.UTF_8));
        assertEquals(204, second.status().code(), "the request behind it, answered after it");
        assertTrue(channel.config().isAutoRead());
        assertEquals(0, metrics.refCnt());
        assertEquals(0, favicon.refCnt());
        first.release();
        second.release();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void shouldAnswer503WhenTheAdminQueueIsFullAnd500WhenTheDocumentFails()
    {
        final EmbeddedChannel refusing = new EmbeddedChannel(new HttpServerHandler(new HlsRegistry(), routes,
            StaticAsset.hlsJs(), "*", task ->
            {
                throw new RejectedExecutionException("full");
            }));
        final FullHttpRequest request = get("/api/v1/cameras");
        refusing.writeInbound(request);
        final FullHttpResponse busy = refusing.readOutbound();
        assertEquals(503, busy.status().code());
        assertEquals(0, request.refCnt());
        assertTrue(refusing.config().isAutoRead(), "reading resumes after the refusal");
        busy.release();
        refusing.finishAndReleaseAll();

        final EmbeddedChannel channel = channelWithAdminQueue();
        final FullHttpRequest recordings = get("/api/v1/cameras/cam1/recordings");
        channel.writeInbound(recordings);
        adminTasks.poll().run();
        channel.runPendingTasks();
        final FullHttpResponse failed = channel.readOutbound();
        assertEquals(500, failed.status().code());
        assertEquals(0, recordings.refCnt());
        failed.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldReleaseWaitingRequestsWhenTheClientLeavesFirst()
    {
        final EmbeddedChannel channel = channelWithAdminQueue();
        final FullHttpRequest metrics = get("/metrics");
        final FullHttpRequest waiting = get("/api/v1/cameras");
        channel.writeInbound(metrics);
        channel.writeInbound(waiting);
        channel.close();
        assertEquals(0, waiting.refCnt(), "a request that waited is released when the connection closes");
        adminTasks.poll().run();
        channel.runPendingTasks();
        assertEquals(0, metrics.refCnt(), "the offloaded one is released when its answer finds the channel gone");
        assertNull(channel.readOutbound());
    }

    /**
     * A connection whose admin executor queues tasks here, to be run by the test.
     */
    private EmbeddedChannel channelWithAdminQueue()
    {
        return new EmbeddedChannel(
            new HttpServerHandler(new HlsRegistry(), routes, StaticAsset.hlsJs(), "*", adminTasks::add));
    }

    private static FullHttpRequest get(final String uri)
    {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.buffer(0));
    }
}
