package io.metalboot.http;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A request body as an endpoint reads it: the event loop adds the chunks the decoder hands over,
 * the endpoint's thread takes them. Once {@link #PAUSE_AT} bytes wait unread the router stops
 * reading the socket, and starts again when the endpoint has taken them down to
 * {@link #RESUME_AT}; the client is held back by TCP, so a connection never queues more than
 * {@code PAUSE_AT + MAX_READ_BYTES} of body however fast it sends.
 *
 * <p>With "Expect: 100-continue" the client waits for a go before sending the body: the first
 * read asks for it ({@code askForBody}), so an endpoint that answers without reading never makes
 * the client send.
 */
final class RequestBody extends InputStream {
    /** Unread bytes at which the router stops reading the socket. */
    static final int PAUSE_AT = 256 * 1024;
    /** Unread bytes at or below which it reads again: far enough below PAUSE_AT not to flap. */
    static final int RESUME_AT = 64 * 1024;
    /** The most one socket read hands over (HttpServer's receive buffer allocator): what can still arrive once paused. */
    static final int MAX_READ_BYTES = 64 * 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuf> chunks = new ArrayDeque<>();
    private final long declaredLength;
    private final Runnable resumeReading;
    private final Runnable askForBody;
    private long queued;
    private long peakQueued;
    private int pauses;
    private boolean paused;
    private boolean ended;
    private boolean detached;
    private boolean askedForBody;
    private IOException failure;

    /**
     * @param declaredLength the Content-Length, or -1 if the body is chunked
     * @param resumeReading  called, on the reader's thread, when the reader has drained a paused body
     * @param askForBody     called once, on the reader's thread, at the first read; null if the
     *                       client does not wait for a 100 Continue
     */
    RequestBody(long declaredLength, Runnable resumeReading, Runnable askForBody) {
        this.declaredLength = declaredLength;
        this.resumeReading = resumeReading;
        this.askForBody = askForBody;
    }

    /** The Content-Length, or -1 for a chunked body. */
    long declaredLength() {
        return declaredLength;
    }

    // --- the event loop's side

    /**
     * Queues {@code content} (retained) for the reader; false if the reader is gone, and the caller
     * drops it.
     */
    boolean add(ByteBuf content) {
        lock.lock();
        try {
            if (detached) {
                return false;
            }
            int length = content.readableBytes();
            if (length > 0) {
                chunks.add(content.retain());
                queued += length;
                peakQueued = Math.max(peakQueued, queued);
                if (!paused && queued >= PAUSE_AT) {
                    paused = true;
                    pauses++;
                }
                changed.signalAll();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the socket should not be read for now: too much waits unread. */
    boolean paused() {
        lock.lock();
        try {
            return paused && !detached;
        } finally {
            lock.unlock();
        }
    }

    /** The whole body has arrived. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The body will not arrive whole: reads fail once what came is read. */
    void fail(IOException cause) {
        lock.lock();
        try {
            if (!ended && failure == null) {
                failure = cause;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The endpoint has replied (or closed the stream): what is queued is dropped, reads fail. */
    void detach() {
        lock.lock();
        try {
            detached = true;
            releaseQueued();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The connection is gone: nothing more arrives, nothing queued is worth keeping. */
    void connectionClosed() {
        lock.lock();
        try {
            // A body that has arrived and been read whole is not lost; anything else is.
            if ((!ended || !chunks.isEmpty()) && failure == null) {
                failure = new IOException("the connection closed before the request body was read");
            }
            releaseQueued();
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void releaseQueued() {
        ByteBuf chunk;
        while ((chunk = chunks.poll()) != null) {
            chunk.release();
        }
        queued = 0;
    }

    // --- for tests: what back-pressure did

    /** The most bytes that ever waited unread. */
    long peakQueuedBytes() {
        lock.lock();
        try {
            return peakQueued;
        } finally {
            lock.unlock();
        }
    }

    /** How many times the socket stopped being read because the reader lagged. */
    int pauses() {
        lock.lock();
        try {
            return pauses;
        } finally {
            lock.unlock();
        }
    }

    // --- the reader's side

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            return 0;
        }
        askForBodyOnce();
        int copied = 0;
        boolean resume = false;
        lock.lock();
        try {
            while (chunks.isEmpty() && !ended && failure == null && !detached) {
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for the request body");
                }
            }
            if (detached) {
                throw new IOException("the request body is closed: the reply has been sent, or the stream closed");
            }
            // Whatever has arrived is handed out before a failure is reported.
            while (copied < length && !chunks.isEmpty()) {
                ByteBuf head = chunks.peek();
                int n = Math.min(length - copied, head.readableBytes());
                head.readBytes(buffer, offset + copied, n);
                copied += n;
                if (!head.isReadable()) {
                    chunks.poll().release();
                }
            }
            if (copied == 0) {
                if (failure != null) {
                    throw new IOException(failure.getMessage(), failure);
                }
                return -1;
            }
            queued -= copied;
            if (paused && queued <= RESUME_AT) {
                paused = false;
                resume = true;
            }
        } finally {
            lock.unlock();
        }
        if (resume) {
            resumeReading.run();
        }
        return copied;
    }

    @Override
    public int available() {
        lock.lock();
        try {
            return (int) Math.min(Integer.MAX_VALUE, queued);
        } finally {
            lock.unlock();
        }
    }

    /** The endpoint wants no more of it: the rest is dropped as it arrives (see HttpRequestRouter). */
    @Override
    public void close() {
        detach();
        resumeReading.run();
    }

    private void askForBodyOnce() {
        boolean ask;
        lock.lock();
        try {
            ask = askForBody != null && !askedForBody && !ended && !detached;
            askedForBody = true;
        } finally {
            lock.unlock();
        }
        if (ask) {
            askForBody.run();
        }
    }
}
