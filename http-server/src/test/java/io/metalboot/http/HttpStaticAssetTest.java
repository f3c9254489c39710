package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Boot assets over loopback, checked with the real curl. */
class HttpStaticAssetTest {
    private static final int SIZE = 3 * 1024 * 1024 + 17;

    @TempDir
    static Path temp;
    static Path root;
    static Path ipxeDir;
    static byte[] kernel;
    static HttpServer server;
    static String base;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createDirectories(temp.resolve("assets"));
        ipxeDir = Files.createDirectories(temp.resolve("ipxe"));
        kernel = new byte[SIZE];
        new Random(42).nextBytes(kernel);
        Files.write(root.resolve("vmlinuz.efi"), kernel);
        Files.writeString(root.resolve("boot.ipxe"), "#!ipxe\nchain http://x/y\n");
        Files.write(root.resolve("empty.bin"), new byte[0]);
        Files.write(ipxeDir.resolve("snponly.efi"), Arrays.copyOf(kernel, 4096));
        server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0).withMount("/assets/", root)
                .withMount("/ipxe/", ipxeDir), List.of());
        server.start();
        base = "http://127.0.0.1:" + server.localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void needsCurl() {
        Curl.require();
    }

    @Test
    void fullGetIsByteIdentical() throws Exception {
        Path out = temp.resolve("full.out");
        Curl.Result result = Curl.run("-o", out.toString(), "-w", "%{http_code}", base + "/assets/vmlinuz.efi");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("200", result.stdout());
        assertEquals(sha256(kernel), sha256(Files.readAllBytes(out)));
    }

    @Test
    void headHasTheHeadersAndNoBody() throws Exception {
        Curl.Result result = Curl.run("-I", base + "/assets/vmlinuz.efi");
        assertEquals(0, result.exitCode(), result.stderr());
        Map<String, String> headers = headers(result.stdout());
        assertTrue(result.stdout().startsWith("HTTP/1.1 200"), result.stdout());
        assertEquals(Integer.toString(SIZE), headers.get("content-length"));
        assertEquals("bytes", headers.get("accept-ranges"));
        assertEquals("application/octet-stream", headers.get("content-type"));
        assertTrue(headers.get("etag").matches("\"[0-9a-f-]+\""), headers.get("etag"));
        assertNotNull(headers.get("last-modified"));
        // Nothing after the blank line that ends the headers.
        assertTrue(result.stdout().endsWith("\r\n\r\n"), result.stdout());
    }

    @Test
    void contentTypeByExtension() throws Exception {
        Curl.Result result = Curl.run("-I", base + "/assets/boot.ipxe");
        assertEquals("text/plain; charset=utf-8", headers(result.stdout()).get("content-type"));
    }

    @Test
    void firstHundredBytes() throws Exception {
        assertRange("0-99", 0, 100);
    }

    @Test
    void fromOffsetToEnd() throws Exception {
        assertRange("100-", 100, SIZE - 100);
    }

    @Test
    void lastFiftyBytes() throws Exception {
        assertRange("-50", SIZE - 50, 50);
    }

    @Test
    void rangeBeyondTheEndIs416() throws Exception {
        Curl.Result result = Curl.run("-r", SIZE + "-", "-D", "-", "-o", "/dev/null", base + "/assets/vmlinuz.efi");
        assertTrue(result.stdout().startsWith("HTTP/1.1 416"), result.stdout());
        assertEquals("bytes */" + SIZE, headers(result.stdout()).get("content-range"));
    }

    @Test
    void severalRangesGetTheWholeFile() throws Exception {
        Path out = temp.resolve("multi.out");
        Curl.Result result = Curl.run("-r", "0-9,20-29", "-o", out.toString(), "-w", "%{http_code}",
                base + "/assets/vmlinuz.efi");
        assertEquals("200", result.stdout());
        assertArrayEquals(kernel, Files.readAllBytes(out));
    }

    @Test
    void ifModifiedSince() throws Exception {
        Instant modified = Files.getLastModifiedTime(root.resolve("vmlinuz.efi")).toInstant();
        Path newer = Files.writeString(temp.resolve("newer"), "x");
        Files.setLastModifiedTime(newer, FileTime.from(modified.plusSeconds(3600)));
        Path older = Files.writeString(temp.resolve("older"), "x");
        Files.setLastModifiedTime(older, FileTime.from(modified.minusSeconds(3600)));
        // curl -z FILE sends If-Modified-Since with the file's time.
        assertEquals("304", Curl.run("-z", newer.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                base + "/assets/vmlinuz.efi").stdout());
        assertEquals("200", Curl.run("-z", older.toString(), "-o", "/dev/null", "-w", "%{http_code}",
                base + "/assets/vmlinuz.efi").stdout());
    }

    @Test
    void ifNoneMatchWithTheEtagFromHead() throws Exception {
        String etag = headers(Curl.run("-I", base + "/assets/vmlinuz.efi").stdout()).get("etag");
        Curl.Result result = Curl.run("-H", "If-None-Match: " + etag, "-D", "-", "-o", "/dev/null",
                base + "/assets/vmlinuz.efi");
        assertTrue(result.stdout().startsWith("HTTP/1.1 304"), result.stdout());
        assertEquals(etag, headers(result.stdout()).get("etag"));
        assertEquals("200", Curl.run("-H", "If-None-Match: \"other\"", "-o", "/dev/null", "-w", "%{http_code}",
                base + "/assets/vmlinuz.efi").stdout());
    }

    @Test
    void ifRangeWithAStaleEtagGetsTheWholeFile() throws Exception {
        String etag = headers(Curl.run("-I", base + "/assets/vmlinuz.efi").stdout()).get("etag");
        assertEquals("206", Curl.run("-r", "0-9", "-H", "If-Range: " + etag, "-o", "/dev/null", "-w", "%{http_code}",
                base + "/assets/vmlinuz.efi").stdout());
        assertEquals("200", Curl.run("-r", "0-9", "-H", "If-Range: \"stale\"", "-o", "/dev/null", "-w",
                "%{http_code}", base + "/assets/vmlinuz.efi").stdout());
    }

    @Test
    void etagChangesWhenTheFileDoes() throws Exception {
        Path file = Files.writeString(root.resolve("changing.txt"), "one");
        String before = headers(Curl.run("-I", base + "/assets/changing.txt").stdout()).get("etag");
        Files.writeString(file, "two");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        String after = headers(Curl.run("-I", base + "/assets/changing.txt").stdout()).get("etag");
        assertNotEquals(before, after);
    }

    @Test
    void twoUrlsInOneCurlShareTheConnection() throws Exception {
        Path a = temp.resolve("ka-a.out");
        Path b = temp.resolve("ka-b.out");
        Curl.Result result = Curl.run("-w", "%{http_code} %{num_connects}\\n",
                "-o", a.toString(), base + "/assets/vmlinuz.efi",
                "-o", b.toString(), base + "/ipxe/snponly.efi");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("200 1\n200 0\n", result.stdout(), "the second transfer must reuse the first connection");
        assertArrayEquals(kernel, Files.readAllBytes(a));
        assertArrayEquals(Arrays.copyOf(kernel, 4096), Files.readAllBytes(b));
    }

    @Test
    void emptyFile() throws Exception {
        Path out = temp.resolve("empty.out");
        Curl.Result result = Curl.run("-o", out.toString(), "-w", "%{http_code} %{size_download}",
                base + "/assets/empty.bin");
        assertEquals("200 0", result.stdout());
    }

    @Test
    void onlyGetAndHead() throws Exception {
        Curl.Result result = Curl.run("-X", "POST", "-d", "x", "-D", "-", "-o", "/dev/null",
                base + "/assets/vmlinuz.efi");
        assertTrue(result.stdout().startsWith("HTTP/1.1 405"), result.stdout());
        assertEquals("GET, HEAD", headers(result.stdout()).get("allow"));
    }

    @Test
    void unknownPathIs404() throws Exception {
        assertEquals("404", Curl.run("-o", "/dev/null", "-w", "%{http_code}", base + "/nothing-here").stdout());
        assertEquals("404", Curl.run("-o", "/dev/null", "-w", "%{http_code}", base + "/assets/missing").stdout());
    }

    @Test
    void manyConnectionsAtOnce() throws Exception {
        // 64 parallel transfers through curl's own parallel mode.
        List<String> args = new java.util.ArrayList<>(List.of("--parallel", "--parallel-max", "64",
                "-w", "%{http_code}\\n"));
        for (int i = 0; i < 64; i++) {
            args.add("-o");
            args.add("/dev/null");
            args.add(base + "/assets/vmlinuz.efi");
        }
        Curl.Result result = Curl.run(args.toArray(String[]::new));
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("200\n".repeat(64), result.stdout());
    }

    private void assertRange(String range, int offset, int length) throws Exception {
        Path out = temp.resolve("range.out");
        Path headerFile = temp.resolve("range.headers");
        Curl.Result result = Curl.run("-r", range, "-D", headerFile.toString(), "-o", out.toString(),
                base + "/assets/vmlinuz.efi");
        assertEquals(0, result.exitCode(), result.stderr());
        String headerText = Files.readString(headerFile, StandardCharsets.ISO_8859_1);
        assertTrue(headerText.startsWith("HTTP/1.1 206"), headerText);
        Map<String, String> headers = headers(headerText);
        assertEquals("bytes " + offset + "-" + (offset + length - 1) + "/" + SIZE, headers.get("content-range"));
        assertEquals(Integer.toString(length), headers.get("content-length"));
        assertArrayEquals(Arrays.copyOfRange(kernel, offset, offset + length), Files.readAllBytes(out));
    }

    static Map<String, String> headers(String text) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("HTTP/")) {
                headers.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        return headers;
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void fullGetWithoutCurlToo() throws Exception {
        // The same file through java.net.http, so that a curl quirk cannot hide a server bug.
        var client = java.net.http.HttpClient.newHttpClient();
        var response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/assets/vmlinuz.efi"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode());
        assertFalse(response.headers().firstValue("transfer-encoding").isPresent());
        assertEquals(sha256(kernel), sha256(response.body()));
    }
}
