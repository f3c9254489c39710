package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code dhcp.mode: menu}: the ProxyDHCP OFFER carries a PXE boot menu instead of a file, so OVMF's
 * PXE client asks the appliance's boot server on port 4011 (DHCPREQUEST → ACK with the file) and
 * only then fetches snponly.efi.
 */
class MenuModeIT {

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeLabCanRun();
    }

    @Test
    void firmwareLearnsTheBootFileInOnePort4011ExchangeThenFetchesIt() {
        try (var lab = LabScenario.start("menu-mode", false)) {
            var watch = lab.watch(lab.network().appliance(), LabNetwork.PROVISIONING.applianceInterface(),
                    "udp port 67 or udp port 68 or udp port 4011 or udp port 69", "appliance-packets");
            lab.startProxy(DhcpMode.MENU);
            var vm = lab.boot(LabNetwork.PROVISIONING, MachineSpec.of("uefi-menu", Firmware.UEFI_OWN_PXE, 3));
            var deadline = Deadline.in(LabScenario.VM_BUDGET);
            String mac = vm.spec().mac();
            String appliance = LabNetwork.PROVISIONING.applianceAddress();

            watch.packets().await(packet -> packet.tftpReadRequest().isPresent(), deadline.remaining())
                    .orElseThrow(() -> lab.failure("no TFTP read request reached the appliance"));
            List<CapturedPacket> packets = watch.packets().entries();

            int request = indexOf(packets, packet -> packet.destination().equals(appliance)
                    && packet.destinationPort() == 4011
                    && packet.dhcpMessageType().orElse(0) == CapturedPacket.DHCPREQUEST
                    && packet.dhcpClientMac().orElse("").equals(mac));
            int ack = indexOf(packets, packet -> packet.source().equals(appliance)
                    && packet.sourcePort() == 4011
                    && packet.dhcpMessageType().orElse(0) == CapturedPacket.DHCPACK
                    && packet.dhcpClientMac().orElse("").equals(mac));
            int rrq = indexOf(packets, packet -> packet.tftpReadRequest().isPresent());

            assertTrue(request >= 0, () -> lab.failure("no DHCPREQUEST to " + appliance + ":4011").getMessage());
            assertTrue(ack > request, () -> lab.failure("no ACK from " + appliance + ":4011 after the REQUEST").getMessage());
            assertTrue(rrq > ack, () -> lab.failure("the TFTP RRQ came before the 4011 ACK").getMessage());
            assertEquals("snponly.efi", packets.get(ack).dhcpBootFile().orElse(null), "boot file in the 4011 ACK");
            assertEquals("snponly.efi", packets.get(rrq).tftpReadRequest().orElseThrow(), "file the firmware fetched");
            assertEquals(appliance, packets.get(rrq).destination(), "TFTP server the firmware was sent to");
        }
    }

    private static int indexOf(List<CapturedPacket> packets, Predicate<CapturedPacket> test) {
        for (int i = 0; i < packets.size(); i++) {
            if (test.test(packets.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
