package io.metalboot.appliance.registry;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * An append-only file of checksummed records: {@code [u32 length][u32 crc32c][payload]}.
 * {@link #append} returns only after the record is on disk (fdatasync), so whatever was
 * acknowledged survives a kill -9 or a power cut. Concurrent appends share one fdatasync
 * ({@link GroupCommitWriter}); the file holds the same records either way. On open, a torn or corrupt tail — a crash in
 * mid-write — is detected by its length or checksum and cut off; the cut bytes are kept beside
 * the journal as evidence, never read as a record.
 */
final class RecordJournal implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("registry");
    private static final int HEADER = 8;
    static final int MAX_RECORD = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final GroupCommitWriter writer;

    private RecordJournal(Path file, FileChannel channel, long end, GroupCommitWriter.ForceStep force) {
        this.file = file;
        this.channel = channel;
        this.writer = new GroupCommitWriter(channel, end, force, file.getFileName().toString());
    }

    /** Opens (creating) the journal, hands every intact record to {@code replay}, cuts a torn tail. */
    static RecordJournal open(Path file, Consumer<byte[]> replay) throws IOException {
        return open(file, replay, GroupCommitWriter.FDATASYNC);
    }

    /** As {@link #open(Path, Consumer)}, making batches durable with {@code force} (a test's counting one). */
    static RecordJournal open(Path file, Consumer<byte[]> replay, GroupCommitWriter.ForceStep force)
            throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            long intact = replay(channel, replay);
            long size = channel.size();
            if (intact < size) {
                Path evidence = file.resolveSibling(file.getFileName() + ".torn-" + Instant.now().toEpochMilli());
                try (FileChannel out = FileChannel.open(evidence, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    channel.transferTo(intact, size - intact, out);
                    out.force(true);
                }
                channel.truncate(intact);
                channel.force(true);
                LOG.log(Level.WARNING, "{0}: cut {1} bytes of a torn or corrupt tail after byte {2} (kept in {3})",
                        file, Long.toString(size - intact), Long.toString(intact), evidence.getFileName());
            }
            return new RecordJournal(file, channel, intact, force);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads records from the start; returns the offset after the last intact one. */
    private static long replay(FileChannel channel, Consumer<byte[]> replay) throws IOException {
        long size = channel.size();
        long at = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        while (at + HEADER <= size) {
            header.clear();
            readFully(channel, header, at);
            header.flip();
            int length = header.getInt();
            int checksum = header.getInt();
            if (length < 0 || length > MAX_RECORD || at + HEADER + length > size) {
                break;
            }
            ByteBuffer payload = ByteBuffer.allocate(length);
            readFully(channel, payload, at + HEADER);
            if (crc(payload.array()) != checksum) {
                break;
            }
            replay.accept(payload.array());
            at += HEADER + length;
        }
        return at;
    }

    /** Appends one record and waits until it is on disk. */
    void append(byte[] payload) throws IOException {
        append(payload, () -> null);
    }

    /**
     * Appends one record, waits until it is on disk, and returns what {@code onDurable} made of
     * it: that step runs once the record is durable, in file order, on the journal's writer thread.
     * If the write or its fdatasync fails, this throws and {@code onDurable} never runs.
     */
    <T> T append(byte[] payload, Supplier<T> onDurable) throws IOException {
        return enqueue(payload, onDurable).await();
    }

    /**
     * Queues one record and returns at once: {@link Pending#await} then waits until it is on disk,
     * as {@link #append} does. A caller with records for two journals queues both before it waits,
     * so that their fdatasyncs run side by side without a thread of its own for either.
     */
    <T> Pending<T> enqueue(byte[] payload, Supplier<T> onDurable) throws IOException {
        if (payload.length > MAX_RECORD) {
            throw new IOException("journal record over " + MAX_RECORD + " bytes");
        }
        ByteBuffer frame = ByteBuffer.allocate(HEADER + payload.length);
        frame.putInt(payload.length).putInt(crc(payload)).put(payload).flip();
        return new Pending<>(file, writer.enqueue(frame, onDurable));
    }

    /** A queued record: {@link #await} returns once it is durable, with what its {@code onDurable} made of it. */
    record Pending<T>(Path file, CompletableFuture<T> acked) {
        T await() throws IOException {
            try {
                // join, not get: an interrupt must not report a failure for a record that is then stored
                return acked.join();
            } catch (CompletionException e) {
                // a new exception per waiter: the batch's one cause is shared by all of them
                switch (e.getCause()) {
                    case IOException io -> throw new IOException(file.getFileName() + ": " + io.getMessage(), io);
                    case RuntimeException runtime -> throw runtime; // onDurable's own, this record's alone
                    case Error error -> throw error;
                    case Throwable other -> throw new IOException(file.getFileName() + ": " + other, other);
                }
            }
        }
    }

    /** Records queued since the journal opened, written or not. */
    long enqueued() {
        return writer.enqueued();
    }

    Path file() {
        return file;
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        long at = position;
        while (into.hasRemaining()) {
            int read = channel.read(into, at);
            if (read < 0) {
                throw new IOException("unexpected end of " + channel);
            }
            at += read;
        }
    }

    @Override
    public void close() throws IOException {
        writer.close();
        channel.close();
    }
}
