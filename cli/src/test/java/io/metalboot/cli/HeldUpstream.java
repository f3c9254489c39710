package io.metalboot.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An upstream image server on loopback that sends the first half of its one file and then holds
 * the rest until the test releases it, so a test sees a fetch midway without depending on speed.
 * HEAD and GET, Content-Length, one request per connection.
 */
final class HeldUpstream implements AutoCloseable {
    private final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final byte[] file;
    private final CountDownLatch released = new CountDownLatch(1);
    private final Thread acceptor;

    HeldUpstream(byte[] file) throws IOException {
        this.file = file;
        acceptor = Thread.ofVirtual().name("held-upstream").start(this::accept);
    }

    String url(String name) {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/images/" + name;
    }

    /** The rest of the file goes out now, and every later GET is whole. */
    void release() {
        released.countDown();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket connection = socket.accept();
                Thread.ofVirtual().start(() -> serve(connection));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            BufferedReader request = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String line = request.readLine();
            while (request.readLine() instanceof String header && !header.isEmpty()) {
                // the headers: nothing in them changes the answer
            }
            OutputStream out = connection.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + file.length
                    + "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            if (line != null && line.startsWith("GET ")) {
                out.write(file, 0, file.length / 2);
                out.flush();
                if (!released.await(120, TimeUnit.SECONDS)) {
                    return;
                }
                out.write(file, file.length / 2, file.length - file.length / 2);
            }
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client went away: nothing to serve it
        }
    }

    @Override
    public void close() throws IOException {
        released.countDown();
        socket.close();
        acceptor.interrupt();
    }
}
