package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * QEMU's BIOS PXE ROM is iPXE (it sends option 77 "iPXE" and 175 from its first DISCOVER): the
 * appliance must skip the undionly.kpxe chain and hand it the HTTP script URL for this machine.
 * The URL iPXE fetches is what is checked here; {@link HttpBootIT} follows the boot further.
 */
class BiosIpxeIT {

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeLabCanRun();
    }

    @Test
    void ipxeRomIsHandedTheScriptUrlForItsMac() {
        try (var lab = LabScenario.start("bios-ipxe", false)) {
            lab.watch(lab.network().appliance(), LabNetwork.PROVISIONING.applianceInterface(),
                    "udp port 67 or udp port 68 or udp port 4011", "appliance-packets");
            lab.startProxy(DhcpMode.OFFER);
            var vm = lab.boot(LabNetwork.PROVISIONING, MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 2));
            var deadline = Deadline.in(LabScenario.VM_BUDGET);
            String mac = vm.spec().mac();
            String url = "http://" + LabNetwork.PROVISIONING.applianceAddress() + ":8080/boot.ipxe?mac=" + mac;

            lab.site().awaitAck(mac, deadline.remaining())
                    .orElseThrow(() -> lab.failure("site dnsmasq never logged DHCPACK for " + mac));
            assertTrue(vm.serial().awaitText(url, deadline.remaining()),
                    () -> lab.failure("iPXE never printed " + url).getMessage());
        }
    }
}
