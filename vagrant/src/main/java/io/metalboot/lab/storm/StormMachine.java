package io.metalboot.lab.storm;

import io.metalboot.machine.SmbiosUuid;
import java.util.HexFormat;
import java.util.UUID;

/**
 * One made-up machine of a storm: its MAC ({@code 52:54:10:XX:XX:XX}, locally administered by
 * QEMU's prefix), its SMBIOS UUID and serial, all derived from its index so that a storm's
 * machines are the same in every run.
 *
 * @param checksummed whether every byte of its ramdisk download is hashed (else only counted)
 */
record StormMachine(int index, byte[] mac, UUID uuid, String serial, boolean checksummed) {

    static StormMachine of(int index, boolean checksummed) {
        byte[] mac = {0x52, 0x54, 0x10, (byte) (index >> 16), (byte) (index >> 8), (byte) index};
        UUID uuid = new UUID(0x5354_4f52_4d00_4000L, 0x8000_0000_0000_0000L | index);
        return new StormMachine(index, mac, uuid, "STORM-%05d".formatted(index), checksummed);
    }

    /** The MAC as iPXE prints {@code ${mac}}: lower case, colons. */
    String macText() {
        return HexFormat.ofDelimiter(":").formatHex(mac);
    }

    /** The XID of its DHCP exchanges: unique per machine and per {@code exchange} (0 OVMF, 1 iPXE). */
    int xid(int exchange) {
        return 0x4d000000 | (exchange << 20) | index;
    }

    /** Option 97's GUID as firmware sends it: SMBIOS byte order. */
    byte[] guidWire() {
        return new SmbiosUuid(uuid).toSmbiosBytes();
    }

    @Override
    public String toString() {
        return "machine " + index + " (" + macText() + ")";
    }
}
