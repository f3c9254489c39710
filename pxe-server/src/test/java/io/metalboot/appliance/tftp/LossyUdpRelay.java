package io.metalboot.appliance.tftp;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A lossy link on loopback for one TFTP client at a time: the client sends its request to
 * {@link #address()} and gets the transfer from another port of the relay (as from a real
 * server's transfer port); the relay talks to the server. Each direction drops a share of datagrams, decided by its own
 * seeded Random. A read request (re)starts a transfer: the relay then follows the first transfer
 * port the server answers from and drops datagrams from any other (as a client would refuse
 * another TID), so a duplicated request cannot mix two transfers.
 */
final class LossyUdpRelay implements AutoCloseable {
    private final DatagramSocket clientSide;
    private final DatagramSocket transferSide;
    private final DatagramSocket serverSide;
    private final InetSocketAddress server;
    private final double lossRate;
    private final Random toServerLoss;
    private final Random toClientLoss;
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong forwarded = new AtomicLong();
    private volatile SocketAddress client;
    private volatile SocketAddress transfer;

    static LossyUdpRelay start(InetSocketAddress server, double lossRate, long seed) throws IOException {
        LossyUdpRelay relay = new LossyUdpRelay(server, lossRate, seed);
        Thread.ofPlatform().daemon().name("relay-requests").start(() -> relay.clientToServer(relay.clientSide));
        Thread.ofPlatform().daemon().name("relay-acks").start(() -> relay.clientToServer(relay.transferSide));
        Thread.ofPlatform().daemon().name("relay-down").start(relay::serverToClient);
        return relay;
    }

    private LossyUdpRelay(InetSocketAddress server, double lossRate, long seed) throws IOException {
        this.server = server;
        this.lossRate = lossRate;
        this.toServerLoss = new Random(seed);
        this.toClientLoss = new Random(seed + 1);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        this.clientSide = new DatagramSocket(new InetSocketAddress(loopback, 0));
        this.transferSide = new DatagramSocket(new InetSocketAddress(loopback, 0));
        this.serverSide = new DatagramSocket(new InetSocketAddress(loopback, 0));
    }

    InetSocketAddress address() {
        return (InetSocketAddress) clientSide.getLocalSocketAddress();
    }

    private void clientToServer(DatagramSocket socket) {
        byte[] buffer = new byte[65536];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                client = packet.getSocketAddress();
                boolean request = packet.getLength() >= 2 && buffer[0] == 0 && buffer[1] == 1;
                if (request) {
                    transfer = null;
                }
                SocketAddress target = request || transfer == null ? server : transfer;
                boolean drop;
                synchronized (toServerLoss) {
                    drop = toServerLoss.nextDouble() < lossRate;
                }
                if (drop) {
                    dropped.incrementAndGet();
                    continue;
                }
                serverSide.send(new DatagramPacket(buffer, packet.getLength(), target));
                forwarded.incrementAndGet();
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void serverToClient() {
        byte[] buffer = new byte[65536];
        while (!serverSide.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                serverSide.receive(packet);
                SocketAddress from = packet.getSocketAddress();
                if (transfer == null) {
                    transfer = from;
                } else if (!transfer.equals(from)) {
                    continue;
                }
                if (toClientLoss.nextDouble() < lossRate || client == null) {
                    dropped.incrementAndGet();
                    continue;
                }
                transferSide.send(new DatagramPacket(buffer, packet.getLength(), client));
                forwarded.incrementAndGet();
            } catch (IOException e) {
                // closed
            }
        }
    }

    @Override
    public void close() {
        // Closing the sockets ends both threads (they are daemons: nothing to wait for).
        clientSide.close();
        transferSide.close();
        serverSide.close();
    }
}
