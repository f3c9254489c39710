package io.metalboot.appliance.dhcp;

import io.metalboot.appliance.config.ConfigException;
import io.metalboot.appliance.registry.Machine;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.machine.MacAddress;
import io.metalboot.dhcp.proxy.NetbootGate;
import io.metalboot.dhcp.proxy.PxeClient;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The ProxyDHCP's per-machine decisions: machines the config says must boot locally get no
 * answer; when only known machines boot, a machine is known if the config lists it or the
 * registry has it; a provisioned machine's UEFI HTTP boot gets no answer. A registry look-up is an in-memory read: nothing here blocks the event loop.
 */
public final class RegistryNetbootGate implements NetbootGate {
    private final MachineRegistry registry;
    private final boolean knownOnly;
    private final Set<MacAddress> known;
    private final Set<MacAddress> localBootOnly;

    public RegistryNetbootGate(MachineRegistry registry, boolean knownOnly, Set<MacAddress> known,
            Set<MacAddress> localBootOnly) {
        this.registry = registry;
        this.knownOnly = knownOnly;
        this.known = Set.copyOf(known);
        this.localBootOnly = Set.copyOf(localBootOnly);
    }

    @Override
    public Decision decide(PxeClient client) {
        if (localBootOnly.contains(client.mac())) {
            return Decision.LOCAL_BOOT_ONLY;
        }
        Optional<Machine> machine = registry.machine(client.mac());
        if (knownOnly && !known.contains(client.mac()) && machine.isEmpty()) {
            return Decision.UNKNOWN_MACHINE;
        }
        // A provisioned machine's PXE entry gets the script that sends it to its disk; its UEFI
        // HTTP-boot entry, tried next, gets silence, so the firmware goes on to the disk at once
        // instead of loading iPXE a second time just to be told the same.
        if (client.httpClient() && machine.map(m -> !m.state().bootsAgent()).orElse(false)) {
            return Decision.LOCAL_BOOT_ONLY;
        }
        return Decision.BOOT;
    }

    /** Parses a config list of MACs, naming the entry that is not one. */
    public static Set<MacAddress> macs(String key, List<String> values) {
        Set<MacAddress> macs = new java.util.HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            try {
                macs.add(MacAddress.parse(values.get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key + "[" + i + "]", e.getMessage());
            }
        }
        return Set.copyOf(macs);
    }
}
