package io.metalboot.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test of streaming bodies: 5 GiB uploaded and 5 GiB downloaded with the real curl
 * through an endpoint of a JVM whose heap is 128 MiB (StreamingEchoServer), the download
 * throttled by curl so that the server's writer waits on its client. Both bodies are generated
 * as they go (SeededBytes) and compared by SHA-256; the child must not run out of memory, must
 * still answer afterwards, and its back-pressure counters must have stayed within their bounds.
 */
class HttpStreamingFiveGibTest {
    private static final long SIZE = 5L << 30;
    private static final long SEED = 0x5eed;
    /** curl's download rate: below what the server writes over loopback, so that the client is the slow one. */
    private static final String DOWNLOAD_RATE = "600M";

    @TempDir
    Path temp;

    @Test
    void fiveGibUpAndDownThroughAChildJvmWith128MibOfHeap() throws Exception {
        Curl.require();
        Path childLog = temp.resolve("child.log");
        Process child = startChild(childLog);
        try (ExecutorService feeder = Executors.newSingleThreadExecutor()) {
            String base = "http://127.0.0.1:" + awaitPort(child, childLog);

            long uploadStart = System.nanoTime();
            Path uploadLog = temp.resolve("upload.stderr");
            // -T -: a PUT of stdin, chunked (no length up front), after "Expect: 100-continue".
            Process upload = curl(uploadLog, "-v", "-T", "-", base + "/echo");
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                try (OutputStream stdin = upload.getOutputStream()) {
                    return SeededBytes.write(SEED, SIZE, 1 << 20, stdin);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, feeder);
            String answer = new String(upload.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, upload.waitFor(), () -> "curl upload: " + read(uploadLog) + "\nchild: " + read(childLog));
            String expected = sent.get(60, TimeUnit.SECONDS);
            double uploadSeconds = (System.nanoTime() - uploadStart) / 1e9;
            assertEquals(SIZE, HttpStreamingTest.field(answer, "bytes"), answer);
            assertEquals(expected, HttpStreamingTest.sha256Field(answer), answer);
            assertEquals(-1, HttpStreamingTest.field(answer, "declared"), "sent chunked: " + answer);
            assertTrue(read(uploadLog).contains("< HTTP/1.1 100 Continue"), "curl waited for and got the go-ahead");
            long peakQueued = HttpStreamingTest.field(answer, "peakQueued");
            assertTrue(peakQueued <= RequestBody.PAUSE_AT + RequestBody.MAX_READ_BYTES, "request body queued: " + answer);

            long downloadStart = System.nanoTime();
            Path downloadLog = temp.resolve("download.stderr");
            Path headers = temp.resolve("download.headers");
            Process download = curl(downloadLog, "--limit-rate", DOWNLOAD_RATE, "-D", headers.toString(),
                    base + "/stream?bytes=" + SIZE + "&seed=" + SEED);
            download.getOutputStream().close();
            MessageDigest digest = SeededBytes.sha256();
            long received = 0;
            try (InputStream stdout = download.getInputStream()) {
                byte[] buffer = new byte[1 << 20];
                for (int n; (n = stdout.read(buffer)) >= 0; ) {
                    digest.update(buffer, 0, n);
                    received += n;
                }
            }
            assertEquals(0, download.waitFor(), () -> "curl download: " + read(downloadLog) + "\nchild: " + read(childLog));
            double downloadSeconds = (System.nanoTime() - downloadStart) / 1e9;
            Map<String, String> headerMap = HttpStaticAssetTest.headers(read(headers));
            assertEquals(Long.toString(SIZE), headerMap.get("content-length"));
            assertNull(headerMap.get("transfer-encoding"));
            assertEquals(SIZE, received);
            assertEquals(expected, HexFormat.of().formatHex(digest.digest()));

            HttpResponse<String> stats = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/stats"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, stats.statusCode(), "still answering after both transfers");
            assertTrue(child.isAlive());
            String json = stats.body();
            assertEquals(SIZE, HttpStreamingTest.field(json, "replyWritten"), json);
            long peakPending = HttpStreamingTest.field(json, "replyPeakPendingBytes");
            assertTrue(peakPending <= HttpServer.WRITE_HIGH_WATER + 2L * ReplyBodyStream.CHUNK_BYTES,
                    "reply queued above the socket: " + json);
            System.out.printf("5 GiB up %.1f s (%.0f MB/s), down at most %s/s %.1f s (%.0f MB/s); child %s; upload %s%n",
                    uploadSeconds, SIZE / uploadSeconds / 1e6, DOWNLOAD_RATE, downloadSeconds,
                    SIZE / downloadSeconds / 1e6, json, answer);
        } finally {
            // End of stdin: the child closes its server and exits.
            child.getOutputStream().close();
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                child.waitFor(30, TimeUnit.SECONDS);
            }
        }
        String log = read(childLog);
        assertFalse(log.contains("OutOfMemoryError"), log);
        assertEquals(0, child.exitValue(), "the child exits cleanly (3 would be -XX:+ExitOnOutOfMemoryError): " + log);
    }

    private static Process startChild(Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        // No heap dump on OOM: a 128 MiB file left behind would say less than the exit code does.
        command.addAll(List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
                "-cp", System.getProperty("java.class.path"), StreamingEchoServer.class.getName()));
        return new ProcessBuilder(command).redirectError(log.toFile()).start();
    }

    /** The build's flags for every JVM it starts (surefire passes them on), else the same worked out here. */
    static List<String> jvmFlags() {
        String fromBuild = System.getProperty("metalboot.jvm.flags");
        if (fromBuild != null && !fromBuild.isBlank() && !fromBuild.contains("${")) {
            return List.of(fromBuild.strip().split("\\s+"));
        }
        List<String> flags = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags;
    }

    private static int awaitPort(Process child, Path log) throws Exception {
        BufferedReader stdout = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        String line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(60, TimeUnit.SECONDS);
        if (line == null || !line.startsWith("port ")) {
            throw new AssertionError("the child did not start: " + line + "\n" + read(log));
        }
        return Integer.parseInt(line.substring(5).strip());
    }

    private static Process curl(Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("curl", "--silent", "--show-error", "--noproxy", "*",
                "--max-time", "300"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(stderr.toFile()).start();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
