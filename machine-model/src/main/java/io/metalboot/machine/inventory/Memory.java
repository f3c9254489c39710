package io.metalboot.machine.inventory;

/**
 * IPA {@code inventory["memory"]} ({@code hardware.Memory}).
 *
 * @param total      IPA {@code total}: bytes of RAM the kernel manages ({@code MemTotal}), required.
 * @param physicalMb IPA {@code physical_mb}: MiB physically installed, the sum of the SMBIOS type 17
 *                   memory devices' sizes (what a Nova flavor says); null when there is no SMBIOS
 *                   table to read it from.
 */
public record Memory(long total, Long physicalMb) {
    public Memory {
        if (total < 0) {
            throw new IllegalArgumentException("memory total is at least 0 bytes, not " + total);
        }
        if (physicalMb != null && physicalMb < 0) {
            throw new IllegalArgumentException("memory physical_mb is at least 0, not " + physicalMb);
        }
    }
}
