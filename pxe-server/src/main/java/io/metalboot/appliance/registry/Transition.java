package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.time.Instant;
import java.util.Optional;

/**
 * One stored change of state.
 *
 * @param from empty for the first record of a machine
 * @param cause who or what made it (e.g. "pxe-boot", "operator", "agent")
 * @param reason why, for {@code failed} and operator actions
 */
public record Transition(MacAddress mac, Optional<MachineState> from, MachineState to, Instant at, String cause,
        Optional<String> reason) {
}
