package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.DeployedDisk;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Machines and history in memory only: for tests and for an appliance run that must leave nothing
 * behind. It is also the state {@link JournalMachineStore} replays its journal into.
 */
public final class InMemoryMachineStore implements MachineStore {
    private final Map<MacAddress, Machine> machines = new LinkedHashMap<>();
    private final Map<MacAddress, List<Transition>> histories = new HashMap<>();
    private final Map<MacAddress, String> inventories = new HashMap<>();
    private final Map<MacAddress, Deploy> deploys = new HashMap<>();
    /** Machines per state, kept as they change: a count is asked at every boot, over thousands of machines. */
    private final Map<MachineState, Integer> counts = new EnumMap<>(MachineState.class);

    @Override
    public synchronized int count(MachineState state) {
        return counts.getOrDefault(state, 0);
    }

    @Override
    public synchronized List<Machine> machines() {
        return List.copyOf(machines.values());
    }

    @Override
    public synchronized Optional<Machine> machine(MacAddress mac) {
        return Optional.ofNullable(machines.get(mac));
    }

    @Override
    public synchronized List<Transition> history(MacAddress mac) {
        return List.copyOf(histories.getOrDefault(mac, List.of()));
    }

    @Override
    public synchronized Machine record(Transition t) {
        Machine current = machines.get(t.mac());
        Machine next = current == null
                ? new Machine(t.mac(), Optional.empty(), Optional.empty(), t.to(), t.reason(), Map.of(), t.at(),
                        List.of())
                : current.withState(t.to(), t.to() == MachineState.FAILED ? t.reason() : Optional.empty(), t.at());
        machines.put(t.mac(), next);
        if (current != null) {
            counts.merge(current.state(), -1, Integer::sum);
        }
        counts.merge(next.state(), 1, Integer::sum);
        histories.computeIfAbsent(t.mac(), m -> new ArrayList<>()).add(t);
        Deploy deploy = deploys.get(t.mac());
        if (deploy != null && deploy.outcome() == Deploy.Outcome.RUNNING && t.to() != MachineState.PROVISIONING) {
            deploys.put(t.mac(), deploy.ended(t.to() == MachineState.FAILED ? Deploy.Outcome.FAILED
                    : Deploy.Outcome.ABANDONED));
        }
        return next;
    }

    @Override
    public synchronized Machine startDeploy(Transition toProvisioning, DeployRequest deploy) {
        existing(toProvisioning.mac());
        if (toProvisioning.to() != MachineState.PROVISIONING) {
            throw new IllegalArgumentException("a deploy starts with a move to provisioning");
        }
        Machine next = record(toProvisioning);
        deploys.put(toProvisioning.mac(), new Deploy(deploy, toProvisioning.at(), Deploy.Outcome.RUNNING,
                Optional.empty()));
        return next;
    }

    @Override
    public synchronized Machine deployed(Transition toProvisioned, String deployId, DeployedDisk disk) {
        existing(toProvisioned.mac());
        Deploy deploy = deploys.get(toProvisioned.mac());
        if (deploy == null || deploy.outcome() != Deploy.Outcome.RUNNING || !deploy.request().id().equals(deployId)
                || toProvisioned.to() != MachineState.PROVISIONED) {
            throw new IllegalStateException("no deploy " + deployId + " runs on " + toProvisioned.mac());
        }
        deploys.put(toProvisioned.mac(), deploy.succeeded(disk));
        return record(toProvisioned);
    }

    @Override
    public synchronized Optional<Deploy> deploy(MacAddress mac) {
        return Optional.ofNullable(deploys.get(mac));
    }

    @Override
    public synchronized Machine identify(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, Instant at) {
        Machine next = existing(mac).withIdentity(uuid, serial.filter(s -> !s.isBlank()));
        machines.put(mac, next);
        return next;
    }

    @Override
    public synchronized Machine setLabel(MacAddress mac, String key, String value, Instant at) {
        Machine next = existing(mac).withLabel(key, value);
        machines.put(mac, next);
        return next;
    }

    @Override
    public synchronized Machine removeLabel(MacAddress mac, String key, Instant at) {
        Machine next = existing(mac).withoutLabel(key);
        machines.put(mac, next);
        return next;
    }

    @Override
    public synchronized void storeInventory(MacAddress mac, String inventoryJson, Instant at) {
        existing(mac);
        inventories.put(mac, inventoryJson);
    }

    @Override
    public synchronized Optional<String> inventory(MacAddress mac) {
        return Optional.ofNullable(inventories.get(mac));
    }

    @Override
    public synchronized Machine alert(MacAddress mac, String message, Instant at) {
        Machine next = existing(mac).withAlert(new Alert(at, message));
        machines.put(mac, next);
        return next;
    }

    @Override
    public synchronized void forget(MacAddress mac, Instant at) {
        counts.merge(existing(mac).state(), -1, Integer::sum);
        machines.remove(mac);
        histories.remove(mac);
        inventories.remove(mac);
        deploys.remove(mac);
    }

    /** The machine, or the refusal every store gives for one it does not have. */
    synchronized Machine existing(MacAddress mac) {
        Machine current = machines.get(mac);
        if (current == null) {
            throw new IllegalStateException("no machine " + mac);
        }
        return current;
    }

    @Override
    public void close() {
    }
}
