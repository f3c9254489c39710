package io.metalboot.appliance.dhcp;

import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigException;
import io.metalboot.dhcp.model.MacAddress;
import io.metalboot.dhcp.proxy.NetbootGate;
import io.metalboot.dhcp.proxy.PxeClient;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Per-machine network-boot decisions from the config file's lists.
 * TODO(issue 5): the machine registry takes this over (known machines, provisioned → local boot).
 */
public final class ConfiguredNetbootGate implements NetbootGate {
    private final boolean knownMachinesOnly;
    private final Set<MacAddress> knownMachines;
    private final Set<MacAddress> localBootOnly;

    public ConfiguredNetbootGate(ApplianceConfig.Dhcp dhcp) {
        this.knownMachinesOnly = dhcp.knownMachinesOnly();
        this.knownMachines = macs("dhcp.known-machines", dhcp.knownMachines());
        this.localBootOnly = macs("dhcp.local-boot-only", dhcp.localBootOnly());
    }

    @Override
    public Decision decide(PxeClient client) {
        if (localBootOnly.contains(client.mac())) {
            return Decision.LOCAL_BOOT_ONLY;
        }
        if (knownMachinesOnly && !knownMachines.contains(client.mac())) {
            return Decision.UNKNOWN_MACHINE;
        }
        return Decision.BOOT;
    }

    private static Set<MacAddress> macs(String key, List<String> values) {
        Set<MacAddress> macs = new HashSet<>();
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
