package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5 end to end, on both firmwares at once: a BIOS machine (QEMU's iPXE ROM) and a UEFI machine
 * (OVMF's own PXE, then snponly.efi over the appliance's TFTP), each with a test disk after its NIC
 * in the boot order.
 * <ol>
 *   <li>First power-on: the machine is recorded {@code discovered} with the MAC, SMBIOS UUID and
 *       serial it really has, and its per-machine script boots the agent (the test kernel) with a
 *       boot token. The UUID the kernel reads from SMBIOS, QEMU's {@code -uuid} and the registry's
 *       must be one and the same (the registry's comes from iPXE's {@code ${uuid}}, where byte
 *       order mistakes show).</li>
 *   <li>The operator marks it {@code provisioned} through the API.</li>
 *   <li>Second power-on (same disk, same UEFI variables, same MAC): it boots its disk and never
 *       the test kernel.</li>
 * </ol>
 */
class HttpBootIT {
    /** Two boots each, under TCG, two VMs on two cores. */
    private static final Duration BUDGET = Duration.ofSeconds(240);

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeHttpBootLabCanRun();
    }

    @Test
    void discoveredMachineBootsTheAgentAndOnceProvisionedItsOwnDisk() {
        var media = LabScenario.media();
        try (var lab = LabScenario.start("http-boot", false)) {
            var config = lab.config(DhcpMode.OFFER);
            media.installAgent(config.assets());
            lab.startAppliance(config);
            var api = lab.api();
            var bios = lab.boot(LabNetwork.PROVISIONING,
                    MachineSpec.of("bios", Firmware.BIOS_IPXE_ROM, 0x21).withDisk(media.biosDisk()));
            var uefi = lab.boot(LabNetwork.PROVISIONING,
                    MachineSpec.of("uefi", Firmware.UEFI_OWN_PXE, 0x22).withDisk(media.uefiDisk()));
            var deadline = Deadline.in(BUDGET);

            for (QemuMachine vm : List.of(bios, uefi)) {
                MachineSpec spec = vm.spec();
                TestKernelReport report = lab.awaitTestKernel(vm, deadline);
                assertEquals(spec.mac(), report.mac(), () -> lab.failure(vm + ": metalboot.mac of the agent boot").getMessage());
                assertTrue(report.tokenPresent(), () -> lab.failure(vm + ": the agent boot carries no token").getMessage());
                assertEquals(spec.uuid().toString(), report.uuid().toLowerCase(Locale.ROOT),
                        () -> lab.failure(vm + ": SMBIOS UUID seen by the kernel differs from QEMU's -uuid").getMessage());
                assertEquals(spec.serial(), report.serial(), vm + ": SMBIOS serial seen by the kernel");

                var machine = api.machine(spec.mac());
                assertEquals(200, machine.status(), () -> lab.failure(vm + ": GET machine: " + machine).getMessage());
                assertEquals(spec.mac(), machine.field("mac").orElse(null), "registry mac: " + machine.body());
                assertEquals(spec.uuid().toString(), machine.field("uuid").map(uuid -> uuid.toLowerCase(Locale.ROOT)).orElse(null),
                        () -> vm + ": registry UUID (from iPXE's ${uuid}) differs from SMBIOS/QEMU's " + spec.uuid()
                                + "; the kernel read " + report.uuid() + "; registry: " + machine.body());
                assertEquals(spec.serial(), machine.field("serial").orElse(null), "registry serial: " + machine.body());
                assertEquals("discovered", machine.field("state").orElse(null), "registry state: " + machine.body());

                // What any host on the provisioning network gets: not the operator API.
                var intruder = lab.apiFromTheProvisioningNetwork(ApplianceConfig.HTTP_PORT)
                        .setState(spec.mac(), "provisioned", "not an operator");
                assertEquals(404, intruder.status(), vm + ": the API on the provisioning listener: " + intruder);
                assertEquals("discovered", api.machine(spec.mac()).field("state").orElse(null),
                        vm + ": a refused call changed nothing");
            }

            for (QemuMachine vm : List.of(bios, uefi)) {
                lab.awaitPowerOff(vm, deadline);
                var reply = api.setState(vm.spec().mac(), "provisioned", "lab");
                assertEquals(200, reply.status(), () -> lab.failure(vm + ": POST state provisioned: " + reply).getMessage());
                assertEquals("provisioned", reply.field("state").orElse(null), "state after POST: " + reply.body());
            }
            var history = api.get("/api/v1/machines/" + bios.spec().mac() + "/history");
            assertEquals(200, history.status(), "GET history: " + history);
            assertTrue(history.body().contains("provisioned"), "history names the operator's change: " + history.body());

            var biosAgain = lab.boot(LabNetwork.PROVISIONING, bios.spec());
            var uefiAgain = lab.boot(LabNetwork.PROVISIONING, uefi.spec());
            for (QemuMachine vm : List.of(biosAgain, uefiAgain)) {
                String marker = BootMedia.DISK_MARKER + " " + (vm.spec().firmware() == Firmware.UEFI_OWN_PXE ? "uefi" : "bios");
                assertTrue(vm.serial().awaitText(marker, deadline.remaining()),
                        () -> lab.failure(vm + " never booted its disk (" + marker + ")").getMessage());
                assertFalse(vm.serial().awaitText(BootMedia.KERNEL_MARKER, Duration.ZERO),
                        () -> lab.failure(vm + " booted the test kernel although it is provisioned").getMessage());
                assertFalse(vm.serial().awaitText("/assets/agent/vmlinuz", Duration.ZERO),
                        () -> lab.failure(vm + " fetched the agent kernel although it is provisioned").getMessage());
            }
        }
    }
}
