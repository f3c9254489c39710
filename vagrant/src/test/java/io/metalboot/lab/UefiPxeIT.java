package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * OVMF's own PXE client (no iPXE anywhere) beside a site DHCP server: the site gives the address,
 * the appliance's ProxyDHCP OFFER makes the firmware ask the appliance for snponly.efi over TFTP.
 */
class UefiPxeIT {
    private static final String PXE_PORTS = "udp port 67 or udp port 68 or udp port 4011 or udp port 69";

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeLabCanRun();
    }

    @Test
    void firmwareGetsItsAddressFromTheSiteAndAsksTheApplianceForSnponly() {
        try (var lab = LabScenario.start("uefi-pxe", false)) {
            var packets = lab.watch(lab.network().appliance(), LabNetwork.PROVISIONING.applianceInterface(), PXE_PORTS,
                    "appliance-packets");
            lab.startProxy(DhcpMode.OFFER);
            var vm = lab.boot(LabNetwork.PROVISIONING, MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 1));
            var deadline = Deadline.in(LabScenario.VM_BUDGET);
            String mac = vm.spec().mac();

            String address = lab.site().awaitAck(mac, deadline.remaining())
                    .orElseThrow(() -> lab.failure("site dnsmasq never logged DHCPACK for " + mac));
            CapturedPacket rrq = packets.packets().await(packet -> packet.tftpReadRequest().isPresent(), deadline.remaining())
                    .orElseThrow(() -> lab.failure("no TFTP read request reached the appliance"));

            assertEquals("snponly.efi", rrq.tftpReadRequest().orElseThrow(), () -> lab.failure("wrong boot file").getMessage());
            assertEquals(LabNetwork.PROVISIONING.applianceAddress(), rrq.destination(), "TFTP server the firmware was sent to");
            assertEquals(address, rrq.source(), "the RRQ comes from the address the site DHCP server gave");
        }
    }
}
