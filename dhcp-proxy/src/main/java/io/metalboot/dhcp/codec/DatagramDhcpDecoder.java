package io.metalboot.dhcp.codec;

import io.metalboot.dhcp.model.DhcpMessage;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Pipeline stage: a UDP datagram in, an addressed {@link DhcpMessage} out. A datagram that does
 * not decode is handed to {@code onMalformed} and goes no further: one bad packet never reaches
 * the handler nor closes the channel.
 */
public final class DatagramDhcpDecoder extends MessageToMessageDecoder<DatagramPacket> {
    private final BiConsumer<InetSocketAddress, DhcpDecodeException> onMalformed;

    public DatagramDhcpDecoder(BiConsumer<InetSocketAddress, DhcpDecodeException> onMalformed) {
        super(DatagramPacket.class);
        this.onMalformed = onMalformed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket packet, List<Object> out) {
        try {
            DhcpMessage message = DhcpMessageDecoder.decode(packet.content());
            AddressedEnvelope<DhcpMessage, InetSocketAddress> envelope =
                    new DefaultAddressedEnvelope<>(message, packet.recipient(), packet.sender());
            out.add(envelope);
        } catch (DhcpDecodeException e) {
            onMalformed.accept(packet.sender(), e);
        }
    }
}
