package io.metalboot.bootstrap;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.util.Objects;

/**
 * One line of the appliance's machine table for {@link CabpkMachineSource}: the machine whose MAC
 * address, SMBIOS UUID or serial number is {@code value} is the Cluster API Machine
 * {@code namespace/machineName}.
 *
 * @param match       "mac", "uuid" or "serial"
 * @param value       a MAC address or SMBIOS UUID in any form their parsers take, or a serial number
 * @param namespace   the Machine's namespace
 * @param machineName the Machine's name
 */
public record MachineMapping(String match, String value, String namespace, String machineName) {
    public static final String MAC = "mac";
    public static final String UUID = "uuid";
    public static final String SERIAL = "serial";

    public MachineMapping {
        Objects.requireNonNull(match, "a machine mapping matches mac, uuid or serial");
        Objects.requireNonNull(value, () -> "a machine mapping by " + match + " has a value");
        requireName("namespace", namespace);
        requireName("Machine name", machineName);
        switch (match) {
            case MAC -> value = MacAddress.parse(value).toString();
            case UUID -> value = SmbiosUuid.parse(value).toString();
            case SERIAL -> {
                value = value.strip();
                if (value.isEmpty()) {
                    throw new IllegalArgumentException("a machine mapping by serial has a non-blank serial number");
                }
            }
            default -> throw new IllegalArgumentException(
                    "a machine mapping matches mac, uuid or serial, not '" + match + "'");
        }
    }

    private static void requireName(String what, String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a machine mapping names the " + what);
        }
    }

    /** Whether this mapping names the machine with these keys. */
    boolean matches(MachineKeys keys) {
        return switch (match) {
            case MAC -> value.equals(keys.mac().toString());
            case UUID -> keys.uuid().map(u -> value.equals(u.toString())).orElse(false);
            default -> keys.serial().map(value::equals).orElse(false);
        };
    }
}
