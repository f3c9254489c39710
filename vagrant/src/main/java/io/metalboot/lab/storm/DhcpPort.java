package io.metalboot.lab.storm;

import io.metalboot.dhcp.codec.DhcpDecodeException;
import io.metalboot.dhcp.codec.DhcpMessageDecoder;
import io.metalboot.dhcp.codec.DhcpMessageEncoder;
import io.metalboot.dhcp.model.DhcpMessage;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A DHCP client port every machine of the storm shares, as machines on one segment share it: one
 * socket, one receiving thread that hands each reply to the machine waiting on its XID. ProxyDHCP
 * replies to a client without an address are broadcast to port 68 (RFC 2131 §4.1), so all of them
 * arrive on that one; a PXE boot-server REQUEST goes from port 4011 and is answered there.
 */
final class DhcpPort implements AutoCloseable {
    static final int CLIENT_PORT = 68;
    static final int SERVER_PORT = 67;
    static final int BOOT_SERVER_PORT = 4011;
    private final DatagramSocket socket;
    private final Map<Integer, BlockingQueue<DhcpMessage>> waiting = new ConcurrentHashMap<>();
    private final AtomicLong unmatched = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final Thread receiver;

    DhcpPort(int port) throws SocketException {
        socket = new DatagramSocket(null);
        socket.setReuseAddress(true);
        socket.setBroadcast(true);
        // Up to a thousand OFFERs come at once; a small buffer would drop some (the client retransmits then).
        socket.setReceiveBufferSize(8 << 20);
        socket.bind(new InetSocketAddress(port));
        receiver = Thread.ofPlatform().daemon().name("dhcp-port-" + port).start(this::receive);
    }

    private void receive() {
        byte[] buffer = new byte[1500];
        while (!socket.isClosed()) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return; // closed
            }
            DhcpMessage reply;
            try {
                reply = DhcpMessageDecoder.decode(Unpooled.wrappedBuffer(buffer, 0, packet.getLength()));
            } catch (DhcpDecodeException e) {
                malformed.incrementAndGet();
                continue;
            }
            if (reply.op() != DhcpMessage.BOOTREPLY) {
                continue; // our own broadcasts, looped back
            }
            BlockingQueue<DhcpMessage> queue = waiting.get(reply.xid());
            if (queue == null || !queue.offer(reply)) {
                unmatched.incrementAndGet();
            }
        }
    }

    /**
     * Sends {@code request} to {@code to} and waits for a reply {@code wanted} accepts, sending it
     * again after each of {@code timeouts} passes without one (PXE's 4, 8, 16, 32 s).
     */
    DhcpMessage exchange(DhcpMessage request, InetSocketAddress to, Predicate<DhcpMessage> wanted,
                         List<Duration> timeouts) throws StepFailure, InterruptedException {
        byte[] bytes = DhcpMessageEncoder.encode(request);
        BlockingQueue<DhcpMessage> queue = new ArrayBlockingQueue<>(16);
        if (waiting.putIfAbsent(request.xid(), queue) != null) {
            throw new IllegalStateException("two exchanges with XID " + request.xid());
        }
        try {
            int sent = 0;
            for (Duration timeout : timeouts) {
                socket.send(new DatagramPacket(bytes, bytes.length, to));
                sent++;
                long until = System.nanoTime() + timeout.toNanos();
                for (long left = timeout.toNanos(); left > 0; left = until - System.nanoTime()) {
                    DhcpMessage reply = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (reply != null && wanted.test(reply)) {
                        return reply;
                    }
                }
            }
            throw new StepFailure("no answer to " + sent + " DHCP requests (waited " + timeouts + ")");
        } catch (IOException e) {
            throw new StepFailure("sending DHCP to " + to + " failed", e);
        } finally {
            waiting.remove(request.xid());
        }
    }

    /** Replies for no XID anyone waited on (late answers to a request sent again, mostly). */
    long unmatched() {
        return unmatched.get();
    }

    long malformed() {
        return malformed.get();
    }

    @Override
    public void close() {
        socket.close();
        try {
            receiver.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
