package io.metalboot.dhcp.model;

import java.util.UUID;

/**
 * The 16-byte client machine identifier of option 97 (RFC 4578), kept in wire order.
 *
 * <p>PXE firmware puts the SMBIOS system UUID there as SMBIOS stores it: the first three fields
 * little-endian (SMBIOS 2.6+), the rest as is. {@link #toUuid()} undoes that, so the result is
 * the UUID that {@code dmidecode}, iPXE's {@code ${uuid}} and QEMU's {@code -uuid} print.
 */
public record MachineGuid(Octets wire) {
    public MachineGuid {
        if (wire.length() != 16) {
            throw new IllegalArgumentException("a machine GUID has 16 bytes, not " + wire.length());
        }
    }

    public UUID toUuid() {
        byte[] b = wire.toByteArray();
        long high = 0;
        int[] order = {3, 2, 1, 0, 5, 4, 7, 6};
        for (int i : order) {
            high = (high << 8) | (b[i] & 0xff);
        }
        long low = 0;
        for (int i = 8; i < 16; i++) {
            low = (low << 8) | (b[i] & 0xff);
        }
        return new UUID(high, low);
    }

    @Override
    public String toString() {
        return toUuid().toString();
    }
}
