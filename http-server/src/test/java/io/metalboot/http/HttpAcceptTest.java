package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Accepting does not wait for the connections' event loops: with the only one held busy, new
 * connections still leave the kernel's accept queue, and each is served once the loop is free.
 */
class HttpAcceptTest {
    private static final int NEW_CONNECTIONS = 50;

    @Test
    void connectionsAreAcceptedWhileEveryConnectionLoopIsBusy() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = new HttpServer(HttpSettings.defaults(InetAddress.getLoopbackAddress(), 0).withIoThreads(1),
                List.of(
                        // Blocks the event loop on purpose: a stand-in for a loop busy answering others.
                        HttpRoute.exact("/hold", HttpEndpoint.nonBlocking(call -> {
                            entered.countDown();
                            try {
                                release.await();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return HttpReply.text(200, "held\n");
                        })),
                        HttpRoute.exact("/hello", HttpEndpoint.nonBlocking(call -> HttpReply.text(200, "hello\n")))));
        List<Socket> sockets = new ArrayList<>();
        try {
            server.start();
            InetSocketAddress address = server.localAddress();
            Socket holder = connect(address);
            sockets.add(holder);
            send(holder, "/hold");
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the holding request reached its endpoint");
            assertEquals(1, server.acceptedConnections());

            for (int i = 0; i < NEW_CONNECTIONS; i++) {
                sockets.add(connect(address));
            }
            // A bound on the wait, not a timing assumption: with the listener on the held loop the
            // count stays at 1 however long one waits.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (server.acceptedConnections() < 1 + NEW_CONNECTIONS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1 + NEW_CONNECTIONS, server.acceptedConnections(),
                    "connections accepted while the only connection loop is busy");

            release.countDown();
            RawHttp.Response held = RawHttp.read(holder.getInputStream(), false);
            assertNotNull(held);
            assertEquals("held\n", held.text());
            for (Socket socket : sockets.subList(1, sockets.size())) {
                send(socket, "/hello");
                RawHttp.Response reply = RawHttp.read(socket.getInputStream(), false);
                assertNotNull(reply, "a reply on every accepted connection");
                assertEquals(200, reply.status());
                assertEquals("hello\n", reply.text());
            }
        } finally {
            release.countDown();
            for (Socket socket : sockets) {
                socket.close();
            }
            server.close();
        }
    }

    private static Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static void send(Socket socket, String path) throws IOException {
        socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }
}
