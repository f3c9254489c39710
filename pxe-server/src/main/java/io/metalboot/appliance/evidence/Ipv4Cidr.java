package io.metalboot.appliance.evidence;

import java.net.Inet4Address;
import java.net.InetAddress;

/** An IPv4 network, {@code 10.20.0.0/16}; host bits set in the address are refused, as a typo. */
public record Ipv4Cidr(int network, int prefixLength) {

    public Ipv4Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new IllegalArgumentException("prefix length must be 0..32, not " + prefixLength);
        }
        if ((network & ~mask(prefixLength)) != 0) {
            throw new IllegalArgumentException("host bits set for /" + prefixLength);
        }
    }

    /** Throws IllegalArgumentException saying what is wrong with {@code text}. */
    public static Ipv4Cidr parse(String text) {
        String value = String.valueOf(text).strip();
        int slash = value.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR (ADDRESS/PREFIX): '" + value + "'");
        }
        String address = value.substring(0, slash);
        if (!address.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("not an IPv4 address: '" + address + "' in '" + value + "'");
        }
        int bits = 0;
        for (String octet : address.split("\\.")) {
            int n = Integer.parseInt(octet);
            if (n > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + address + "' in '" + value + "'");
            }
            bits = bits << 8 | n;
        }
        int prefix;
        try {
            prefix = Integer.parseInt(value.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix length is not a number in '" + value + "'", e);
        }
        try {
            return new Ipv4Cidr(bits, prefix);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + " in '" + value + "'", e);
        }
    }

    public boolean contains(InetAddress address) {
        if (!(address instanceof Inet4Address v4)) {
            return false;
        }
        byte[] b = v4.getAddress();
        int bits = (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff;
        return (bits & mask(prefixLength)) == network;
    }

    private static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    @Override
    public String toString() {
        return (network >>> 24) + "." + (network >>> 16 & 0xff) + "." + (network >>> 8 & 0xff) + "."
                + (network & 0xff) + "/" + prefixLength;
    }
}
