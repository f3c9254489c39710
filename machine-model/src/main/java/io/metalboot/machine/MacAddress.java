package io.metalboot.machine;

import java.util.HexFormat;
import java.util.Locale;

/**
 * A 48-bit Ethernet address, printed in the lowercase colon form iPXE's {@code ${mac}} and Linux's
 * {@code /sys/class/net/*&#47;address} use. Held as a long so that it is immutable and cheap to
 * hash; the byte order is the wire order (first octet in the highest bits).
 */
public record MacAddress(long value) implements Comparable<MacAddress> {
    public static final int LENGTH = 6;

    public MacAddress {
        if ((value >>> 48) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits, not " + Long.toHexString(value));
        }
    }

    /** From exactly 6 bytes, wire order. */
    public static MacAddress of(byte[] octets) {
        if (octets.length != LENGTH) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + octets.length);
        }
        long value = 0;
        for (byte b : octets) {
            value = (value << 8) | (b & 0xff);
        }
        return new MacAddress(value);
    }

    /**
     * Parses "52:54:00:12:34:56", "52-54-00-12-34-56" or "525400123456", any case: one separator
     * kind throughout, every octet two digits.
     */
    public static MacAddress parse(String text) {
        String trimmed = text.trim();
        String hex;
        if (trimmed.length() == 12) {
            hex = trimmed;
        } else if (trimmed.length() == 17 && (trimmed.charAt(2) == ':' || trimmed.charAt(2) == '-')) {
            char separator = trimmed.charAt(2);
            StringBuilder digits = new StringBuilder(12);
            for (int i = 0; i < 17; i++) {
                char c = trimmed.charAt(i);
                if (i % 3 != 2) {
                    digits.append(c);
                } else if (c != separator) {
                    throw notAMac(text, null);
                }
            }
            hex = digits.toString();
        } else {
            throw notAMac(text, null);
        }
        try {
            return of(HexFormat.of().parseHex(hex.toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw notAMac(text, e);
        }
    }

    private static IllegalArgumentException notAMac(String text, Throwable cause) {
        return new IllegalArgumentException("not a MAC address: '" + text + "'", cause);
    }

    public byte[] toByteArray() {
        byte[] octets = new byte[LENGTH];
        long v = value;
        for (int i = LENGTH - 1; i >= 0; i--) {
            octets[i] = (byte) v;
            v >>>= 8;
        }
        return octets;
    }

    @Override
    public int compareTo(MacAddress other) {
        return Long.compare(value, other.value);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(toByteArray());
    }
}
