package io.metalboot.appliance;

import io.metalboot.appliance.agent.AgentSessions;
import io.metalboot.appliance.boot.BootEndpoint;
import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.evidence.BootEvidence;
import io.metalboot.appliance.registry.MachineRegistry;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every service is built from: the config, the one machine registry, the running agents, the endpoint machines
 * are told to come back to (null when neither DHCP nor HTTP runs), the boot evidence (PXE sightings
 * the ProxyDHCP records, checked by the script route), and whether every enabled service has
 * started (what {@code /readyz} answers), the clock of the registry, agents and signed URLs, and
 * the routes services hand to listeners that other services run.
 */
public record ServiceContext(ApplianceConfig config, MachineRegistry registry, AgentSessions agents,
        BootEndpoint endpoint, BootEvidence evidence, AtomicBoolean ready, Clock clock, ContributedRoutes routes) {
}
