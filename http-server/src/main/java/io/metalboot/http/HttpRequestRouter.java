package io.metalboot.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a connection's pipeline: takes each request as the decoder hands it over
 * (its head, then its body in chunks), finds what answers it and writes the reply. Assets are
 * served right here on the event loop; endpoints run on a virtual thread, read the body as it
 * arrives ({@link RequestBody}) and may stream their reply ({@link ReplyBodyStream}); replies are
 * written on this channel's event loop. Replies leave in request order (HTTP/1.1 pipelining): one
 * request is answered at a time, and what arrives for later ones waits in a queue.
 *
 * <p>The socket is read (autoRead) only while there is room for what comes: the current body
 * below its pause mark, nothing waiting behind the current request, and the replies already
 * written taken by the client. Memory per connection is bounded by that, whatever the client sends.
 *
 * <p>A body the endpoint leaves unread when it replies (or a body sent to a mount, a 404, …) is
 * read and dropped up to {@link #DROP_LIMIT}, so that the connection carries the next request.
 * A larger remainder, or one the client holds back waiting for a 100 Continue it never got, makes
 * the reply say "Connection: close"; the server then half-closes, drops what still comes for up
 * to {@link #LINGER_MILLIS} and closes, so that the client reads the reply rather than a reset.
 */
final class HttpRequestRouter extends ChannelInboundHandlerAdapter {
    private static final String INTERNAL_ERROR = "internal server error\n";
    private static final String TOO_LARGE = "request body too large\n";
    /** An unread request body remainder up to this is read and dropped; more closes the connection. */
    static final long DROP_LIMIT = 1 << 20;
    /** Half-closed after its reply, a connection still sent a body is closed after this long. */
    static final long LINGER_MILLIS = 2_000;

    private final RouteTable routes;
    private final List<HttpFilter> filters;
    private final StaticAssetHandler assets;
    private final Executor endpointExecutor;
    private final int maxRequestBodyBytes;
    /** What has arrived for requests after {@link #current}, in order. */
    private final Queue<HttpObject> waiting = new ArrayDeque<>();
    private Exchange current;
    private boolean takingWaiting;
    private boolean closing;
    private boolean lingering;
    /** The outbound state seen at the last idle event ({@link #outputMovedSinceLastIdle}). */
    private int idleMessage;
    private long idleLeft = -1;
    private long idleProgress = -1;

    /** One request, from its head until its reply is written and its body has arrived (or been dropped). */
    private static final class Exchange {
        final HttpRequest request;
        final String method;
        final String uri;
        final long start = System.nanoTime();
        final boolean head;
        final boolean clientKeepAlive;
        final boolean expectsContinue;
        /** Content-Length, or -1 for a chunked body. */
        final long declaredLength;
        final boolean declaresBody;
        /** An endpoint's body, until the endpoint replies. */
        RequestBody body;
        /** A streamed reply's body, while its writer runs. */
        ReplyBodyStream replyStream;
        long received;
        long dropped;
        boolean bodyDone;
        boolean continueSent;
        boolean replyStarted;
        /** Close after the reply instead of reading the rest of the body. */
        boolean closeAfterReply;
        boolean closeScheduled;
        /** The reply's last write, once the reply is written whole. */
        ChannelFuture lastWrite;

        Exchange(HttpRequest request) {
            this.request = request;
            method = request.method().name();
            uri = request.uri();
            head = request.method().equals(HttpMethod.HEAD);
            clientKeepAlive = HttpUtil.isKeepAlive(request);
            expectsContinue = HttpUtil.is100ContinueExpected(request);
            boolean chunked = HttpUtil.isTransferEncodingChunked(request);
            declaredLength = chunked ? -1 : HttpUtil.getContentLength(request, 0L);
            declaresBody = chunked || declaredLength > 0;
        }

        /** Whether the connection can carry another request after the reply, given what is left of the body. */
        boolean keepAliveAfterReply() {
            if (!clientKeepAlive || closeAfterReply) {
                return false;
            }
            if (bodyDone || !declaresBody) {
                return true;
            }
            if (expectsContinue && !continueSent) {
                // The client may send the body yet or give up on it: only a close ends the doubt.
                return false;
            }
            return declaredLength < 0 || declaredLength - received <= DROP_LIMIT;
        }
    }

    HttpRequestRouter(RouteTable routes, List<HttpFilter> filters, StaticAssetHandler assets,
            Executor endpointExecutor, int maxRequestBodyBytes) {
        this.routes = routes;
        this.filters = filters;
        this.assets = assets;
        this.endpointExecutor = endpointExecutor;
        this.maxRequestBodyBytes = maxRequestBodyBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!waiting.isEmpty() || (current != null && current.bodyDone)) {
            waiting.add(object);
        } else {
            accept(ctx, object);
        }
        updateReading(ctx);
    }

    /** {@code object} starts a request (none is current) or continues the current one's body. */
    private void accept(ChannelHandlerContext ctx, HttpObject object) {
        try {
            if (object instanceof HttpRequest request && current == null) {
                begin(ctx, request);
            }
            // A FullHttpRequest is a head and its whole body in one.
            if (object instanceof HttpContent content && current != null && !current.bodyDone) {
                bodyContent(ctx, current, content);
            }
        } finally {
            ReferenceCountUtil.release(object);
        }
    }

    private void begin(ChannelHandlerContext ctx, HttpRequest request) {
        Exchange exchange = new Exchange(request);
        current = exchange;
        String uri = exchange.uri;
        if (!request.decoderResult().isSuccess()) {
            // The decoder drops everything after a message it could not parse.
            exchange.bodyDone = true;
            exchange.closeAfterReply = true;
            replyText(ctx, exchange, HttpResponseStatus.BAD_REQUEST, "bad request\n", "undecodable");
            return;
        }
        if (!uri.startsWith("/")) {
            exchange.closeAfterReply = true;
            replyText(ctx, exchange, HttpResponseStatus.BAD_REQUEST, "bad request\n", "not an origin-form URI");
            return;
        }
        String expect = request.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpVersion.HTTP_1_0.equals(request.protocolVersion())
                && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
            exchange.closeAfterReply = true;
            replyText(ctx, exchange, HttpResponseStatus.EXPECTATION_FAILED, "expectation failed\n", null);
            return;
        }
        int question = uri.indexOf('?');
        String rawPath = question < 0 ? uri : uri.substring(0, question);
        RouteTable.Target target;
        try {
            target = routes.match(exchange.method, rawPath);
        } catch (IllegalArgumentException e) {
            exchange.closeAfterReply = true;
            replyText(ctx, exchange, HttpResponseStatus.BAD_REQUEST, "bad request\n", "malformed percent-encoding");
            return;
        }
        switch (target) {
            case null -> replyText(ctx, exchange, HttpResponseStatus.NOT_FOUND, "not found\n", null);
            case RouteTable.MethodNotAllowed notAllowed -> {
                boolean keepAlive = exchange.keepAliveAfterReply();
                FullHttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "method not allowed\n", keepAlive);
                response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", notAllowed.allowed()));
                replied(ctx, exchange, ctx.writeAndFlush(response), 405, 19, null, keepAlive);
            }
            case RouteTable.AssetTarget asset -> {
                boolean keepAlive = exchange.keepAliveAfterReply();
                StaticAssetHandler.Served served = assets.serve(ctx, request, asset.directory(), asset.remainder(),
                        keepAlive);
                replied(ctx, exchange, served.lastWrite(), served.status(), served.bytes(), served.note(), keepAlive);
            }
            case RouteTable.EndpointTarget endpoint -> dispatch(ctx, exchange, endpoint);
        }
    }

    private void bodyContent(ChannelHandlerContext ctx, Exchange exchange, HttpContent content) {
        if (content.decoderResult().isFailure()) {
            // A broken chunk: nothing after it can be framed, so the connection closes after the reply.
            exchange.bodyDone = true;
            exchange.closeAfterReply = true;
            if (exchange.body != null) {
                exchange.body.fail(new IOException("malformed request body: " + content.decoderResult().cause()));
            }
            if (exchange.lastWrite != null) {
                closeAfterReply(ctx, exchange);
            }
            return;
        }
        ByteBuf bytes = content.content();
        int length = bytes.readableBytes();
        exchange.received += length;
        if (length > 0 && (exchange.body == null || !exchange.body.add(bytes))) {
            exchange.dropped += length;
            if (exchange.dropped > DROP_LIMIT && !exchange.closeAfterReply) {
                exchange.closeAfterReply = true;
                if (exchange.lastWrite != null) {
                    closeAfterReply(ctx, exchange);
                }
            }
        }
        if (content instanceof LastHttpContent) {
            exchange.bodyDone = true;
            if (exchange.body != null) {
                exchange.body.end();
            }
            complete(ctx, exchange);
        }
    }

    /** Runs the endpoint on a virtual thread; the reply comes back to this channel's event loop. */
    private void dispatch(ChannelHandlerContext ctx, Exchange exchange, RouteTable.EndpointTarget target) {
        QueryStringDecoder decoder = new QueryStringDecoder(exchange.uri);
        if (target.endpoint() instanceof HttpEndpoint.NonBlocking && !exchange.declaresBody) {
            answerHere(ctx, exchange, target, decoder);
            return;
        }
        RequestBody body = new RequestBody(exchange.declaredLength,
                () -> onEventLoop(ctx, () -> updateReading(ctx)),
                exchange.expectsContinue && exchange.declaresBody
                        ? () -> onEventLoop(ctx, () -> sendContinue(ctx, exchange)) : null);
        HttpCall call;
        try {
            call = new HttpCall(exchange.method, decoder.path(), target.parameters(), decoder.parameters(),
                    exchange.request.headers(),
                    body, maxRequestBodyBytes,
                    ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet : null);
        } catch (IllegalArgumentException e) {
            // QueryStringDecoder refuses malformed percent-encoding.
            exchange.closeAfterReply = true;
            replyText(ctx, exchange, HttpResponseStatus.BAD_REQUEST, "bad request\n", "malformed percent-encoding");
            return;
        }
        exchange.body = body;
        try {
            endpointExecutor.execute(() -> {
                HttpReply reply = run(ctx, target.endpoint(), call, exchange.uri);
                onEventLoop(ctx, () -> replyReady(ctx, exchange, reply));
            });
        } catch (RejectedExecutionException e) {
            exchange.body = null;
            body.detach();
            exchange.closeAfterReply = true;
            replyText(ctx, exchange, HttpResponseStatus.SERVICE_UNAVAILABLE, "shutting down\n", null);
        }
    }

    /** A non-blocking endpoint, for a request with no body: on this event loop, no thread hand-over. */
    private void answerHere(ChannelHandlerContext ctx, Exchange exchange, RouteTable.EndpointTarget target,
            QueryStringDecoder decoder) {
        HttpCall call;
        try {
            call = new HttpCall(exchange.method, decoder.path(), target.parameters(), decoder.parameters(),
                    exchange.request.headers(), null, maxRequestBodyBytes,
                    ctx.channel().remoteAddress() instanceof InetSocketAddress inet ? inet : null);
        } catch (IllegalArgumentException e) {
            exchange.closeAfterReply = true;
            replyText(ctx, exchange, HttpResponseStatus.BAD_REQUEST, "bad request\n", "malformed percent-encoding");
            return;
        }
        replyReady(ctx, exchange, run(ctx, target.endpoint(), call, exchange.uri));
    }

    private HttpReply run(ChannelHandlerContext ctx, HttpEndpoint endpoint, HttpCall call, String uri) {
        try {
            for (HttpFilter filter : filters) {
                Optional<HttpReply> answered = filter.filter(call);
                if (answered.isPresent()) {
                    return answered.get();
                }
            }
            HttpReply reply = endpoint.handle(call);
            if (reply != null) {
                return reply;
            }
            AccessLog.LOG.log(Level.WARNING, "endpoint for {0} {1} returned no reply", call.method(), AccessLog.redact(uri));
        } catch (RequestBodyTooLargeException e) {
            return HttpReply.text(413, TOO_LARGE);
        } catch (Exception | LinkageError | AssertionError e) {
            // One line, no trace: the route and the exception say enough, and the client learns nothing.
            // A client gone mid-body is not the endpoint's fault: nobody waits for that reply.
            AccessLog.LOG.log(ctx.channel().isActive() ? Level.WARNING : Level.DEBUG, "endpoint for {0} {1} failed: {2}",
                    call.method(), AccessLog.redact(uri), String.valueOf(e));
        }
        return HttpReply.text(500, INTERNAL_ERROR);
    }

    /** The client asked to be told before it sends the body, and the endpoint has begun reading. */
    private void sendContinue(ChannelHandlerContext ctx, Exchange exchange) {
        if (current != exchange || exchange.replyStarted || exchange.bodyDone || exchange.continueSent || closing) {
            return;
        }
        exchange.continueSent = true;
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                Unpooled.EMPTY_BUFFER));
    }

    /** On the event loop: the endpoint has answered; its reply goes out (a streamed body from a writer thread). */
    private void replyReady(ChannelHandlerContext ctx, Exchange exchange, HttpReply reply) {
        exchange.replyStarted = true;
        if (exchange.body != null) {
            // From here on the rest of the body is dropped as it comes (or the connection closes).
            exchange.body.detach();
        }
        if (!ctx.channel().isActive()) {
            if (reply.body() instanceof HttpReply.FileBody file) {
                runQuietly(file.whenDone(), exchange);
            }
            AccessLog.request(exchange.method, exchange.uri, reply.status(), -1, exchange.start,
                    ctx.channel().remoteAddress(), "client gone");
            return;
        }
        boolean keepAlive = exchange.keepAliveAfterReply();
        if (reply.body() instanceof HttpReply.FileBody file) {
            replyFile(ctx, exchange, reply, file, keepAlive);
            updateReading(ctx);
            return;
        }
        HttpResponseStatus status = HttpResponseStatus.valueOf(reply.status());
        long length;
        HttpResponse response;
        switch (reply.body()) {
            case HttpReply.Bytes bytes -> {
                length = bytes.bytes().length;
                response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                        exchange.head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes.bytes()));
            }
            case HttpReply.FileBody file -> throw new IllegalStateException("file bodies are sent by replyFile");
            case HttpReply.Streamed streamed -> {
                length = streamed.length();
                // HEAD: the headers a GET would get, and the writer never runs.
                response = exchange.head ? new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.EMPTY_BUFFER)
                        : new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            }
        }
        HttpHeaders headers = response.headers();
        try {
            reply.headers().forEach(headers::set);
            if (reply.contentType() != null) {
                headers.set(HttpHeaderNames.CONTENT_TYPE, headerValue(reply.contentType()));
            }
        } catch (IllegalArgumentException e) {
            // A header name or value that cannot go on the wire.
            ReferenceCountUtil.release(response);
            AccessLog.LOG.log(Level.WARNING, "endpoint for {0} {1} replied with a bad header: {2}", exchange.method,
                    AccessLog.redact(exchange.uri), e.getMessage());
            replyText(ctx, exchange, HttpResponseStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR, null);
            return;
        }
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING).set(HttpHeaderNames.DATE, DateHeaderValue.now());
        if (length >= 0) {
            headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else if (HttpVersion.HTTP_1_0.equals(exchange.request.protocolVersion())) {
            // No chunked encoding in HTTP/1.0: the close marks the end of the body.
            headers.remove(HttpHeaderNames.CONTENT_LENGTH);
            keepAlive = false;
        } else {
            headers.remove(HttpHeaderNames.CONTENT_LENGTH).set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        if (response instanceof FullHttpResponse full) {
            replied(ctx, exchange, ctx.writeAndFlush(full), reply.status(),
                    exchange.head ? 0 : full.content().readableBytes(), null, keepAlive);
        } else {
            stream(ctx, exchange, response, (HttpReply.Streamed) reply.body(), keepAlive);
        }
        updateReading(ctx);
    }

    private static final AsciiString TEXT_TYPE = AsciiString.cached(HttpReply.TEXT);
    private static final AsciiString JSON_TYPE = AsciiString.cached(HttpReply.JSON);

    /**
     * The common content types as AsciiStrings: Netty's header encoder copies those in one go, a
     * String char by char (a visible share of a small reply's cost under load).
     */
    static CharSequence headerValue(String contentType) {
        return switch (contentType) {
            case HttpReply.TEXT -> TEXT_TYPE;
            case HttpReply.JSON -> JSON_TYPE;
            default -> contentType;
        };
    }

    /** An endpoint's file: through the mounts' code (range, ETag, sendfile); {@code whenDone} once it is out. */
    private void replyFile(ChannelHandlerContext ctx, Exchange exchange, HttpReply reply, HttpReply.FileBody file,
            boolean keepAlive) {
        StaticAssetHandler.Served served;
        try {
            served = assets.serveEndpointFile(ctx, exchange.request, file, reply.headers(), keepAlive);
        } catch (RuntimeException e) {
            // A header that cannot go on the wire, say; nothing was written yet.
            runQuietly(file.whenDone(), exchange);
            AccessLog.LOG.log(Level.WARNING, "endpoint for {0} {1} replied with a file that could not be sent: {2}",
                    exchange.method, AccessLog.redact(exchange.uri), String.valueOf(e));
            replyText(ctx, exchange, HttpResponseStatus.INTERNAL_SERVER_ERROR, INTERNAL_ERROR, null);
            return;
        }
        if (file.whenDone() != null) {
            served.lastWrite().addListener(f -> runQuietly(file.whenDone(), exchange));
        }
        replied(ctx, exchange, served.lastWrite(), served.status(), served.bytes(), served.note(), keepAlive);
    }

    private static void runQuietly(Runnable task, Exchange exchange) {
        if (task == null) {
            return;
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            AccessLog.LOG.log(Level.WARNING, "endpoint for {0} {1}: its file reply's completion failed: {2}",
                    exchange.method, AccessLog.redact(exchange.uri), String.valueOf(e));
        }
    }

    private void stream(ChannelHandlerContext ctx, Exchange exchange, HttpResponse response, HttpReply.Streamed body,
            boolean keepAlive) {
        int status = response.status().code();
        ReplyBodyStream out = new ReplyBodyStream(ctx, body.length());
        exchange.replyStream = out;
        ctx.writeAndFlush(response);
        try {
            endpointExecutor.execute(() -> writeBody(ctx, exchange, body.writer(), out, status, keepAlive));
        } catch (RejectedExecutionException e) {
            exchange.replyStream = null;
            closing = true;
            AccessLog.request(exchange.method, exchange.uri, status, -1, exchange.start, ctx.channel().remoteAddress(),
                    "shutting down");
            ctx.close();
        }
    }

    /** On a virtual thread: runs the writer, then ends the reply, or closes the connection if it could not be completed. */
    private void writeBody(ChannelHandlerContext ctx, Exchange exchange, HttpReply.BodyWriter writer,
            ReplyBodyStream out, int status, boolean keepAlive) {
        ChannelFuture last;
        try {
            writer.writeTo(out);
            last = out.finish();
        } catch (Exception | LinkageError | AssertionError e) {
            out.discard();
            AccessLog.LOG.log(ctx.channel().isActive() ? Level.WARNING : Level.DEBUG,
                    "endpoint for {0} {1} failed writing its reply after {2} bytes: {3}", exchange.method,
                    AccessLog.redact(exchange.uri), Long.toString(out.written()), String.valueOf(e));
            onEventLoop(ctx, () -> {
                exchange.replyStream = null;
                closing = true;
                AccessLog.request(exchange.method, exchange.uri, status, -1, exchange.start,
                        ctx.channel().remoteAddress(), "reply body failed");
                // Closed, not ended: short of the last chunk (or of its Content-Length) the client
                // sees the body as truncated.
                ctx.close();
            });
            return;
        }
        onEventLoop(ctx, () -> {
            exchange.replyStream = null;
            replied(ctx, exchange, last, status, out.written(), null, keepAlive);
        });
    }

    private void replyText(ChannelHandlerContext ctx, Exchange exchange, HttpResponseStatus status, String text,
            String note) {
        boolean keepAlive = exchange.keepAliveAfterReply();
        replied(ctx, exchange, writeText(ctx, status, text, keepAlive), status.code(), text.length(), note, keepAlive);
    }

    /** The reply is written whole; {@code lastWrite} completes once it is out. */
    private void replied(ChannelHandlerContext ctx, Exchange exchange, ChannelFuture lastWrite, int status, long bytes,
            String note, boolean keepAlive) {
        exchange.replyStarted = true;
        exchange.lastWrite = lastWrite;
        lastWrite.addListener(f -> {
            AccessLog.request(exchange.method, exchange.uri, status, f.isSuccess() ? bytes : -1, exchange.start,
                    ctx.channel().remoteAddress(), note);
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        // closeAfterReply: too much body came to drop while a streamed reply was still being written.
        if (!keepAlive || exchange.closeAfterReply) {
            closeAfterReply(ctx, exchange);
        }
        complete(ctx, exchange);
    }

    /**
     * Closes once the reply is out. If body is still coming, half-closes first and drops what comes
     * for a while: closing with unread bytes makes the kernel send a reset, which can overtake the reply.
     */
    private void closeAfterReply(ChannelHandlerContext ctx, Exchange exchange) {
        closing = true;
        if (exchange.closeScheduled) {
            return;
        }
        exchange.closeScheduled = true;
        exchange.lastWrite.addListener(f -> {
            if (f.isSuccess() && !exchange.bodyDone && ctx.channel().isActive()
                    && ctx.channel() instanceof DuplexChannel duplex) {
                lingering = true;
                duplex.shutdownOutput();
                updateReading(ctx);
                ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                ctx.close();
            }
        });
    }

    /** The exchange is over once its reply is written and its body has arrived: the next request's turn. */
    private void complete(ChannelHandlerContext ctx, Exchange exchange) {
        if (current != exchange || exchange.lastWrite == null || !exchange.bodyDone) {
            return;
        }
        current = null;
        takeWaiting(ctx);
    }

    /** Handles what queued up behind the exchange that just ended, until a request is busy again or nothing is left. */
    private void takeWaiting(ChannelHandlerContext ctx) {
        if (takingWaiting) {
            return;
        }
        takingWaiting = true;
        try {
            HttpObject next;
            while (!closing && (current == null || !current.bodyDone) && (next = waiting.poll()) != null) {
                accept(ctx, next);
            }
        } finally {
            takingWaiting = false;
        }
        updateReading(ctx);
    }

    /** autoRead on while there is room for what the socket would bring, off otherwise. */
    private void updateReading(ChannelHandlerContext ctx) {
        boolean read;
        if (lingering) {
            read = true;
        } else if (closing || !waiting.isEmpty()) {
            read = false;
        } else if (current == null || current.bodyDone) {
            // What comes next is a new request: only once the client takes the replies it has.
            read = ctx.channel().isWritable();
        } else if (current.closeAfterReply) {
            read = false;
        } else {
            read = current.body == null || !current.body.paused();
        }
        ChannelConfig config = ctx.channel().config();
        if (config.isAutoRead() != read) {
            config.setAutoRead(read);
        }
    }

    private static void onEventLoop(ChannelHandlerContext ctx, Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (RejectedExecutionException e) {
            // The server is closing; the connection goes with it.
        }
    }

    static ChannelFuture writeText(ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean keepAlive) {
        return ctx.writeAndFlush(textResponse(status, text, keepAlive));
    }

    private static FullHttpResponse textResponse(HttpResponseStatus status, String text, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpReply.TEXT)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.DATE, DateHeaderValue.now());
        HttpUtil.setKeepAlive(response, keepAlive);
        return response;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (current != null && current.replyStream != null) {
            current.replyStream.channelChanged();
        }
        updateReading(ctx);
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ChannelOutboundBuffer pending = ctx.channel().unsafe().outboundBuffer();
            if (pending != null && pending.totalPendingWriteBytes() > 0 && outputMovedSinceLastIdle(pending)) {
                // IdleStateHandler's first event of an idle spell ignores output progress: a client
                // downloading one initrd for longer than the timeout (a storm sharing one link) would
                // be cut mid-file. Only an idle spell in which not one byte left is closed.
                return;
            }
            // Idle between requests is a keep-alive ending, nothing to say; idle mid-reply means a
            // client that stopped reading, and its download ends cut short: the operator hears of it.
            boolean midReply = current != null || pending != null && pending.totalPendingWriteBytes() > 0;
            AccessLog.LOG.log(midReply ? Level.INFO : Level.DEBUG,
                    "closing the connection from {0}: nothing sent or received for the idle timeout{1}",
                    AccessLog.hostAndPort(ctx.channel().remoteAddress()),
                    midReply ? ", in the middle of a reply" + (current == null ? "" : " to " + current.method
                            + " " + AccessLog.redact(current.uri)) : "");
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    /** Whether the reply being written moved since the previous idle event (its message, bytes left or progress). */
    private boolean outputMovedSinceLastIdle(ChannelOutboundBuffer pending) {
        int message = System.identityHashCode(pending.current());
        long left = pending.totalPendingWriteBytes();
        long progress = pending.currentProgress();
        boolean moved = message != idleMessage || left != idleLeft || progress != idleProgress;
        idleMessage = message;
        idleLeft = left;
        idleProgress = progress;
        return moved;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closing = true;
        HttpObject object;
        while ((object = waiting.poll()) != null) {
            ReferenceCountUtil.release(object);
        }
        if (current != null) {
            if (current.body != null) {
                current.body.connectionClosed();
            }
            if (current.replyStream != null) {
                current.replyStream.channelChanged();
            }
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
