package io.metalboot.appliance.tftp.codec;

import io.metalboot.appliance.tftp.model.TftpPacket;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Pipeline stage: a UDP datagram in, an addressed {@link TftpPacket} out (recipient: the local
 * address the datagram arrived on, when the transport reports it). A datagram that does not
 * decode goes to {@code onMalformed} and no further: it never reaches the handler nor closes the
 * channel.
 */
public final class DatagramTftpDecoder extends MessageToMessageDecoder<DatagramPacket> {
    private final BiConsumer<InetSocketAddress, TftpDecodeException> onMalformed;

    public DatagramTftpDecoder(BiConsumer<InetSocketAddress, TftpDecodeException> onMalformed) {
        super(DatagramPacket.class);
        this.onMalformed = onMalformed;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, DatagramPacket datagram, List<Object> out) {
        try {
            TftpPacket packet = TftpPacketCodec.decode(datagram.content());
            AddressedEnvelope<TftpPacket, InetSocketAddress> envelope =
                    new DefaultAddressedEnvelope<>(packet, datagram.recipient(), datagram.sender());
            out.add(envelope);
        } catch (TftpDecodeException e) {
            onMalformed.accept(datagram.sender(), e);
        }
    }
}
