package io.metalboot.appliance.tftp.server;

import io.metalboot.appliance.tftp.model.ErrorCode;
import io.metalboot.appliance.tftp.model.ErrorPacket;
import io.metalboot.appliance.tftp.model.ReadRequest;
import io.metalboot.appliance.tftp.model.TftpPacket;
import io.metalboot.appliance.tftp.model.WriteRequest;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultAddressedEnvelope;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;

/**
 * The listening port's policy: a read request starts a transfer on its own port; a write request
 * is refused (this server never writes, and creates nothing); anything else sent here belongs to
 * no transfer and is ignored.
 */
final class TftpRequestHandler extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger("tftp");

    private final TftpServer server;
    private final TftpCounters counters;

    TftpRequestHandler(TftpServer server, TftpCounters counters) {
        this.server = server;
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof TftpPacket packet
                && envelope.sender() instanceof InetSocketAddress client)) {
            return;
        }
        InetSocketAddress arrivedOn = envelope.recipient() instanceof InetSocketAddress local ? local : null;
        switch (packet) {
            case ReadRequest request -> server.startTransfer(request, client, arrivedOn,
                    () -> reply(ctx, client, ErrorCode.NOT_DEFINED, "server busy, try again later"));
            case WriteRequest request -> {
                LOG.log(Level.DEBUG, "{0} {1}: write request refused", client, request.filename());
                reply(ctx, client, ErrorCode.ACCESS_VIOLATION, "this server is read-only");
                // Counted once answered, as the stray datagrams below: then nothing more is coming for it.
                counters.record(TftpOutcome.REFUSED);
            }
            default -> {
                LOG.log(Level.DEBUG, "{0}: {1} on the request port ignored", client, packet.opcode());
                counters.stray();
            }
        }
    }

    private static void reply(ChannelHandlerContext ctx, InetSocketAddress client, ErrorCode code, String message) {
        ctx.writeAndFlush(new DefaultAddressedEnvelope<>(new ErrorPacket(code, message), client), ctx.voidPromise());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A failed send of one error reply must not close the listening port.
        LOG.log(Level.DEBUG, "TFTP request port: {0}", cause.toString());
    }
}
