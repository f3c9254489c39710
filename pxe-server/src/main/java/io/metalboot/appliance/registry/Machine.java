package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * A machine as the appliance knows it. The MAC of the NIC it first booted from is its key; the
 * SMBIOS UUID and serial are added once seen (option 97, iPXE's variables, or the agent).
 */
public record Machine(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, MachineState state,
        Optional<String> failureReason, Map<String, String> labels, Instant since, List<Alert> alerts) {

    public Machine {
        labels = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
        alerts = List.copyOf(alerts);
    }

    Machine withAlert(Alert alert) {
        List<Alert> next = new java.util.ArrayList<>(alerts);
        next.add(alert);
        return new Machine(mac, uuid, serial, state, failureReason, labels, since, next);
    }

    Machine withState(MachineState next, Optional<String> reason, Instant at) {
        return new Machine(mac, uuid, serial, next, reason, labels, at, alerts);
    }

    Machine withLabel(String key, String value) {
        Map<String, String> next = new java.util.TreeMap<>(labels);
        next.put(key, value);
        return new Machine(mac, uuid, serial, state, failureReason, next, since, alerts);
    }

    Machine withoutLabel(String key) {
        Map<String, String> next = new java.util.TreeMap<>(labels);
        next.remove(key);
        return new Machine(mac, uuid, serial, state, failureReason, next, since, alerts);
    }

    Machine withIdentity(Optional<UUID> newUuid, Optional<String> newSerial) {
        return new Machine(mac, newUuid.or(() -> uuid), newSerial.or(() -> serial), state, failureReason, labels,
                since, alerts);
    }
}
