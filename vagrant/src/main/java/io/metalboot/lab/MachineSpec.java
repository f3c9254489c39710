package io.metalboot.lab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;

/**
 * One virtual bare-metal server.
 *
 * @param name         short label used in file names and output ("uefi", "bios")
 * @param mac          lowercase colon form, e.g. {@code 52:54:00:4d:42:01}
 * @param uuid         SMBIOS UUID (also PXE option 97; all zeroes unless given)
 * @param serial       SMBIOS system serial number ({@code -smbios type=1,serial=})
 * @param disk         the disk image this machine's own disk starts as (copied once per machine,
 *                     then kept across its boots), or null for no disk
 * @param deadFirstNic a first NIC, before the one with {@code mac}, whose cable is unplugged
 */
record MachineSpec(String name, Firmware firmware, String mac, UUID uuid, String serial, Path disk, boolean deadFirstNic) {

    MachineSpec {
        mac = mac.toLowerCase(Locale.ROOT);
        if (!mac.matches("([0-9a-f]{2}:){5}[0-9a-f]{2}")) {
            throw new IllegalArgumentException("not a MAC address: " + mac);
        }
        if (!serial.matches("[A-Za-z0-9-]+")) {
            // QEMU's -smbios option is comma-separated, and the serial travels in iPXE URLs.
            throw new IllegalArgumentException("serial must be letters, digits and dashes: " + serial);
        }
    }

    /**
     * A machine with a MAC in QEMU's range whose last byte is {@code n}, a UUID derived from it and
     * the serial {@code MB-LAB-nn}.
     */
    static MachineSpec of(String name, Firmware firmware, int n) {
        String mac = "52:54:00:4d:42:%02x".formatted(n);
        return new MachineSpec(name, firmware, mac, UUID.nameUUIDFromBytes(mac.getBytes(StandardCharsets.US_ASCII)),
                "MB-LAB-%02X".formatted(n), null, false);
    }

    MachineSpec withDisk(Path template) {
        return new MachineSpec(name, firmware, mac, uuid, serial, template, deadFirstNic);
    }

    MachineSpec withDeadFirstNic() {
        return new MachineSpec(name, firmware, mac, uuid, serial, disk, true);
    }

    /** The MAC of the unplugged first NIC: the machine's own with the fourth byte changed. */
    String deadNicMac() {
        return "52:54:01" + mac.substring(8);
    }
}
