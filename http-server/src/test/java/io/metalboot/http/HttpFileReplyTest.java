package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An endpoint answering with a file ({@link HttpReply#file}): the same Range, ETag and conditional
 * handling as a mount, checked with the real curl; the completion callback runs once per reply.
 */
class HttpFileReplyTest {
    private static final int SIZE = 1024 * 1024 + 3;

    @TempDir
    static Path temp;
    static byte[] content;
    static HttpServer server;
    static String base;
    static final AtomicInteger done = new AtomicInteger();
    static volatile CountDownLatch doneLatch = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        content = new byte[SIZE];
        new Random(7).nextBytes(content);
        Path file = temp.resolve("disk.img");
        Files.write(file, content);
        server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0), List.of(
                HttpRoute.get("/images/{name}", call -> call.pathParameter("name").equals("disk")
                        ? HttpReply.file(file, "application/x-raw-disk-image", () -> {
                            done.incrementAndGet();
                            doneLatch.countDown();
                        }).withHeader("Cache-Control", "no-store")
                        : HttpReply.text(403, ""))));
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
        done.set(0);
        doneLatch = new CountDownLatch(1);
    }

    @Test
    void wholeFileWithEtagAndTheEndpointsHeaders() throws Exception {
        Path out = temp.resolve("whole.out");
        Curl.Result result = Curl.run("-D", "-", "-o", out.toString(), base + "/images/disk");
        assertEquals(0, result.exitCode(), result.stderr());
        String head = result.stdout().toLowerCase(Locale.ROOT);
        assertTrue(head.startsWith("http/1.1 200"), head);
        assertTrue(head.contains("content-type: application/x-raw-disk-image"), head);
        assertTrue(head.contains("cache-control: no-store"), head);
        assertTrue(head.contains("accept-ranges: bytes"), head);
        assertTrue(head.matches("(?s).*etag: \"[0-9a-f-]+\".*"), head);
        assertArrayEquals(content, Files.readAllBytes(out));
        assertTrue(doneLatch.await(10, TimeUnit.SECONDS));
        assertEquals(1, done.get());
    }

    @Test
    void rangeHeadAndConditionals() throws Exception {
        Path out = temp.resolve("range.out");
        Curl.Result ranged = Curl.run("-D", "-", "-o", out.toString(), "-r", "1000-1999", base + "/images/disk");
        assertEquals(0, ranged.exitCode(), ranged.stderr());
        String head = ranged.stdout().toLowerCase(Locale.ROOT);
        assertTrue(head.startsWith("http/1.1 206"), head);
        assertTrue(head.contains("content-range: bytes 1000-1999/" + SIZE), head);
        assertArrayEquals(Arrays.copyOfRange(content, 1000, 2000), Files.readAllBytes(out));

        Curl.Result headOnly = Curl.run("-I", base + "/images/disk");
        assertTrue(headOnly.stdout().startsWith("HTTP/1.1 200"), headOnly.stdout());
        assertTrue(headOnly.stdout().toLowerCase(Locale.ROOT).contains("content-length: " + SIZE), headOnly.stdout());
        assertTrue(headOnly.stdout().endsWith("\r\n\r\n"), headOnly.stdout());
        String etag = headOnly.stdout().lines().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("etag:"))
                .findFirst().orElseThrow().substring(5).strip();

        Curl.Result notModified = Curl.run("-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                "-H", "If-None-Match: " + etag, base + "/images/disk");
        assertEquals("304 0", notModified.stdout());

        Curl.Result staleIfRange = Curl.run("-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                "-r", "0-9", "-H", "If-Range: \"other\"", base + "/images/disk");
        assertEquals("200 " + SIZE, staleIfRange.stdout());
        Curl.Result freshIfRange = Curl.run("-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                "-r", "0-9", "-H", "If-Range: " + etag, base + "/images/disk");
        assertEquals("206 10", freshIfRange.stdout());

        Curl.Result unsatisfiable = Curl.run("-o", "/dev/null", "-w", "%{http_code}", "-r", SIZE + "-",
                base + "/images/disk");
        assertEquals("416", unsatisfiable.stdout());
    }

    @Test
    void aFileReplyIsMadeWith200() {
        try {
            new HttpReply(206, null, new HttpReply.FileBody(temp, null, null), null);
            throw new AssertionError("206 accepted");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("200"), expected.getMessage());
        }
    }
}
