package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Where the appliance keeps what it knows of machines. Every write is durable when it returns.
 * Policy (which transitions are allowed, who may boot) lives in {@link MachineRegistry}, not here.
 */
public interface MachineStore extends AutoCloseable {
    List<Machine> machines();

    Optional<Machine> machine(MacAddress mac);

    List<Transition> history(MacAddress mac);

    /** Stores a change of state (or a new machine, when {@code from} is empty). */
    Machine record(Transition transition) throws IOException;

    /** Stores the UUID / serial seen for a machine, where new. */
    Machine identify(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, Instant at) throws IOException;

    void issueToken(MacAddress mac, String sha256, Instant expires) throws IOException;

    /** The unused, unexpired token with this hash, marked used; empty if there is none. */
    Optional<MacAddress> redeemToken(String sha256, Instant now) throws IOException;

    @Override
    void close() throws IOException;
}
