package io.metalboot.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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

    /**
     * One response as it came off the wire, its body decoded from Content-Length or chunks.
     *
     * @param headers    by lower-case name
     * @param bodyLength the body bytes that arrived
     * @param complete   false if the connection ended inside the body (short of the
     *                   Content-Length, or before the last chunk)
     * @param lastChunk  for a chunked body: whether the terminating zero-length chunk arrived
     */
    record Response(int status, Map<String, String> headers, byte[] body, long bodyLength, boolean complete,
            boolean lastChunk) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Reads one response (of a HEAD if {@code head}) and keeps its body; null if the connection ended first. */
    static Response read(InputStream in, boolean head) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Response response = read(in, head, body);
        return response == null ? null : new Response(response.status(), response.headers(), body.toByteArray(),
                response.bodyLength(), response.complete(), response.lastChunk());
    }

    /** Reads one response, its body into {@code sink} (the record's body stays empty). */
    static Response read(InputStream in, boolean head, OutputStream sink) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            return null;
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line; (line = line(in)) != null && !line.isEmpty(); ) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        if (head || status < 200 || status == 204 || status == 304) {
            return new Response(status, headers, new byte[0], 0, true, false);
        }
        byte[] buffer = new byte[64 * 1024];
        long length = 0;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            while (true) {
                String sizeLine = line(in);
                if (sizeLine == null) {
                    return new Response(status, headers, new byte[0], length, false, false);
                }
                long size = Long.parseLong(sizeLine.split(";", 2)[0].strip(), 16);
                if (size == 0) {
                    for (String trailer; (trailer = line(in)) != null && !trailer.isEmpty(); ) {
                        // trailers: none expected
                    }
                    return new Response(status, headers, new byte[0], length, true, true);
                }
                long copied = copy(in, sink, size, buffer);
                length += copied;
                if (copied < size || line(in) == null) {
                    return new Response(status, headers, new byte[0], length, false, false);
                }
            }
        }
        String contentLength = headers.get("content-length");
        if (contentLength != null) {
            long size = Long.parseLong(contentLength);
            length = copy(in, sink, size, buffer);
            return new Response(status, headers, new byte[0], length, length == size, false);
        }
        // Neither: the body runs to the close.
        length = copy(in, sink, Long.MAX_VALUE, buffer);
        return new Response(status, headers, new byte[0], length, true, false);
    }

    private static long copy(InputStream in, OutputStream sink, long size, byte[] buffer) throws IOException {
        long copied = 0;
        while (copied < size) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, size - copied));
            if (n < 0) {
                break;
            }
            sink.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    /** A line without its CRLF; null at the end of the stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) >= 0; ) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
        return null;
    }
}
