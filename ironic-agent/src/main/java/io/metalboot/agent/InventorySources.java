package io.metalboot.agent;

import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.inventory.InventoryCollector;
import io.metalboot.agent.inventory.InventoryJson;
import io.metalboot.agent.inventory.lldp.PacketSocketListener;
import io.metalboot.machine.MacAddress;
import java.time.Duration;

/**
 * Where the running agent's inventory comes from: this machine's sysfs, procfs and SMBIOS table,
 * and LLDP frames on its packet sockets.
 */
final class InventorySources {
    private InventorySources() {
    }

    /** @param lldpWait how long to listen for LLDP ({@link KernelCommandLine#lldpWait}); zero: not at all */
    static AgentCore.InventorySource forThisMachine(MacAddress bootMac, Duration lldpWait) {
        InventoryCollector collector = InventoryCollector.ofThisMachine(
                lldpWait.isZero() ? null : new PacketSocketListener(lldpWait));
        return () -> InventoryJson.write(collector.collect(bootMac));
    }
}
