package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A 503 on a machine's first request for its own script must not strand it: the entry script
 * retries with back-off. Machines reach the appliance through {@link FlakyHttpRelay} (its URL is
 * both {@code dhcp.ipxe-script-url}'s base and {@code boot.base-url}), which refuses exactly that
 * first request and forwards everything else.
 */
class FlakyFirstRequestIT {
    private static final String MACHINE_SCRIPT = "/boot/machine.ipxe";

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeHttpBootLabCanRun();
    }

    @Test
    void entryScriptRetriesAfterA503AndTheMachineReachesTheAgent() {
        var media = LabScenario.media();
        try (var lab = LabScenario.start("flaky-first-request", false)) {
            var relay = lab.startRelay(MACHINE_SCRIPT);
            // The relay runs beside the appliance: script requests come from the appliance's own address.
            var config = lab.config(DhcpMode.OFFER).reachedThrough(relay.url(), LabNetwork.PROVISIONING.applianceAddress());
            media.installAgent(config.assets());
            lab.startAppliance(config);
            var vm = lab.boot(LabNetwork.PROVISIONING, MachineSpec.of("bios-flaky", Firmware.BIOS_IPXE_ROM, 0x31));
            var deadline = Deadline.in(LabScenario.VM_BUDGET);

            relay.log().await(line -> line.startsWith(FlakyHttpRelay.REFUSED) && line.contains(MACHINE_SCRIPT),
                    deadline.remaining())
                    .orElseThrow(() -> lab.failure("the per-machine script was never requested through the relay"));
            TestKernelReport report = lab.awaitTestKernel(vm, deadline);
            assertEquals(vm.spec().mac(), report.mac(), "metalboot.mac of the agent boot");

            long refused = relay.log().entries().stream().filter(line -> line.startsWith(FlakyHttpRelay.REFUSED)).count();
            assertEquals(1, refused, () -> lab.failure("the relay refused more than the first request").getMessage());
            assertTrue(relay.log().await(line -> line.startsWith(FlakyHttpRelay.FORWARDED) && line.contains(MACHINE_SCRIPT)
                    && line.contains(" 200"), Duration.ZERO).isPresent(),
                    () -> lab.failure("the retried request did not go through the relay: boot.base-url not honoured?").getMessage());
        }
    }
}
