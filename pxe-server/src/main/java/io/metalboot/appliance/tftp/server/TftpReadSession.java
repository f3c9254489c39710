package io.metalboot.appliance.tftp.server;

import io.metalboot.appliance.tftp.codec.TftpDecodeException;
import io.metalboot.appliance.tftp.codec.TftpPacketCodec;
import io.metalboot.appliance.tftp.model.ErrorCode;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.OptionAck;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One read transfer, on its own port (its TID), from the request to the last ACK, run by a
 * thread of its own ({@link #run}) that blocks on its port between datagrams.
 *
 * <p>Blocks are counted internally by a sequence number that never wraps (0 is the OACK); on the
 * wire block numbers are that sequence modulo 65536, so after 65535 comes 0, as tftpd-hpa does.
 * Up to {@code windowSize} blocks are in flight (RFC 7440; 1 is plain RFC 1350 lock-step).
 *
 * <p>Only an ACK that moves the acknowledged sequence forward sends anything: a duplicate ACK
 * sends nothing (Sorcerer's Apprentice Syndrome, RFC 1123 4.2.3.1), and an ACK for a block
 * inside the window reports a loss, so the window is sent again from the block after it, once.
 * Otherwise only the wait running out resends, a bounded number of times.
 *
 * <p>Why a thread per transfer and not an event loop: lock-step TFTP pays its per-datagram path
 * once per block each way, and on Netty that path (reference counts, pooled buffers, a packet
 * and an address object per ACK, the pipeline) cost about a quarter more than a C server's
 * whole block (the profile in the module README). Here a block is a send from one reused buffer
 * and a wait-and-read into another, as atftpd does it.
 */
final class TftpReadSession implements Runnable {
    private static final System.Logger LOG = System.getLogger("tftp");
    /** Room for any ACK or ERROR a client sends; a longer datagram is cut, which no ACK is. */
    private static final int RECEIVE_BUFFER = 1500;

    private final ReadRequest request;
    private final InetSocketAddress client;
    private final TftpSettings settings;
    private final int blockSizeLimit;
    private final TftpRoot root;
    private final TftpFileCache cache;
    private final TftpCounters counters;
    private final TftpTransferPort port;
    private final long startNanos = System.nanoTime();

    private TftpNegotiation negotiation;
    private ByteBuffer content;
    /** One DATA datagram, reused for every block: the socket copies it out within the send. */
    private ByteBuffer datagram;
    private String file;
    private long lastSeq;
    /** Highest acknowledged sequence: -1 while the OACK (sequence 0) waits for its ACK. */
    private long acked;
    /** Highest sequence sent so far. */
    private long sentUpTo;
    private int retries;
    private long resends;
    /** When the wait for the next ACK runs out; moved forward on progress and on each resend. */
    private long deadlineNanos;
    private boolean finished;

    TftpReadSession(ReadRequest request, InetSocketAddress client, TftpSettings settings, int blockSizeLimit,
            TftpRoot root, TftpFileCache cache, TftpCounters counters, TftpTransferPort port) {
        this.request = request;
        this.client = client;
        this.settings = settings;
        this.blockSizeLimit = blockSizeLimit;
        this.root = root;
        this.cache = cache;
        this.counters = counters;
        this.port = port;
        this.file = request.filename();
    }

    /** Ends the transfer from another thread (the server's close): its wait returns, nothing is counted. */
    void abort() {
        port.abort();
    }

    @Override
    public void run() {
        try (port) {
            try {
                if (start()) {
                    serve();
                }
            } catch (IOException | RuntimeException e) {
                if (!finished && !port.aborted()) {
                    LOG.log(Level.WARNING, client + " " + file + ": transfer failed", e);
                    finish(TftpOutcome.FAILED, new ErrorPacket(ErrorCode.NOT_DEFINED, "server error"),
                            "failed: " + e);
                }
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "{0} {1}: closing the transfer port: {2}", client, file, e.toString());
        }
    }

    /** Resolves and negotiates, and sends the OACK or the first window; false if the transfer ended there. */
    private boolean start() throws IOException {
        String mode = request.mode().toLowerCase(Locale.ROOT);
        if (!mode.equals("octet") && !mode.equals("netascii")) {
            finish(TftpOutcome.REFUSED, new ErrorPacket(ErrorCode.ILLEGAL_OPERATION, "unsupported mode " + mode),
                    "mode " + mode);
            return false;
        }
        // Name resolution and the first read of a file are blocking file-system calls, made on
        // this transfer's own thread; a cached file costs one stat.
        switch (root.resolve(request.filename())) {
            case TftpRoot.Refused refused -> {
                finish(TftpOutcome.REFUSED, new ErrorPacket(ErrorCode.ACCESS_VIOLATION, "access violation"),
                        refused.reason());
                return false;
            }
            case TftpRoot.Missing missing -> {
                finish(TftpOutcome.NOT_FOUND, new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "file not found"),
                        "not found");
                return false;
            }
            case TftpRoot.Found found -> {
                file = root.realRoot().relativize(found.file()).toString();
                try {
                    content = cache.content(found.file(), mode.equals("netascii"));
                } catch (AccessDeniedException e) {
                    finish(TftpOutcome.REFUSED, new ErrorPacket(ErrorCode.ACCESS_VIOLATION, "access violation"),
                            "not readable");
                    return false;
                } catch (IOException | RuntimeException e) {
                    finish(TftpOutcome.FAILED, new ErrorPacket(ErrorCode.NOT_DEFINED, "cannot read the file"),
                            "cannot read: " + e);
                    return false;
                }
            }
        }
        negotiation = TftpNegotiation.negotiate(request, blockSizeLimit, settings.maxWindowSize(),
                settings.retransmitTimeout(), content.remaining());
        datagram = ByteBuffer.allocateDirect(TftpPacketCodec.DATA_HEADER + negotiation.blockSize());
        // The last block is the first one shorter than blksize; it may be empty.
        lastSeq = content.remaining() / negotiation.blockSize() + 1;
        if (negotiation.oack().isEmpty()) {
            acked = 0;
            sendWindow();
        } else {
            acked = -1;
            sentUpTo = 0;
            send(new OptionAck(negotiation.oack()));
        }
        armTimer();
        return true;
    }

    /** Reads the port until the last ACK, the client's ERROR, the last retry or an abort. */
    private void serve() throws IOException {
        ByteBuffer received = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
        while (!finished) {
            InetSocketAddress sender = port.receive(received, deadlineNanos);
            if (port.aborted()) {
                return; // closed from outside (server shutdown): count nothing
            }
            if (sender == null) {
                onTimeout();
            } else if (!sender.equals(client)) {
                // RFC 1350: tell the stranger, leave the transfer alone.
                port.send(ByteBuffer.wrap(TftpPacketCodec.encode(
                        new ErrorPacket(ErrorCode.UNKNOWN_TID, "unknown transfer ID"))), sender);
                counters.unknownTid();
            } else {
                onDatagram(received);
            }
        }
    }

    private void onDatagram(ByteBuffer received) throws IOException {
        int block = TftpPacketCodec.ackBlock(received);
        if (block >= 0) {
            onAck(block);
            return;
        }
        TftpPacket packet;
        try {
            packet = TftpPacketCodec.decode(received);
        } catch (TftpDecodeException e) {
            // On a transfer's port a stray datagram is simply not an ACK: counted, ignored.
            counters.malformed();
            return;
        }
        if (packet instanceof ErrorPacket error) {
            finish(TftpOutcome.CLIENT_ABORTED, null, "client sent error " + error.code() + " '" + error.message() + "'"
                    + (acked < 0 ? " to the OACK" : " after block " + acked));
        }
        // A client sends only ACKs and ERRORs on a read transfer; anything else is noise.
    }

    private void onAck(int block) throws IOException {
        // Which in-flight sequence does this 16-bit number stand for? At most windowSize
        // candidates, so it is never ambiguous.
        for (long seq = acked + 1; seq <= sentUpTo; seq++) {
            if ((seq & 0xFFFF) == block) {
                acked = seq;
                retries = 0;
                if (acked == lastSeq) {
                    counters.served(content.remaining());
                    finish(TftpOutcome.SERVED, null, "served");
                    return;
                }
                sendWindow();
                armTimer();
                return;
            }
        }
        // A duplicate or stale ACK: nothing is sent; the timer covers real loss.
    }

    private void sendWindow() throws IOException {
        long last = Math.min(acked + negotiation.windowSize(), lastSeq);
        int blockSize = negotiation.blockSize();
        for (long seq = acked + 1; seq <= last; seq++) {
            int offset = (int) ((seq - 1) * blockSize);
            int length = Math.min(blockSize, content.remaining() - offset);
            datagram.clear();
            TftpPacketCodec.encodeData((int) (seq & 0xFFFF), content, content.position() + offset, length, datagram);
            datagram.flip();
            port.send(datagram, client);
        }
        sentUpTo = last;
    }

    private void send(TftpPacket packet) throws IOException {
        port.send(ByteBuffer.wrap(TftpPacketCodec.encode(packet)), client);
    }

    /** Restarts the wait for an ACK. */
    private void armTimer() {
        deadlineNanos = System.nanoTime() + retransmitWaitNanos(negotiation, retries);
    }

    /**
     * The wait before resend number {@code retries + 1}. Our own timeout doubles with each
     * unanswered resend, up to 8 times: a short first wait recovers a lost packet quickly, and the
     * whole budget (31 s at 1 s and 5 retries) outlasts a client that resends its ACK itself
     * (OVMF: every 4 s, 6 times) through a stall of the host. A client's own "timeout" is kept as
     * it asked (RFC 2349).
     */
    static long retransmitWaitNanos(TftpNegotiation negotiation, int retries) {
        long timeout = negotiation.timeout().toNanos();
        return negotiation.oack().containsKey("timeout") ? timeout : timeout << Math.min(retries, 3);
    }

    private void onTimeout() throws IOException {
        if (++retries > settings.maxRetries()) {
            finish(TftpOutcome.TIMED_OUT, null, "no ACK after " + settings.maxRetries() + " retries");
            return;
        }
        resends++;
        if (acked < 0) {
            send(new OptionAck(negotiation.oack()));
        } else {
            sendWindow();
        }
        armTimer();
    }

    /** Ends the transfer once: counts it, logs one line, sends {@code error} if any; the port closes after. */
    private void finish(TftpOutcome outcome, ErrorPacket error, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        counters.record(outcome);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String parameters = negotiation == null ? ""
                : " (" + content.remaining() + " bytes, blksize " + negotiation.blockSize() + ", windowsize "
                        + negotiation.windowSize() + ", " + resends + " resends)";
        // A missing file is worth one line at info: it is usually a wrong boot-file setting.
        LOG.log(outcome == TftpOutcome.NOT_FOUND ? Level.INFO : Level.DEBUG, "{0} {1}: {2}{3} in {4} ms",
                client, file, detail, parameters, millis);
        if (error != null) {
            try {
                send(error);
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "{0} {1}: the error reply was not sent: {2}", client, file, e.toString());
            }
        }
    }
}
