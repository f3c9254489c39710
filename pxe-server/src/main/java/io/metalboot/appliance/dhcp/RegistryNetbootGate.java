package io.metalboot.appliance.dhcp;

import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.dhcp.proxy.NetbootGate;
import io.metalboot.dhcp.proxy.PxeClient;
import io.metalboot.machine.MacAddress;
import java.util.Optional;
import java.util.Set;

/**
 * The ProxyDHCP's per-machine decisions: machines the config says must boot locally get no
 * answer; a machine the registry does not admit (known-only, and neither listed nor recorded)
 * gets none; a provisioned machine's UEFI HTTP boot gets none. Every PXE DISCOVER/REQUEST asked
 * about is recorded as a sighting of its MAC, the boot evidence its script request is later held
 * to. A registry look-up and a sighting are in-memory: nothing here blocks the event loop.
 */
public final class RegistryNetbootGate implements NetbootGate {
    private final MachineRegistry registry;
    /** The config's dhcp.local-boot-only, swapped whole on reload. */
    private volatile Set<MacAddress> localBootOnly;
    private final BootEvidence evidence;

    public RegistryNetbootGate(MachineRegistry registry, Set<MacAddress> localBootOnly, BootEvidence evidence) {
        this.registry = registry;
        this.localBootOnly = Set.copyOf(localBootOnly);
        this.evidence = evidence;
    }

    /** The machines that must boot locally from now on (a reload of dhcp.local-boot-only). */
    public void useLocalBootOnly(Set<MacAddress> macs) {
        localBootOnly = Set.copyOf(macs);
    }

    @Override
    public Decision decide(PxeClient client) {
        evidence.pxeSeen(client.mac(), client.relayed());
        if (localBootOnly.contains(client.mac())) {
            return Decision.LOCAL_BOOT_ONLY;
        }
        if (!registry.admits(client.mac())) {
            return Decision.UNKNOWN_MACHINE;
        }
        // A provisioned machine's PXE entry gets the script that sends it to its disk; its UEFI
        // HTTP-boot entry, tried next, gets silence, so the firmware goes on to the disk at once
        // instead of loading iPXE a second time just to be told the same.
        Optional<Machine> machine = registry.machine(client.mac());
        if (client.httpClient() && machine.map(m -> !m.state().bootsAgent()).orElse(false)) {
            return Decision.LOCAL_BOOT_ONLY;
        }
        return Decision.BOOT;
    }
}
