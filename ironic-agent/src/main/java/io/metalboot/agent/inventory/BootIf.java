package io.metalboot.agent.inventory;

import io.metalboot.machine.MacAddress;

/**
 * The {@code BOOTIF} kernel parameter: the MAC address of the interface the machine network-booted
 * from, as PXELINUX's IPAPPEND 2 and iPXE scripts write it, {@code BOOTIF=01-aa-bb-cc-dd-ee-ff}: the
 * ARP hardware type (01, Ethernet), then the address, hyphenated.
 */
public final class BootIf {
    private BootIf() {
    }

    /**
     * A BOOTIF value: "01-52-54-00-12-00-01", or a bare address in any form {@link MacAddress#parse}
     * takes (Ironic accepts both). A hardware type other than 01 is refused: its address is no MAC.
     */
    public static MacAddress parse(String value) {
        String v = value.strip();
        if (v.length() == 20 && v.charAt(2) == '-') {
            String type = v.substring(0, 2);
            if (!type.equals("01")) {
                throw new IllegalArgumentException("BOOTIF '" + value + "': hardware type " + type
                        + " is not 01 (Ethernet)");
            }
            v = v.substring(3);
        }
        try {
            return MacAddress.parse(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("BOOTIF '" + value + "' is not 01-aa-bb-cc-dd-ee-ff", e);
        }
    }

    /** BOOTIF from a kernel command line ({@code /proc/cmdline}); the last one counts; null if none. */
    public static MacAddress fromCommandLine(String commandLine) {
        String found = null;
        for (String word : commandLine.strip().split("\\s+")) {
            if (word.startsWith("BOOTIF=")) {
                found = word.substring("BOOTIF=".length());
            }
        }
        return found == null || found.isEmpty() ? null : parse(found);
    }
}
