package io.metalboot.dhcp.model;

import java.util.HexFormat;
import java.util.Locale;

/** A 48-bit Ethernet address, printed in the lowercase colon form iPXE's {@code ${mac}} uses. */
public record MacAddress(Octets octets) {
    public MacAddress {
        if (octets.length() != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + octets.length());
        }
    }

    /** Parses "52:54:00:12:34:56" or "52-54-00-12-34-56" (any case). */
    public static MacAddress parse(String text) {
        String hex = text.trim().toLowerCase(Locale.ROOT).replace(":", "").replace("-", "");
        if (hex.length() != 12) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'");
        }
        try {
            return new MacAddress(Octets.of(HexFormat.of().parseHex(hex)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "'", e);
        }
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(octets.toByteArray());
    }
}
