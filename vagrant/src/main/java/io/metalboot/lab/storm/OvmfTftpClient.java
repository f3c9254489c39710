package io.metalboot.lab.storm;

import io.metalboot.appliance.tftp.codec.TftpDecodeException;
import io.metalboot.appliance.tftp.codec.TftpPacketCodec;
import io.metalboot.appliance.tftp.model.Ack;
import io.metalboot.appliance.tftp.model.DataBlock;
import io.metalboot.appliance.tftp.model.ErrorCode;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.OptionAck;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A boot file fetched as OVMF's PXE client (edk2's MTFTP4) fetches it: first a read request with
 * {@code tsize 0} and {@code blksize 1468} only to learn the size (the OACK is answered with ERROR
 * 8, the transfer never starts), then a second request from a new port with {@code blksize 1468},
 * and the file in lock-step: one ACK per DATA, the last ACK sent again when a DATA does not come
 * within the timeout.
 */
final class OvmfTftpClient {
    static final int BLKSIZE = 1468;
    private static final int SERVER_PORT = 69;
    private final Duration timeout;
    private final int tries;

    /** @param timeout how long one wait for the server lasts; {@code tries} waits in a row before giving up */
    OvmfTftpClient(Duration timeout, int tries) {
        this.timeout = timeout;
        this.tries = tries;
    }

    /** The file's bytes, after checking the probe's {@code tsize} against {@code expectedSize}. */
    byte[] fetch(InetAddress server, String file, long expectedSize) throws StepFailure {
        long size = probeSize(server, file);
        if (size != expectedSize) {
            throw new StepFailure("tsize probe: the OACK says " + size + " bytes, the file has " + expectedSize);
        }
        return transfer(server, file);
    }

    private long probeSize(InetAddress server, String file) throws StepFailure {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("tsize", "0");
        options.put("blksize", Integer.toString(BLKSIZE));
        try (DatagramSocket socket = socket()) {
            Received oack = request(socket, new InetSocketAddress(server, SERVER_PORT), new ReadRequest(file, "octet", options));
            if (!(oack.packet() instanceof OptionAck(Map<String, String> answered))) {
                throw new StepFailure("tsize probe: expected an OACK, got " + describe(oack.packet()));
            }
            requireBlksize(answered, "tsize probe");
            String tsize = answered.get("tsize");
            if (tsize == null) {
                throw new StepFailure("tsize probe: the OACK has no tsize: " + answered);
            }
            // What edk2 does once it knows the size: it refuses the transfer it asked for.
            send(socket, new ErrorPacket(ErrorCode.OPTION_REFUSED.code(), "file size learnt"), oack.from());
            try {
                return Long.parseLong(tsize);
            } catch (NumberFormatException e) {
                throw new StepFailure("tsize probe: tsize is not a number: " + tsize);
            }
        }
    }

    private byte[] transfer(InetAddress server, String file) throws StepFailure {
        try (DatagramSocket socket = socket()) {
            Received first = request(socket, new InetSocketAddress(server, SERVER_PORT),
                    new ReadRequest(file, "octet", Map.of("blksize", Integer.toString(BLKSIZE))));
            if (!(first.packet() instanceof OptionAck(Map<String, String> answered))) {
                throw new StepFailure("transfer: expected an OACK, got " + describe(first.packet()));
            }
            requireBlksize(answered, "transfer");
            SocketAddress peer = first.from();
            ByteArrayOutputStream content = new ByteArrayOutputStream(256 << 10);
            TftpPacket lastAck = new Ack(0);
            send(socket, lastAck, peer);
            int expected = 1;
            int waits = 0;
            while (true) {
                Received received;
                try {
                    received = receive(socket);
                } catch (SocketTimeoutException e) {
                    if (++waits == tries) {
                        throw new StepFailure("transfer: no DATA " + expected + " after " + tries + " waits of " + timeout);
                    }
                    send(socket, lastAck, peer);
                    continue;
                }
                if (!received.from().equals(peer)) {
                    continue; // another transfer ID: RFC 1350 says answer it with ERROR 5; OVMF ignores it
                }
                int wanted = expected & 0xffff;
                switch (received.packet()) {
                    case DataBlock data when data.block() == wanted -> {
                        waits = 0;
                        ByteBuffer payload = data.payload().duplicate();
                        byte[] bytes = new byte[payload.remaining()];
                        payload.get(bytes);
                        content.write(bytes);
                        lastAck = new Ack(data.block());
                        send(socket, lastAck, peer);
                        if (bytes.length < BLKSIZE) {
                            return content.toByteArray();
                        }
                        expected++;
                    }
                    case DataBlock data -> {
                        // a duplicate of the block before (our ACK crossed it): lock-step answers it again
                        if (data.block() == ((expected - 1) & 0xffff)) {
                            send(socket, lastAck, peer);
                        }
                    }
                    case ErrorPacket error -> throw new StepFailure("transfer: ERROR " + error.code() + " '"
                            + error.message() + "' at block " + expected);
                    default -> {
                        // a late OACK again: our ACK 0 was lost or crossed it
                        if (expected == 1) {
                            send(socket, lastAck, peer);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new StepFailure("transfer from " + server + " failed", e);
        }
    }

    private void requireBlksize(Map<String, String> answered, String what) throws StepFailure {
        String blksize = answered.get("blksize");
        if (!Integer.toString(BLKSIZE).equals(blksize)) {
            throw new StepFailure(what + ": the OACK says blksize " + blksize + ", not " + BLKSIZE + ": " + answered);
        }
    }

    /** Sends {@code request} to port 69, again after each wait without an answer; the first answer, from the server's new port. */
    private Received request(DatagramSocket socket, InetSocketAddress to, ReadRequest request) throws StepFailure {
        try {
            for (int attempt = 1; attempt <= tries; attempt++) {
                send(socket, request, to);
                try {
                    return receive(socket);
                } catch (SocketTimeoutException e) {
                    // sent again below, as the firmware does
                }
            }
        } catch (IOException e) {
            throw new StepFailure("RRQ to " + to + " failed", e);
        }
        throw new StepFailure("no answer to " + tries + " RRQs for " + request.filename() + " (" + request.options() + ")");
    }

    private DatagramSocket socket() throws StepFailure {
        try {
            DatagramSocket socket = new DatagramSocket(0);
            socket.setSoTimeout((int) timeout.toMillis());
            return socket;
        } catch (IOException e) {
            throw new StepFailure("no UDP socket", e);
        }
    }

    private record Received(TftpPacket packet, SocketAddress from) {
    }

    private static Received receive(DatagramSocket socket) throws IOException, SocketTimeoutException {
        byte[] buffer = new byte[BLKSIZE + 64];
        DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
        while (true) {
            socket.receive(datagram);
            try {
                return new Received(TftpPacketCodec.decode(Unpooled.wrappedBuffer(
                        Arrays.copyOf(buffer, datagram.getLength()))), datagram.getSocketAddress());
            } catch (TftpDecodeException e) {
                // not TFTP: counted as nothing, as a firmware would drop it
            }
        }
    }

    private static void send(DatagramSocket socket, TftpPacket packet, SocketAddress to) throws StepFailure {
        byte[] bytes = TftpPacketCodec.encode(packet);
        try {
            socket.send(new DatagramPacket(bytes, bytes.length, to));
        } catch (IOException e) {
            throw new StepFailure("sending " + packet.opcode() + " to " + to + " failed", e);
        }
    }

    private static String describe(TftpPacket packet) {
        return packet instanceof ErrorPacket error ? "ERROR " + error.code() + " '" + error.message() + "'"
                : packet.opcode().toString();
    }
}
