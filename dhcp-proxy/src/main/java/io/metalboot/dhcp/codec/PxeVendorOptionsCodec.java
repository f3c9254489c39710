package io.metalboot.dhcp.codec;

import io.metalboot.dhcp.model.Octets;
import io.metalboot.dhcp.model.PxeVendorOption;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The PXE sub-options inside option 43 (PXE specification 2.1), to and from bytes. */
public final class PxeVendorOptionsCodec {
    private static final int PAD = 0;
    private static final int END = 255;

    private PxeVendorOptionsCodec() {
    }

    public static List<PxeVendorOption> decode(Octets value) throws DhcpDecodeException {
        List<PxeVendorOption> options = new ArrayList<>();
        int at = 0;
        while (at < value.length()) {
            int code = value.unsignedByte(at);
            if (code == END) {
                break;
            }
            if (code == PAD) {
                at++;
                continue;
            }
            if (at + 1 >= value.length()) {
                throw new DhcpDecodeException("PXE sub-option " + code + " has no length byte", at);
            }
            int length = value.unsignedByte(at + 1);
            if (at + 2 + length > value.length()) {
                throw new DhcpDecodeException("PXE sub-option " + code + " runs past option 43", at);
            }
            options.add(subOption(code, value.slice(at + 2, at + 2 + length), at));
            at += 2 + length;
        }
        return List.copyOf(options);
    }

    private static PxeVendorOption subOption(int code, Octets v, int offset) throws DhcpDecodeException {
        return switch (code) {
            case PxeVendorOption.DISCOVERY_CONTROL -> {
                require(v.length() == 1, "discovery control is one byte", offset);
                yield new PxeVendorOption.DiscoveryControl(v.unsignedByte(0));
            }
            case PxeVendorOption.BOOT_ITEM -> {
                require(v.length() == 4, "boot item is four bytes", offset);
                yield new PxeVendorOption.BootItem(u16(v, 0), u16(v, 2));
            }
            case PxeVendorOption.MENU_PROMPT -> {
                require(v.length() >= 1, "menu prompt needs a timeout byte", offset);
                yield new PxeVendorOption.MenuPrompt(v.unsignedByte(0), v.slice(1, v.length()).latin1());
            }
            case PxeVendorOption.BOOT_MENU -> {
                List<PxeVendorOption.MenuEntry> entries = new ArrayList<>();
                int at = 0;
                while (at < v.length()) {
                    require(at + 3 <= v.length(), "boot menu entry truncated", offset);
                    int length = v.unsignedByte(at + 2);
                    require(at + 3 + length <= v.length(), "boot menu text truncated", offset);
                    entries.add(new PxeVendorOption.MenuEntry(u16(v, at), v.slice(at + 3, at + 3 + length).latin1()));
                    at += 3 + length;
                }
                yield new PxeVendorOption.BootMenu(entries);
            }
            case PxeVendorOption.BOOT_SERVERS -> {
                List<PxeVendorOption.BootServer> servers = new ArrayList<>();
                int at = 0;
                while (at < v.length()) {
                    require(at + 3 <= v.length(), "boot server entry truncated", offset);
                    int count = v.unsignedByte(at + 2);
                    require(at + 3 + 4 * count <= v.length(), "boot server addresses truncated", offset);
                    List<Inet4Address> addresses = new ArrayList<>(count);
                    for (int i = 0; i < count; i++) {
                        int from = at + 3 + 4 * i;
                        addresses.add(DhcpMessageDecoder.address(v.slice(from, from + 4).toByteArray()));
                    }
                    servers.add(new PxeVendorOption.BootServer(u16(v, at), addresses));
                    at += 3 + 4 * count;
                }
                yield new PxeVendorOption.BootServers(servers);
            }
            default -> new PxeVendorOption.Unknown(code, v);
        };
    }

    public static Octets encode(List<PxeVendorOption> options) {
        ByteBuf out = Unpooled.buffer(64);
        for (PxeVendorOption option : options) {
            ByteBuf value = Unpooled.buffer(32);
            switch (option) {
                case PxeVendorOption.DiscoveryControl control -> value.writeByte(control.bits());
                case PxeVendorOption.BootItem item -> value.writeShort(item.type()).writeShort(item.layer());
                case PxeVendorOption.MenuPrompt prompt ->
                        value.writeByte(prompt.timeoutSeconds()).writeBytes(latin1(prompt.prompt()));
                case PxeVendorOption.BootMenu menu -> menu.entries().forEach(entry -> {
                    byte[] text = latin1(entry.description());
                    value.writeShort(entry.type()).writeByte(text.length).writeBytes(text);
                });
                case PxeVendorOption.BootServers servers -> servers.servers().forEach(server -> {
                    value.writeShort(server.type()).writeByte(server.addresses().size());
                    server.addresses().forEach(address -> value.writeBytes(address.getAddress()));
                });
                case PxeVendorOption.Unknown unknown -> value.writeBytes(unknown.value().toByteArray());
            }
            if (value.readableBytes() > 255) {
                throw new IllegalArgumentException("PXE sub-option " + option.code() + " over 255 bytes");
            }
            out.writeByte(option.code()).writeByte(value.readableBytes()).writeBytes(value);
        }
        out.writeByte(END);
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        return Octets.of(bytes);
    }

    private static int u16(Octets v, int at) {
        return v.unsignedByte(at) << 8 | v.unsignedByte(at + 1);
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void require(boolean condition, String problem, int offset) throws DhcpDecodeException {
        if (!condition) {
            throw new DhcpDecodeException(problem, offset);
        }
    }
}
