package io.metalboot.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The appliance has a leg on a second segment (br1, lab1 with its own address) but is bound to
 * lab0 only ({@code dhcp.interface: lab0}). A PXE client on br1 broadcasting DISCOVERs must get
 * nothing from it, while a control client on br0 at the same time is answered (so the silence is
 * the binding, not a dead appliance).
 */
class UnboundInterfaceIT {
    /** iPXE's verdict when no DHCP answer came (it gives up after its discovery retries). */
    private static final String NO_ANSWER = "No configuration methods succeeded";
    private static final Set<Integer> SERVER_PORTS = Set.of(67, 4011);

    @BeforeEach
    void labCanRun() {
        LabRequirements.assumeLabCanRun();
    }

    @Test
    void clientOnTheUnboundSegmentGetsNoAnswerWhileTheBoundSegmentIsServed() {
        try (var lab = LabScenario.start("unbound-interface", true)) {
            var isolated = lab.network().isolated().orElseThrow();
            var onIsolated = lab.watch(lab.network().hub(), isolated.bridge(), "udp", "br1-packets");
            var onProvisioning = lab.watch(lab.network().hub(), LabNetwork.PROVISIONING.bridge(),
                    "udp port 67 or udp port 68 or udp port 4011", "br0-packets");
            lab.startProxy(DhcpMode.OFFER);
            var control = lab.boot(LabNetwork.PROVISIONING, MachineSpec.of("bios-br0", Firmware.BIOS_IPXE_ROM, 4));
            var stranger = lab.boot(isolated, MachineSpec.of("bios-br1", Firmware.BIOS_IPXE_ROM, 5));
            var deadline = Deadline.in(LabScenario.VM_BUDGET);
            String strangerMac = stranger.spec().mac();
            Set<String> applianceAddresses = Set.of(LabNetwork.PROVISIONING.applianceAddress(), isolated.applianceAddress());

            // The appliance is alive and answers PXE clients on its bound segment.
            onProvisioning.packets().await(packet -> applianceAddresses.contains(packet.source())
                    && SERVER_PORTS.contains(packet.sourcePort())
                    && packet.dhcpClientMac().orElse("").equals(control.spec().mac()), deadline.remaining())
                    .orElseThrow(() -> lab.failure("control: the appliance never answered the client on br0"));

            // The stranger really asked, as a PXE client, on br1 ...
            onIsolated.packets().await(packet -> packet.dhcpMessageType().orElse(0) == CapturedPacket.DHCPDISCOVER
                    && packet.dhcpClientMac().orElse("").equals(strangerMac)
                    && packet.dhcpOptionText(60).orElse("").startsWith("PXEClient"), deadline.remaining())
                    .orElseThrow(() -> lab.failure("the client on br1 sent no PXE DHCPDISCOVER"));
            // ... and went on asking until it gave up.
            assertTrue(stranger.serial().awaitText(NO_ANSWER, deadline.remaining()),
                    () -> lab.failure("iPXE on br1 never gave up on DHCP").getMessage());
            long discovers = onIsolated.packets().entries().stream()
                    .filter(packet -> packet.dhcpMessageType().orElse(0) == CapturedPacket.DHCPDISCOVER)
                    .filter(packet -> packet.dhcpClientMac().orElse("").equals(strangerMac))
                    .count();
            assertTrue(discovers >= 2, () -> lab.failure("only " + discovers + " DISCOVER(s) on br1").getMessage());

            List<CapturedPacket> answersOnIsolated = onIsolated.packets().entries().stream()
                    .filter(packet -> applianceAddresses.contains(packet.source()) && SERVER_PORTS.contains(packet.sourcePort()))
                    .toList();
            assertEquals(List.of(), answersOnIsolated, () -> lab.failure("the appliance answered on br1").getMessage());
            // Bound to lab0, a wrongly accepted DISCOVER from br1 would be answered out of lab0.
            List<CapturedPacket> answersToStranger = onProvisioning.packets().entries().stream()
                    .filter(packet -> packet.dhcpClientMac().orElse("").equals(strangerMac))
                    .toList();
            assertEquals(List.of(), answersToStranger, () -> lab.failure("the br1 client was answered on br0").getMessage());
            assertTrue(lab.proxy().log().entries().stream().noneMatch(line -> line.contains(strangerMac)),
                    () -> lab.failure("the appliance logged something about the br1 client").getMessage());
            assertTrue(stranger.serial().lines().await(line -> line.contains("boot.ipxe"), Duration.ZERO).isEmpty(),
                    () -> lab.failure("the br1 client was handed a boot script").getMessage());
        }
    }
}
