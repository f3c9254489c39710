package io.metalboot.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a streamed reply's writer writes into, on its virtual thread. Bytes go out in chunks of
 * {@link #CHUNK_BYTES}; before each, the writer waits while the channel is not writable (more than
 * the write buffer's high water mark waits for the socket) until the router passes on
 * channelWritabilityChanged. A slow client thus holds the writer, and the server holds at most
 * the high water mark plus a chunk of the body.
 */
final class ReplyBodyStream extends OutputStream {
    static final int CHUNK_BYTES = 64 * 1024;

    private final ChannelHandlerContext ctx;
    private final long length;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();
    private ByteBuf buffer;
    private long written;
    private boolean finished;
    private volatile boolean waiting;
    private volatile long writabilityWaits;
    private volatile long peakPendingBytes;

    /** @param length the bytes the reply declared, or {@link HttpReply#UNKNOWN_LENGTH} */
    ReplyBodyStream(ChannelHandlerContext ctx, long length) {
        this.ctx = ctx;
        this.length = length;
    }

    @Override
    public void write(int b) throws IOException {
        if (finished) {
            throw new IOException("the reply body is complete");
        }
        if (length >= 0 && written + 1 > length) {
            throw new IOException("the writer wrote more than the " + length + " bytes the reply declared");
        }
        if (buffer == null) {
            buffer = ctx.alloc().buffer(CHUNK_BYTES, CHUNK_BYTES);
        }
        buffer.writeByte(b);
        written++;
        if (!buffer.isWritable()) {
            send();
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
        Objects.checkFromIndexSize(offset, count, bytes.length);
        if (finished) {
            throw new IOException("the reply body is complete");
        }
        if (length >= 0 && written + count > length) {
            throw new IOException("the writer wrote more than the " + length + " bytes the reply declared");
        }
        while (count > 0) {
            if (buffer == null) {
                buffer = ctx.alloc().buffer(CHUNK_BYTES, CHUNK_BYTES);
            }
            int n = Math.min(count, buffer.writableBytes());
            buffer.writeBytes(bytes, offset, n);
            offset += n;
            count -= n;
            written += n;
            if (!buffer.isWritable()) {
                send();
            }
        }
    }

    /** Sends what is buffered now rather than when a chunk is full. */
    @Override
    public void flush() throws IOException {
        if (finished) {
            return;
        }
        if (buffer != null && buffer.isReadable()) {
            send();
        }
    }

    /** Only flushes: the reply ends when the writer returns. */
    @Override
    public void close() throws IOException {
        flush();
    }

    /**
     * After the writer has returned: sends the rest and the end of the body.
     *
     * @throws IOException if the writer wrote less than the declared length, or the client is gone
     */
    ChannelFuture finish() throws IOException {
        flush();
        finished = true;
        if (length >= 0 && written != length) {
            throw new IOException("the writer wrote " + written + " of the " + length + " bytes the reply declared");
        }
        awaitWritable();
        return ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /** After the writer failed: whatever is buffered is not sent. */
    void discard() {
        finished = true;
        if (buffer != null) {
            buffer.release();
            buffer = null;
        }
    }

    /** The body bytes the writer has written. */
    long written() {
        return written;
    }

    /** On the event loop: writability changed or the channel closed; the writer looks again. */
    void channelChanged() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // --- for tests: what back-pressure did

    /** Whether the writer is blocked right now, waiting for the client to take what was sent. */
    boolean waitingForWritability() {
        return waiting;
    }

    /** How many times the writer had to wait. */
    long writabilityWaits() {
        return writabilityWaits;
    }

    /** The most bytes that were queued in the channel, above the socket, just after a chunk was sent. */
    long peakPendingBytes() {
        return peakPendingBytes;
    }

    private void send() throws IOException {
        ByteBuf chunk = buffer;
        buffer = null;
        try {
            awaitWritable();
        } catch (IOException e) {
            chunk.release();
            throw e;
        }
        ctx.writeAndFlush(new DefaultHttpContent(chunk));
        ChannelOutboundBuffer outbound = ctx.channel().unsafe().outboundBuffer();
        if (outbound != null) {
            // Only this thread writes the peak: a plain read-then-write is enough.
            peakPendingBytes = Math.max(peakPendingBytes, outbound.totalPendingWriteBytes());
        }
    }

    private void awaitWritable() throws IOException {
        Channel channel = ctx.channel();
        lock.lock();
        try {
            while (channel.isActive() && !channel.isWritable()) {
                writabilityWaits++;
                waiting = true;
                try {
                    writable.await();
                } finally {
                    waiting = false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the client was slow to take the reply");
        } finally {
            lock.unlock();
        }
        if (!channel.isActive()) {
            throw new ClosedChannelException();
        }
    }
}
