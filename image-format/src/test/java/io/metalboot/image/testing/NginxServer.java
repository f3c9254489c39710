package io.metalboot.image.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * nginx, the streaming peer, serving one directory on a loopback port, with its own prefix,
 * logs and pid file under a work directory (never the system's). Its access log counts what
 * clients asked for, and shows each request's {@code Range} header ({@code "range=bytes=N-"}).
 */
public final class NginxServer implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/sbin/nginx");

    private final Process process;
    private final Path work;
    private final int port;

    private NginxServer(Process process, Path work, int port) {
        this.process = process;
        this.work = work;
        this.port = port;
    }

    /** Why nginx cannot run here, if it cannot. */
    public static Optional<String> unavailable() {
        return Files.isExecutable(BINARY) ? Optional.empty()
                : Optional.of("nginx is not installed (" + BINARY + "; Debian package nginx-light)");
    }

    /** Serves {@code root} at http://127.0.0.1:port/; {@code extra} goes into its server block. */
    public static NginxServer serve(Path root, Path work, String extra) throws IOException, InterruptedException {
        Files.createDirectories(work.resolve("temp"));
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        boolean root0 = "root".equals(System.getProperty("user.name"));
        String temp = work.resolve("temp").toString();
        String conf = (root0 ? "user root;\n" : "") + """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 256; }
                http {
                    log_format ranges '$remote_addr - - [$time_local] "$request" $status $body_bytes_sent "range=$http_range"';
                    access_log %1$s/access.log ranges;
                    client_body_temp_path %2$s/body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    default_type application/octet-stream;
                    sendfile on;
                    server {
                        listen 127.0.0.1:%3$d;
                        root %4$s;
                        %5$s
                    }
                }
                """.formatted(work, temp, port, root, extra);
        Path confFile = work.resolve("nginx.conf");
        Files.writeString(confFile, conf);
        Process process = new ProcessBuilder(BINARY.toString(), "-p", work.toString(), "-e", work.resolve("error.log").toString(),
                "-c", confFile.toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(work.resolve("stdout.log").toFile()).start();
        NginxServer server = new NginxServer(process, work, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 200);
                return server;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    server.close();
                    throw new IOException("nginx did not start: " + Files.readString(work.resolve("error.log"))
                            + Files.readString(work.resolve("stdout.log")));
                }
                Thread.sleep(20);
            }
        }
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + "/" + path);
    }

    public int port() {
        return port;
    }

    /** The access log's lines so far (nginx writes each when its request ends). */
    public List<String> accessLog() throws IOException {
        Path log = work.resolve("access.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
