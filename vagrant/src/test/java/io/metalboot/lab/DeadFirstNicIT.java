package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A UEFI machine whose first NIC (first in the boot order too) has no link: OVMF must move on to
 * the second NIC, and everything after — snponly.efi, the entry script, the per-machine script —
 * must run on that NIC, so that the machine is recorded and booted under the MAC that works.
 */
class DeadFirstNicIT {

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeHttpBootLabCanRun();
    }

    @Test
    void machineBootsThroughItsSecondNicWhenTheFirstHasNoLink() {
        var media = LabScenario.media();
        try (var lab = LabScenario.start("dead-first-nic", false)) {
            var config = lab.config(DhcpMode.OFFER);
            media.installAgent(config.assets());
            lab.startAppliance(config);
            var vm = lab.boot(LabNetwork.PROVISIONING,
                    MachineSpec.of("uefi-2nics", Firmware.UEFI_OWN_PXE, 0x41).withDeadFirstNic());
            var deadline = Deadline.in(LabScenario.VM_BUDGET);

            TestKernelReport report = lab.awaitTestKernel(vm, deadline);
            assertEquals(vm.spec().mac(), report.mac(), () -> lab.failure("the agent booted for the wrong NIC").getMessage());
            var live = lab.api().machine(vm.spec().mac());
            assertEquals(200, live.status(), () -> lab.failure("the live NIC's MAC is not in the registry: " + live).getMessage());
            var dead = lab.api().machine(vm.spec().deadNicMac());
            assertEquals(404, dead.status(), "the unplugged NIC's MAC must not be recorded: " + dead);
        }
    }
}
