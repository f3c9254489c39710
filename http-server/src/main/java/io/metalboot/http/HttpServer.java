package io.metalboot.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP service: boot assets from read-only directories (zero-copy) and the endpoints the
 * appliance plugs in (iPXE scripts, the registry's API), HTTP/1.1 with keep-alive, on Netty
 * (epoll when available). Endpoints run on virtual threads, so they may block; they read request
 * bodies and write reply bodies as streams, so neither has to fit in memory (see {@link HttpCall},
 * {@link HttpReply#streaming}).
 *
 * <pre>{@code
 * HttpServer server = new HttpServer(HttpSettings.defaults(address, 8080).withMount("/assets/", assets),
 *         List.of(HttpRoute.exact("/boot.ipxe", call -> HttpReply.text(200, "#!ipxe\n"))));
 * server.start();   // ... server.close();
 * }</pre>
 */
public final class HttpServer implements AutoCloseable {
    private static final int MAX_INITIAL_LINE = 8192;
    private static final int MAX_HEADER_SIZE = 16384;
    /** A channel with more than this queued for its socket is not writable: streamed replies wait. */
    static final int WRITE_HIGH_WATER = 256 * 1024;
    /** ... and writable again at this. */
    static final int WRITE_LOW_WATER = 64 * 1024;

    private final HttpSettings settings;
    private final List<HttpRoute> routes;
    private final List<HttpFilter> filters;
    /** Connections taken from the kernel's accept queue since start. */
    private final AtomicLong accepted = new AtomicLong();
    /** The listener's own loop: see {@link #start}. */
    private EventLoopGroup acceptor;
    private EventLoopGroup group;
    private ExecutorService endpointExecutor;
    private Channel listener;

    public HttpServer(HttpSettings settings, List<HttpRoute> routes) {
        this(settings, routes, List.of());
    }

    /** @param filters run in order before every endpoint (not before mounts): authentication, say */
    public HttpServer(HttpSettings settings, List<HttpRoute> routes, List<HttpFilter> filters) {
        this.settings = settings;
        this.routes = List.copyOf(routes);
        this.filters = List.copyOf(filters);
    }

    /**
     * Checks the served directories and binds the port; on failure nothing stays bound.
     *
     * @throws IOException if a served directory does not exist or the port cannot be bound
     */
    public synchronized void start() throws IOException {
        if (listener != null) {
            throw new IllegalStateException("already started");
        }
        Map<String, AssetDirectory> mounts = new LinkedHashMap<>();
        for (Map.Entry<String, Path> mount : settings.mounts().entrySet()) {
            try {
                mounts.put(mount.getKey(), new AssetDirectory(mount.getValue()));
            } catch (IOException e) {
                throw new IOException("HTTP directory for " + mount.getKey() + " (" + mount.getValue()
                        + ") is not a readable directory: " + e, e);
            }
        }
        RouteTable table = new RouteTable(routes, mounts);
        StaticAssetHandler assets = new StaticAssetHandler();
        boolean epoll = Epoll.isAvailable();
        int threads = settings.ioThreads() > 0 ? settings.ioThreads() : Runtime.getRuntime().availableProcessors();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // The listener gets a loop of its own. On a connection loop, accepts waited for that loop's
        // turns, each long while it answers hundreds of busy keep-alive connections: of 1,000
        // connections opened at once, some waited seconds in the kernel's accept queue while those
        // accepted first were served (bench/http's p99 tail; a larger accept batch did not help).
        acceptor = new MultiThreadIoEventLoopGroup(1, io);
        group = new MultiThreadIoEventLoopGroup(threads, io);
        endpointExecutor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-endpoint-", 0).factory());
        ExecutorService executor = endpointExecutor;
        long idleMillis = settings.idleTimeout().toMillis();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptor, group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object child) {
                        accepted.incrementAndGet();
                        ctx.fireChannelRead(child);
                    }
                })
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(WRITE_LOW_WATER, WRITE_HIGH_WATER))
                // One read hands over at most this: what a paused request body can still take in.
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(
                        AdaptiveRecvByteBufAllocator.DEFAULT_MINIMUM, AdaptiveRecvByteBufAllocator.DEFAULT_INITIAL,
                        RequestBody.MAX_READ_BYTES))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                // observeOutput: a slow client still draining a kernel image is not idle.
                                new IdleStateHandler(true, 0, 0, idleMillis, TimeUnit.MILLISECONDS),
                                new HttpServerCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(MAX_INITIAL_LINE)
                                        .setMaxHeaderSize(MAX_HEADER_SIZE)),
                                // No aggregator: bodies reach the router chunk by chunk (RequestBody).
                                // Only used when sendfile is not possible (see StaticAssetHandler).
                                new ChunkedWriteHandler(),
                                new HttpRequestRouter(table, filters, assets, executor,
                                        settings.maxRequestBodyBytes()));
                    }
                });
        InetSocketAddress address = new InetSocketAddress(settings.bindAddress(), settings.port());
        try {
            listener = bootstrap.bind(address).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            close();
            throw new IOException("cannot bind HTTP to " + address.getAddress().getHostAddress() + ":"
                    + settings.port() + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) listener.localAddress();
        StringBuilder served = new StringBuilder();
        mounts.forEach((prefix, directory) ->
                served.append(", ").append(prefix).append(" from ").append(directory.realRoot()));
        AccessLog.LOG.log(Level.INFO, "{0} listening on {1}:{2}{3}", settings.name(),
                settings.bindAddress().getHostAddress(), Integer.toString(bound.getPort()), served);
    }

    /** The bound address (with the real port when the settings said 0); null before start. */
    public synchronized InetSocketAddress localAddress() {
        return listener == null ? null : (InetSocketAddress) listener.localAddress();
    }

    /** How many connections the listener has accepted since start. */
    long acceptedConnections() {
        return accepted.get();
    }

    /** Stops accepting, closes every connection, interrupts endpoints still running. */
    @Override
    public synchronized void close() {
        if (listener != null) {
            listener.close().syncUninterruptibly();
            listener = null;
        }
        if (acceptor != null) {
            acceptor.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            acceptor = null;
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
        if (endpointExecutor != null) {
            endpointExecutor.shutdownNow();
            try {
                endpointExecutor.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            endpointExecutor = null;
        }
    }
}
