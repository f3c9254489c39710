package io.metalboot.appliance.dhcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.evidence.EvidenceKind;
import io.metalboot.appliance.evidence.FixedNeighbourTable;
import io.metalboot.appliance.registry.InMemoryBootTokenStore;
import io.metalboot.appliance.registry.JournalMachineStore;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.dhcp.proxy.NetbootGate.Decision;
import io.metalboot.dhcp.proxy.PxeClient;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryNetbootGateTest {
    private static final MacAddress KNOWN = MacAddress.parse("52:54:00:00:00:01");
    private static final MacAddress REGISTERED = MacAddress.parse("52:54:00:00:00:02");
    private static final MacAddress STRANGER = MacAddress.parse("52:54:00:00:00:03");
    private static final MacAddress PINNED = MacAddress.parse("52:54:00:00:00:04");

    private static PxeClient pxe(MacAddress mac) {
        return new PxeClient(mac, Optional.empty(), 7, false, false, false);
    }

    private static PxeClient httpBoot(MacAddress mac) {
        return new PxeClient(mac, Optional.empty(), 16, false, true, false);
    }

    @Test
    void decidesFromConfigAndRegistry(@TempDir Path dir) throws Exception {
        try (JournalMachineStore store = JournalMachineStore.open(dir)) {
            MachineRegistry registry = new MachineRegistry(store, new InMemoryBootTokenStore(), true, Set.of(),
                    Duration.ofHours(1), Clock.systemUTC());
            registry.pxeBooted(REGISTERED, Optional.empty(), Optional.empty());
            // The same machines, with only known machines admitted: the registry alone decides it.
            MachineRegistry knownOnlyRegistry = new MachineRegistry(store, new InMemoryBootTokenStore(), false,
                    Set.of(KNOWN), Duration.ofHours(1), Clock.systemUTC());
            BootEvidence evidence = new BootEvidence(Duration.ofMinutes(5), Set.of(EvidenceKind.PXE_DHCP), List.of(),
                    FixedNeighbourTable.EMPTY, Clock.systemUTC());
            RegistryNetbootGate knownOnly = new RegistryNetbootGate(knownOnlyRegistry, Set.of(PINNED), evidence);

            assertEquals(Decision.BOOT, knownOnly.decide(pxe(KNOWN)), "listed in the config");
            assertEquals(Decision.BOOT, knownOnly.decide(pxe(REGISTERED)), "in the registry");
            assertEquals(Decision.UNKNOWN_MACHINE, knownOnly.decide(pxe(STRANGER)));
            assertEquals(Decision.LOCAL_BOOT_ONLY, knownOnly.decide(pxe(PINNED)));

            RegistryNetbootGate open = new RegistryNetbootGate(registry, Set.of(), evidence);
            assertEquals(Decision.BOOT, open.decide(pxe(STRANGER)));
            assertEquals(Decision.BOOT, open.decide(httpBoot(REGISTERED)), "discovered: HTTP boot is answered");
            registry.operatorSets(REGISTERED, MachineState.PROVISIONED, Optional.empty());
            assertEquals(Decision.BOOT, open.decide(pxe(REGISTERED)), "PXE still gets the local-disk script");
            assertEquals(Decision.LOCAL_BOOT_ONLY, open.decide(httpBoot(REGISTERED)),
                    "a provisioned machine's HTTP boot entry gets silence: on to the disk");
            assertTrue(evidence.lastPxeBoot(STRANGER).isPresent(), "every PXE request asked about is a sighting");
            assertTrue(evidence.lastPxeBoot(PINNED).isPresent(), "even one that gets silence");
            assertFalse(evidence.lastPxeBoot(MacAddress.parse("52:54:00:00:00:99")).isPresent());
        }
    }
}
