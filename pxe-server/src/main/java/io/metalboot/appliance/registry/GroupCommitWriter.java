package io.metalboot.appliance.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Group commit for one journal file. Callers queue framed records and wait on a future; one
 * writer thread takes everything queued, writes it with one positioned write, makes it durable
 * with one force (fdatasync), and only then completes the futures of the records that force
 * covered, in file order. So many concurrent appends cost one fsync, not one each, and none is
 * acknowledged before it is on disk.
 *
 * <p>A failed write or force fails every record of its batch (nothing of it reports success),
 * and cuts the file back to where the batch began, so a record queued later never follows half
 * of a failed one. If even that cut fails, the file's end is unknown: every later append fails.
 *
 * <p>A record's {@code onDurable} step runs on the writer thread after its force, in file order:
 * the store makes the record visible there, so the order a replay applies records in is the
 * order they were applied in live.
 */
final class GroupCommitWriter implements AutoCloseable {
    /** How a written batch is made durable; {@code FileChannel.force(false)} (fdatasync) but in tests. */
    @FunctionalInterface
    interface ForceStep {
        void force(FileChannel channel) throws IOException;
    }

    static final ForceStep FDATASYNC = channel -> channel.force(false);

    private record Queued<T>(ByteBuffer frame, Supplier<T> onDurable, CompletableFuture<T> acked) {
        void fail(Throwable cause) {
            acked.completeExceptionally(cause);
        }

        void complete() {
            try {
                acked.complete(onDurable.get());
            } catch (RuntimeException | Error e) {
                acked.completeExceptionally(e);
            }
        }
    }

    private final FileChannel channel;
    private final ForceStep force;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queuedOrClosing = lock.newCondition();
    private final Thread writer;
    /** Guarded by {@link #lock}. */
    private List<Queued<?>> queue = new ArrayList<>();
    private boolean closing;
    private Exception broken;
    private long enqueued;
    /** Where the next batch goes; the writer thread's alone. */
    private long end;

    GroupCommitWriter(FileChannel channel, long end, ForceStep force, String name) {
        this.channel = channel;
        this.end = end;
        this.force = force;
        this.writer = Thread.ofPlatform().name("journal-writer " + name).daemon().start(this::run);
    }

    /** Queues one framed record; the future completes with {@code onDurable}'s result once it is on disk. */
    <T> CompletableFuture<T> enqueue(ByteBuffer frame, Supplier<T> onDurable) throws IOException {
        Queued<T> queued = new Queued<>(frame, onDurable, new CompletableFuture<>());
        lock.lock();
        try {
            if (broken != null) {
                throw new IOException("journal unusable since a failed write could not be cut off", broken);
            }
            if (closing) {
                throw new IOException("journal closed");
            }
            queue.add(queued);
            enqueued++;
            queuedOrClosing.signal();
        } finally {
            lock.unlock();
        }
        return queued.acked;
    }

    /** Records queued since the start, written or not (what a test waits for before it lets a force finish). */
    long enqueued() {
        lock.lock();
        try {
            return enqueued;
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            List<Queued<?>> batch;
            lock.lock();
            try {
                while (queue.isEmpty() && !closing) {
                    queuedOrClosing.awaitUninterruptibly();
                }
                if (queue.isEmpty()) {
                    return; // closing, and everything queued before is committed
                }
                batch = queue;
                queue = new ArrayList<>();
            } finally {
                lock.unlock();
            }
            commit(batch);
        }
    }

    private void commit(List<Queued<?>> batch) {
        long start = end;
        try {
            int size = 0;
            for (Queued<?> queued : batch) {
                size = Math.addExact(size, queued.frame().remaining());
            }
            ByteBuffer all = ByteBuffer.allocate(size);
            for (Queued<?> queued : batch) {
                all.put(queued.frame());
            }
            all.flip();
            long at = start;
            while (all.hasRemaining()) {
                at += channel.write(all, at);
            }
            force.force(channel);
            end = at;
        } catch (IOException | RuntimeException | Error e) {
            cutBack(start, e);
            batch.forEach(queued -> queued.fail(e));
            return;
        }
        batch.forEach(Queued::complete);
    }

    /** A failed batch must not leave bytes for the next batch to follow. */
    private void cutBack(long start, Throwable failure) {
        try {
            channel.truncate(start);
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
            lock.lock();
            try {
                broken = e;
                queue.forEach(queued -> queued.fail(e));
                queue.clear();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Commits whatever is queued, then stops the writer; appends after this fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            queuedOrClosing.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true; // the queued records must still be answered before the channel closes
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
