package io.metalboot.dhcp.codec;

import io.metalboot.dhcp.model.DhcpMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Pipeline stage: an addressed {@link DhcpMessage} out as a UDP datagram, padded to the 300-byte
 * BOOTP minimum (RFC 1542 section 2.1) that some PXE ROMs insist on.
 */
public final class DatagramDhcpEncoder
        extends MessageToMessageEncoder<AddressedEnvelope<DhcpMessage, InetSocketAddress>> {
    static final int BOOTP_MINIMUM = 300;

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof DhcpMessage;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, AddressedEnvelope<DhcpMessage, InetSocketAddress> envelope,
            List<Object> out) {
        ByteBuf buffer = ctx.alloc().buffer(BOOTP_MINIMUM + 64);
        DhcpMessageEncoder.encode(envelope.content(), buffer);
        if (buffer.readableBytes() < BOOTP_MINIMUM) {
            buffer.writeZero(BOOTP_MINIMUM - buffer.readableBytes());
        }
        out.add(new DatagramPacket(buffer, envelope.recipient()));
    }
}
