package io.metalboot.appliance.tftp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.metalboot.appliance.tftp.server.TftpCounters;
import io.metalboot.appliance.tftp.server.TftpOutcome;
import io.metalboot.appliance.tftp.server.TftpServer;
import io.metalboot.appliance.tftp.server.TftpSettings;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.tftp.TFTP;
import org.apache.commons.net.tftp.TFTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transfers across a lossy link (10% of datagrams dropped each way) still end byte-identical. */
class TftpLossTest {
    private static final double LOSS = 0.10;

    @TempDir
    Path dir;

    private final TftpCounters counters = new TftpCounters();
    private TftpServer server;
    private Path root;

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectories(dir.resolve("root"));
        // A short retransmit timeout keeps a lossy test quick; the logic is the same at 1 s.
        server = new TftpServer(TftpSettings.defaults(InetAddress.getLoopbackAddress(), 0, root)
                .withRetransmission(Duration.ofMillis(50), 30), counters);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void rawClientLockStepAndWindowed() throws Exception {
        byte[] expected = Files.readAllBytes(TftpTestFiles.random(root, "f", 300_000, 11));
        int transfers = 0;
        for (Map<String, String> options : java.util.List.of(Map.<String, String>of(),
                Map.of("blksize", "1468", "windowsize", "16"), Map.of("blksize", "1024", "windowsize", "4"))) {
            // A relay per transfer; seeds chosen so that the read request itself gets through
            // (the raw client does not resend it).
            try (LossyUdpRelay relay = LossyUdpRelay.start(server.localAddress(), LOSS, 2 + transfers);
                    RawTftpClient client = new RawTftpClient(relay.address())) {
                assertArrayEquals(expected, client.fetch("f", options).content(), options.toString());
                assertTrue(relay.dropped.get() > 0, "the link lost something");
            }
            transfers++;
        }
        awaitServed(transfers);
    }

    @Test
    void commonsNetClient() throws Exception {
        byte[] expected = Files.readAllBytes(TftpTestFiles.random(root, "f", 200_000, 12));
        try (LossyUdpRelay relay = LossyUdpRelay.start(server.localAddress(), LOSS, 7)) {
            TFTPClient client = new TFTPClient();
            client.setDefaultTimeout(Duration.ofMillis(200));
            client.setMaxTimeouts(50);
            client.open();
            Path got = dir.resolve("got");
            try (OutputStream out = Files.newOutputStream(got)) {
                client.receiveFile("f", TFTP.BINARY_MODE, out, relay.address().getAddress(), relay.address().getPort());
            } finally {
                client.close();
            }
            assertArrayEquals(expected, Files.readAllBytes(got));
            assertTrue(relay.dropped.get() > 0);
        }
        awaitServed(1);
    }

    @Test
    void atftpWithWindowsize() throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/atftp"))) {
            if ("true".equals(System.getenv("CI"))) {
                fail("atftp is not installed; under CI=true a missing client is a failure");
            }
            Assumptions.abort("atftp is not installed (apt-get install atftp)");
        }
        byte[] expected = Files.readAllBytes(TftpTestFiles.random(root, "f", 200_000, 13));
        try (LossyUdpRelay relay = LossyUdpRelay.start(server.localAddress(), LOSS, 21)) {
            InetSocketAddress at = relay.address();
            Path got = dir.resolve("got");
            // "timeout 1": atftp waits 5 s by default before it repeats an ACK; both sides use 1 s.
            Process atftp = new ProcessBuilder("atftp", "--option", "blksize 1468", "--option", "windowsize 16",
                    "--option", "timeout 1",
                    "-g", "-r", "f", "-l", got.toString(), "127.0.0.1", Integer.toString(at.getPort()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("atftp.log").toFile()).start();
            if (!atftp.waitFor(120, TimeUnit.SECONDS)) {
                atftp.destroyForcibly();
                fail("atftp did not finish in 120 s");
            }
            assertEquals(0, atftp.exitValue(), () -> Files.exists(dir.resolve("atftp.log"))
                    ? readQuietly(dir.resolve("atftp.log")) : "");
            assertArrayEquals(expected, Files.readAllBytes(got));
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    /**
     * Every transfer ended on the server as served, or, when the client's very last ACK was lost
     * (the client had everything and left), as timed out after the server's retries: TFTP gives
     * the server no way to tell those apart. Nothing failed. The wait is bounded, not timed: the
     * server's waits double per unanswered resend (at 50 ms and 30 retries, 11 s in all before it
     * gives a silent client up), so it may take that long.
     */
    private void awaitServed(long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ended() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(expected, ended());
        assertEquals(0, counters.count(TftpOutcome.FAILED));
    }

    private long ended() {
        return counters.count(TftpOutcome.SERVED) + counters.count(TftpOutcome.TIMED_OUT);
    }
}
