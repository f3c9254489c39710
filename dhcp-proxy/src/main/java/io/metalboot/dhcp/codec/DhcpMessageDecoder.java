package io.metalboot.dhcp.codec;

import io.metalboot.dhcp.model.DhcpMessage;
import io.metalboot.dhcp.model.DhcpOption;
import io.metalboot.dhcp.model.MachineGuid;
import io.metalboot.dhcp.model.MessageType;
import io.metalboot.dhcp.model.Octets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Bytes to {@link DhcpMessage} (RFC 2131, 2132, 4578). Every length is checked before it is read,
 * so any input either decodes or fails with a {@link DhcpDecodeException}, nothing else. Option
 * overload (52) is followed: the options in an overloaded {@code file} or {@code sname} field join
 * the message's options, and such a field that does not parse fails the whole message.
 */
public final class DhcpMessageDecoder {
    static final int FIXED_LENGTH = 236;
    static final int MAGIC_COOKIE = 0x63825363;
    static final int SNAME_OFFSET = 44;
    static final int FILE_OFFSET = 108;

    private DhcpMessageDecoder() {
    }

    public static DhcpMessage decode(byte[] bytes) throws DhcpDecodeException {
        return decode(Unpooled.wrappedBuffer(bytes));
    }

    /** Decodes the readable bytes of {@code in} without moving its reader index. */
    public static DhcpMessage decode(ByteBuf in) throws DhcpDecodeException {
        int start = in.readerIndex();
        int length = in.readableBytes();
        if (length < FIXED_LENGTH + 4) {
            throw new DhcpDecodeException("too short for DHCP: " + length + " bytes", 0);
        }
        int op = in.getUnsignedByte(start);
        int htype = in.getUnsignedByte(start + 1);
        int hlen = in.getUnsignedByte(start + 2);
        int hops = in.getUnsignedByte(start + 3);
        int xid = in.getInt(start + 4);
        int secs = in.getUnsignedShort(start + 8);
        int flags = in.getUnsignedShort(start + 10);
        Inet4Address ciaddr = address(in, start + 12);
        Inet4Address yiaddr = address(in, start + 16);
        Inet4Address siaddr = address(in, start + 20);
        Inet4Address giaddr = address(in, start + 24);
        Octets chaddr = octets(in, start + 28, DhcpMessage.CHADDR_LENGTH);
        Octets sname = octets(in, start + SNAME_OFFSET, DhcpMessage.SNAME_LENGTH);
        Octets file = octets(in, start + FILE_OFFSET, DhcpMessage.FILE_LENGTH);
        if (op != DhcpMessage.BOOTREQUEST && op != DhcpMessage.BOOTREPLY) {
            throw new DhcpDecodeException("op is neither BOOTREQUEST nor BOOTREPLY: " + op, 0);
        }
        if (hlen > DhcpMessage.CHADDR_LENGTH) {
            throw new DhcpDecodeException("hlen over 16: " + hlen, 2);
        }
        if (in.getInt(start + FIXED_LENGTH) != MAGIC_COOKIE) {
            throw new DhcpDecodeException("no DHCP magic cookie (plain BOOTP is not served)", FIXED_LENGTH);
        }

        List<DhcpOption> options = new ArrayList<>();
        int end = start + length;
        int afterEnd = readArea(in, start, start + FIXED_LENGTH + 4, end, Area.OPTIONS_FIELD, options);
        int optionsFieldCount = options.size();
        Optional<DhcpOption.OptionOverload> overload = options.stream()
                .filter(DhcpOption.OptionOverload.class::isInstance).map(DhcpOption.OptionOverload.class::cast)
                .findFirst();
        // RFC 2131 section 4.1: the options field first, then file, then sname.
        if (overload.isPresent() && overload.get().overloadsFile()) {
            readArea(in, start, start + FILE_OFFSET, start + FILE_OFFSET + DhcpMessage.FILE_LENGTH, Area.FILE_FIELD,
                    options);
        }
        if (overload.isPresent() && overload.get().overloadsSname()) {
            readArea(in, start, start + SNAME_OFFSET, start + SNAME_OFFSET + DhcpMessage.SNAME_LENGTH,
                    Area.SNAME_FIELD, options);
        }
        Octets trailer = octets(in, afterEnd, end - afterEnd);
        return new DhcpMessage(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr,
                chaddr, sname, file, options, optionsFieldCount, trailer);
    }

    /** Where options are read from: the options field, or a fixed field that option 52 overloads. */
    private enum Area {
        OPTIONS_FIELD(""), FILE_FIELD(" in the overloaded file field"), SNAME_FIELD(" in the overloaded sname field");

        final String where;

        Area(String where) {
            this.where = where;
        }
    }

