package io.metalboot.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The last handler of a connection's pipeline: takes each aggregated request, finds what answers
 * it and writes the reply. Assets are served right here on the event loop; endpoints run on a
 * virtual thread and their reply is written back on this channel's event loop. Replies leave in
 * request order (HTTP/1.1 pipelining): while an endpoint runs, further requests wait in a queue
 * and reading pauses.
 */
final class HttpRequestRouter extends ChannelInboundHandlerAdapter {
    private static final String INTERNAL_ERROR = "internal server error\n";

    private final RouteTable routes;
    private final List<HttpFilter> filters;
    private final StaticAssetHandler assets;
    private final Executor endpointExecutor;
    private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean endpointRunning;
    private boolean closing;

    HttpRequestRouter(RouteTable routes, List<HttpFilter> filters, StaticAssetHandler assets,
            Executor endpointExecutor) {
        this.routes = routes;
        this.filters = filters;
        this.assets = assets;
        this.endpointExecutor = endpointExecutor;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (endpointRunning) {
            waiting.add(request);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(ctx, request);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        long start = System.nanoTime();
        String method = request.method().name();
        String uri = request.uri();
        try {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            if (!request.decoderResult().isSuccess() || !uri.startsWith("/")) {
                finish(ctx, writeText(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n", false), false, method,
                        uri, 400, 12, start, request.decoderResult().isSuccess() ? "not an origin-form URI" : "undecodable");
                return;
            }
            int question = uri.indexOf('?');
            String rawPath = question < 0 ? uri : uri.substring(0, question);
            RouteTable.Target target;
            try {
                target = routes.match(method, rawPath);
            } catch (IllegalArgumentException e) {
                finish(ctx, writeText(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n", false), false, method,
                        uri, 400, 12, start, "malformed percent-encoding");
                return;
            }
            switch (target) {
                case null -> finish(ctx, writeText(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive),
                        keepAlive, method, uri, 404, 10, start, null);
                case RouteTable.MethodNotAllowed notAllowed -> {
                    FullHttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED,
                            "method not allowed\n", keepAlive);
                    response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", notAllowed.allowed()));
                    finish(ctx, ctx.writeAndFlush(response), keepAlive, method, uri, 405, 19, start, null);
                }
                case RouteTable.AssetTarget asset -> {
                    StaticAssetHandler.Served served = assets.serve(ctx, request, asset.directory(), asset.remainder(), keepAlive);
                    finish(ctx, served.lastWrite(), keepAlive, method, uri, served.status(), served.bytes(), start,
                            served.note());
                }
                case RouteTable.EndpointTarget endpoint -> dispatch(ctx, request, endpoint, keepAlive, start);
            }
        } finally {
            request.release();
        }
    }

    /** Runs the endpoint on a virtual thread; the reply comes back to this channel's event loop. */
    private void dispatch(ChannelHandlerContext ctx, FullHttpRequest request, RouteTable.EndpointTarget target,
            boolean keepAlive, long start) {
        String uri = request.uri();
        String method = request.method().name();
        QueryStringDecoder decoder = new QueryStringDecoder(uri);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.headers().forEach(h -> headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                .add(h.getValue()));
        HttpCall call;
        try {
            call = new HttpCall(method, decoder.path(), target.parameters(), decoder.parameters(), headers,
                    ByteBufUtil.getBytes(request.content()),
                    ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet : null);
        } catch (IllegalArgumentException e) {
            // QueryStringDecoder refuses malformed percent-encoding.
            finish(ctx, writeText(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n", false), false, method, uri,
                    400, 12, start, "malformed percent-encoding");
            return;
        }
        boolean head = request.method().equals(HttpMethod.HEAD);
        endpointRunning = true;
        try {
            endpointExecutor.execute(() -> {
                HttpReply reply = run(filters, target.endpoint(), call, uri);
                try {
                    ctx.executor().execute(() -> {
                        endpointRunning = false;
                        writeReply(ctx, reply, head, keepAlive, method, uri, start);
                        next(ctx);
                    });
                } catch (RejectedExecutionException e) {
                    // The server is closing; the connection goes with it.
                }
            });
        } catch (RejectedExecutionException e) {
            endpointRunning = false;
            finish(ctx, writeText(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down\n", false), false,
                    method, uri, 503, 14, start, null);
        }
    }

    private static HttpReply run(List<HttpFilter> filters, HttpEndpoint endpoint, HttpCall call, String uri) {
        try {
            for (HttpFilter filter : filters) {
                java.util.Optional<HttpReply> answered = filter.filter(call);
                if (answered.isPresent()) {
                    return answered.get();
                }
            }
            HttpReply reply = endpoint.handle(call);
            if (reply != null) {
                return reply;
            }
            AccessLog.LOG.log(Level.WARNING, "endpoint for {0} {1} returned no reply", call.method(), AccessLog.redact(uri));
        } catch (Exception | LinkageError | AssertionError e) {
            // One line, no trace: the route and the exception say enough, and the client learns nothing.
            AccessLog.LOG.log(Level.WARNING, "endpoint for {0} {1} failed: {2}", call.method(), AccessLog.redact(uri),
                    String.valueOf(e));
        }
        return HttpReply.text(500, INTERNAL_ERROR);
    }

    private void writeReply(ChannelHandlerContext ctx, HttpReply reply, boolean head, boolean keepAlive, String method,
            String uri, long start) {
        FullHttpResponse response;
        try {
            response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(reply.body()));
            reply.headers().forEach(response.headers()::set);
            if (reply.contentType() != null) {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
            }
        } catch (IllegalArgumentException e) {
            // A header name or value that cannot go on the wire.
            AccessLog.LOG.log(Level.WARNING, "endpoint for {0} {1} replied with a bad header: {2}", method,
                    AccessLog.redact(uri), e.getMessage());
            finish(ctx, writeText(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR, keepAlive), keepAlive,
                    method, uri, 500, INTERNAL_ERROR.length(), start, null);
            return;
        }
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, reply.body().length)
                .set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        HttpUtil.setKeepAlive(response, keepAlive);
        finish(ctx, ctx.writeAndFlush(response), keepAlive, method, uri, reply.status(), head ? 0 : reply.body().length,
                start, null);
    }

    /** Handles requests that queued up behind an endpoint, until the next endpoint or none is left. */
    private void next(ChannelHandlerContext ctx) {
        FullHttpRequest request;
        while (!endpointRunning && (request = waiting.poll()) != null) {
            if (closing) {
                request.release();
            } else {
                handle(ctx, request);
            }
        }
        if (!endpointRunning && !closing) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void finish(ChannelHandlerContext ctx, ChannelFuture lastWrite, boolean keepAlive, String method, String uri,
            int status, long bytes, long start, String note) {
        if (!keepAlive) {
            closing = true;
        }
        lastWrite.addListener(f -> {
            AccessLog.request(method, uri, status, f.isSuccess() ? bytes : -1, start, ctx.channel().remoteAddress(), note);
            if (!keepAlive || !f.isSuccess()) {
                ctx.close();
            }
        });
    }

    static ChannelFuture writeText(ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean keepAlive) {
        return ctx.writeAndFlush(textResponse(status, text, keepAlive));
    }

    private static FullHttpResponse textResponse(HttpResponseStatus status, String text, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpReply.TEXT)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        FullHttpRequest request;
        while ((request = waiting.poll()) != null) {
            request.release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Mostly peers resetting mid-transfer: not the server's problem, not worth more than debug.
        AccessLog.LOG.log(Level.DEBUG, "connection from {0} closed: {1}",
                AccessLog.hostAndPort(ctx.channel().remoteAddress()), String.valueOf(cause));
        ctx.close();
    }
}
