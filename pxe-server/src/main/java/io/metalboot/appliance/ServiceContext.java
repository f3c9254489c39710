package io.metalboot.appliance;

import io.metalboot.appliance.boot.BootEndpoint;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.registry.MachineRegistry;

/**
 * What every service is built from: the config, the one machine registry, and the endpoint
 * machines are told to come back to (null when neither DHCP nor HTTP runs).
 */
public record ServiceContext(ApplianceConfig config, MachineRegistry registry, BootEndpoint endpoint) {
}
