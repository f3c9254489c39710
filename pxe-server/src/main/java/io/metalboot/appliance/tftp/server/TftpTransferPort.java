package io.metalboot.appliance.tftp.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;

/**
 * One transfer's own UDP port (its TID), used by that transfer's thread alone: a send, and a
 * receive that waits at most until a deadline. A lock-step block then costs what it costs a C
 * server: one {@code sendto}, one {@code epoll_wait}, one {@code recvfrom}, into buffers the
 * transfer reuses — no per-datagram object, reference count or pipeline (the TFTP profile in the
 * module README). Not connected: a datagram from any other address must still be read, to be
 * answered with "unknown transfer ID".
 */
final class TftpTransferPort implements AutoCloseable {
    private final DatagramChannel channel;
    private final Selector selector;
    private volatile boolean aborted;

    /** Binds a new port on {@code local}, chosen by the system. */
    TftpTransferPort(InetAddress local) throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.bind(new InetSocketAddress(local, 0));
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Sends {@code datagram} (position to limit) to {@code to}. */
    void send(ByteBuffer datagram, InetSocketAddress to) throws IOException {
        channel.send(datagram, to);
    }

    /**
     * Reads one datagram into {@code into} (cleared first, flipped after): its sender, or null if
     * none came before {@code deadlineNanos} (by {@link System#nanoTime}) or the port was
     * {@linkplain #abort aborted}. A datagram longer than {@code into} is cut to its size.
     */
    InetSocketAddress receive(ByteBuffer into, long deadlineNanos) throws IOException {
        while (!aborted) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            // Wait first: right after a send the answer is not there yet, so a read would only
            // fail. The selector is level-triggered: a datagram already queued returns at once.
            // select(…, 0) waits for ever: a wait under a millisecond is rounded up, never down to 0.
            selector.select(key -> { }, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            into.clear();
            if (channel.receive(into) instanceof InetSocketAddress sender) {
                into.flip();
                return sender;
            }
        }
        return null;
    }

    /** Ends the wait of a {@link #receive} in progress, from any thread (the server's close). */
    void abort() {
        aborted = true;
        selector.wakeup();
    }

    boolean aborted() {
        return aborted;
    }

    @Override
    public void close() throws IOException {
        try (selector; channel) {
            // both closed, the selector first
        }
    }
}
