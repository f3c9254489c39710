package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile paths: each is 404, and nothing outside the root ever reaches the client. Sent as raw
 * request lines, since HTTP clients normalise exactly the paths that matter here.
 */
class HttpAssetPathTest {
    private static final String SECRET = "TOP-SECRET-OUTSIDE-THE-ROOT";

    @TempDir
    static Path temp;
    static Path root;
    static HttpServer server;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createDirectories(temp.resolve("root"));
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.writeString(temp.resolve("secret.txt"), SECRET);
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inside.txt"), "inside");
        Files.writeString(root.resolve("plus+name.txt"), "plus");
        Files.writeString(root.resolve("space name.txt"), "space");
        Files.createSymbolicLink(root.resolve("link-passwd"), Path.of("/etc/passwd"));
        Files.createSymbolicLink(root.resolve("link-out"), outside);
        Files.createSymbolicLink(root.resolve("link-out-file"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("link-up"), Path.of("../secret.txt"));
        Files.createSymbolicLink(root.resolve("link-inside"), root.resolve("sub/inside.txt"));
        server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0).withMount("/assets/", root), List.of());
        server.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/assets/../etc/passwd",
        "/assets/../secret.txt",
        "/assets/%2e%2e/etc/passwd",
        "/assets/%2E%2E/secret.txt",
        "/assets/..%2fetc/passwd",
        "/assets/..%2Fsecret.txt",
        "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/assets/a\\b",
        "/assets/..\\secret.txt",
        "/assets/%5c..%5csecret.txt",
        "/assets/sub/../../secret.txt",
        "/assets/sub/%2e%2e/%2e%2e/secret.txt",
        "/assets/..",
        "/assets//etc/passwd",
        "/assets/%2fetc/passwd",
        "/assets/sub/inside.txt%00.efi",
        "/assets/%c0%ae%c0%ae/secret.txt",
        "/assets/%e0%80%ae%e0%80%ae/secret.txt",
        "/assets/%zz",
        "/assets/link-passwd",
        "/assets/link-out/secret.txt",
        "/assets/link-out-file",
        "/assets/link-up",
        "/assets/",
        "/assets/sub",
        "/assets/sub/",
        "/assets",
        "/etc/passwd",
        "/assets/sub/inside.txt/..",
    })
    void hostilePathIs404AndLeaksNothing(String target) throws IOException {
        String response = RawHttp.get(server.localAddress(), target);
        assertEquals(404, RawHttp.status(response), response);
        assertFalse(response.contains(SECRET), response);
        assertFalse(response.contains("root:"), response);
    }

    @Test
    void hostileNamesWithCurlToo() throws Exception {
        Curl.require();
        String base = "http://127.0.0.1:" + server.localAddress().getPort();
        for (String target : List.of("/assets/../etc/passwd", "/assets/%2e%2e/etc/passwd", "/assets/..%2fetc/passwd",
                "/assets/link-passwd", "/assets/link-out/secret.txt")) {
            Curl.Result result = Curl.run("--path-as-is", "-w", "\\n%{http_code}", base + target);
            assertTrue(result.stdout().endsWith("\n404"), target + ": " + result.stdout());
            assertFalse(result.stdout().contains(SECRET), target);
            assertFalse(result.stdout().contains("root:"), target);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/assets/sub/inside.txt",
        "/assets/./sub/inside.txt",
        "/assets/sub//inside.txt",
        "/assets/%73ub/inside.txt",
        "/assets/link-inside",
    })
    void harmlessSpellingsServeTheFile(String target) throws IOException {
        String response = RawHttp.get(server.localAddress(), target);
        assertEquals(200, RawHttp.status(response), response);
        assertTrue(response.endsWith("\r\n\r\ninside"), response);
    }

    @Test
    void plusIsAPlusAndSpacesArePercentEncoded() throws IOException {
        assertTrue(RawHttp.get(server.localAddress(), "/assets/plus+name.txt").endsWith("plus"));
        assertTrue(RawHttp.get(server.localAddress(), "/assets/space%20name.txt").endsWith("space"));
    }

    @Test
    void resolutionReasons() throws IOException {
        AssetDirectory directory = new AssetDirectory(root);
        assertInstanceOf(AssetDirectory.Found.class, directory.resolve("sub/inside.txt"));
        assertEquals(new AssetDirectory.NotFound("resolves outside the root"), directory.resolve("link-passwd"));
        assertEquals(new AssetDirectory.NotFound("no such file"), directory.resolve("missing"));
        assertEquals(new AssetDirectory.NotFound("not a regular file"), directory.resolve("sub"));
        assertEquals(new AssetDirectory.NotFound("absolute path"), directory.resolve("/etc/passwd"));
        assertEquals(new AssetDirectory.NotFound("'..' in path"), directory.resolve("sub/../.."));
        assertNotNull(AssetDirectory.unsafeAsSent("%2E%2e"));
        assertNull(AssetDirectory.unsafeAsSent("a/b%20c"));
        assertNull(AssetDirectory.percentDecode("%c0%ae"), "overlong UTF-8 is malformed");
        assertEquals("a+b c", AssetDirectory.percentDecode("a+b%20c"));
    }

    @Test
    void aMissingRootDoesNotStart() {
        HttpServer broken = new HttpServer(
                HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0).withMount("/assets/", temp.resolve("nope")), List.of());
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, broken::start);
        assertTrue(e.getMessage().contains("/assets/"), e.getMessage());
        assertNull(broken.localAddress());
    }
}
