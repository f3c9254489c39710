package io.metalboot.lab.storm;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Plain HTTP/1.1 GETs as iPXE sends them: its request line and headers ({@code Connection:
 * keep-alive}, {@code User-Agent: iPXE/…}, {@code Host}), one connection kept for the machine's
 * next request unless the server closes it. Bodies with a {@code Content-Length} or chunked are
 * both read; whatever the reply, a body goes to a {@link BodySink} as it arrives.
 */
final class IpxeHttpClient implements AutoCloseable {
    /** Where a body's bytes go as they arrive. */
    interface BodySink {
        void accept(byte[] buffer, int length);
    }

    /** A reply: its status and the length of its body as read. */
    record Reply(int status, long contentLength, long bodyBytes) {
    }

    private static final String USER_AGENT = "iPXE/1.21.1+";
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final byte[] buffer = new byte[64 << 10];
    private Socket socket;
    private InputStream in;
    private InetSocketAddress connectedTo;

    IpxeHttpClient(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** The body of a small reply (a script), which must be 200. */
    byte[] getBytes(URI url) throws StepFailure {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Reply reply = get(url, (bytes, length) -> body.write(bytes, 0, length));
        if (reply.status() != 200) {
            throw new StepFailure("GET " + url.getRawPath() + " answered " + reply.status());
        }
        return body.toByteArray();
    }

    Reply get(URI url, BodySink sink) throws StepFailure {
        InetSocketAddress to = new InetSocketAddress(url.getHost(), url.getPort() < 0 ? 80 : url.getPort());
        String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
        String request = "GET " + target + " HTTP/1.1\r\nConnection: keep-alive\r\nUser-Agent: " + USER_AGENT
                + "\r\nHost: " + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + "\r\n\r\n";
        boolean reused = socket != null && to.equals(connectedTo);
        try {
            return exchange(to, request, sink);
        } catch (StaleConnection e) {
            closeConnection();
            if (reused) {
                // The server may close an idle kept connection at any time; iPXE then opens a new one.
                try {
                    return exchange(to, request, sink);
                } catch (IOException again) {
                    closeConnection();
                    throw new StepFailure("GET " + target + " failed", again);
                }
            }
            throw new StepFailure("GET " + target + " failed", e);
        } catch (IOException e) {
            // The local port names the connection in the appliance's debug log ("connection from …:PORT closed").
            String from = socket == null ? "" : " (from port " + socket.getLocalPort() + ")";
            closeConnection();
            throw new StepFailure("GET " + target + from + " failed", e);
        }
    }

    /** A kept connection the server had closed: nothing of the reply was read, so the request may go again. */
    private static final class StaleConnection extends IOException {
        private static final long serialVersionUID = 1L;

        StaleConnection(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Reply exchange(InetSocketAddress to, String request, BodySink sink) throws IOException, StepFailure {
        if (socket == null || !to.equals(connectedTo)) {
            closeConnection();
            socket = new Socket();
            socket.connect(to, (int) connectTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 64 << 10);
            connectedTo = to;
        }
        String status;
        try {
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            status = line(in);
        } catch (IOException e) {
            throw new StaleConnection("the connection failed before a status line (" + e + ")", e);
        }
        if (status == null) {
            throw new StaleConnection("the connection closed before a status line", null);
        }
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new StepFailure("not an HTTP status line: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        long contentLength = -1;
        boolean chunked = false;
        boolean close = parts[0].equals("HTTP/1.0");
        for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                throw new StepFailure("a header line without a colon: " + header);
            }
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                default -> {
                }
            }
        }
        long read;
        if (chunked) {
            read = 0;
            while (true) {
                String size = line(in);
                if (size == null) {
                    throw new IOException("the connection closed inside a chunked body");
                }
                long chunk = Long.parseLong(size.split(";", 2)[0].strip(), 16);
                if (chunk == 0) {
                    for (String trailer = line(in); trailer != null && !trailer.isEmpty(); trailer = line(in)) {
                        // trailers are not used
                    }
                    break;
                }
                read += copy(chunk, sink);
                line(in);
            }
        } else if (contentLength >= 0) {
            read = copy(contentLength, sink);
        } else {
            read = copy(Long.MAX_VALUE, sink);
            close = true;
        }
        if (close) {
            closeConnection();
        }
        return new Reply(code, contentLength, read);
    }

    /** Copies {@code length} bytes (or up to the end for MAX_VALUE) to the sink; short is an error. */
    private long copy(long length, BodySink sink) throws IOException {
        long copied = 0;
        while (copied < length) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - copied));
            if (n < 0) {
                if (length == Long.MAX_VALUE) {
                    return copied;
                }
                throw new IOException("the body ended after " + copied + " of " + length + " bytes");
            }
            sink.accept(buffer, n);
            copied += n;
        }
        return copied;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.isEmpty() ? null : line.toString();
            }
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
        }
    }

    private void closeConnection() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a broken connection: nothing to do
            }
        }
        socket = null;
        in = null;
        connectedTo = null;
    }

    @Override
    public void close() {
        closeConnection();
    }
}
