package io.metalboot.appliance.tftp;

import io.metalboot.appliance.tftp.codec.TftpDecodeException;
import io.metalboot.appliance.tftp.codec.TftpPacketCodec;
import io.metalboot.appliance.tftp.model.Ack;
import io.metalboot.appliance.tftp.model.DataBlock;
import io.metalboot.appliance.tftp.model.ErrorCode;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.OptionAck;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A TFTP client on a plain DatagramSocket, that does exactly what a test tells it to. */
final class RawTftpClient implements AutoCloseable {
    /** One datagram received, decoded. */
    record Received(TftpPacket packet, InetSocketAddress from) {
    }

    /** A finished download: the bytes, and every DATA block number in the order received. */
    record Download(byte[] content, List<Integer> blocks, OptionAck oack) {
    }

    /** Blocking, except for the moment {@link #queued()} looks. */
    private final DatagramChannel channel;
    private final InetSocketAddress server;

    RawTftpClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
        channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    void send(TftpPacket packet) throws IOException {
        send(packet, server);
    }

    void send(TftpPacket packet, InetSocketAddress to) throws IOException {
        sendRaw(TftpPacketCodec.encode(packet), to);
    }

    void sendRaw(byte[] bytes, InetSocketAddress to) throws IOException {
        channel.send(ByteBuffer.wrap(bytes), to);
    }

    /**
     * The next datagram within {@code wait}, or null if none came. Null proves nothing about the
     * server (it may only be slow): to show that it sent nothing, wait for it to have handled what
     * it was sent, then look at {@link #queued()}.
     */
    Received receive(Duration wait) throws IOException {
        channel.socket().setSoTimeout((int) Math.max(1, wait.toMillis()));
        byte[] buffer = new byte[65536];
        DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
        try {
            channel.socket().receive(datagram);
        } catch (SocketTimeoutException e) {
            return null;
        }
        return decode(java.util.Arrays.copyOf(buffer, datagram.getLength()), datagram.getSocketAddress());
    }

    /**
     * Every datagram already on this socket, without waiting. On loopback a datagram is on the
     * receiving socket by the time its send returns, so once the server has counted a datagram it
     * handled, whatever it sent for it is here.
     */
    List<Received> queued() throws IOException {
        List<Received> queued = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        channel.configureBlocking(false);
        try {
            SocketAddress from;
            while ((from = channel.receive(buffer.clear())) != null) {
                buffer.flip();
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                queued.add(decode(bytes, from));
            }
        } finally {
            channel.configureBlocking(true);
        }
        return queued;
    }

    private static Received decode(byte[] bytes, SocketAddress from) throws IOException {
        try {
            return new Received(TftpPacketCodec.decode(bytes), (InetSocketAddress) from);
        } catch (TftpDecodeException e) {
            throw new IOException("server sent a malformed datagram: " + e.getMessage(), e);
        }
    }

    Received expect(Duration wait) throws IOException {
        Received received = receive(wait);
        if (received == null) {
            throw new IOException("nothing received within " + wait);
        }
        return received;
    }

    /**
     * Downloads {@code name}: ACKs each window's last block (a short block ends it), in order,
     * and fails on anything unexpected. Retransmitted duplicates are tolerated; a second transfer
     * (the answer to a repeated request) is refused with error 5.
     */
    Download fetch(String name, Map<String, String> options) throws IOException {
        Duration wait = Duration.ofSeconds(10);
        Received first = null;
        // The request is repeated until something answers, as clients do on a lossy link.
        for (int attempt = 0; attempt < 20 && first == null; attempt++) {
            send(new ReadRequest(name, "octet", options));
            first = receive(Duration.ofMillis(500));
        }
        if (first == null) {
            throw new IOException("no answer to the read request of " + name);
        }
        InetSocketAddress tid = first.from();
        int blockSize = 512;
        int windowSize = 1;
        OptionAck oack = null;
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        List<Integer> blocks = new ArrayList<>();
        Received current = first;
        if (first.packet() instanceof OptionAck ack) {
            oack = ack;
            blockSize = Integer.parseInt(ack.options().getOrDefault("blksize", "512"));
            windowSize = Integer.parseInt(ack.options().getOrDefault("windowsize", "1"));
            send(new Ack(0), tid);
            current = expect(wait);
        }
        long expected = 1;
        int inWindow = 0;
        while (true) {
            if (!current.from().equals(tid)) {
                // A second transfer: a repeated request was answered too (a slow first answer).
                // Refused with error 5, as RFC 1350 has a client do; ours goes on.
                if (!(current.packet() instanceof ErrorPacket)) {
                    send(new ErrorPacket(ErrorCode.UNKNOWN_TID, "unknown transfer ID"), current.from());
                }
                current = expect(wait);
                continue;
            }
            if (current.packet() instanceof ErrorPacket error) {
                throw new IOException("server error " + error.code() + ": " + error.message());
            }
            if (current.packet() instanceof OptionAck && oack != null && expected == 1) {
                // Our ACK of the OACK was lost and the OACK came again: acknowledge it again.
                send(new Ack(0), tid);
                current = expect(wait);
                continue;
            }
            if (!(current.packet() instanceof DataBlock data)) {
                throw new IOException("unexpected " + current);
            }
            if (data.block() == (int) (expected & 0xFFFF)) {
                blocks.add(data.block());
                content.write(data.bytes());
                expected++;
                inWindow++;
                boolean last = data.length() < blockSize;
                if (last || inWindow == windowSize) {
                    send(new Ack(data.block()), tid);
                    inWindow = 0;
                }
                if (last) {
                    return new Download(content.toByteArray(), blocks, oack);
                }
            } else if (expected > 1) {
                // A block seen before: our ACK was lost. Say again where we are, as clients do.
                send(new Ack((int) ((expected - 1) & 0xFFFF)), tid);
                inWindow = 0;
            }
            current = expect(wait);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
