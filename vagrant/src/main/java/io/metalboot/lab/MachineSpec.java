package io.metalboot.lab;

import java.util.Locale;
import java.util.UUID;

/**
 * One virtual bare-metal server.
 *
 * @param name short label used in file names and output ("uefi", "bios")
 * @param mac  lowercase colon form, e.g. {@code 52:54:00:4d:42:01}
 * @param uuid SMBIOS UUID (also PXE option 97; all zeroes unless given)
 */
record MachineSpec(String name, Firmware firmware, String mac, UUID uuid) {

    MachineSpec {
        mac = mac.toLowerCase(Locale.ROOT);
        if (!mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw new IllegalArgumentException("not a MAC address: " + mac);
        }
    }

    /** A machine with a MAC in QEMU's range whose last byte is {@code n} and a UUID derived from it. */
    static MachineSpec of(String name, Firmware firmware, int n) {
        String mac = "52:54:00:4d:42:%02x".formatted(n);
        return new MachineSpec(name, firmware, mac, UUID.nameUUIDFromBytes(mac.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }
}
