package io.metalboot.agent.inventory.smbios;

import io.metalboot.machine.SmbiosUuid;
import java.util.List;

/**
 * What the inventory needs of a decoded SMBIOS structure table: the first BIOS (type 0), System
 * (type 1) and Baseboard (type 2) structures, each null when the table has none, and every Memory
 * Device (type 17) that belongs to system memory. Strings are trimmed; an empty or absent string
 * (string number 0, or a number beyond the structure's strings) is null.
 */
public record SmbiosTable(SmbiosVersion version, BiosInformation bios, SystemInformation system,
        BaseboardInformation baseboard, List<MemoryDevice> memoryDevices) {
    public SmbiosTable {
        memoryDevices = List.copyOf(memoryDevices);
    }

    /** Type 0: {@code Vendor} (04h), {@code BIOS Version} (05h), {@code BIOS Release Date} (08h, "mm/dd/yyyy"). */
    public record BiosInformation(String vendor, String version, String releaseDate) {
    }

    /**
     * Type 1: Manufacturer (04h), Product Name (05h), Version (06h), Serial Number (07h), UUID (08h,
     * 2.1+; null when all its bytes are 00h or FFh, which DSP0134 uses for "not settable" and "not
     * present"), SKU Number (19h, 2.4+), Family (1Ah, 2.4+).
     */
    public record SystemInformation(String manufacturer, String productName, String version, String serialNumber,
            SmbiosUuid uuid, String skuNumber, String family) {
    }

    /** Type 2: Manufacturer (04h), Product (05h), Version (06h), Serial Number (07h). */
    public record BaseboardInformation(String manufacturer, String product, String version, String serialNumber) {
    }

    /**
     * Type 17, one memory device (a DIMM slot).
     *
     * @param handle    the structure's handle
     * @param locator   Device Locator (10h), "DIMM 0"
     * @param sizeBytes the installed size: 0 when no module is installed, null when the firmware says
     *                  "unknown" (FFFFh) or the structure is too short to say
     */
    public record MemoryDevice(int handle, String locator, Long sizeBytes) {
        public boolean installed() {
            return sizeBytes != null && sizeBytes > 0;
        }
    }

    /**
     * The sum of the memory devices' known sizes in MiB (IPA's {@code physical_mb}), or null when the
     * table lists no memory device of known size.
     */
    public Long physicalMemoryMib() {
        long bytes = 0;
        boolean known = false;
        for (MemoryDevice device : memoryDevices) {
            if (device.sizeBytes() != null) {
                bytes += device.sizeBytes();
                known = true;
            }
        }
        return known ? bytes / (1024 * 1024) : null;
    }
}
