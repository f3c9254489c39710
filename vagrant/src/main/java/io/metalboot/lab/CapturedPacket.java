package io.metalboot.lab;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;

/**
 * One IPv4 UDP datagram or TCP segment seen by tcpdump: its one-line summary (for people) and its
 * bytes, decoded here (for assertions: tcpdump decodes DHCP on 67/68 but not on the PXE port 4011;
 * TCP payloads are what HTTP carried, for the lab's search for secrets on the wire).
 *
 * @param summary tcpdump's first line, e.g. {@code 14:12:58.75 IP (tos 0x0, ...)} plus the address line
 * @param payload the UDP payload, or the TCP segment's data
 */
record CapturedPacket(String summary, String source, int sourcePort, String destination, int destinationPort,
        byte[] payload) {

    static final int DHCPDISCOVER = 1;
    static final int DHCPOFFER = 2;
    static final int DHCPREQUEST = 3;
    static final int DHCPACK = 5;

    private static final int BOOTP_FIXED = 236;
    private static final int MAGIC_COOKIE = 0x63825363;

    /** Decodes an IPv4 packet as printed by {@code tcpdump -x}; empty for anything but UDP or TCP over IPv4. */
    static Optional<CapturedPacket> decode(String summary, byte[] ip) {
        int protocol = ip.length < 20 ? -1 : ip[9] & 0xff;
        if (ip.length < 28 || (ip[0] >> 4 & 0xf) != 4 || (protocol != 17 && protocol != 6)) {
            return Optional.empty();
        }
        int headerLength = (ip[0] & 0xf) * 4;
        int totalLength = Math.min(u16(ip, 2), ip.length);
        // UDP's header is 8 bytes; TCP's says its length in its data offset (byte 12, high nibble).
        int transportLength = protocol == 17 ? 8
                : totalLength > headerLength + 12 ? (ip[headerLength + 12] >> 4 & 0xf) * 4 : Integer.MAX_VALUE / 2;
        if (totalLength < headerLength + transportLength) {
            return Optional.empty();
        }
        byte[] payload = java.util.Arrays.copyOfRange(ip, headerLength + transportLength, totalLength);
        return Optional.of(new CapturedPacket(summary, ipv4(ip, 12), u16(ip, headerLength), ipv4(ip, 16),
                u16(ip, headerLength + 2), payload));
    }

    /** Option 53, when the payload is a BOOTP message carrying DHCP options. */
    Optional<Integer> dhcpMessageType() {
        return dhcpOption(53).filter(value -> value.length == 1).map(value -> value[0] & 0xff);
    }

    /** chaddr as {@code 52:54:00:12:34:56}, when the payload is a BOOTP message. */
    Optional<String> dhcpClientMac() {
        if (!isBootp()) {
            return Optional.empty();
        }
        return Optional.of(HexFormat.ofDelimiter(":").formatHex(payload, 28, 34));
    }

    /** The value of a DHCP option (after option 52 overloading is ignored: the lab's peers do not use it). */
    Optional<byte[]> dhcpOption(int code) {
        if (!isBootp()) {
            return Optional.empty();
        }
        int i = BOOTP_FIXED + 4;
        while (i < payload.length) {
            int tag = payload[i] & 0xff;
            if (tag == 255) {
                break;
            }
            if (tag == 0) {
                i++;
                continue;
            }
            if (i + 1 >= payload.length) {
                break;
            }
            int length = payload[i + 1] & 0xff;
            if (i + 2 + length > payload.length) {
                break;
            }
            if (tag == code) {
                return Optional.of(java.util.Arrays.copyOfRange(payload, i + 2, i + 2 + length));
            }
            i += 2 + length;
        }
        return Optional.empty();
    }

    Optional<String> dhcpOptionText(int code) {
        return dhcpOption(code).map(value -> new String(value, StandardCharsets.US_ASCII));
    }

    /** Option 67, else the BOOTP file field: the boot file a DHCP answer names. */
    Optional<String> dhcpBootFile() {
        var option = dhcpOptionText(67);
        if (option.isPresent() || !isBootp()) {
            return option.map(CapturedPacket::trimNul);
        }
        String field = trimNul(new String(payload, 108, 128, StandardCharsets.US_ASCII));
        return field.isEmpty() ? Optional.empty() : Optional.of(field);
    }

    private static String trimNul(String text) {
        int nul = text.indexOf('\0');
        return nul < 0 ? text : text.substring(0, nul);
    }

    /** The file name of a TFTP read request (opcode 1) to port 69. */
    Optional<String> tftpReadRequest() {
        if (destinationPort != 69 || payload.length < 4 || payload[0] != 0 || payload[1] != 1) {
            return Optional.empty();
        }
        int end = 2;
        while (end < payload.length && payload[end] != 0) {
            end++;
        }
        return Optional.of(new String(payload, 2, end - 2, StandardCharsets.US_ASCII));
    }

    private boolean isBootp() {
        return payload.length >= BOOTP_FIXED + 4 && (payload[0] == 1 || payload[0] == 2)
                && ((payload[BOOTP_FIXED] & 0xff) << 24 | (payload[BOOTP_FIXED + 1] & 0xff) << 16
                        | (payload[BOOTP_FIXED + 2] & 0xff) << 8 | payload[BOOTP_FIXED + 3] & 0xff) == MAGIC_COOKIE;
    }

    private static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xff) << 8 | bytes[at + 1] & 0xff;
    }

    private static String ipv4(byte[] bytes, int at) {
        return (bytes[at] & 0xff) + "." + (bytes[at + 1] & 0xff) + "." + (bytes[at + 2] & 0xff) + "." + (bytes[at + 3] & 0xff);
    }

    @Override
    public String toString() {
        String dhcp = dhcpMessageType().map(type -> " DHCP type " + type + " chaddr " + dhcpClientMac().orElse("?")
                + dhcpBootFile().map(file -> " file \"" + file + "\"").orElse("")).orElse("");
        String tftp = tftpReadRequest().map(file -> " TFTP RRQ \"" + file + "\"").orElse("");
        return source + ":" + sourcePort + " > " + destination + ":" + destinationPort + dhcp + tftp;
    }
}
