package io.metalboot.lab;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Follows a file another process appends to (a child's output, a VM's serial port) and hands each
 * new chunk of bytes to a consumer, in order, on one thread. Children write to files rather than
 * pipes so that nothing they print is lost when they exit while being read.
 */
final class GrowingFile implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(50);

    private final Path file;
    private final Consumer<byte[]> chunks;
    private final Thread follower;
    private long offset;
    private volatile boolean following = true;

    GrowingFile(Path file, long startOffset, Consumer<byte[]> chunks) {
        this.file = file;
        this.offset = startOffset;
        this.chunks = chunks;
        this.follower = Thread.ofVirtual().name("follow-" + file.getFileName()).start(this::follow);
    }

    private void follow() {
        while (following) {
            readNew();
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
        readNew(); // whatever was written before the writer stopped
    }

    private void readNew() {
        if (!Files.exists(file)) {
            return;
        }
        byte[] buffer = new byte[16384];
        try (var in = new RandomAccessFile(file.toFile(), "r")) {
            in.seek(offset);
            int read;
            while ((read = in.read(buffer)) > 0) {
                offset += read;
                chunks.accept(Arrays.copyOf(buffer, read));
            }
        } catch (IOException e) {
            // the writer may be recreating the file; the next poll tries again
        }
    }

    /** Reads what is left, then stops; call once the writer is gone. */
    @Override
    public void close() {
        following = false;
        try {
            follower.join(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
