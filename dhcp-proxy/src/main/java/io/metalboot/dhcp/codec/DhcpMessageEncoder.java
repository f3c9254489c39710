package io.metalboot.dhcp.codec;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@link DhcpMessage} to bytes: the exact inverse of {@link DhcpMessageDecoder}. Only the options
 * field's options are written as options; those read from an overloaded sname or file field go
 * out inside that field's raw bytes.
 */
public final class DhcpMessageEncoder {
    private DhcpMessageEncoder() {
    }

    public static byte[] encode(DhcpMessage message) {
        ByteBuf out = Unpooled.buffer(548);
        encode(message, out);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return bytes;
    }

    public static void encode(DhcpMessage message, ByteBuf out) {
        out.writeByte(message.op());
        out.writeByte(message.htype());
        out.writeByte(message.hlen());
        out.writeByte(message.hops());
        out.writeInt(message.xid());
        out.writeShort(message.secs());
        out.writeShort(message.flags());
        out.writeBytes(message.ciaddr().getAddress());
        out.writeBytes(message.yiaddr().getAddress());
        out.writeBytes(message.siaddr().getAddress());
        out.writeBytes(message.giaddr().getAddress());
        out.writeBytes(message.chaddr().toByteArray());
        out.writeBytes(message.sname().toByteArray());
        out.writeBytes(message.file().toByteArray());
        out.writeInt(DhcpMessageDecoder.MAGIC_COOKIE);
        for (DhcpOption option : message.optionsField()) {
            if (option instanceof DhcpOption.Pad) {
                out.writeByte(DhcpOption.PAD);
                continue;
            }
            byte[] value = value(option);
            if (value.length > 255) {
                throw new IllegalArgumentException("option " + option.code() + " value over 255 bytes");
            }
            out.writeByte(option.code());
            out.writeByte(value.length);
            out.writeBytes(value);
        }
        out.writeByte(DhcpOption.END);
        out.writeBytes(message.trailer().toByteArray());
    }

    private static byte[] value(DhcpOption option) {
        return switch (option) {
            case DhcpOption.Pad pad -> new byte[0];
            case DhcpOption.OptionOverload overload -> new byte[] {(byte) overload.fields()};
            case DhcpOption.MessageTypeOption type -> new byte[] {(byte) type.type().code()};
            case DhcpOption.ServerIdentifier server -> server.address().getAddress();
            case DhcpOption.ParameterRequestList list -> bytes(list.codes());
            case DhcpOption.VendorClass vendor -> latin1(vendor.value());
            case DhcpOption.ClientIdentifier id -> id.value().toByteArray();
            case DhcpOption.TftpServerName name -> latin1(name.value());
            case DhcpOption.BootFileName name -> latin1(name.value());
            case DhcpOption.VendorSpecific vendor -> vendor.value().toByteArray();
            case DhcpOption.UserClass userClass -> userClass.value().toByteArray();
            case DhcpOption.ClientArchitectures archs -> {
                byte[] bytes = new byte[archs.types().size() * 2];
                for (int i = 0; i < archs.types().size(); i++) {
                    bytes[2 * i] = (byte) (archs.types().get(i) >> 8);
                    bytes[2 * i + 1] = archs.types().get(i).byteValue();
                }
                yield bytes;
            }
            case DhcpOption.ClientNetworkInterface nic ->
                    new byte[] {(byte) nic.type(), (byte) nic.major(), (byte) nic.minor()};
            case DhcpOption.ClientMachineId id -> id.guid()
                    .map(guid -> {
                        byte[] bytes = new byte[17];
                        System.arraycopy(guid.wire().toByteArray(), 0, bytes, 1, 16);
                        return bytes;
                    })
                    .orElse(new byte[0]);
            case DhcpOption.IpxeEncapsulated ipxe -> ipxe.value().toByteArray();
            case DhcpOption.Unknown unknown -> unknown.value().toByteArray();
        };
    }

    private static byte[] bytes(List<Integer> values) {
        byte[] bytes = new byte[values.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = values.get(i).byteValue();
        }
        return bytes;
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
