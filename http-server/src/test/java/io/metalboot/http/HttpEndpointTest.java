package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Endpoint routes: dispatch, failures, blocking endpoints on virtual threads, limits, the access log. */
class HttpEndpointTest {
    private static final int MAX_BODY = 64 * 1024;

    @TempDir
    static Path temp;
    static HttpServer server;
    static String base;
    static HttpClient client;
    static final AtomicInteger running = new AtomicInteger();
    static final AtomicInteger peak = new AtomicInteger();
    static final AtomicBoolean allVirtual = new AtomicBoolean(true);
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
                HttpRoute.exact("/boot.ipxe", call -> HttpReply.text(200,
                        "#!ipxe\necho " + call.queryParameter("mac") + "\n")),
                HttpRoute.prefix("/api/v1/", call -> HttpReply.json(200, ("{\"method\":\"" + call.method()
                        + "\",\"path\":\"" + call.path() + "\",\"bytes\":" + call.body().length + ",\"type\":\""
                        + call.header("Content-Type") + "\"}").getBytes(StandardCharsets.UTF_8))),
                HttpRoute.prefix("/api/v1/special/", call -> HttpReply.text(200, "longest prefix wins")),
                HttpRoute.exact("/api/v1/exact", call -> HttpReply.text(200, "exact wins")),
                HttpRoute.exact("/fail", call -> {
                    throw new IllegalStateException("journal corrupt at /var/lib/secret");
                }),
                HttpRoute.exact("/null", call -> null),
                HttpRoute.exact("/here", HttpEndpoint.nonBlocking(call -> HttpReply.text(200,
                        "virtual=" + Thread.currentThread().isVirtual() + " probe=" + call.header("x-PROBE")
                                + " probes=" + call.headers().get("x-probe") + " bytes=" + call.body().length))),
                HttpRoute.exact("/created", call -> HttpReply.empty(201).withHeader("Location", "/api/v1/m/1")),
                HttpRoute.exact("/slow", call -> {
                    if (!Thread.currentThread().isVirtual()) {
                        allVirtual.set(false);
                    }
                    peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                    try {
                        Thread.sleep(200);
                    } finally {
                        running.decrementAndGet();
                    }
                    return HttpReply.text(200, "slept " + call.queryParameter("n"));
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

    private static HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void textEndpointWithQuery() throws Exception {
        HttpResponse<String> response = get("/boot.ipxe?mac=52:54:00:12:34:56&uuid=x");
        assertEquals(200, response.statusCode());
        assertEquals("#!ipxe\necho 52:54:00:12:34:56\n", response.body());
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void prefixEndpointGetsMethodPathBodyAndHeaders() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/machines/a%20b"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"x\":1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("{\"method\":\"POST\",\"path\":\"/api/v1/machines/a b\",\"bytes\":7,\"type\":\"application/json\"}",
                response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void exactBeforeLongestPrefixBeforeShorterPrefix() throws Exception {
        assertEquals("exact wins", get("/api/v1/exact").body());
        assertEquals("longest prefix wins", get("/api/v1/special/x").body());
        assertTrue(get("/api/v1/other").body().contains("\"path\":\"/api/v1/other\""));
    }

    @Test
    void unknownPathIs404Text() throws Exception {
        HttpResponse<String> response = get("/boot.ipxe/more");
        assertEquals(404, response.statusCode());
        assertEquals("not found\n", response.body());
    }

    @Test
    void throwingEndpointIs500WithOneWarnAndNoDetails() throws Exception {
        HttpResponse<String> response = get("/fail?token=s3cr3t");
        assertEquals(500, response.statusCode());
        assertEquals("internal server error\n", response.body());
        assertFalse(response.body().contains("journal"));
        List<String> warnings = logLines.stream().filter(l -> l.startsWith("WARNING")).toList();
        assertEquals(1, warnings.size(), logLines.toString());
        assertTrue(warnings.getFirst().contains("/fail") && warnings.getFirst().contains("IllegalStateException"),
                warnings.getFirst());
        assertFalse(warnings.getFirst().contains("s3cr3t"), warnings.getFirst());
    }

    @Test
    void endpointReturningNothingIs500() throws Exception {
        assertEquals(500, get("/null").statusCode());
    }

    @Test
    void extraHeadersAndEmptyBody() throws Exception {
        HttpResponse<String> response = get("/created");
        assertEquals(201, response.statusCode());
        assertEquals("/api/v1/m/1", response.headers().firstValue("location").orElseThrow());
        assertEquals("", response.body());
    }

    @Test
    void headOnAnEndpointKeepsTheLengthDropsTheBody() throws Exception {
        String response = RawHttp.exchange(server.localAddress(),
                "HEAD /boot.ipxe?mac=aa HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        assertTrue(response.toLowerCase().contains("content-length: 15\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\n"), response);
    }

    @Test
    void fiftyBlockingRequestsInParallelAllAnswered() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(URI.create(base + "/slow?n=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> response = futures.get(i).join();
            assertEquals(200, response.statusCode());
            assertEquals("slept " + i, response.body());
        }
        assertTrue(allVirtual.get(), "endpoints run on virtual threads");
        assertTrue(peak.get() > 1, "blocking endpoints ran side by side, peak " + peak.get());
    }

    @Test
    void nonBlockingEndpointRunsOnTheEventLoopUnlessTheRequestHasABody() throws Exception {
        HttpResponse<String> here = client.send(HttpRequest.newBuilder(URI.create(base + "/here"))
                .header("X-Probe", "a").header("X-Probe", "b").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, here.statusCode());
        assertEquals("virtual=false probe=a probes=[a, b] bytes=0", here.body());
        HttpResponse<String> withBody = client.send(HttpRequest.newBuilder(URI.create(base + "/here"))
                .header("X-Probe", "c").POST(HttpRequest.BodyPublishers.ofString("abc")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("virtual=true probe=c probes=[c] bytes=3", withBody.body());
        // Answered on the loop, it still waits its turn behind a slow endpoint's reply.
        String pipelined = RawHttp.exchange(server.localAddress(),
                "GET /slow?n=2 HTTP/1.1\r\nHost: t\r\n\r\n"
                        + "GET /here HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        int slow = pipelined.indexOf("slept 2");
        assertTrue(slow > 0 && pipelined.indexOf("virtual=false") > slow, pipelined);
    }

    @Test
    void pipelinedRepliesKeepRequestOrder() throws IOException {
        // The slow endpoint answers on a virtual thread; the asset behind it must not overtake it.
        String response = RawHttp.exchange(server.localAddress(),
                "GET /slow?n=1 HTTP/1.1\r\nHost: t\r\n\r\n"
                        + "GET /assets/after.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                        + "GET /boot.ipxe?mac=3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        int slow = response.indexOf("slept 1");
        int asset = response.indexOf("asset");
        int script = response.indexOf("echo 3");
        assertTrue(slow > 0 && asset > slow && script > asset, response);
    }

    @Test
    void bodyOverTheLimitIs413() throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/inventory"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_BODY + 1])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, response.statusCode());
        HttpResponse<String> atLimit = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/inventory"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[MAX_BODY])).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, atLimit.statusCode());
        assertTrue(atLimit.body().contains("\"bytes\":" + MAX_BODY), atLimit.body());
    }

    @Test
    void bodyOverTheLimitIs413WithCurl() throws Exception {
        Curl.require();
        Path big = Files.write(temp.resolve("big.json"), new byte[4 * MAX_BODY]);
        Curl.Result result = Curl.run("-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + big,
                base + "/api/v1/inventory");
        assertEquals("413", result.stdout(), result.stderr());
    }

    @Test
    void accessLogHasOneLinePerRequestAndRedactsTokens() throws Exception {
        get("/boot.ipxe?mac=aa&token=s3cr3t&boot_token=other");
        // The line is written once the reply is out, which may be just after the client has it.
        for (int i = 0; i < 500 && logLines.stream().noneMatch(l -> l.contains("/boot.ipxe")); i++) {
            Thread.sleep(10);
        }
        List<String> lines = logLines.stream().filter(l -> l.contains("/boot.ipxe")).toList();
        assertEquals(1, lines.size(), logLines.toString());
        String line = lines.getFirst();
        assertTrue(line.startsWith("FINE GET /boot.ipxe?mac=aa&token=REDACTED&boot_token=REDACTED 200 "), line);
        assertFalse(line.contains("s3cr3t") || line.contains("other"), line);
    }

    @Test
    void redaction() {
        assertEquals("/x", AccessLog.redact("/x"));
        assertEquals("/x?mac=1&token=REDACTED", AccessLog.redact("/x?mac=1&token=abc"));
        assertEquals("/x?Agent-Token=REDACTED&%74oken=REDACTED&t=1", AccessLog.redact("/x?Agent-Token=a&%74oken=b&t=1"));
        assertEquals("/x?token&a=", AccessLog.redact("/x?token&a="));
        assertEquals("/images/u?machine=m&expires=9&sig=REDACTED&Signature=REDACTED&sigma=1",
                AccessLog.redact("/images/u?machine=m&expires=9&sig=c2VjcmV0&Signature=x&sigma=1"));
    }

    @Test
    void badRoutesAndDuplicatesAreRefused() {
        HttpEndpoint e = call -> HttpReply.empty(204);
        assertThrows(IllegalArgumentException.class, () -> HttpRoute.prefix("/api", e));
        assertThrows(IllegalArgumentException.class, () -> HttpRoute.exact("boot.ipxe", e));
        assertThrows(IllegalArgumentException.class, () -> new RouteTable(
                List.of(HttpRoute.exact("/a", e), HttpRoute.exact("/a", e)), java.util.Map.of()));
        assertThrows(IllegalArgumentException.class, () -> HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0)
                .withMount("/assets/", temp).withMount("/assets/", temp));
        assertThrows(IllegalArgumentException.class, () -> HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0)
                .withMount("/assets/", temp).withMount("ipxe", temp));
    }
}
