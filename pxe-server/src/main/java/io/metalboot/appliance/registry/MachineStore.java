package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import io.metalboot.machine.agent.DeployedDisk;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the appliance keeps machines and their history. Every write is durable when it returns.
 * Policy (which transitions are allowed, who may boot, what a label may look like) lives in
 * {@link MachineRegistry}, not here. Every implementation passes {@code MachineStoreContract}.
 */
public interface MachineStore extends AutoCloseable {
    List<Machine> machines();

    Optional<Machine> machine(MacAddress mac);

    /** How many machines are in {@code state} now (the unregistered cap counts discovered ones at every boot). */
    default int count(MachineState state) {
        return (int) machines().stream().filter(m -> m.state() == state).count();
    }

    /** Its stored transitions, oldest first. */
    List<Transition> history(MacAddress mac);

    /** Stores a change of state (or a new machine, when {@code from} is empty). */
    Machine record(Transition transition) throws IOException;

    /** Stores the UUID / serial seen for a machine, where new. */
    Machine identify(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, Instant at) throws IOException;

    /** Sets (or replaces) one label of a known machine. */
    Machine setLabel(MacAddress mac, String key, String value, Instant at) throws IOException;

    /** Removes one label of a known machine; removing one it does not have changes nothing. */
    Machine removeLabel(MacAddress mac, String key, Instant at) throws IOException;

    /** Stores (replacing) the inventory a known machine's agent sent, as JSON. */
    void storeInventory(MacAddress mac, String inventoryJson, Instant at) throws IOException;

    Optional<String> inventory(MacAddress mac);

    /**
     * Stores a deploy and the machine's move to {@code provisioning} for it, as one write: the
     * machine's latest deploy is then this one, {@link Deploy.Outcome#RUNNING}. A running deploy
     * ends with the machine's next move out of provisioning: failed, or abandoned for any move but
     * {@link #deployed}.
     */
    Machine startDeploy(Transition toProvisioning, DeployRequest deploy) throws IOException;

    /**
     * Stores what the agent's verified write left on the disk and the machine's move to
     * {@code provisioned}, as one write: the running deploy {@code deployId} has succeeded.
     */
    Machine deployed(Transition toProvisioned, String deployId, DeployedDisk disk) throws IOException;

    /** The machine's latest deploy. */
    Optional<Deploy> deploy(MacAddress mac);

    /** Adds an alert to a known machine's record. */
    Machine alert(MacAddress mac, String message, Instant at) throws IOException;

    /** Forgets a known machine: record, history, labels, inventory, alerts, deploy. */
    void forget(MacAddress mac, Instant at) throws IOException;

    @Override
    void close() throws IOException;
}
