package io.metalboot.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Exact bytes on the wire: for request lines no client library would send. */
final class RawHttp {
    private RawHttp() {
    }

    /** Sends {@code request} as is and reads until the server closes (send "Connection: close"). */
    static String exchange(InetSocketAddress server, String request) throws IOException {
        try (Socket socket = new Socket(server.getAddress(), server.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            return all.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static String get(InetSocketAddress server, String rawTarget) throws IOException {
        return exchange(server, "GET " + rawTarget + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }
}
