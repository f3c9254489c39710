package io.metalboot.image.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP relay on loopback in front of an HTTP server that breaks the connection when a response
 * body reaches each of the image offsets the test chose, once each, in order (a flaky link, as a
 * deploy meets it): it closes the connection there, or it stalls, sending nothing more while the
 * connection stays open, until the client gives up and closes it. It reads each response's {@code Content-Range} to know where its body starts,
 * so the upstream must close after each response (nginx: {@code keepalive_timeout 0}).
 */
public final class CuttingRelay implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("(?im)^Content-Range: bytes (\\d+)-");
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3})");

    private final ServerSocket server;
    private final int upstreamPort;
    private final Queue<Long> cuts;
    private final AtomicInteger made = new AtomicInteger();
    private final Cut how;

    /** What the relay does at an offset. */
    public enum Cut { CLOSE, STALL }

    public CuttingRelay(int upstreamPort, List<Long> cutOffsets) throws IOException {
        this(upstreamPort, cutOffsets, Cut.CLOSE);
    }

    public CuttingRelay(int upstreamPort, List<Long> cutOffsets, Cut how) throws IOException {
        this.how = how;
        this.server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.cuts = new ArrayDeque<>(cutOffsets);
        Thread.ofVirtual().start(this::accept);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/" + path);
    }

    /** How many cuts the relay made. */
    public int cutsMade() {
        return made.get();
    }

    private void accept() {
        try {
            while (true) {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> relay(client));
            }
        } catch (IOException closed) {
            // the test closed the relay
        }
    }

    private void relay(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            Thread requests = Thread.ofVirtual().start(() -> pump(client, upstream));
            InputStream in = upstream.getInputStream();
            OutputStream out = client.getOutputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                byte[] h = head.toByteArray();
                int n = h.length;
                if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                    break;
                }
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            out.write(head.toByteArray());
            Matcher status = STATUS.matcher(headers);
            Matcher range = RANGE.matcher(headers);
            long position = range.find() ? Long.parseLong(range.group(1)) : 0;
            boolean body = status.find() && (status.group(1).equals("200") || status.group(1).equals("206"));
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int limit = buffer.length;
                Long cut;
                synchronized (cuts) {
                    cut = cuts.peek();
                }
                if (body && cut != null && cut >= position && cut - position < limit) {
                    limit = (int) (cut - position);
                    if (limit == 0) {
                        synchronized (cuts) {
                            cuts.poll();
                        }
                        made.incrementAndGet();
                        out.flush();
                        if (how == Cut.STALL) {
                            requests.join(); // until the client closes its side
                        }
                        return; // closes both sockets: the cut
                    }
                }
                int n = in.read(buffer, 0, limit);
                if (n < 0) {
                    return;
                }
                out.write(buffer, 0, n);
                position += n;
            }
        } catch (IOException e) {
            // a side went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void pump(Socket client, Socket upstream) {
        try {
            client.getInputStream().transferTo(upstream.getOutputStream());
        } catch (IOException e) {
            // either side closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
