package io.metalboot.dhcp.proxy;

import io.metalboot.dhcp.codec.DatagramDhcpDecoder;
import io.metalboot.dhcp.codec.DatagramDhcpEncoder;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
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
import java.util.ArrayList;
import java.util.List;

/**
 * The ProxyDHCP service: port 67 (DISCOVER → OFFER) and port 4011 (boot-server REQUEST → ACK),
 * both on 0.0.0.0 so that broadcasts arrive, each tied to the provisioning interface when one is
 * configured.
 */
public final class ProxyDhcpServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dhcp-proxy");

    private final ProxyDhcpSettings settings;
    private final ProxyDhcpResponder responder;
    private final ProxyDhcpCounters counters = new ProxyDhcpCounters();
    private final List<Channel> channels = new ArrayList<>();
    private EventLoopGroup group;

    public ProxyDhcpServer(ProxyDhcpSettings settings, NetbootGate gate) {
        this.settings = settings;
        this.responder = new ProxyDhcpResponder(settings, gate);
    }

    /** Binds both ports; on failure nothing stays bound. */
    public synchronized void start() throws IOException {
        boolean epoll = Epoll.isAvailable();
        if (!epoll && settings.interfaceName() != null) {
            throw new IOException("binding to interface " + settings.interfaceName()
                    + " needs Netty's epoll transport (Linux): " + Epoll.unavailabilityCause());
        }
        // One thread is plenty: a DHCP exchange is a few microseconds of work, no blocking I/O.
        group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        try {
            bind(settings.dhcpPort(), ProxyDhcpResponder.Listener.DHCP, epoll, "ProxyDHCP");
            bind(settings.bootServerPort(), ProxyDhcpResponder.Listener.BOOT_SERVER, epoll, "PXE boot server");
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void bind(int port, ProxyDhcpResponder.Listener listener, boolean epoll, String what) throws IOException {
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                // IPv4 sockets: DHCPv4 broadcasts never reach an IPv6 wildcard socket reliably.
                .channelFactory(() -> epoll ? new EpollDatagramChannel(SocketProtocolFamily.INET)
                        : new NioDatagramChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.SO_BROADCAST, true)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_RCVBUF, 4 * 1024 * 1024)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(
                                new DatagramDhcpDecoder((sender, error) -> {
                                    counters.dropped(DropReason.MALFORMED);
                                    LOG.log(Level.DEBUG, "dropped malformed datagram from {0}: {1}",
                                            ProxyDhcpHandler.hostAndPort(sender),
                                            error.getMessage());
                                }),
                                new DatagramDhcpEncoder(),
                                new ProxyDhcpHandler(responder, listener, counters));
                    }
                });
        Channel channel = bootstrap.register().syncUninterruptibly().channel();
        channels.add(channel);
        if (settings.interfaceName() != null) {
            InterfaceBinding.bindToDevice(((EpollDatagramChannel) channel).fd().intValue(), settings.interfaceName());
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[4]), port);
        try {
            channel.bind(address).syncUninterruptibly();
        } catch (RuntimeException e) {
            throw new IOException("cannot bind " + what + " to 0.0.0.0:" + port + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = (InetSocketAddress) channel.localAddress();
        LOG.log(Level.INFO, "{0} listening on {1}:{2} (interface {3}), advertising {4}", what,
                bound.getAddress().getHostAddress(), Integer.toString(bound.getPort()), settings.interfaceName() == null ? "all" : settings.interfaceName(),
                settings.serverAddress().getHostAddress());
    }

    public ProxyDhcpCounters counters() {
        return counters;
    }

    @Override
    public synchronized void close() {
        for (Channel channel : channels) {
            channel.close().syncUninterruptibly();
        }
        channels.clear();
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
        }
    }
}
