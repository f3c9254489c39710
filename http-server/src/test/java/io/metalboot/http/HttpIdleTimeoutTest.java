package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The idle timeout closes a connection on which nothing moves, never a download that is still
 * moving: a client slower than the file (1,000 machines sharing one link) takes longer than the
 * timeout for one initrd. Netty's first idle event of a spell ignores output progress; the
 * router checks it itself. The client here reads 48 MiB slowly, over several idle timeouts.
 */
class HttpIdleTimeoutTest {
    private static final int SIZE = 48 << 20;
    private static final Duration IDLE = Duration.ofSeconds(1);

    @TempDir
    static Path temp;
    static byte[] content;
    static HttpServer server;
    static int port;

    @BeforeAll
    static void start() throws IOException {
        content = new byte[SIZE];
        new Random(11).nextBytes(content);
        Files.write(Files.createDirectories(temp.resolve("assets")).resolve("initrd.img"), content);
        server = new HttpServer(new HttpSettings("HTTP", InetAddress.getLoopbackAddress(), 0,
                Map.of("/assets/", temp.resolve("assets")), 1 << 20, IDLE, 1), List.of());
        server.start();
        port = server.localAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aSlowDownloadOutlastsTheIdleTimeout() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 << 10); // the kernel must not take the whole file at once
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(30_000); // a hang guard, not a measurement
            request(socket);
            InputStream in = socket.getInputStream();
            int bodyStart = headerLength(in);
            assertTrue(bodyStart > 0);
            ByteArrayOutputStream body = new ByteArrayOutputStream(SIZE);
            byte[] chunk = new byte[128 << 10];
            long started = System.nanoTime();
            while (body.size() < SIZE) {
                int n = in.read(chunk, 0, Math.min(chunk.length, SIZE - body.size()));
                if (n < 0) {
                    break;
                }
                body.write(chunk, 0, n);
                Thread.sleep(10);
            }
            assertEquals(SIZE, body.size(), "the download ran to its end");
            assertArrayEquals(content, body.toByteArray());
            long took = System.nanoTime() - started;
            // not a timing assertion on the server: a check that the test did what it says
            assertTrue(took > IDLE.toNanos(), "the download took longer than the idle timeout: " + took / 1_000_000 + " ms");
        }
    }

    @Test
    void aClientThatStopsReadingIsClosed() throws Exception {
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 << 10);
            socket.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(60_000);
            request(socket);
            InputStream in = socket.getInputStream();
            headerLength(in);
            Thread.sleep(4 * IDLE.toMillis()); // reads nothing for a while: the server gives up
            long received = 0;
            int n;
            byte[] chunk = new byte[1 << 20];
            try {
                while ((n = in.read(chunk)) >= 0) {
                    received += n;
                }
            } catch (java.net.SocketException reset) {
                // closed with data unread: also closed
            }
            assertTrue(received < SIZE, "the server closed before the end: " + received + " of " + SIZE);
        }
    }

    private static void request(Socket socket) throws IOException {
        socket.getOutputStream().write(("GET /assets/initrd.img HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** Reads through the blank line that ends the headers; returns their length. */
    private static int headerLength(InputStream in) throws IOException {
        int state = 0;
        int length = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                return -1;
            }
            length++;
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1, 3 -> b == '\n' ? state + 1 : (b == '\r' ? 1 : 0);
                default -> 0;
            };
        }
        return length;
    }
}
