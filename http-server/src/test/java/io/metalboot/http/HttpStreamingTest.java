package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request and reply bodies as streams over loopback: uploads read as they arrive, chunked both
 * ways, 100-continue, what happens to unread bodies, and back-pressure, asserted on the server's
 * own counters (RequestBody, ReplyBodyStream) rather than on timing.
 */
class HttpStreamingTest {
    private static final int MAX_BODY = 64 * 1024;

    @TempDir
    static Path temp;
    static HttpServer server;
    static String base;
    static HttpClient client;
    static final AtomicInteger writerRuns = new AtomicInteger();
    static final AtomicReference<ReplyBodyStream> firehose = new AtomicReference<>();
    static final List<String> logLines = new CopyOnWriteArrayList<>();
    static final Logger HTTP_LOG = Logger.getLogger("http");
    static final Handler CAPTURE = new CapturedLog(logLines);

    @BeforeAll
    static void start() throws IOException {
        Path root = Files.createDirectories(temp.resolve("assets"));
        Files.writeString(root.resolve("after.txt"), "asset");
        HTTP_LOG.setLevel(java.util.logging.Level.FINE);
        HTTP_LOG.addHandler(CAPTURE);
        server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0).withMount("/assets/", root)
                .withMaxRequestBodyBytes(MAX_BODY), List.of(
                new HttpRoute(Set.of("PUT", "POST"), "/upload", false, call -> digest(call.bodyStream())),
                // Reads nothing until the server has stopped reading the socket for it.
                HttpRoute.put("/upload-held", call -> {
                    RequestBody body = (RequestBody) call.bodyStream();
                    awaitOrFail(body::paused, "the server to stop reading a body nobody reads");
                    return digest(body);
                }),
                HttpRoute.put("/upload-gone", call -> {
                    call.bodyStream().transferTo(OutputStream.nullOutputStream());
                    return HttpReply.text(200, "all read\n");
                }),
                HttpRoute.post("/whole", call -> HttpReply.json(200, ("{\"bytes\":" + call.body().length + ",\"sha256\":\""
                        + HexFormat.of().formatHex(SeededBytes.sha256().digest(call.body())) + "\"}")
                        .getBytes(StandardCharsets.UTF_8))),
                HttpRoute.put("/ignore", call -> HttpReply.empty(202)),
                HttpRoute.get("/stream", call -> {
                    long bytes = Long.parseLong(call.queryParameter("bytes"));
                    long seed = Long.parseLong(call.queryParameter("seed"));
                    return HttpReply.streaming(200, "application/octet-stream",
                            "true".equals(call.queryParameter("known")) ? bytes : HttpReply.UNKNOWN_LENGTH, out -> {
                                writerRuns.incrementAndGet();
                                SeededBytes.write(seed, bytes, 10_000, out);
                            });
                }),
                HttpRoute.get("/firehose", call -> {
                    long bytes = Long.parseLong(call.queryParameter("bytes"));
                    return HttpReply.streaming(200, "application/octet-stream", HttpReply.UNKNOWN_LENGTH, out -> {
                        firehose.set((ReplyBodyStream) out);
                        SeededBytes.write(9, bytes, 8192, out);
                    });
                }),
                HttpRoute.get("/broken", call -> {
                    long after = Long.parseLong(call.queryParameter("after"));
                    boolean known = "true".equals(call.queryParameter("known"));
                    return HttpReply.streaming(200, "application/octet-stream",
                            known ? 1 << 20 : HttpReply.UNKNOWN_LENGTH, out -> {
                                SeededBytes.write(3, after, 4096, out);
                                out.flush();
                                throw new IllegalStateException("disk image unreadable");
                            });
                })));
        server.start();
        base = "http://127.0.0.1:" + server.localAddress().getPort();
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        HTTP_LOG.removeHandler(CAPTURE);
    }

    @BeforeEach
    void clearLog() {
        logLines.clear();
    }

    /** The endpoint's answer to an upload: what it read, and what back-pressure did meanwhile. */
    private static HttpReply digest(InputStream body) throws IOException {
        MessageDigest digest = SeededBytes.sha256();
        long bytes = 0;
        byte[] buffer = new byte[32 * 1024];
        for (int n; (n = body.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            bytes += n;
        }
        StringBuilder json = new StringBuilder().append("{\"bytes\":").append(bytes).append(",\"sha256\":\"")
                .append(HexFormat.of().formatHex(digest.digest())).append('"');
        if (body instanceof RequestBody streamed) {
            json.append(",\"declared\":").append(streamed.declaredLength())
                    .append(",\"peakQueued\":").append(streamed.peakQueuedBytes())
                    .append(",\"pauses\":").append(streamed.pauses());
        }
        return HttpReply.json(200, json.append('}').toString().getBytes(StandardCharsets.UTF_8));
    }

    static long field(String json, String name) {
        Matcher matcher = Pattern.compile("\"" + name + "\":(-?\\d+)").matcher(json);
        assertTrue(matcher.find(), name + " in " + json);
        return Long.parseLong(matcher.group(1));
    }

    static String sha256Field(String json) {
        Matcher matcher = Pattern.compile("\"sha256\":\"([0-9a-f]{64})\"").matcher(json);
        assertTrue(matcher.find(), json);
        return matcher.group(1);
    }

    /** Waits for a condition the code under test brings about; failing after 30 s means it never did. */
    static void awaitOrFail(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited 30 s for " + what);
            }
            Thread.sleep(1);
        }
    }

    private static HttpResponse<String> put(String path, HttpRequest.BodyPublisher body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).PUT(body).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.BodyPublisher seeded(long seed, long length, boolean knownLength) {
        HttpRequest.BodyPublisher stream = HttpRequest.BodyPublishers.ofInputStream(() -> SeededBytes.stream(seed, length));
        return knownLength ? HttpRequest.BodyPublishers.fromPublisher(stream, length) : stream;
    }

    private static Socket connect() throws IOException {
        InetSocketAddress address = server.localAddress();
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static void send(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    // --- request bodies

    @Test
    void multiMebibyteUploadIsReadAsItArrives() throws Exception {
        long size = 24L << 20;
        HttpResponse<String> response = put("/upload", seeded(1, size, true));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(size, field(response.body(), "bytes"));
        assertEquals(size, field(response.body(), "declared"));
        assertEquals(SeededBytes.sha256(1, size), sha256Field(response.body()));
    }

    @Test
    void chunkedUploadFromJavaAndFromCurl() throws Exception {
        long size = 5L << 20;
        HttpResponse<String> java = put("/upload", seeded(2, size, false));
        assertEquals(200, java.statusCode(), java.body());
        assertEquals(-1, field(java.body(), "declared"), "sent chunked");
        assertEquals(size, field(java.body(), "bytes"));
        assertEquals(SeededBytes.sha256(2, size), sha256Field(java.body()));

        Curl.require();
        Path file = Files.write(temp.resolve("chunked.bin"), SeededBytes.bytes(3, 3_000_001));
        Curl.Result curl = Curl.run("-H", "Transfer-Encoding: chunked", "--data-binary", "@" + file, base + "/upload");
        assertEquals(0, curl.exitCode(), curl.stderr());
        assertEquals(-1, field(curl.stdout(), "declared"), "sent chunked");
        assertEquals(3_000_001, field(curl.stdout(), "bytes"));
        assertEquals(SeededBytes.sha256(3, 3_000_001), sha256Field(curl.stdout()));
    }

    @Test
    void wholeBodyOfAChunkedRequestAndItsLimit() throws Exception {
        HttpResponse<String> small = client.send(HttpRequest.newBuilder(URI.create(base + "/whole"))
                .POST(seeded(4, 1000, false)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, small.statusCode(), small.body());
        assertEquals(1000, field(small.body(), "bytes"));
        assertEquals(SeededBytes.sha256(4, 1000), sha256Field(small.body()));
        // No Content-Length to refuse up front: body() stops one byte past the limit.
        HttpResponse<String> large = client.send(HttpRequest.newBuilder(URI.create(base + "/whole"))
                .POST(seeded(4, MAX_BODY + 1, false)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(413, large.statusCode(), large.body());
        HttpResponse<String> atLimit = client.send(HttpRequest.newBuilder(URI.create(base + "/whole"))
                .POST(seeded(4, MAX_BODY, false)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, atLimit.statusCode(), atLimit.body());
        assertEquals(MAX_BODY, field(atLimit.body(), "bytes"));
    }

    @Test
    void slowEndpointHoldsTheClientNotTheMemory() throws Exception {
        long size = 16L << 20;
        HttpResponse<String> response = put("/upload-held", seeded(5, size, true));
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(size, field(response.body(), "bytes"));
        assertEquals(SeededBytes.sha256(5, size), sha256Field(response.body()));
        long peak = field(response.body(), "peakQueued");
        assertTrue(peak >= RequestBody.PAUSE_AT, "the body filled up to the pause mark: " + peak);
        assertTrue(peak <= RequestBody.PAUSE_AT + RequestBody.MAX_READ_BYTES,
                "at most one socket read past the pause mark: " + peak);
        assertTrue(field(response.body(), "pauses") >= 1, response.body());
    }

    @Test
    void expectContinueIsAnsweredOnceTheEndpointReads() throws Exception {
        byte[] body = SeededBytes.bytes(6, 200_000);
        try (Socket socket = connect()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            send(socket, "PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length
                    + "\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response go = RawHttp.read(in, false);
            assertEquals(100, go.status(), "the go-ahead comes before any body was sent");
            socket.getOutputStream().write(body);
            RawHttp.Response response = RawHttp.read(in, false);
            assertEquals(200, response.status(), response.text());
            assertEquals(SeededBytes.sha256(6, body.length), sha256Field(response.text()));
            assertNull(response.header("connection"), "the connection stays open");
        }
    }

    @Test
    void expectContinueOverTheLimitOfAWholeBodyIs413AtOnce() throws Exception {
        try (Socket socket = connect()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            send(socket, "POST /whole HTTP/1.1\r\nHost: t\r\nContent-Length: " + (MAX_BODY + 1)
                    + "\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response response = RawHttp.read(in, false);
            assertEquals(413, response.status(), "no 100 Continue first");
            assertEquals("close", response.header("connection"));
            assertEquals(-1, in.read(), "closed: the client never sent the body, and the server does not wait for it");
        }
    }

    @Test
    void expectContinueToAnEndpointThatNeverReadsGetsTheReplyAndAClose() throws Exception {
        try (Socket socket = connect()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            send(socket, "PUT /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Response response = RawHttp.read(in, false);
            assertEquals(202, response.status());
            assertEquals("close", response.header("connection"));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void anExpectationOtherThan100ContinueIs417() throws Exception {
        String response = RawHttp.exchange(server.localAddress(),
                "PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\nExpect: 200-ok\r\n\r\n");
        assertEquals(417, RawHttp.status(response), response);
        assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), response);
    }

    @Test
    void smallUnreadRemainderIsDroppedAndTheConnectionKept() throws Exception {
        byte[] body = SeededBytes.bytes(7, 512 * 1024);
        try (Socket socket = connect()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            send(socket, "PUT /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n");
            socket.getOutputStream().write(body);
            send(socket, "GET /assets/after.txt HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response ignored = RawHttp.read(in, false);
            assertEquals(202, ignored.status());
            assertNull(ignored.header("connection"));
            RawHttp.Response next = RawHttp.read(in, false);
            assertEquals(200, next.status(), "the next request on the same connection");
            assertEquals("asset", next.text());
        }
    }

    @Test
    void largeUnreadRemainderClosesTheConnectionAfterTheReply() throws Exception {
        long size = 256L << 20;
        Socket socket = connect();
        try {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            send(socket, "PUT /ignore HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n");
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    SeededBytes.write(8, size, 64 * 1024, socket.getOutputStream());
                } catch (IOException e) {
                    // The server closed on the rest of the body, as it should.
                }
            });
            RawHttp.Response response = RawHttp.read(in, false);
            assertEquals(202, response.status());
            assertEquals("close", response.header("connection"));
            assertEquals(-1, in.read(), "the server half-closed after the reply");
            socket.close();
            sender.get(30, TimeUnit.SECONDS);
        } finally {
            socket.close();
        }
    }

    @Test
    void clientGoneMidBodyFailsTheEndpointsReadWithoutAWarning() throws Exception {
        try (Socket socket = connect()) {
            send(socket, "PUT /upload-gone HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n");
            socket.getOutputStream().write(new byte[100_000]);
            socket.getOutputStream().flush();
        }
        // The access line comes once the endpoint has given up on the body.
        awaitOrFail(() -> logLines.stream().anyMatch(l -> l.startsWith("FINE PUT /upload-gone")), "the access line");
        String line = logLines.stream().filter(l -> l.startsWith("FINE PUT /upload-gone")).findFirst().orElseThrow();
        assertTrue(line.startsWith("FINE PUT /upload-gone 500 (aborted)"), line);
        assertTrue(logLines.stream().noneMatch(l -> l.startsWith("WARNING") && l.contains("/upload-gone")),
                logLines.toString());
    }

    // --- reply bodies

    @Test
    void streamedReplyOfUnknownLengthIsChunked() throws Exception {
        Curl.require();
        Path out = temp.resolve("unknown.out");
        Path headers = temp.resolve("unknown.headers");
        Curl.Result result = Curl.run("-D", headers.toString(), "-o", out.toString(),
                base + "/stream?bytes=3000017&seed=11&known=false");
        assertEquals(0, result.exitCode(), result.stderr());
        var parsed = HttpStaticAssetTest.headers(Files.readString(headers, StandardCharsets.ISO_8859_1));
        assertEquals("chunked", parsed.get("transfer-encoding"));
        assertNull(parsed.get("content-length"));
        assertEquals(SeededBytes.sha256(11, 3_000_017), HttpStaticAssetTest.sha256(Files.readAllBytes(out)));
    }

    @Test
    void streamedReplyOfKnownLengthHasContentLength() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
                URI.create(base + "/stream?bytes=3000017&seed=12&known=true")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertEquals("3000017", response.headers().firstValue("content-length").orElse(null));
        assertFalse(response.headers().firstValue("transfer-encoding").isPresent());
        assertEquals(SeededBytes.sha256(12, 3_000_017), HttpStaticAssetTest.sha256(response.body()));
    }

    @Test
    void headOnAStreamedReplySendsHeadersAloneAndNeverRunsTheWriter() throws Exception {
        int runs = writerRuns.get();
        try (Socket socket = connect()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            send(socket, "HEAD /stream?bytes=5000&seed=1&known=true HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "HEAD /stream?bytes=5000&seed=1&known=false HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /assets/after.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            RawHttp.Response known = RawHttp.read(in, true);
            assertEquals("5000", known.header("content-length"));
            RawHttp.Response unknown = RawHttp.read(in, true);
            assertEquals("chunked", unknown.header("transfer-encoding"));
            // Had either HEAD carried a body, this would not parse as the asset's reply.
            RawHttp.Response asset = RawHttp.read(in, false);
            assertEquals(200, asset.status());
            assertEquals("asset", asset.text());
            assertEquals(-1, in.read());
        }
        assertEquals(runs, writerRuns.get(), "no writer ran for HEAD");
    }

    @Test
    void slowClientHoldsTheWriterNotTheMemory() throws Exception {
        long size = 64L << 20;
        firehose.set(null);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(server.localAddress());
            socket.setSoTimeout(30_000);
            send(socket, "GET /firehose?bytes=" + size + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            // Nothing is read until the writer is held up.
            awaitOrFail(() -> firehose.get() != null && firehose.get().waitingForWritability(),
                    "the writer to wait for a client that reads nothing");
            ReplyBodyStream stream = firehose.get();
            assertTrue(stream.written() < size, "held up before it had written it all: " + stream.written());
            MessageDigest digest = SeededBytes.sha256();
            RawHttp.Response response = RawHttp.read(new BufferedInputStream(socket.getInputStream()), false,
                    new DigestOutputStream(OutputStream.nullOutputStream(), digest));
            assertTrue(response.complete() && response.lastChunk(), "whole, with its last chunk");
            assertEquals(size, response.bodyLength());
            assertEquals(SeededBytes.sha256(9, size), HexFormat.of().formatHex(digest.digest()));
            assertTrue(stream.writabilityWaits() >= 1);
            long bound = HttpServer.WRITE_HIGH_WATER + 2L * ReplyBodyStream.CHUNK_BYTES;
            assertTrue(stream.peakPendingBytes() <= bound,
                    "queued above the socket: " + stream.peakPendingBytes() + ", bound " + bound);
        }
    }

    @Test
    void writerThatThrowsMidwayClosesWithoutCompletingTheBody() throws Exception {
        for (boolean known : new boolean[] {false, true}) {
            try (Socket socket = connect()) {
                InputStream in = new BufferedInputStream(socket.getInputStream());
                send(socket, "GET /broken?after=300000&known=" + known + " HTTP/1.1\r\nHost: t\r\n\r\n");
                RawHttp.Response response = RawHttp.read(in, false);
                assertEquals(200, response.status());
                assertFalse(response.complete(), "known length " + known + ": the body must not look complete");
                assertFalse(response.lastChunk());
                assertTrue(response.bodyLength() <= 300_000, "bytes: " + response.bodyLength());
                assertEquals(-1, in.read(), "the connection is closed");
                if (known) {
                    assertEquals("1048576", response.header("content-length"));
                } else {
                    assertEquals("chunked", response.header("transfer-encoding"));
                }
            }
        }
        List<String> warnings = logLines.stream().filter(l -> l.startsWith("WARNING") && l.contains("/broken?after=300000"))
                .toList();
        assertEquals(2, warnings.size(), "one per failed reply: " + logLines);
        assertTrue(warnings.stream().allMatch(w -> w.contains("IllegalStateException")), warnings.toString());
        // A real client reports the truncation: curl's "partial file".
        Curl.require();
        assertEquals(18, Curl.run("-o", "/dev/null", base + "/broken?after=300000&known=false").exitCode());
        assertEquals(18, Curl.run("-o", "/dev/null", base + "/broken?after=300000&known=true").exitCode());
    }

    @Test
    void accessLogCountsTheBytesOfStreamedReplies() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
                URI.create(base + "/stream?bytes=123457&seed=1&known=false")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(123_457, response.body().length);
        try (Socket socket = connect()) {
            send(socket, "GET /broken?after=1000 HTTP/1.1\r\nHost: t\r\n\r\n");
            socket.getInputStream().transferTo(OutputStream.nullOutputStream());
        }
        // Only this test's lines (another test's may still come in), in either order: two
        // connections, maybe two event loops.
        java.util.function.Function<String, List<String>> lines = prefix -> logLines.stream()
                .filter(l -> l.startsWith(prefix)).toList();
        String streamed = "FINE GET /stream?bytes=123457&seed=1&known=false ";
        String broken = "FINE GET /broken?after=1000 ";
        awaitOrFail(() -> !lines.apply(streamed).isEmpty() && !lines.apply(broken).isEmpty(), "both access lines");
        assertEquals(List.of(1, 1), List.of(lines.apply(streamed).size(), lines.apply(broken).size()),
                logLines.toString());
        assertTrue(lines.apply(streamed).getFirst().startsWith(streamed + "200 123457 bytes "), logLines.toString());
        assertTrue(lines.apply(broken).getFirst().startsWith(broken + "200 (aborted) bytes "), logLines.toString());
    }

    @Test
    void pipelinedUploadStreamAndAssetKeepRequestOrder() throws Exception {
        byte[] body = SeededBytes.bytes(13, 300_000);
        try (Socket socket = connect()) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            send(socket, "PUT /upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + body.length + "\r\n\r\n");
            socket.getOutputStream().write(body);
            send(socket, "GET /stream?bytes=200000&seed=14&known=false HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /assets/after.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /stream?bytes=10&seed=15&known=true HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
            RawHttp.Response upload = RawHttp.read(in, false);
            assertEquals(SeededBytes.sha256(13, body.length), sha256Field(upload.text()));
            RawHttp.Response streamed = RawHttp.read(in, false);
            assertTrue(streamed.lastChunk());
            assertEquals(SeededBytes.sha256(14, 200_000), HttpStaticAssetTest.sha256(streamed.body()));
            RawHttp.Response asset = RawHttp.read(in, false);
            assertEquals("asset", asset.text());
            RawHttp.Response last = RawHttp.read(in, false);
            assertEquals(SeededBytes.sha256(15, 10), HttpStaticAssetTest.sha256(last.body()));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void streamingRepliesWithoutABodyOrWithABadLengthAreRefused() {
        HttpReply.BodyWriter nothing = out -> { };
        for (int status : new int[] {101, 204, 304}) {
            assertThrowsIllegalArgument(() -> HttpReply.streaming(status, null, 0, nothing));
        }
        assertThrowsIllegalArgument(() -> HttpReply.streaming(200, null, -2, nothing));
        assertThrowsIllegalArgument(() -> HttpReply.streaming(200, null, 0, null));
        assertNotNull(HttpReply.streaming(200, null, HttpReply.UNKNOWN_LENGTH, nothing).withHeader("X-A", "b"));
    }

    private static void assertThrowsIllegalArgument(Runnable action) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, action::run);
    }
}
