package io.metalboot.lab;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * QEMU's human monitor on a Unix socket, for the few commands a scenario gives a VM that QEMU's
 * command line cannot express (a NIC's link state). The socket lives in a short temporary
 * directory: a Unix socket path must stay under 108 bytes, which a scenario's work directory may not.
 * A Unix socket belongs to the file system, not to a network namespace, so the lab JVM reaches the
 * monitor of a QEMU running in the hub namespace.
 */
final class QemuMonitor implements AutoCloseable {
    private static final Duration CONNECT = Duration.ofSeconds(15);
    private static final Duration ANSWER = Duration.ofSeconds(10);
    private static final String PROMPT = "(qemu) ";

    private final Path directory;
    private final Path socket;
    private SocketChannel channel;
    private final StringBuilder received = new StringBuilder();

    private QemuMonitor(Path directory) {
        this.directory = directory;
        this.socket = directory.resolve("monitor.sock");
    }

    static QemuMonitor create() throws IOException {
        return new QemuMonitor(Files.createTempDirectory("mb-qemu-"));
    }

    Path socket() {
        return socket;
    }

    /** Sends one command and waits for the next prompt; connects on first use (QEMU makes the socket at start). */
    void command(String command) {
        try {
            if (channel == null) {
                connect();
            }
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            awaitPrompt();
        } catch (IOException e) {
            throw new LabException("QEMU monitor " + socket + ": \"" + command + "\" failed", e);
        }
    }

    private void connect() throws IOException {
        var deadline = Deadline.in(CONNECT);
        while (true) {
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(socket));
                awaitPrompt(); // the greeting ends with the first prompt
                return;
            } catch (IOException e) {
                channel.close();
                channel = null;
                if (deadline.remaining().isZero()) {
                    throw e;
                }
                Deadline.pause(Duration.ofMillis(100), "connecting to a QEMU monitor");
            }
        }
    }

    private void awaitPrompt() throws IOException {
        var deadline = Deadline.in(ANSWER);
        var buffer = ByteBuffer.allocate(4096);
        while (received.indexOf(PROMPT) < 0) {
            if (deadline.remaining().isZero()) {
                throw new IOException("no monitor prompt within " + ANSWER + ", got: " + received);
            }
            buffer.clear();
            if (channel.read(buffer) < 0) {
                throw new IOException("QEMU closed its monitor, got: " + received);
            }
            received.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.ISO_8859_1));
        }
        received.delete(0, received.indexOf(PROMPT) + PROMPT.length());
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // a leftover empty directory in /tmp is harmless
        }
    }
}
