package io.metalboot.appliance.tftp.codec;

import io.metalboot.appliance.tftp.model.TftpPacket;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Pipeline stage: an addressed {@link TftpPacket} out as one UDP datagram, in a pooled direct
 * buffer sized exactly (a DATA payload is copied once, from the shared file view to the socket
 * buffer). Stateless, so one instance serves every channel.
 */
@ChannelHandler.Sharable
public final class DatagramTftpEncoder
        extends MessageToMessageEncoder<AddressedEnvelope<TftpPacket, InetSocketAddress>> {
    public static final DatagramTftpEncoder INSTANCE = new DatagramTftpEncoder();

    private DatagramTftpEncoder() {
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof AddressedEnvelope<?, ?> envelope && envelope.content() instanceof TftpPacket;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, AddressedEnvelope<TftpPacket, InetSocketAddress> envelope,
            List<Object> out) {
        TftpPacket packet = envelope.content();
        ByteBuf buffer = ctx.alloc().directBuffer(TftpPacketCodec.encodedLength(packet));
        try {
            TftpPacketCodec.encode(packet, buffer);
        } catch (RuntimeException | Error e) {
            buffer.release();
            throw e;
        }
        out.add(new DatagramPacket(buffer, envelope.recipient()));
    }
}
