package io.metalboot.appliance.tftp.server;

import io.metalboot.appliance.tftp.codec.TftpDecodeException;
import io.metalboot.appliance.tftp.codec.TftpPacketCodec;
import io.metalboot.appliance.tftp.model.Ack;
import io.metalboot.appliance.tftp.model.ErrorCode;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.OptionAck;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One read transfer, on its own port (its TID), from the request to the last ACK.
 *
 * <p>Blocks are counted internally by a sequence number that never wraps (0 is the OACK); on the
 * wire block numbers are that sequence modulo 65536, so after 65535 comes 0, as tftpd-hpa does.
 * Up to {@code windowSize} blocks are in flight (RFC 7440; 1 is plain RFC 1350 lock-step).
 *
 * <p>Only an ACK that moves the acknowledged sequence forward sends anything: a duplicate ACK
 * sends nothing (Sorcerer's Apprentice Syndrome, RFC 1123 4.2.3.1), and an ACK for a block
 * inside the window reports a loss, so the window is sent again from the block after it, once.
 * Otherwise only the timer resends, a bounded number of times.
 *
 * <p>The per-block path is kept short, since lock-step TFTP pays it once per datagram each way (the
 * JFR profile in the module README): this handler reads the transfer port's datagrams itself
 * (decoded by {@link TftpPacketCodec}, no decoder stage, no envelope), and writes each DATA as a
 * ready datagram, encoded straight from the shared file bytes into the socket's buffer.
 *
 * <p>Runs entirely on its channel's event loop thread.
 */
final class TftpReadSession extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger("tftp");

    private final ReadRequest request;
    private final InetSocketAddress client;
    private final TftpSettings settings;
    private final int blockSizeLimit;
    private final TftpRoot root;
    private final TftpFileCache cache;
    private final TftpCounters counters;
    private final long startNanos = System.nanoTime();

    private ChannelHandlerContext ctx;
    private TftpNegotiation negotiation;
    private ByteBuffer content;
    /** {@code content} as a Netty buffer, wrapped once: a block is then one copy with no view allocated. */
    private ByteBuf contentBytes;
    private String file;
    private long lastSeq;
    /** Highest acknowledged sequence: -1 while the OACK (sequence 0) waits for its ACK. */
    private long acked;
    /** Highest sequence sent so far. */
    private long sentUpTo;
    private int retries;
    private long resends;
    private ScheduledFuture<?> timer;
    /** When the wait for the next ACK runs out; moved forward on progress without touching the timer. */
    private long deadlineNanos;
    private boolean finished;

    TftpReadSession(ReadRequest request, InetSocketAddress client, TftpSettings settings, int blockSizeLimit,
            TftpRoot root, TftpFileCache cache, TftpCounters counters) {
        this.request = request;
        this.client = client;
        this.settings = settings;
        this.blockSizeLimit = blockSizeLimit;
        this.root = root;
        this.cache = cache;
        this.counters = counters;
        this.file = request.filename();
    }

    @Override
    public void channelActive(ChannelHandlerContext context) {
        this.ctx = context;
        String mode = request.mode().toLowerCase(Locale.ROOT);
        if (!mode.equals("octet") && !mode.equals("netascii")) {
            finish(TftpOutcome.REFUSED, new ErrorPacket(ErrorCode.ILLEGAL_OPERATION, "unsupported mode " + mode),
                    "mode " + mode);
            return;
        }
        // Name resolution and the first read of a file are blocking file-system calls, made on
        // this transfer's event loop; a cached file costs one stat.
        switch (root.resolve(request.filename())) {
            case TftpRoot.Refused refused -> {
                finish(TftpOutcome.REFUSED, new ErrorPacket(ErrorCode.ACCESS_VIOLATION, "access violation"),
                        refused.reason());
                return;
            }
            case TftpRoot.Missing missing -> {
                finish(TftpOutcome.NOT_FOUND, new ErrorPacket(ErrorCode.FILE_NOT_FOUND, "file not found"),
                        "not found");
                return;
            }
            case TftpRoot.Found found -> {
                file = root.realRoot().relativize(found.file()).toString();
                try {
                    content = cache.content(found.file(), mode.equals("netascii"));
                } catch (AccessDeniedException e) {
                    finish(TftpOutcome.REFUSED, new ErrorPacket(ErrorCode.ACCESS_VIOLATION, "access violation"),
                            "not readable");
                    return;
                } catch (IOException | RuntimeException e) {
                    finish(TftpOutcome.FAILED, new ErrorPacket(ErrorCode.NOT_DEFINED, "cannot read the file"),
                            "cannot read: " + e);
                    return;
                }
            }
        }
        contentBytes = Unpooled.wrappedBuffer(content);
        negotiation = TftpNegotiation.negotiate(request, blockSizeLimit, settings.maxWindowSize(),
                settings.retransmitTimeout(), content.remaining());
        // The last block is the first one shorter than blksize; it may be empty.
        lastSeq = content.remaining() / negotiation.blockSize() + 1;
        if (negotiation.oack().isEmpty()) {
            acked = 0;
            sendWindow();
        } else {
            acked = -1;
            sentUpTo = 0;
            send(new OptionAck(negotiation.oack()));
            ctx.flush();
        }
        armTimer();
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof DatagramPacket datagram)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        TftpPacket packet;
        try {
            packet = TftpPacketCodec.decode(datagram.content());
        } catch (TftpDecodeException e) {
            // On a transfer's port a stray datagram is simply not an ACK: counted, ignored.
            counters.malformed();
            return;
        } finally {
            datagram.release();
        }
        InetSocketAddress sender = datagram.sender();
        if (finished || sender == null) {
            return;
        }
        if (!sender.equals(client)) {
            // RFC 1350: tell the stranger, leave the transfer alone.
            ctx.writeAndFlush(new DefaultAddressedEnvelope<>(
                    new ErrorPacket(ErrorCode.UNKNOWN_TID, "unknown transfer ID"), sender), ctx.voidPromise());
            counters.unknownTid();
            return;
        }
        switch (packet) {
            case Ack ack -> onAck(ack.block());
            case ErrorPacket error -> finish(TftpOutcome.CLIENT_ABORTED, null,
                    "client sent error " + error.code() + " '" + error.message() + "'"
                            + (acked < 0 ? " to the OACK" : " after block " + acked));
            default -> {
                // A client sends only ACKs and ERRORs on a read transfer; anything else is noise.
            }
        }
    }

    private void onAck(int block) {
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

    private void sendWindow() {
        long last = Math.min(acked + negotiation.windowSize(), lastSeq);
        int blockSize = negotiation.blockSize();
        for (long seq = acked + 1; seq <= last; seq++) {
            int offset = (int) ((seq - 1) * blockSize);
            int length = Math.min(blockSize, content.remaining() - offset);
            ByteBuf datagram = ctx.alloc().directBuffer(TftpPacketCodec.DATA_HEADER + length);
            TftpPacketCodec.encodeData((int) (seq & 0xFFFF), contentBytes, offset, length, datagram);
            ctx.write(new DatagramPacket(datagram, client), ctx.voidPromise());
        }
        sentUpTo = last;
        ctx.flush();
    }

    private void send(TftpPacket packet) {
        ctx.write(new DefaultAddressedEnvelope<>(packet, client), ctx.voidPromise());
    }

    /**
     * Restarts the wait for an ACK. Only the deadline moves: cancelling and scheduling a task for
     * every block costs more than a lock-step block itself, so one timer re-arms itself instead
     * when it fires before the deadline.
     */
    private void armTimer() {
        long timeout = retransmitWaitNanos(negotiation, retries);
        deadlineNanos = System.nanoTime() + timeout;
        if (timer == null) {
            timer = ctx.executor().schedule(this::onTimer, timeout, TimeUnit.NANOSECONDS);
        }
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

    private void onTimer() {
        timer = null;
        if (finished) {
            return;
        }
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            timer = ctx.executor().schedule(this::onTimer, left, TimeUnit.NANOSECONDS);
            return;
        }
        onTimeout();
    }

    private void onTimeout() {
        if (++retries > settings.maxRetries()) {
            finish(TftpOutcome.TIMED_OUT, null, "no ACK after " + settings.maxRetries() + " retries");
            return;
        }
        resends++;
        if (acked < 0) {
            send(new OptionAck(negotiation.oack()));
            ctx.flush();
        } else {
            sendWindow();
        }
        armTimer();
    }

    /** Ends the transfer once: counts it, logs one line, sends {@code error} if any, closes the port. */
    private void finish(TftpOutcome outcome, ErrorPacket error, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
        counters.record(outcome);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        String parameters = negotiation == null ? ""
                : " (" + content.remaining() + " bytes, blksize " + negotiation.blockSize() + ", windowsize "
                        + negotiation.windowSize() + ", " + resends + " resends)";
        // A missing file is worth one line at info: it is usually a wrong boot-file setting.
        LOG.log(outcome == TftpOutcome.NOT_FOUND ? Level.INFO : Level.DEBUG, "{0} {1}: {2}{3} in {4} ms",
                client, file, detail, parameters, millis);
        if (error != null) {
            ctx.writeAndFlush(new DefaultAddressedEnvelope<>(error, client)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (!finished) {
            LOG.log(Level.WARNING, client + " " + file + ": transfer failed", cause);
            finish(TftpOutcome.FAILED, new ErrorPacket(ErrorCode.NOT_DEFINED, "server error"), "failed: " + cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        // Closed from outside (server shutdown): stop the timer, count nothing.
        finished = true;
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
