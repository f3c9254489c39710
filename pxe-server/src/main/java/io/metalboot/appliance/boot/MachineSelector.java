package io.metalboot.appliance.boot;

import io.metalboot.appliance.registry.Machine;
import io.metalboot.machine.MacAddress;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Which machines a boot profile is for (as matchbox's selectors): every given field must match;
 * an empty selector matches every machine.
 */
public record MachineSelector(Optional<MacAddress> mac, Optional<UUID> uuid, Optional<String> serial,
        Map<String, String> labels) {

    public static final MachineSelector ANY = new MachineSelector(Optional.empty(), Optional.empty(),
            Optional.empty(), Map.of());

    public MachineSelector {
        labels = Map.copyOf(labels);
    }

    public boolean matches(Machine machine) {
        return mac.map(machine.mac()::equals).orElse(true)
                && uuid.map(u -> machine.uuid().equals(Optional.of(u))).orElse(true)
                && serial.map(s -> machine.serial().equals(Optional.of(s))).orElse(true)
                && labels.entrySet().stream().allMatch(l -> l.getValue().equals(machine.labels().get(l.getKey())));
    }
}
