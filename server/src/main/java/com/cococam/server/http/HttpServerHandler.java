package com.cococam.server.http;

import com.cococam.server.hls.HlsPackager;
import com.cococam.server.hls.HlsRegistry;
import com.cococam.server.hls.HlsSnapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import io.netty.util.IllegalReferenceCountException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves live HLS, the player page, the hls.js asset, metrics and the JSON API.
 *
 * <p>URLs: {@code /live/NAME/index.m3u8} (multivariant), {@code /live/NAME/stream.m3u8} (media playlist),
 * {@code /live/NAME/init-N.mp4}, {@code /live/NAME/seg-N.m4s|ts}, {@code /live/NAME/} (page),
 * {@code /assets/hls.min.js}, {@code /metrics}, {@code /api/v1/cameras}, {@code /api/v1/cameras/NAME}, {@code /api/v1/cameras/NAME/recordings}.
 *
 * <p>Playlists, segments and init segments go out as one retained duplicate (or, for a byte range, one retained
 * slice) of the packager's contiguous buffers: no copy, no rendering, one buffer written per response; HEAD
 * responses take no reference at all. Playlists are not cached by clients ({@code no-cache}); segments are
 * immutable. Every response carries CORS headers; HEAD and single byte ranges are supported.
 *
 * <p>Metrics and the JSON API are built on the {@code admin} executor, not on the event loop: a scrape of a hundred
 * streams folds every viewer loop's latency recorder (waiting for loops in the middle of a drain) and renders
 * thousands of lines, which on the loop held up that loop's viewers for 150-400 ms
 * (bench/results/2026-12-05-*-latency-100x10.txt). While such a request is out, later requests of the same
 * connection wait in order (reading paused), so pipelined responses keep the requests' order.
 *
 * <p>Thread safety: shared by all channels; per-connection state (requests waiting behind an offloaded one) is a
 * channel attribute touched on the channel's event loop only.
 */
