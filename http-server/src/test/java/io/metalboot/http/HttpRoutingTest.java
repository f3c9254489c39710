package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Routes by method and path pattern, the filter seam and the health routes, over real HTTP on loopback. */
class HttpRoutingTest {
    @TempDir
    static Path temp;
    static HttpServer server;
    static InetSocketAddress address;
    static final AtomicBoolean READY = new AtomicBoolean();

    private static HttpEndpoint echo(String name) {
        return call -> HttpReply.text(200, name + " " + call.method() + " " + new java.util.TreeMap<>(call.pathParameters()));
    }

    @BeforeAll
    static void start() throws Exception {
        Path files = Files.createDirectories(temp.resolve("files"));
        Files.writeString(files.resolve("a.txt"), "public");
        List<HttpRoute> routes = new java.util.ArrayList<>(List.of(
                HttpRoute.get("/machines", echo("list")),
                HttpRoute.get("/machines/{mac}", echo("one")),
                HttpRoute.post("/machines/{mac}/state", echo("state")),
                HttpRoute.put("/machines/{mac}/labels/{key...}", echo("label-put")),
                HttpRoute.delete("/machines/{mac}/labels/{key...}", echo("label-delete")),
                HttpRoute.get("/machines/special", echo("literal")),
                HttpRoute.get("/guarded/{x}", echo("guarded"))));
        routes.addAll(HealthRoutes.routes(READY::get));
        HttpFilter guard = call -> call.path().startsWith("/guarded/") && call.header("X-Key") == null
                ? Optional.of(HttpReply.empty(401)) : Optional.empty();
        HttpFilter tagger = call -> call.path().equals("/guarded/tag") ? Optional.of(HttpReply.text(200, "second filter"))
                : Optional.empty();
        server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0).withMount("/files/", files),
                routes, List.of(guard, tagger));
        server.start();
        address = server.localAddress();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String request(String method, String target, String... headers) throws Exception {
        StringBuilder request = new StringBuilder(method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD") && !method.equals("DELETE")) {
            request.append("Content-Length: 0\r\n");
        }
        return RawHttp.exchange(address, request.append("\r\n").toString());
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void parametersAreMatchedAndDecoded() throws Exception {
        assertEquals("one GET {mac=52:54:00:12:34:56}", body(request("GET", "/machines/52:54:00:12:34:56")));
        assertEquals("state POST {mac=m1}", body(request("POST", "/machines/m1/state")));
        assertEquals("label-put PUT {key=metalboot.io/role, mac=m1}",
                body(request("PUT", "/machines/m1/labels/metalboot.io%2Frole")));
        assertEquals("label-put PUT {key=metalboot.io/role, mac=m1}",
                body(request("PUT", "/machines/m1/labels/metalboot.io/role")), "the rest of the path, slashes and all");
        assertEquals("label-delete DELETE {key=a+b c, mac=m1}", body(request("DELETE", "/machines/m1/labels/a+b%20c")),
                "in a path '+' is a plus");
        assertEquals("list GET {}", body(request("GET", "/machines")));
    }

    @Test
    void aLiteralSegmentWinsOverAParameter() throws Exception {
        assertEquals("literal GET {}", body(request("GET", "/machines/special")));
    }

    @Test
    void aKnownPathWithAnotherMethodIs405WithAllow() throws Exception {
        String response = request("DELETE", "/machines/m1");
        assertEquals(405, RawHttp.status(response), response);
        assertTrue(response.contains("\r\nallow: GET, HEAD\r\n") || response.contains("\r\nAllow: GET, HEAD\r\n"),
                response);
        String state = request("GET", "/machines/m1/state");
        assertEquals(405, RawHttp.status(state), state);
        assertTrue(state.toLowerCase(java.util.Locale.ROOT).contains("\r\nallow: post\r\n"), state);
    }

    @Test
    void anUnknownPathIs404() throws Exception {
        assertEquals(404, RawHttp.status(request("GET", "/machines/m1/nothing")));
        assertEquals(404, RawHttp.status(request("GET", "/machines/m1/labels/")), "an empty parameter matches nothing");
        assertEquals(404, RawHttp.status(request("GET", "/nothing")));
    }

    @Test
    void malformedPercentEncodingInAParameterIs400() throws Exception {
        assertEquals(400, RawHttp.status(request("PUT", "/machines/m1/labels/%zz")));
    }

    @Test
    void filtersRunInOrderBeforeEndpointsButNotBeforeMounts() throws Exception {
        assertEquals(401, RawHttp.status(request("GET", "/guarded/x")));
        assertEquals("guarded GET {x=x}", body(request("GET", "/guarded/x", "X-Key: 1")));
        assertEquals("second filter", body(request("GET", "/guarded/tag", "X-Key: 1")));
        assertEquals(401, RawHttp.status(request("GET", "/guarded/tag")), "the first filter answers first");
        assertEquals("public", body(request("GET", "/files/a.txt")));
    }

    @Test
    void healthIsAlwaysUpAndReadinessFollowsItsSupplier() throws Exception {
        READY.set(false);
        assertEquals("ok\n", body(request("GET", "/healthz")));
        assertEquals(503, RawHttp.status(request("GET", "/readyz")));
        READY.set(true);
        assertEquals(200, RawHttp.status(request("GET", "/readyz")));
    }

    @Test
    void overlappingRoutesAreRefused() {
        HttpEndpoint e = call -> HttpReply.empty(204);
        assertThrows(IllegalArgumentException.class, () -> new RouteTable(
                List.of(HttpRoute.get("/m/{a}", e), HttpRoute.get("/m/{b}", e)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new RouteTable(
                List.of(HttpRoute.exact("/m/{a}", e), HttpRoute.post("/m/{b}", e)), Map.of()), "any method overlaps");
        new RouteTable(List.of(HttpRoute.get("/m/{a}", e), HttpRoute.post("/m/{b}", e)), Map.of());
        assertThrows(IllegalArgumentException.class, () -> HttpRoute.get("/m/{key...}/x", e));
        assertThrows(IllegalArgumentException.class, () -> HttpRoute.get("/m/a{b}", e));
        assertThrows(IllegalArgumentException.class, () -> HttpRoute.get("/m/{B}", e));
    }
}
