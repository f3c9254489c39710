package io.metalboot.bootstrap;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.util.Objects;
import java.util.Optional;

/**
 * What the appliance knows of a machine when it asks for its bootstrap data: the MAC address it
 * booted from, and the SMBIOS UUID and serial number when the firmware gave them.
 *
 * @param mac    the boot interface's MAC address
 * @param uuid   the SMBIOS system UUID, if known
 * @param serial the SMBIOS system serial number, if known (blank counts as unknown)
 */
public record MachineKeys(MacAddress mac, Optional<SmbiosUuid> uuid, Optional<String> serial) {
    public MachineKeys {
        Objects.requireNonNull(mac, "a machine is asked for by its boot MAC address");
        uuid = Objects.requireNonNullElse(uuid, Optional.empty());
        serial = Objects.requireNonNullElse(serial, Optional.<String>empty()).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** A machine known by its MAC address alone. */
    public static MachineKeys of(MacAddress mac) {
        return new MachineKeys(mac, Optional.empty(), Optional.empty());
    }
}
