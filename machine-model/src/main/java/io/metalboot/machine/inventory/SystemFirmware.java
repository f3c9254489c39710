package io.metalboot.machine.inventory;

/**
 * IPA {@code inventory["system_vendor"]["firmware"]} ({@code hardware.SystemFirmware}): SMBIOS type 0.
 *
 * @param vendor    IPA {@code vendor}: the BIOS/UEFI vendor, "EFI Development Kit II / OVMF".
 * @param version   IPA {@code version}: the firmware's version string.
 * @param buildDate IPA {@code build_date}: the release date as SMBIOS stores it, "mm/dd/yyyy".
 */
public record SystemFirmware(String vendor, String version, String buildDate) {
    /** No SMBIOS table: every field null. */
    public static final SystemFirmware UNKNOWN = new SystemFirmware(null, null, null);
}
