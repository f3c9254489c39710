package io.metalboot.dhcp.model;

import io.metalboot.machine.SmbiosUuid;
import java.util.UUID;

/**
 * The 16-byte client machine identifier of option 97 (RFC 4578), kept in wire order.
 *
 * <p>PXE firmware puts the SMBIOS system UUID there as SMBIOS stores it, so {@link #toUuid()} is
 * {@link SmbiosUuid#fromSmbiosBytes}: the UUID that {@code dmidecode}, iPXE's {@code ${uuid}} and
 * QEMU's {@code -uuid} print.
 */
public record MachineGuid(Octets wire) {
    public MachineGuid {
        if (wire.length() != SmbiosUuid.LENGTH) {
            throw new IllegalArgumentException("a machine GUID has 16 bytes, not " + wire.length());
        }
    }

    public UUID toUuid() {
        return SmbiosUuid.fromSmbiosBytes(wire.toByteArray()).uuid();
    }

    @Override
    public String toString() {
        return toUuid().toString();
    }
}
