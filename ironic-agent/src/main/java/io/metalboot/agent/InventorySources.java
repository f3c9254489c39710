package io.metalboot.agent;

import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.inventory.InventoryCollector;
import io.metalboot.agent.inventory.InventoryJson;
import io.metalboot.machine.MacAddress;

/** Where the running agent's inventory comes from: this machine's sysfs, procfs and SMBIOS table. */
final class InventorySources {
    private InventorySources() {
    }

    static AgentCore.InventorySource forThisMachine(MacAddress bootMac) {
        InventoryCollector collector = InventoryCollector.ofThisMachine();
        return () -> InventoryJson.write(collector.collect(bootMac));
    }
}
