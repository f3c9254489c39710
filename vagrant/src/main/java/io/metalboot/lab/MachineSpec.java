package io.metalboot.lab;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One virtual bare-metal server.
 *
 * @param name         short label used in file names and output ("uefi", "bios")
 * @param mac          lowercase colon form, e.g. {@code 52:54:00:4d:42:01}
 * @param uuid         SMBIOS UUID (also PXE option 97; all zeroes unless given)
 * @param serial       SMBIOS system serial number ({@code -smbios type=1,serial=})
 * @param disk         the disk image this machine's first disk starts as (copied once per machine,
 *                     then kept across its boots), or null for none
 * @param deadFirstNic a first NIC, before the one with {@code mac}, whose cable is unplugged
 * @param memoryMiB    {@code -m}
 * @param blankDisks   blank (sparse) disks of these sizes in bytes, in this order, after the
 *                     template's disk if any; each kept across the machine's boots
 * @param secondNicMac a second NIC after the boot NIC, its cable unplugged, with this MAC (null: none)
 */
record MachineSpec(String name, Firmware firmware, String mac, UUID uuid, String serial, Path disk, boolean deadFirstNic,
        int memoryMiB, List<Long> blankDisks, String secondNicMac) {
    /** What the agent ramdisk needs: the initrd unpacks to about 110 MiB, then the JVM starts. */
    static final int AGENT_MEMORY_MIB = 2048;
    /** The link speed an agent machine's boot NIC reports ({@code virtio-net-pci,speed=}). */
    static final int BOOT_NIC_SPEED_MBPS = 10000;

    MachineSpec {
        blankDisks = List.copyOf(blankDisks);
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
                "MB-LAB-%02X".formatted(n), null, false, firmware.memoryMiB(), List.of(), null);
    }

    MachineSpec withDisk(Path template) {
        return new MachineSpec(name, firmware, mac, uuid, serial, template, deadFirstNic, memoryMiB, blankDisks,
                secondNicMac);
    }

    MachineSpec withDeadFirstNic() {
        return new MachineSpec(name, firmware, mac, uuid, serial, disk, true, memoryMiB, blankDisks, secondNicMac);
    }

    /**
     * A server the real agent inventories: {@link #AGENT_MEMORY_MIB}, a boot NIC that reports
     * {@link #BOOT_NIC_SPEED_MBPS} and a second NIC (unplugged; its MAC the boot NIC's with the
     * second byte group changed to 02). Its disks are given apart ({@link #withDisk},
     * {@link #withBlankDisks}).
     */
    MachineSpec withAgentHardware() {
        return new MachineSpec(name, firmware, mac, uuid, serial, disk, deadFirstNic, AGENT_MEMORY_MIB, blankDisks,
                "52:54:02" + mac.substring(8));
    }

    /** Blank disks of these sizes (bytes), in this order, after the template's disk if any; replaces earlier ones. */
    MachineSpec withBlankDisks(long... bytes) {
        return new MachineSpec(name, firmware, mac, uuid, serial, disk, deadFirstNic, memoryMiB,
                Arrays.stream(bytes).boxed().toList(), secondNicMac);
    }

    /** How many disks the machine has: the template's, then the blank ones. */
    int diskCount() {
        return (disk == null ? 0 : 1) + blankDisks.size();
    }

    /** The size of blank disk {@code index} (0 the first disk), or -1 for the template's (its file's size). */
    long blankDiskBytes(int index) {
        int blank = index - (disk == null ? 0 : 1);
        return blank < 0 ? -1 : blankDisks.get(blank);
    }

    /** Whether this machine has what the agent inventories ({@link #withAgentHardware}). */
    boolean agentHardware() {
        return secondNicMac != null;
    }

    /** The serial number of disk {@code index} (0 the first, in the order above), as {@code -device virtio-blk-pci,serial=} gives it. */
    String diskSerial(int index) {
        return serial + "-D" + index;
    }

    /** The MAC of the unplugged first NIC: the machine's own with the fourth byte changed. */
    String deadNicMac() {
        return "52:54:01" + mac.substring(8);
    }
}
