package io.metalboot.agent.deploy;

import io.metalboot.image.ExtentSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ExtentSink} that writes a reader's extents onto a {@link TargetDevice}, on a writer
 * thread of its own so the network, the hashing and the disk overlap: data extents are copied
 * into 4 MiB page-aligned direct buffers (contiguous extents share one, so writes are large),
 * queued, and written with {@code pwrite}; zero extents become {@code BLKZEROOUT} (or a punched
 * hole in a file). Memory: {@link #BUFFERS} buffers. Any write error stops the writer, and the
 * next call of the reader (or {@link #finish}) throws it: nothing is acknowledged that is not on
 * the device.
 */
public final class DiskWriter implements ExtentSink, AutoCloseable {
    static final int BUFFER_BYTES = 4 * 1024 * 1024;
    static final int BUFFERS = 8;
    private static final int ALIGN = 4096;

    private sealed interface Command {
    }

    private record Write(ByteBuffer buffer, long offset) implements Command {
    }

    private record Zero(long offset, long length) implements Command {
    }

    private record End() implements Command {
    }

    private final TargetDevice device;
    private final long limit;
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
    private final BlockingQueue<Command> queue = new ArrayBlockingQueue<>(BUFFERS * 4);
    private final ByteBuffer zeros;
    private final AtomicLong done = new AtomicLong();
    private final Thread writer;
    private volatile IOException failure;
    private ByteBuffer current;
    private long currentOffset = -1;
    private long highest;

    /** {@code limit}: no extent may reach past it (the disk's size; Long.MAX_VALUE for a file). */
    public DiskWriter(TargetDevice device, long limit) {
        this.device = device;
        this.limit = limit;
        for (int i = 0; i < BUFFERS; i++) {
            free.add(ByteBuffer.allocateDirect(BUFFER_BYTES + ALIGN).alignedSlice(ALIGN));
        }
        this.zeros = ByteBuffer.allocateDirect(1024 * 1024 + ALIGN).alignedSlice(ALIGN);
        this.writer = Thread.ofPlatform().name("disk-writer").daemon().start(this::run);
    }

    /** Guest bytes written or zeroed so far (acknowledged by the device's write calls, not yet synced). */
    public long bytesDone() {
        return done.get();
    }

    /** The end of the highest extent seen: the image's size once the reader is done. */
    public long highestOffset() {
        return highest;
    }

    @Override
    public void data(long guestOffset, ByteBuffer bytes) throws IOException {
        checkRoom(guestOffset, bytes.remaining());
        while (bytes.hasRemaining()) {
            if (current == null || currentOffset + current.position() != guestOffset || !current.hasRemaining()) {
                submitCurrent();
                current = take();
                currentOffset = guestOffset;
            }
            int n = Math.min(current.remaining(), bytes.remaining());
            ByteBuffer part = bytes.slice(bytes.position(), n);
            current.put(part);
            bytes.position(bytes.position() + n);
            guestOffset += n;
        }
    }

    @Override
    public void zeros(long guestOffset, long length) throws IOException {
        checkRoom(guestOffset, length);
        submitCurrent();
        put(new Zero(guestOffset, length));
    }

    private void checkRoom(long offset, long length) throws IOException {
        rethrow();
        if (offset + length > limit) {
            throw new IOException("the image is larger than the disk: it reaches byte " + (offset + length) + ", "
                    + device.path() + " has " + limit);
        }
        highest = Math.max(highest, offset + length);
    }

    private void submitCurrent() throws IOException {
        if (current != null && current.position() > 0) {
            put(new Write(current.flip(), currentOffset));
            current = null;
        }
    }

    private ByteBuffer take() throws IOException {
        try {
            while (true) {
                rethrow();
                ByteBuffer b = free.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                if (b != null) {
                    return b.clear();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("disk write interrupted");
        }
    }

    private void put(Command command) throws IOException {
        try {
            while (!queue.offer(command, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                rethrow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("disk write interrupted");
        }
    }

    private void rethrow() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException(f.getMessage(), f);
        }
    }

    /** Writes what is queued, then fsyncs: after it returns, every extent is durable. */
    public void finish() throws IOException {
        submitCurrent();
        put(new End());
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("disk write interrupted");
        }
        rethrow();
        device.sync();
    }

    private void run() {
        try {
            while (true) {
                Command c = queue.take();
                switch (c) {
                    case Write w -> {
                        int n = w.buffer().remaining();
                        device.write(w.buffer(), w.offset());
                        done.addAndGet(n);
                        free.add(w.buffer());
                    }
                    case Zero z -> {
                        device.zeroOut(z.offset(), z.length(), zeros);
                        done.addAndGet(z.length());
                    }
                    case End e -> {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            failure = e;
        } catch (InterruptedException e) {
            failure = new java.io.InterruptedIOException("disk writer interrupted");
        } catch (RuntimeException e) {
            failure = new IOException("disk writer: " + e, e);
        }
    }

    @Override
    public void close() {
        writer.interrupt();
    }
}
