package io.metalboot.dhcp.proxy;

import io.metalboot.dhcp.model.DhcpMessage;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.SimpleChannelInboundHandler;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/** Pipeline stage: hands decoded requests to the responder, counts and sends what it decides. */
final class ProxyDhcpHandler extends SimpleChannelInboundHandler<AddressedEnvelope<DhcpMessage, InetSocketAddress>> {
    private static final System.Logger LOG = System.getLogger("dhcp-proxy");

    private final ProxyDhcpResponder responder;
    private final ProxyDhcpResponder.Listener listener;
    private final ProxyDhcpCounters counters;

    ProxyDhcpHandler(ProxyDhcpResponder responder, ProxyDhcpResponder.Listener listener,
            ProxyDhcpCounters counters) {
        this.responder = responder;
        this.listener = listener;
        this.counters = counters;
    }

    @Override
    public boolean acceptInboundMessage(Object msg) {
        return msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof DhcpMessage;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, AddressedEnvelope<DhcpMessage, InetSocketAddress> in) {
        DhcpMessage request = in.content();
        switch (responder.respond(request, in.sender(), listener)) {
            case ProxyDhcpResponder.Answer answer -> {
                counters.answered();
                if (LOG.isLoggable(Level.DEBUG)) {
                    LOG.log(Level.DEBUG, "{0} to {1} xid=0x{2} via {3} boot={4}",
                            answer.reply().messageType().orElseThrow(), request.clientMac().orElseThrow(),
                            Integer.toHexString(request.xid()), hostAndPort(answer.recipient()), answer.bootTarget());
                }
                ctx.writeAndFlush(new DefaultAddressedEnvelope<>(answer.reply(), answer.recipient()))
                        .addListener(future -> {
                            if (!future.isSuccess()) {
                                LOG.log(Level.WARNING, "sending to {0} failed: {1}", hostAndPort(answer.recipient()),
                                        future.cause().toString());
                            }
                        });
            }
            case ProxyDhcpResponder.Drop drop -> dropped(drop.reason(), in.sender(), request);
        }
    }

    private void dropped(DropReason reason, InetSocketAddress sender, DhcpMessage request) {
        counters.dropped(reason);
        if (LOG.isLoggable(Level.DEBUG)) {
            LOG.log(Level.DEBUG, "dropped {0} from {1} ({2}): {3}", request.messageType().map(Enum::name).orElse("?"),
                    request.clientMac().map(Object::toString).orElse("?"), hostAndPort(sender), reason);
        }
    }

    static String hostAndPort(InetSocketAddress address) {
        return address == null ? "?" : address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Never let one datagram close the socket: log it and go on serving.
        LOG.log(Level.WARNING, "unexpected error while answering a DHCP request", cause);
    }
}