@ChannelHandler.Sharable
public final class HttpServerHandler extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final Logger LOG = LoggerFactory.getLogger(HttpServerHandler.class);
    private static final Pattern LIVE = Pattern.compile("^/live/([A-Za-z0-9_.-]{1,64})(/.*)?$");
    private static final Pattern RECORDINGS = Pattern.compile("^/api/v1/cameras/([A-Za-z0-9_-]{1,64})/recordings$");
    private static final Pattern CAMERA = Pattern.compile("^/api/v1/cameras/([A-Za-z0-9_-]{1,64})$");
    private static final Pattern RANGE = Pattern.compile("^bytes=(\\d*)-(\\d*)$");
    private static final String PLAYLIST_TYPE = "application/vnd.apple.mpegurl";

    /** Requests of a connection that arrived while one of its requests was being answered on the admin executor. */
    private static final AttributeKey<ArrayDeque<FullHttpRequest>> WAITING =
        AttributeKey.valueOf("cococam-http-waiting");

    private final HlsRegistry hls;
    private final HttpRoutes routes;
    private final StaticAsset hlsJs;
    private final String corsOrigin;
    private final Executor admin;

    /**
     * @param hls        packagers by path.
     * @param routes     metrics and API documents.
     * @param hlsJs      the hls.js player.
     * @param corsOrigin value of Access-Control-Allow-Origin.
     * @param admin      runs the metrics and API documents' building (bounded; a refusal is answered 503).
     */
    public HttpServerHandler(
        final HlsRegistry hls,
        final HttpRoutes routes,
        final StaticAsset hlsJs,
        final String corsOrigin,
        final Executor admin)
    {
        super(false);
        this.hls = hls;
        this.routes = routes;
        this.hlsJs = hlsJs;
        this.corsOrigin = corsOrigin;
        this.admin = admin;
    }

    @Override
    protected void channelRead0(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        final ArrayDeque<FullHttpRequest> waiting = ctx.channel().attr(WAITING).get();
        if (waiting != null)
        {
            // Behind a request answered on the admin executor: its turn comes when that answer is written.
            waiting.add(request);
            return;
        }

        handleAndRelease(ctx, request);
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) throws Exception
    {
        final ArrayDeque<FullHttpRequest> waiting = ctx.channel().attr(WAITING).getAndSet(null);
        if (waiting != null)
        {
            waiting.forEach(FullHttpRequest::release);
        }

        super.channelInactive(ctx);
    }

    private void handleAndRelease(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        boolean offloaded = false;
        try
        {
            offloaded = handle(ctx, request);
        }
        finally
        {
            if (!offloaded)
            {
                request.release();
            }
        }
    }

    /**
     * Builds {@code document} on the admin executor and answers with it on the event loop; null from it is a 404.
     * The request is kept until then, and the connection's later requests wait (see {@link #WAITING}).
     *
     * @return true (the request now belongs to the offloaded answer).
     */
    private boolean offload(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final Supplier<String> document,
        final String contentType)
    {
        ctx.channel().attr(WAITING).set(new ArrayDeque<>());
        ctx.channel().config().setAutoRead(false);
        try
        {
            admin.execute(() ->
            {
                String body = null;
                HttpResponseStatus status;
                try
                {
                    body = document.get();
                    status = body == null ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.OK;
                }
                catch (final RuntimeException ex)
                {
                    LOG.warn("[http] {} failed", request.uri(), ex);
                    status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
                }

                final String built = body;
                final HttpResponseStatus answered = status;
                try
                {
                    ctx.executor().execute(() -> answer(ctx, request, answered, built, contentType));
                }
                catch (final RejectedExecutionException ex)
                {
                    // The event loop has stopped (server shutdown): nobody will answer.
                    request.release();
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            answer(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, null, contentType);
        }

        return true;
    }

    /**
     * Writes an offloaded request's answer, then serves the requests that waited behind it, in order. Event loop.
     */
    private void answer(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final HttpResponseStatus status,
        final String body,
        final String contentType)
    {
        try
        {
            if (ctx.channel().isActive())
            {
                if (status.equals(HttpResponseStatus.OK))
                {
                    sendBytes(ctx, request, body.getBytes(StandardCharsets.UTF_8), contentType, "no-cache");
                }
                else
                {
                    sendText(ctx, request, status, status.equals(HttpResponseStatus.NOT_FOUND) ? "unknown camera\n" :
                        status.reasonPhrase().toLowerCase(Locale.ROOT) + "\n");
                }
            }
        }
        finally
        {
            request.release();
        }

        final ArrayDeque<FullHttpRequest> waiting = ctx.channel().attr(WAITING).getAndSet(null);
        ctx.channel().config().setAutoRead(true);
        if (waiting == null)
        {
            return;
        }

        FullHttpRequest next;
        while ((next = waiting.poll()) != null)
        {
            final ArrayDeque<FullHttpRequest> again = ctx.channel().attr(WAITING).get();
            if (again != null)
            {
                // The one just served was offloaded too: the rest wait behind it, still in order.
                again.add(next);
                again.addAll(waiting);
                waiting.clear();
                return;
            }

            handleAndRelease(ctx, next);
        }
    }

    /**
     * @return true when the request was handed to the admin executor (it is released there), false when answered.
     */
    private boolean handle(final ChannelHandlerContext ctx, final FullHttpRequest request)
    {
        if (!request.decoderResult().isSuccess())
        {
            sendText(ctx, request, HttpResponseStatus.BAD_REQUEST, "bad request\n");
            return false;
        }

        final HttpMethod method = request.method();
        if (method.equals(HttpMethod.OPTIONS))
        {
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.NO_CONTENT);
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, OPTIONS");
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, "Range, Content-Type");
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, "600");
            send(ctx, request, response);
            return false;
        }

        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD))
        {
            sendText(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            return false;
        }

        final String path = new QueryStringDecoder(request.uri()).path();
        final Matcher live = LIVE.matcher(path);
        if (live.matches())
        {
            serveLive(ctx, request, live.group(1), live.group(2));
            return false;
        }

        final Matcher recordings = RECORDINGS.matcher(path);
        if (recordings.matches())
        {
            final String camera = recordings.group(1);
            return offload(ctx, request, () -> routes.recordingsJson(camera), "application/json");
        }

        final Matcher camera = CAMERA.matcher(path);
        if (camera.matches())
        {
            final String name = camera.group(1);
            return offload(ctx, request, () -> routes.cameraJson(name), "application/json");
        }

        switch (path)
        {
            case "/", "/index.html" -> sendBytes(ctx, request, HtmlPages.index().getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8", "no-cache");
            case "/metrics" -> {
                return offload(ctx, request, routes::metrics, "text/plain; version=0.0.4; charset=utf-8");
            }
            case "/api/v1/cameras" -> {
                return offload(ctx, request, routes::camerasJson, "application/json");
            }
            case "/favicon.ico" -> send(ctx, request, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.NO_CONTENT));
            case "/assets/hls.min.js" -> sendBuffer(ctx, request, hlsJs.data().duplicate(), hlsJs.contentType(),
                "public, max-age=86400");
            default -> sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "not found\n");
        }

        return false;
    }

    private void serveLive(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final String name,
        final String rest)
    {
        if (rest == null)
        {
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.MOVED_PERMANENTLY);
            response.headers().set(HttpHeaderNames.LOCATION, "/live/" + name + "/");
            send(ctx, request, response);
            return;
        }

        if (rest.equals("/") || rest.equals("/index.html"))
        {
            sendBytes(ctx, request, HtmlPages.player("live/" + name).getBytes(StandardCharsets.UTF_8),
                "text/html; charset=utf-8", "no-cache");
            return;
        }

        final HlsPackager packager = hls.find("live/" + name);
        final HlsSnapshot snapshot = packager == null ? null : packager.snapshot();
        if (snapshot == null)
        {
            sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "stream not live: live/" + name + "\n");
            return;
        }

        final String file = rest.substring(1);
        switch (file)
        {
            case "index.m3u8" -> sendShared(ctx, request, snapshot.multivariantPlaylist(), PLAYLIST_TYPE, "no-cache",
                file);
            case "stream.m3u8" -> sendShared(ctx, request, snapshot.mediaPlaylist(), PLAYLIST_TYPE, "no-cache", file);
            default -> serveMedia(ctx, request, snapshot, file);
        }
    }

    private void serveMedia(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final HlsSnapshot snapshot,
        final String file)
    {
        ByteBuf data = snapshot.segmentData().get(file);
        String type = file.endsWith(".ts") ? "video/mp2t" : "video/iso.segment";
        if (data == null)
        {
            data = snapshot.initSegments().get(file);
            type = "video/mp4";
        }

        if (data == null)
        {
            sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "no such segment: " + file + "\n");
            return;
        }

        sendShared(ctx, request, data, type, "public, max-age=31536000, immutable", file);
    }

    /**
     * Sends a buffer the packager owns, honouring HEAD and a single byte range: the body is one retained duplicate
     * (whole body) or one retained slice (range) of {@code shared}, whose indexes are not moved; a HEAD response
     * takes no reference. A buffer already released (expired) gets a 404.
     */
    private void sendShared(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final ByteBuf shared,
        final String contentType,
        final String cacheControl,
        final String file)
    {
        final int total = shared.readableBytes();
        final String range = request.headers().get(HttpHeaderNames.RANGE);
        final long[] bounds = range == null ? null : parseRange(range, total);
        if (range != null && bounds == null)
        {
            final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + total);
            send(ctx, request, response);
            return;
        }

        final int start = bounds == null ? 0 : (int)bounds[0];
        final int length = bounds == null ? total : (int)(bounds[1] - bounds[0] + 1);
        final ByteBuf content;
        try
        {
            if (request.method().equals(HttpMethod.HEAD))
            {
                if (shared.refCnt() == 0)
                {
                    throw new IllegalReferenceCountException(0);
                }

                content = Unpooled.EMPTY_BUFFER;
            }
            else
            {
                content = bounds == null ? shared.retainedDuplicate() :
                    shared.retainedSlice(shared.readerIndex() + start, length);
            }
        }
        catch (final IllegalReferenceCountException ex)
        {
            sendText(ctx, request, HttpResponseStatus.NOT_FOUND, "expired: " + file + "\n");
            return;
        }

        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
            bounds == null ? HttpResponseStatus.OK : HttpResponseStatus.PARTIAL_CONTENT, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
        response.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        if (bounds != null)
        {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE,
                "bytes " + bounds[0] + "-" + bounds[1] + "/" + total);
        }

        HttpUtil.setContentLength(response, length);
        sendPrepared(ctx, request, response);
    }

    private void sendBytes(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final byte[] body,
        final String contentType,
        final String cacheControl)
    {
        sendBuffer(ctx, request, Unpooled.wrappedBuffer(body), contentType, cacheControl);
    }

    private void sendText(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final HttpResponseStatus status,
        final String text)
    {
        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
            Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        if (request.method().equals(HttpMethod.HEAD))
        {
            HttpUtil.setContentLength(response, response.content().readableBytes());
            response.content().clear();
        }

        send(ctx, request, response);
    }

    /**
     * Sends a body (ownership moves here), honouring HEAD and a single byte range.
     */
    private void sendBuffer(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final ByteBuf body,
        final String contentType,
        final String cacheControl)
    {
        final int total = body.readableBytes();
        ByteBuf content = body;
        HttpResponseStatus status = HttpResponseStatus.OK;
        String contentRange = null;

        final String range = request.headers().get(HttpHeaderNames.RANGE);
        if (range != null)
        {
            final long[] bounds = parseRange(range, total);
            if (bounds == null)
            {
                body.release();
                final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
                response.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + total);
                send(ctx, request, response);
                return;
            }

            final int start = (int)bounds[0];
            final int length = (int)(bounds[1] - bounds[0] + 1);
            content = body.retainedSlice(body.readerIndex() + start, length);
            body.release();
            status = HttpResponseStatus.PARTIAL_CONTENT;
            contentRange = "bytes " + bounds[0] + "-" + bounds[1] + "/" + total;
        }

        final int length = content.readableBytes();
        if (request.method().equals(HttpMethod.HEAD))
        {
            content.release();
            content = Unpooled.EMPTY_BUFFER;
        }

        final FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, cacheControl);
        response.headers().set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        if (contentRange != null)
        {
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, contentRange);
        }

        HttpUtil.setContentLength(response, length);
        sendPrepared(ctx, request, response);
    }

    /**
     * Parses a single {@code bytes=} range against a body size.
     *
     * @param header the Range header.
     * @param total  body size.
     * @return inclusive {start, end}, or null if unsatisfiable or malformed.
     */
    static long[] parseRange(final String header, final long total)
    {
        final Matcher matcher = RANGE.matcher(header.trim());
        if (!matcher.matches() || total == 0)
        {
            return null;
        }

        final String first = matcher.group(1);
        final String last = matcher.group(2);
        try
        {
            final long start;
            final long end;
            if (first.isEmpty())
            {
                if (last.isEmpty())
                {
                    return null;
                }

                final long suffix = Long.parseLong(last);
                if (suffix == 0)
                {
                    return null;
                }

                start = Math.max(0, total - suffix);
                end = total - 1;
            }
            else
            {
                start = Long.parseLong(first);
                end = last.isEmpty() ? total - 1 : Math.min(Long.parseLong(last), total - 1);
            }

            return start <= end && start < total ? new long[] {start, end} : null;
        }
        catch (final NumberFormatException ex)
        {
            return null;
        }
    }

    private void send(final ChannelHandlerContext ctx, final FullHttpRequest request, final FullHttpResponse response)
    {
        HttpUtil.setContentLength(response, response.content().readableBytes());
        sendPrepared(ctx, request, response);
    }

    private void sendPrepared(
        final ChannelHandlerContext ctx,
        final FullHttpRequest request,
        final FullHttpResponse response)
    {
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, corsOrigin);
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS,
            "Content-Length, Content-Range, Date, Accept-Ranges");
        response.headers().set(HttpHeaderNames.DATE, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
            .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)));
        final boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        final ChannelFuture future = ctx.writeAndFlush(response);
        if (!keepAlive)
        {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object event) throws Exception
    {
        if (event instanceof IdleStateEvent)
        {
            ctx.close();
            return;
        }

        super.userEventTriggered(ctx, event);
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
    {
        ctx.close();
    }
}
