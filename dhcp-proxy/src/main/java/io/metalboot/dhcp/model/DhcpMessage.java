package io.metalboot.dhcp.model;

import io.metalboot.machine.MacAddress;
import java.net.Inet4Address;
import java.util.List;
import java.util.Optional;

/**
 * A DHCP message (RFC 2131 section 2) as it is on the wire. The fixed fields {@code chaddr},
 * {@code sname} and {@code file} are kept at their full width, and {@code trailer} holds the
 * bytes after the END option (padding), so decoding and encoding are exact inverses.
 *
 * <p>{@code options} is every option of the message in the order RFC 2131 section 4.1 reads
 * them: the options field, then, when option 52 says so, the {@code file} field and then the
 * {@code sname} field. The first {@code optionsFieldCount} of them (pads included) are the
 * options field; the rest were read from an overloaded field, which is kept as raw bytes and so
 * carries them when the message is encoded again. An overloaded {@code file} or {@code sname}
 * holds options, not a boot file or server name.
 */
public record DhcpMessage(
        int op,
        int htype,
        int hlen,
        int hops,
        int xid,
        int secs,
        int flags,
        Inet4Address ciaddr,
        Inet4Address yiaddr,
        Inet4Address siaddr,
        Inet4Address giaddr,
        Octets chaddr,
        Octets sname,
        Octets file,
        List<DhcpOption> options,
        int optionsFieldCount,
        Octets trailer) {

    public static final int BOOTREQUEST = 1;
    public static final int BOOTREPLY = 2;
    public static final int HTYPE_ETHERNET = 1;
    public static final int FLAG_BROADCAST = 0x8000;
    public static final int CHADDR_LENGTH = 16;
    public static final int SNAME_LENGTH = 64;
    public static final int FILE_LENGTH = 128;

    public DhcpMessage {
        requireByte("op", op);
        requireByte("htype", htype);
        requireByte("hlen", hlen);
        requireByte("hops", hops);
        if (secs < 0 || secs > 0xffff) {
            throw new IllegalArgumentException("secs out of range: " + secs);
        }
        if (flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException("flags out of range: " + flags);
        }
        requireWidth("chaddr", chaddr, CHADDR_LENGTH);
        requireWidth("sname", sname, SNAME_LENGTH);
        requireWidth("file", file, FILE_LENGTH);
        options = List.copyOf(options);
        if (optionsFieldCount < 0 || optionsFieldCount > options.size()) {
            throw new IllegalArgumentException("options field count " + optionsFieldCount + " outside 0.."
                    + options.size());
        }
        if (optionsFieldCount < options.size() && options.subList(0, optionsFieldCount).stream()
                .noneMatch(DhcpOption.OptionOverload.class::isInstance)) {
            throw new IllegalArgumentException("options outside the options field need option 52 in it");
        }
    }

    /** A message whose options all sit in the options field, as every message this server builds. */
    public DhcpMessage(int op, int htype, int hlen, int hops, int xid, int secs, int flags, Inet4Address ciaddr,
            Inet4Address yiaddr, Inet4Address siaddr, Inet4Address giaddr, Octets chaddr, Octets sname, Octets file,
            List<DhcpOption> options, Octets trailer) {
        this(op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr, sname, file, options,
                options.size(), trailer);
    }

    /** The options carried in the options field itself, in wire order. */
    public List<DhcpOption> optionsField() {
        return options.subList(0, optionsFieldCount);
    }

    /** The first option of the given type, if any. */
    public <T extends DhcpOption> Optional<T> option(Class<T> type) {
        for (DhcpOption option : options) {
            if (type.isInstance(option)) {
                return Optional.of(type.cast(option));
            }
        }
        return Optional.empty();
    }

    public Optional<MessageType> messageType() {
        return option(DhcpOption.MessageTypeOption.class).map(DhcpOption.MessageTypeOption::type);
    }

    /** The client's Ethernet address, when the hardware type is Ethernet. */
    public Optional<MacAddress> clientMac() {
        if (htype != HTYPE_ETHERNET || hlen != 6) {
            return Optional.empty();
        }
        return Optional.of(MacAddress.of(chaddr.slice(0, 6).toByteArray()));
    }

    private static void requireByte(String field, int value) {
        if (value < 0 || value > 0xff) {
            throw new IllegalArgumentException(field + " out of range: " + value);
        }
    }

    private static void requireWidth(String field, Octets value, int width) {
        if (value.length() != width) {
            throw new IllegalArgumentException(field + " must be " + width + " bytes, not " + value.length());
        }
    }
}
