package io.metalboot.appliance.tftp.server;

import io.metalboot.appliance.tftp.codec.DatagramTftpDecoder;
import io.metalboot.appliance.tftp.codec.DatagramTftpEncoder;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The TFTP service: one listening socket for requests, on a Netty event loop (epoll when
 * available: it learns each request's local address), and for each transfer a new socket on an
 * ephemeral port (RFC 1350's transfer IDs) served by a thread of its own ({@link TftpReadSession}),
 * so a transfer's state needs no locks.
 */
public final class TftpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("tftp");
    private static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(10);
    /** IP header (no options) + UDP header + TFTP opcode and block number. */
    static final int HEADERS = 20 + 8 + 4;
    /**
     * A transfer's thread: a platform thread, since it blocks on its port between datagrams and a
     * virtual thread would hand each one over through the JDK's poller. Its stack is small (the
     * loop is shallow), so thousands of transfers reserve little.
     */
    private static final ThreadFactory TRANSFER_THREADS = Thread.ofPlatform().name("tftp-transfer-", 0).daemon()
            .stackSize(256 * 1024).factory();

    private final TftpSettings settings;
    private final TftpCounters counters;
    private final AtomicInteger activeTransfers = new AtomicInteger();
    private final Map<InetAddress, Integer> blockSizeLimits = new ConcurrentHashMap<>();
    /** Transfers running, each with its thread: what {@link #close} stops. */
    private final Map<TftpReadSession, Thread> transfers = new ConcurrentHashMap<>();
    private TftpRoot root;
    private TftpFileCache cache;
    private EventLoopGroup group;
    private Channel listener;
    private boolean epoll;

    public TftpServer(TftpSettings settings, TftpCounters counters) {
        this.settings = settings;
        this.counters = counters;
    }

    /** Binds the listening port; on failure nothing stays bound. */
    public synchronized void start() throws IOException {
        root = new TftpRoot(settings.root(), settings.aliases());
        cache = new TftpFileCache(settings.cachedFiles());
        epoll = Epoll.isAvailable();
        // One loop: it serves only the request port; each transfer runs on a thread of its own.
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(() -> epoll ? new EpollDatagramChannel(SocketProtocolFamily.INET)
                        : new NioDatagramChannel(SocketProtocolFamily.INET))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(
                                new DatagramTftpDecoder((sender, error) -> {
                                    counters.malformed();
                                    LOG.log(Level.DEBUG, "dropped malformed datagram from {0}: {1}", sender,
                                            error.getMessage());
                                }),
                                DatagramTftpEncoder.INSTANCE,
                                new TftpRequestHandler(TftpServer.this, counters));
                    }
                });
        if (epoll && settings.bindAddress().isAnyLocalAddress()) {
            // Learn which local address each request came to, so that its transfer answers
            // from that address: a client drops DATA from any other (it is another TID).
            bootstrap.option(EpollChannelOption.IP_RECVORIGDSTADDR, true);
        }
        InetSocketAddress address = new InetSocketAddress(settings.bindAddress(), settings.port());
        try {
            listener = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            close();
            throw new IOException("cannot bind TFTP to " + address + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        LOG.log(Level.INFO, "TFTP listening on {0}:{1} (interface {2}), serving {3}",
                bound.getAddress().getHostAddress(), Integer.toString(bound.getPort()),
                settings.interfaceName() == null ? "all" : settings.interfaceName(), root.realRoot());
    }

    /**
     * Starts a transfer for {@code request}, or answers "server busy" past the bound. Runs on the
     * listening channel's event loop.
     *
     * @param arrivedOn the local address the request came to (null or wildcard if unknown)
     */
    void startTransfer(ReadRequest request, InetSocketAddress client, InetSocketAddress arrivedOn,
            Runnable busy) {
        if (activeTransfers.incrementAndGet() > settings.maxTransfers()) {
            activeTransfers.decrementAndGet();
            counters.record(TftpOutcome.BUSY);
            LOG.log(Level.DEBUG, "{0} {1}: busy ({2} transfers running)", client, request.filename(),
                    settings.maxTransfers());
            busy.run();
            return;
        }
        InetAddress local = settings.bindAddress();
        if (local.isAnyLocalAddress() && arrivedOn != null && !arrivedOn.getAddress().isAnyLocalAddress()) {
            local = arrivedOn.getAddress();
        }
        int blockSizeLimit = blockSizeLimit(local);
        TftpTransferPort port;
        try {
            port = new TftpTransferPort(local);
        } catch (IOException | RuntimeException e) {
            activeTransfers.decrementAndGet();
            counters.record(TftpOutcome.FAILED);
            LOG.log(Level.WARNING, "{0} {1}: cannot open a transfer port: {2}", client, request.filename(),
                    e.toString());
            return;
        }
        TftpReadSession session = new TftpReadSession(request, client, settings, blockSizeLimit, root, cache,
                counters, port);
        Thread thread = TRANSFER_THREADS.newThread(() -> {
            try {
                session.run();
            } finally {
                transfers.remove(session);
                activeTransfers.decrementAndGet();
            }
        });
        transfers.put(session, thread);
        thread.start();
    }

    /**
     * The largest blksize whose datagram fits the MTU of the interface that owns {@code local},
     * within tftp.max-block-size. Unknown interface (wildcard): the configured bound alone.
     */
    private int blockSizeLimit(InetAddress local) {
        return blockSizeLimits.computeIfAbsent(local, address -> {
            int limit = settings.maxBlockSize();
            try {
                NetworkInterface nic = address.isAnyLocalAddress() ? null : NetworkInterface.getByInetAddress(address);
                if (nic != null && nic.getMTU() > HEADERS + TftpSettings.MIN_BLOCK_SIZE) {
                    limit = Math.min(limit, nic.getMTU() - HEADERS);
                }
            } catch (SocketException e) {
                LOG.log(Level.DEBUG, "MTU of the interface of {0} unknown: {1}", address, e.getMessage());
            }
            return limit;
        });
    }

    public TftpCounters counters() {
        return counters;
    }

    /** Transfers running now. */
    public int activeTransfers() {
        return activeTransfers.get();
    }

    /** The bound listening address (port 0 in the settings: the port the system chose). */
    public synchronized InetSocketAddress localAddress() {
        return listener == null ? null : (InetSocketAddress) listener.localAddress();
    }

    /**
     * Closes the listener, stops its event loop, and ends the transfers running (each one's wait
     * returns, its port closes, nothing is counted); each wait bounded: CI once saw the event loop
     * stuck in epoll's native recvmsg (TftpLossTest, 2026-12-02), and an unbounded wait then hung
     * the whole build. A stop that does not finish in time is logged, never waited for forever.
     */
    @Override
    public synchronized void close() {
        if (listener != null) {
            if (!listener.close().awaitUninterruptibly(CLOSE_WAIT.toMillis())) {
                LOG.log(Level.WARNING, "the TFTP listener did not close within {0} s", CLOSE_WAIT.toSeconds());
            }
            listener = null;
        }
        if (group != null) {
            if (!group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(CLOSE_WAIT.toMillis())) {
                LOG.log(Level.WARNING, "the TFTP event loops did not stop within {0} s", CLOSE_WAIT.toSeconds());
            }
            group = null;
        }
        // The listener is gone: no transfer starts after this.
        transfers.keySet().forEach(TftpReadSession::abort);
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        boolean interrupted = false;
        for (Thread thread : transfers.values()) {
            long left = deadline - System.nanoTime();
            try {
                if (left <= 0 || !thread.join(java.time.Duration.ofNanos(left))) {
                    LOG.log(Level.WARNING, "TFTP transfers did not stop within {0} s", CLOSE_WAIT.toSeconds());
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
