package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/**
 * The router alone on an EmbeddedChannel, its endpoints run by hand: for orders of events a
 * socket cannot produce on demand (body arriving while a streamed reply is still being written).
 */
class HttpRequestRouterTest {
    private final Queue<Runnable> endpointTasks = new ArrayDeque<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpRequestRouter(
            new RouteTable(List.of(HttpRoute.exact("/stream", call -> HttpReply.streaming(200, null,
                    HttpReply.UNKNOWN_LENGTH, out -> out.write(new byte[1000])))), Map.of()),
            List.of(), new StaticAssetHandler(), endpointTasks::add, 1 << 20));

    /** Runs the queued endpoint task, then what it handed back to the event loop. */
    private void runEndpoint() {
        endpointTasks.remove().run();
        channel.runPendingTasks();
    }

    private static HttpRequest chunkedRequest() {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/stream");
        request.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        return request;
    }

    private void sendBody(int bytes) {
        for (int sent = 0; sent < bytes; sent += 64 * 1024) {
            channel.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[64 * 1024])));
        }
    }

    /** The reply's head, then its body up to the last content; the count of body bytes. */
    private long readReply() {
        HttpResponse head = assertInstanceOf(HttpResponse.class, channel.readOutbound());
        assertEquals(200, head.status().code());
        long bytes = 0;
        for (Object out; (out = channel.readOutbound()) != null; ) {
            bytes += ((HttpContent) out).content().readableBytes();
            boolean last = out instanceof LastHttpContent;
            ReferenceCountUtil.release(out);
            if (last) {
                return bytes;
            }
        }
        throw new AssertionError("no last content after " + bytes + " bytes");
    }

    @Test
    void aRemainderOverTheDropLimitArrivingDuringAStreamedReplyClosesAfterIt() {
        channel.writeInbound(chunkedRequest());
        runEndpoint();                       // the endpoint replies, reading nothing
        sendBody((int) HttpRequestRouter.DROP_LIMIT + 64 * 1024);
        assertFalse(channel.config().isAutoRead(), "no more reading: too much to drop");
        assertTrue(channel.isOpen(), "the reply is not out yet");
        runEndpoint();                       // the writer writes the body and ends the reply
        assertEquals(1000, readReply());
        assertFalse(channel.isOpen(), "closed after the reply, not left hanging until the idle timeout");
    }

    @Test
    void aSmallRemainderDuringAStreamedReplyIsDroppedAndTheConnectionKept() {
        channel.writeInbound(chunkedRequest());
        runEndpoint();
        sendBody(100 * 1024);
        channel.writeInbound(new DefaultLastHttpContent());
        runEndpoint();
        assertEquals(1000, readReply());
        assertTrue(channel.isOpen());
        assertTrue(channel.config().isAutoRead(), "ready for the next request");
        channel.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/stream"),
                LastHttpContent.EMPTY_LAST_CONTENT);
        runEndpoint();
        runEndpoint();
        assertEquals(1000, readReply());
        assertNull(channel.readOutbound());
        channel.finishAndReleaseAll();
    }
}
