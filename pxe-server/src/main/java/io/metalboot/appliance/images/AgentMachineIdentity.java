package io.metalboot.appliance.images;

import io.metalboot.appliance.agent.AgentSessions;
import io.metalboot.appliance.registry.MachineRegistry;
import io.metalboot.images.serve.MachineIdentity;
import io.metalboot.machine.MacAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.Set;

/**
 * Who an image request shows it is, from what the appliance knows: a bearer credential must be
 * the agent session of the machine the URL names (any other, or an unknown one, is refused), and
 * a request from an address that a running agent of another machine last called from is refused.
 * A request showing neither (an Ironic agent, a BareMetalHost's) is judged by its signature alone.
 */
public final class AgentMachineIdentity implements MachineIdentity {
    private final MachineRegistry registry;
    private final AgentSessions agents;

    public AgentMachineIdentity(MachineRegistry registry, AgentSessions agents) {
        this.registry = registry;
        this.agents = agents;
    }

    @Override
    public boolean mayFetch(String machine, InetSocketAddress remote, Optional<String> bearer) {
        MacAddress mac;
        try {
            mac = MacAddress.parse(machine);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (bearer.isPresent() && !registry.agentSession(bearer.get()).equals(Optional.of(mac))) {
            return false;
        }
        if (remote != null && remote.getAddress() != null) {
            Set<MacAddress> there = agents.machinesAt(remote.getAddress());
            return there.isEmpty() || there.contains(mac);
        }
        return true;
    }

    /** The MAC as the registry prints it (52:54:00:…, lower case), whatever form it was given in. */
    @Override
    public Optional<String> canonical(String machine) {
        try {
            return Optional.of(MacAddress.parse(machine).toString());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
