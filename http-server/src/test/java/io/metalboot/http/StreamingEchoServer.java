package io.metalboot.http;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * For HttpStreamingFiveGibTest, in a JVM of its own with a small heap: the HTTP server on
 * 127.0.0.1, any free port (printed as "port N" on stdout), until its stdin ends.
 * <ul>
 * <li>PUT or POST /echo: reads the body as a stream; answers its byte count and SHA-256 (JSON),
 *     and what back-pressure did while it read.
 * <li>GET /stream?bytes=N&amp;seed=S: N bytes of {@link SeededBytes}, generated as they are
 *     written, with Content-Length.
 * <li>GET /stats: the heap's peak, and what the last streamed reply's back-pressure did.
 * </ul>
 * Usage: {@code java -Xmx128m -cp TEST_CLASSPATH io.metalboot.http.StreamingEchoServer}
 */
public final class StreamingEchoServer {
    private static final int BLOCK = 256 * 1024;
    private static final AtomicReference<ReplyBodyStream> lastReply = new AtomicReference<>();
    private static final AtomicLong peakQueuedRequestBytes = new AtomicLong();

    private StreamingEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0), List.of(
                new HttpRoute(Set.of("PUT", "POST"), "/echo", false, StreamingEchoServer::echo),
                HttpRoute.get("/stream", call -> {
                    long bytes = Long.parseLong(call.queryParameter("bytes"));
                    long seed = Long.parseLong(call.queryParameter("seed"));
                    return HttpReply.streaming(200, "application/octet-stream", bytes, out -> {
                        lastReply.set((ReplyBodyStream) out);
                        SeededBytes.write(seed, bytes, BLOCK, out);
                    });
                }),
                HttpRoute.get("/stats", call -> HttpReply.json(200, stats().getBytes(StandardCharsets.UTF_8)))));
        server.start();
        System.out.println("port " + server.localAddress().getPort());
        System.out.flush();
        // The parent closes stdin when it is done (or dies): no server outlives its test.
        System.in.transferTo(java.io.OutputStream.nullOutputStream());
        server.close();
    }

    private static HttpReply echo(HttpCall call) throws IOException {
        InputStream body = call.bodyStream();
        MessageDigest digest = SeededBytes.sha256();
        byte[] buffer = new byte[BLOCK];
        long bytes = 0;
        for (int n; (n = body.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            bytes += n;
        }
        RequestBody streamed = (RequestBody) body;
        peakQueuedRequestBytes.accumulateAndGet(streamed.peakQueuedBytes(), Math::max);
        String json = "{\"bytes\":" + bytes + ",\"sha256\":\"" + HexFormat.of().formatHex(digest.digest())
                + "\",\"declared\":" + streamed.declaredLength() + ",\"peakQueued\":" + streamed.peakQueuedBytes()
                + ",\"pauses\":" + streamed.pauses() + "}";
        return HttpReply.json(200, json.getBytes(StandardCharsets.UTF_8));
    }

    private static String stats() {
        // Each pool's own peak, summed: an upper bound of the heap's peak.
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
        ReplyBodyStream reply = lastReply.get();
        return "{\"heapMax\":" + Runtime.getRuntime().maxMemory() + ",\"heapPeak\":" + heapPeak
                + ",\"directBuffers\":" + direct
                + ",\"peakQueuedRequestBytes\":" + peakQueuedRequestBytes.get()
                + ",\"replyWritten\":" + (reply == null ? -1 : reply.written())
                + ",\"replyWritabilityWaits\":" + (reply == null ? -1 : reply.writabilityWaits())
                + ",\"replyPeakPendingBytes\":" + (reply == null ? -1 : reply.peakPendingBytes()) + "}";
    }
}
