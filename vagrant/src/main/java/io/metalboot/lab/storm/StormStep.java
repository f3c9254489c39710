package io.metalboot.lab.storm;

/** One step of a machine's boot, in the order a UEFI machine takes them (OVMF's PXE, then iPXE). */
public enum StormStep {
    /** OVMF's DHCPDISCOVER to the ProxyDHCP's OFFER naming the boot file. */
    DHCP("dhcp"),
    /** OVMF's TFTP of the boot file: the tsize probe (OACK, error 8), then the lock-step transfer. */
    TFTP("tftp"),
    /** iPXE's DHCPDISCOVER (options 77 and 175) to the OFFER naming the entry script's URL. */
    IPXE_DHCP("ipxe-dhcp"),
    /** GET of the entry script ({@code boot.ipxe?mac=…}). */
    ENTRY_SCRIPT("boot.ipxe"),
    /** GET of the machine's own script, as the entry script chains it. */
    MACHINE_SCRIPT("machine.ipxe"),
    /** GET of the agent kernel the machine script names. */
    KERNEL("vmlinuz"),
    /** GET of the agent initrd the machine script names. */
    INITRD("initrd.img");

    private final String label;

    StormStep(String label) {
        this.label = label;
    }

    /** The name reports use. */
    public String label() {
        return label;
    }

    /** Whether a storm of {@code scope} runs this step. */
    public boolean in(StormScope scope) {
        return scope == StormScope.FULL || this == DHCP || this == TFTP;
    }
}
