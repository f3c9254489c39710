package io.metalboot.machine.inventory;

import io.metalboot.machine.MacAddress;
import java.util.Objects;

/**
 * IPA {@code inventory["boot"]} ({@code hardware.BootInfo}).
 *
 * @param currentBootMode IPA {@code current_boot_mode}: {@value #UEFI} or {@value #BIOS}; required.
 * @param pxeInterface    IPA {@code pxe_interface}: the MAC address of the interface the machine booted
 *                        from (the kernel command line's {@code BOOTIF}), in {@link MacAddress}'s printed
 *                        form; null when not known. IPA sends BOOTIF's value and Ironic reads it as a
 *                        MAC address; this is that address, normalised.
 */
public record Boot(String currentBootMode, String pxeInterface) {
    public static final String UEFI = "uefi";
    public static final String BIOS = "bios";

    public Boot {
        Objects.requireNonNull(currentBootMode, "boot.current_boot_mode is uefi or bios");
        if (!currentBootMode.equals(UEFI) && !currentBootMode.equals(BIOS)) {
            throw new IllegalArgumentException("boot.current_boot_mode is uefi or bios, not '" + currentBootMode + "'");
        }
        if (pxeInterface != null) {
            pxeInterface = MacAddress.parse(pxeInterface).toString();
        }
    }
}
