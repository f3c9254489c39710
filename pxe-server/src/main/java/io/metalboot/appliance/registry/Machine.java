package io.metalboot.appliance.registry;

import io.metalboot.machine.MachineState;
import io.metalboot.machine.MacAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A machine as the appliance knows it. The MAC of the NIC it first booted from is its key; the
 * SMBIOS UUID and serial are added once seen (option 97, iPXE's variables, or the agent).
 */
public record Machine(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, MachineState state,
        Optional<String> failureReason, Map<String, String> labels, Instant since) {

    public Machine {
        labels = Map.copyOf(labels);
    }

    Machine withState(MachineState next, Optional<String> reason, Instant at) {
        return new Machine(mac, uuid, serial, next, reason, labels, at);
    }

    Machine withIdentity(Optional<UUID> newUuid, Optional<String> newSerial) {
        return new Machine(mac, newUuid.or(() -> uuid), newSerial.or(() -> serial), state, failureReason, labels,
                since);
    }
}
