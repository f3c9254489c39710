package io.metalboot.image;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.image.source.HttpImageSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A server that announces a length and closes the connection halfway: the read ends in
 * {@link TruncatedImageException}, never in a success (Tinkerbell's image2disk counts this one as
 * done). The server is a socket on loopback that answers HEAD and GET by hand, since a
 * well-behaved server never does this.
 */
class CutDownloadTest {
    @Test
    void aConnectionClosedBeforeContentLengthIsATruncatedImage() throws Exception {
        byte[] image = new byte[3 << 20];
        new Random(7).nextBytes(image);
        try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> serve(server, image));
            URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/disk.raw");
            try (HttpImageSource source = new HttpImageSource(uri)) {
                TruncatedImageException e = assertThrows(TruncatedImageException.class,
                        () -> ImageReader.read(source, Optional.of(ImageFormat.RAW), Optional.empty(), ExtentSink.discarding()));
                assertTrue(e.getMessage().contains("of its " + image.length + " bytes"), e.getMessage());
            }
        }
    }

    /** Each connection on its own thread: a client may hold one open while it opens the next. */
    private static void serve(ServerSocket server, byte[] image) {
        try {
            while (true) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> answer(s, image));
            }
        } catch (IOException closed) {
            // the test closed the server
        }
    }

    private static void answer(Socket socket, byte[] image) {
        try (Socket s = socket) {
            String request = new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + image.length
                    + "\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            if (request.startsWith("GET")) {
                out.write(image, 0, image.length / 2); // then the connection closes
            }
            out.flush();
            s.shutdownOutput();
            s.getInputStream().readAllBytes();
        } catch (IOException gone) {
            // the client closed first
        }
    }
}