    /**
     * Reads the options from {@code at} up to END into {@code options} and returns the index after
     * END. The options field must end with END and keeps its pads (for re-encoding); an overloaded
     * field may end at its last byte instead, and its pads are skipped, as its raw bytes are kept.
     */
    private static int readArea(ByteBuf in, int start, int at, int end, Area area, List<DhcpOption> options)
            throws DhcpDecodeException {
        while (true) {
            if (at >= end) {
                if (area == Area.OPTIONS_FIELD) {
                    throw new DhcpDecodeException("options not terminated by END", at - start);
                }
                return end;
            }
            int code = in.getUnsignedByte(at);
            if (code == DhcpOption.END) {
                return at + 1;
            }
            if (code == DhcpOption.PAD) {
                if (area == Area.OPTIONS_FIELD) {
                    options.add(new DhcpOption.Pad());
                }
                at++;
                continue;
            }
            if (code == DhcpOption.OPTION_OVERLOAD && area != Area.OPTIONS_FIELD) {
                throw new DhcpDecodeException("option 52" + area.where + ": only the options field can overload",
                        at - start);
            }
            // Two would leave it open which fields hold options (RFC 3396 would join them into 2 bytes).
            if (code == DhcpOption.OPTION_OVERLOAD
                    && options.stream().anyMatch(DhcpOption.OptionOverload.class::isInstance)) {
                throw new DhcpDecodeException("option 52 (option overload) appears twice", at - start);
            }
            if (at + 1 >= end) {
                throw new DhcpDecodeException("option " + code + area.where + " has no length byte", at - start);
            }
            int valueLength = in.getUnsignedByte(at + 1);
            if (at + 2 + valueLength > end) {
                throw new DhcpDecodeException("option " + code + area.where + " runs past the end (length "
                        + valueLength + ")", at - start);
            }
            options.add(option(code, octets(in, at + 2, valueLength), at - start));
            at += 2 + valueLength;
        }
    }

    private static DhcpOption option(int code, Octets value, int offset) throws DhcpDecodeException {
        int length = value.length();
        return switch (code) {
            case DhcpOption.MESSAGE_TYPE -> {
                requireLength(code, length, 1, offset);
                MessageType type = MessageType.ofCode(value.unsignedByte(0));
                if (type == null) {
                    throw new DhcpDecodeException("unknown message type " + value.unsignedByte(0), offset);
                }
                yield new DhcpOption.MessageTypeOption(type);
            }
            case DhcpOption.OPTION_OVERLOAD -> {
                requireLength(code, length, 1, offset);
                int fields = value.unsignedByte(0);
                if (fields < DhcpOption.OptionOverload.FILE || fields > DhcpOption.OptionOverload.BOTH) {
                    throw new DhcpDecodeException(
                            "option 52 (option overload) must be 1 (file), 2 (sname) or 3 (both), not " + fields,
                            offset);
                }
                yield new DhcpOption.OptionOverload(fields);
            }
            case DhcpOption.SERVER_IDENTIFIER -> {
                requireLength(code, length, 4, offset);
                yield new DhcpOption.ServerIdentifier(address(value.toByteArray()));
            }
            case DhcpOption.PARAMETER_REQUEST_LIST -> {
                List<Integer> codes = new ArrayList<>(length);
                for (int i = 0; i < length; i++) {
                    codes.add(value.unsignedByte(i));
                }
                yield new DhcpOption.ParameterRequestList(codes);
            }
            case DhcpOption.VENDOR_CLASS -> new DhcpOption.VendorClass(value.latin1());
            case DhcpOption.CLIENT_IDENTIFIER -> new DhcpOption.ClientIdentifier(value);
            case DhcpOption.TFTP_SERVER_NAME -> new DhcpOption.TftpServerName(value.latin1());
            case DhcpOption.BOOT_FILE_NAME -> new DhcpOption.BootFileName(value.latin1());
            case DhcpOption.VENDOR_SPECIFIC -> new DhcpOption.VendorSpecific(value);
            case DhcpOption.USER_CLASS -> new DhcpOption.UserClass(value);
            case DhcpOption.CLIENT_ARCHITECTURE -> {
                if (length == 0 || length % 2 != 0) {
                    throw new DhcpDecodeException("option 93 length must be a non-zero multiple of 2: " + length,
                            offset);
                }
                List<Integer> types = new ArrayList<>(length / 2);
                for (int i = 0; i < length; i += 2) {
                    types.add(value.unsignedByte(i) << 8 | value.unsignedByte(i + 1));
                }
                yield new DhcpOption.ClientArchitectures(types);
            }
            case DhcpOption.CLIENT_NETWORK_INTERFACE -> {
                requireLength(code, length, 3, offset);
                yield new DhcpOption.ClientNetworkInterface(
                        value.unsignedByte(0), value.unsignedByte(1), value.unsignedByte(2));
            }
            case DhcpOption.CLIENT_MACHINE_ID -> {
                if (length == 0) {
                    yield new DhcpOption.ClientMachineId(Optional.empty());
                }
                if (length != 17 || value.unsignedByte(0) != 0) {
                    throw new DhcpDecodeException("option 97 must be empty or type 0 + 16 bytes", offset);
                }
                yield new DhcpOption.ClientMachineId(Optional.of(new MachineGuid(value.slice(1, 17))));
            }
            case DhcpOption.IPXE_ENCAPSULATED -> new DhcpOption.IpxeEncapsulated(value);
            default -> new DhcpOption.Unknown(code, value);
        };
    }

    private static void requireLength(int code, int length, int expected, int offset) throws DhcpDecodeException {
        if (length != expected) {
            throw new DhcpDecodeException("option " + code + " must have length " + expected + ", not " + length,
                    offset);
        }
    }

    private static Octets octets(ByteBuf in, int index, int length) {
        byte[] bytes = new byte[length];
        in.getBytes(index, bytes);
        return Octets.of(bytes);
    }

    private static Inet4Address address(ByteBuf in, int index) {
        byte[] bytes = new byte[4];
        in.getBytes(index, bytes);
        return address(bytes);
    }

    static Inet4Address address(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an IPv4 address", e);
        }
    }
}
