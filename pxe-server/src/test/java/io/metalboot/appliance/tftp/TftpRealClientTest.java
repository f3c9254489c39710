package io.metalboot.appliance.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.metalboot.appliance.tftp.server.TftpCounters;
import io.metalboot.appliance.tftp.server.TftpServer;
import io.metalboot.appliance.tftp.server.TftpSettings;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.net.tftp.TFTP;
import org.apache.commons.net.tftp.TFTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Real TFTP clients against the server in this JVM: atftp, tftp-hpa's tftp, curl, and
 * commons-net's TFTPClient; every file must arrive byte-identical. A missing client binary skips
 * its cases with the reason, except under CI=true, where it fails.
 */
class TftpRealClientTest {
    /** 0 bytes, exactly one block, whole blocks, odd sizes, and past 32 MiB (block numbers wrap at 512). */
    private static final long[] SIZES = {0, 512, 512 * 5, 1468 * 3, 100_003, 1_048_576 + 1, 33L * 1024 * 1024 + 17};

    private static Path dir;
    private static TftpServer server;
    private static int port;

    @BeforeAll
    static void start() throws IOException {
        dir = Files.createTempDirectory("tftp-real-clients");
        Path root = Files.createDirectories(dir.resolve("root"));
        for (long size : SIZES) {
            TftpTestFiles.random(root, "file-" + size, size, size);
        }
        java.util.Random random = new java.util.Random(5);
        for (long size : textSizes().map(a -> (Long) a.get()[0]).toList()) {
            StringBuilder text = new StringBuilder();
            while (text.length() < size) {
                text.append(random.nextInt(10) == 0 ? '\n' : (char) (' ' + random.nextInt(94)));
            }
            Files.writeString(root.resolve("text-" + size), text);
        }
        server = new TftpServer(TftpSettings.defaults(InetAddress.getLoopbackAddress(), 0, root), new TftpCounters());
        server.start();
        port = server.localAddress().getPort();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    static Stream<Arguments> sizes() {
        return java.util.Arrays.stream(SIZES).mapToObj(Arguments::of);
    }

    /**
     * curl (7.88 at least) refuses an OACK whose tsize is 0 ("invalid tsize -:0:- value in OACK
     * packet", exit 71), which is what an empty file is: every server that answers tsize fails it
     * with curl. So curl gets every size but 0.
     */
    static Stream<Arguments> sizesForCurl() {
        return java.util.Arrays.stream(SIZES).filter(size -> size > 0).mapToObj(Arguments::of);
    }

    static Stream<Arguments> textSizes() {
        return Stream.of(0L, 511L, 100_000L).map(Arguments::of);
    }

    private static void requireBinary(String binary) {
        for (String dirName : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dirName, binary))) {
                return;
            }
        }
        String reason = binary + " is not installed (Debian: apt-get install atftp tftp-hpa curl)";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + "; under CI=true a missing client is a failure");
        }
        Assumptions.abort(reason);
    }

    private static void run(Path workDir, String... command) throws IOException, InterruptedException {
        requireBinary(command[0]);
        Process process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(workDir.resolve("client.log").toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish in 120 s");
        }
        assertEquals(0, process.exitValue(),
                () -> String.join(" ", command) + " failed: " + readQuietly(workDir.resolve("client.log")));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void assertSameContent(long size, Path received) throws IOException {
        byte[] expected = Files.readAllBytes(dir.resolve("root/file-" + size));
        // curl writes no file at all for an empty transfer.
        byte[] actual = Files.exists(received) ? Files.readAllBytes(received) : new byte[0];
        assertEquals(expected.length, actual.length, "size");
        assertArrayEquals(expected, actual);
    }

    private static Path workDir(String client, long size) throws IOException {
        return Files.createDirectories(dir.resolve("out-" + client + "-" + size));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void atftpWithBlksizeTsizeAndWindowsize(long size) throws Exception {
        Path out = workDir("atftp-options", size);
        run(out, "atftp", "--option", "blksize 1468", "--option", "tsize 0", "--option", "windowsize 16",
                "-g", "-r", "file-" + size, "-l", out.resolve("got").toString(), "127.0.0.1", Integer.toString(port));
        assertSameContent(size, out.resolve("got"));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void atftpPlain(long size) throws Exception {
        Path out = workDir("atftp", size);
        run(out, "atftp", "-g", "-r", "/file-" + size, "-l", out.resolve("got").toString(), "127.0.0.1",
                Integer.toString(port));
        assertSameContent(size, out.resolve("got"));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void tftpHpa(long size) throws Exception {
        Path out = workDir("tftp-hpa", size);
        run(out, "tftp", "127.0.0.1", Integer.toString(port), "-v", "-m", "binary", "-c", "get", "file-" + size,
                "got");
        assertSameContent(size, out.resolve("got"));
    }

    @ParameterizedTest
    @MethodSource("sizesForCurl")
    void curl(long size) throws Exception {
        Path out = workDir("curl", size);
        run(out, "curl", "-sS", "--fail", "--max-time", "100", "-o", "got",
                "tftp://127.0.0.1:" + port + "/file-" + size);
        assertSameContent(size, out.resolve("got"));
    }

    @ParameterizedTest
    @MethodSource("sizesForCurl")
    void curlWithBlksize(long size) throws Exception {
        Path out = workDir("curl-blksize", size);
        run(out, "curl", "-sS", "--fail", "--max-time", "100", "--tftp-blksize", "1468", "-o", "got",
                "tftp://127.0.0.1:" + port + "/file-" + size);
        assertSameContent(size, out.resolve("got"));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void commonsNetTftpClient(long size) throws Exception {
        Path out = workDir("commons-net", size);
        TFTPClient client = new TFTPClient();
        client.setDefaultTimeout(java.time.Duration.ofSeconds(5));
        client.open();
        try (OutputStream file = Files.newOutputStream(out.resolve("got"))) {
            client.receiveFile("file-" + size, TFTP.BINARY_MODE, file, InetAddress.getLoopbackAddress(), port);
        } finally {
            client.close();
        }
        assertSameContent(size, out.resolve("got"));
    }

    @ParameterizedTest
    @MethodSource("textSizes")
    void commonsNetTftpClientInNetasciiGetsTheTextBack(long size) throws Exception {
        Path out = workDir("commons-net-ascii", size);
        TFTPClient client = new TFTPClient();
        client.setDefaultTimeout(java.time.Duration.ofSeconds(5));
        client.open();
        try (OutputStream file = Files.newOutputStream(out.resolve("got"))) {
            // The server sends LF as CR LF; the client turns CR LF back into this host's LF.
            client.receiveFile("text-" + size, TFTP.ASCII_MODE, file, InetAddress.getLoopbackAddress(), port);
        } finally {
            client.close();
        }
        assertArrayEquals(Files.readAllBytes(dir.resolve("root/text-" + size)), Files.readAllBytes(out.resolve("got")));
    }

}
