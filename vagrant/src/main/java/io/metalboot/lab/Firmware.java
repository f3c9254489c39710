package io.metalboot.lab;

/** Which PXE client a VM boots with. */
enum Firmware {
    /**
     * OVMF's own PXE client (the NIC gets no option ROM, so QEMU's iPXE EFI ROM stays out):
     * vendor class {@code PXEClient:Arch:00007:UNDI:003000}, no option 77/175.
     */
    UEFI_OWN_PXE(512),
    /** SeaBIOS running QEMU's iPXE option ROM: a PXE client that says iPXE (77, 175) from the start. */
    BIOS_IPXE_ROM(256);

    private final int memoryMiB;

    Firmware(int memoryMiB) {
        this.memoryMiB = memoryMiB;
    }

    int memoryMiB() {
        return memoryMiB;
    }
}
