package io.metalboot.machine.inventory;

/**
 * The inventory's {@code baseboard} key, beyond IPA's: SMBIOS type 2 (Baseboard Information), which
 * tells apart two machines whose type 1 serial numbers are blank or alike.
 *
 * @param manufacturer SMBIOS type 2 Manufacturer.
 * @param product      SMBIOS type 2 Product.
 * @param serial       SMBIOS type 2 Serial Number.
 */
public record Baseboard(String manufacturer, String product, String serial) {
    /** No SMBIOS type 2 structure: every field null. */
    public static final Baseboard UNKNOWN = new Baseboard(null, null, null);
}
