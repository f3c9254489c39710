package io.metalboot.machine.inventory;

import java.util.Objects;

/**
 * IPA {@code inventory["system_vendor"]} ({@code hardware.SystemVendorInfo}): SMBIOS type 1, and
 * type 0 as {@link #firmware}.
 *
 * @param productName  IPA {@code product_name}: "PowerEdge R650", QEMU's "Standard PC (i440FX + PIIX, 1996)".
 * @param serialNumber IPA {@code serial_number}: the system's serial number.
 * @param manufacturer IPA {@code manufacturer}: "Dell Inc.", "QEMU".
 * @param firmware     IPA {@code firmware}: required (its fields may all be null), as IPA always sends
 *                     the object.
 */
public record SystemVendor(String productName, String serialNumber, String manufacturer, SystemFirmware firmware) {
    public SystemVendor {
        Objects.requireNonNull(firmware, "system_vendor.firmware is an object, with null fields when unknown");
    }
}
