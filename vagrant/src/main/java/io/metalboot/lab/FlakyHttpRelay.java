package io.metalboot.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An HTTP relay in front of the appliance that fails each machine's first request for one path
 * (its per-machine iPXE script) with 503 and forwards everything else unchanged: the flaky network
 * or busy appliance a booting machine must ride out with its retries. It runs as its own program
 * (inside a lab namespace: a thread cannot enter one) and prints one line per request, which
 * {@link FlakyRelayProcess} reads.
 * <p>
 * Usage: {@code FlakyHttpRelay LISTEN_ADDRESS LISTEN_PORT UPSTREAM_ADDRESS UPSTREAM_PORT FAILED_PATH}
 * <p>
 * Requests are forwarded with {@code Connection: close}: the relay looks at the head of every
 * request, which a kept-alive connection would carry past it unseen. The Host header is kept,
 * so an appliance that builds URLs from it keeps pointing machines at the relay.
 */
public final class FlakyHttpRelay {
    static final String READY_LINE = "relay: listening";
    static final String REFUSED = "relay: 503";
    static final String FORWARDED = "relay: forwarded";
    private static final int MAX_HEAD = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private final InetSocketAddress upstream;
    private final String failedPath;
    /** The machines (the request's {@code mac=} parameter) whose first request was already refused. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    private FlakyHttpRelay(InetSocketAddress upstream, String failedPath) {
        this.upstream = upstream;
        this.failedPath = failedPath;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            System.err.println("usage: FlakyHttpRelay LISTEN_ADDRESS LISTEN_PORT UPSTREAM_ADDRESS UPSTREAM_PORT FAILED_PATH");
            System.exit(2);
        }
        var listen = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        var relay = new FlakyHttpRelay(new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3])), args[4]);
        try (var server = new ServerSocket()) {
            server.setReuseAddress(true);
            server.bind(listen);
            System.out.println(READY_LINE + " on " + args[0] + ":" + args[1] + ", forwarding to " + args[2] + ":" + args[3]
                    + ", first request per machine for " + args[4] + " gets 503");
            while (true) {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> relay.serve(client));
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            String text = new String(head, StandardCharsets.ISO_8859_1);
            String requestLine = text.substring(0, text.indexOf("\r\n"));
            String[] parts = requestLine.split(" ");
            String target = parts.length > 1 ? parts[1] : "";
            String machine = parameter(target, "mac");
            if (path(target).equals(failedPath) && refused.add(machine)) {
                System.out.println(REFUSED + " " + requestLine + " (first request of " + machine + ")");
                byte[] body = "metalboot lab relay: refused once on purpose\n".getBytes(StandardCharsets.US_ASCII);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return;
            }
            forward(client, in, withConnectionClose(text), requestLine);
        } catch (IOException e) {
            System.out.println("relay: connection from " + client.getRemoteSocketAddress() + " failed: " + e);
        }
    }

    private void forward(Socket client, InputStream clientIn, String head, String requestLine) throws IOException {
        try (var server = new Socket()) {
            server.connect(upstream, CONNECT_TIMEOUT_MS);
            OutputStream toServer = server.getOutputStream();
            toServer.write(head.getBytes(StandardCharsets.ISO_8859_1));
            toServer.flush();
            // A request body (the API's POSTs) follows the head; it goes on while the answer comes back.
            Thread.ofVirtual().start(() -> {
                try {
                    clientIn.transferTo(toServer);
                    server.shutdownOutput();
                } catch (IOException e) {
                    // the server answered and closed first: nothing left to send
                }
            });
            InputStream fromServer = server.getInputStream();
            OutputStream toClient = client.getOutputStream();
            byte[] buffer = new byte[16384];
            int read = fromServer.read(buffer);
            if (read > 0) {
                String first = new String(buffer, 0, read, StandardCharsets.ISO_8859_1);
                int end = first.indexOf("\r\n");
                System.out.println(FORWARDED + " " + requestLine + " -> " + (end > 0 ? first.substring(0, end) : "?"));
                toClient.write(buffer, 0, read);
                fromServer.transferTo(toClient);
            } else {
                System.out.println(FORWARDED + " " + requestLine + " -> no answer");
            }
            toClient.flush();
        }
    }

    /** The request head up to and including its blank line; null when the client sent none. */
    private static byte[] readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == end.length) {
                return head.toByteArray();
            }
        }
        return null;
    }

    /** The head with its connection-management headers replaced by {@code Connection: close}. */
    private static String withConnectionClose(String head) {
        var rewritten = new StringBuilder();
        for (String line : head.split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')).strip().toLowerCase(Locale.ROOT) : "";
            if (!name.equals("connection") && !name.equals("keep-alive") && !name.equals("proxy-connection")) {
                rewritten.append(line).append("\r\n");
            }
        }
        return rewritten.append("Connection: close\r\n\r\n").toString();
    }

    private static String path(String target) {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    /** One query parameter's raw value, or "" (a request without it is its own "machine"). */
    private static String parameter(String target, String name) {
        int query = target.indexOf('?');
        if (query < 0) {
            return "";
        }
        for (String pair : target.substring(query + 1).split("&")) {
            if (pair.startsWith(name + "=")) {
                return pair.substring(name.length() + 1).toLowerCase(Locale.ROOT);
            }
        }
        return "";
    }
}
