package io.metalboot.appliance.boot;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.SmbiosUuid;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What iPXE says of itself when it asks for its script: {@code ${mac}}, {@code ${uuid}},
 * {@code ${serial}}, {@code ${buildarch}}, {@code ${platform}}. iPXE prints the SMBIOS UUID in the
 * standard form ({@link SmbiosUuid}), the same form the ProxyDHCP derives from option 97, so both
 * name one machine the same way.
 */
public record BootRequest(MacAddress mac, Optional<UUID> uuid, Optional<String> serial, String buildarch,
        String platform) {

    /** Parses the query of a script request; throws IllegalArgumentException naming the bad parameter. */
    public static BootRequest fromQuery(Map<String, List<String>> query) {
        String mac = first(query, "mac").orElseThrow(() -> new IllegalArgumentException("mac is required"));
        Optional<UUID> uuid = first(query, "uuid").filter(u -> !u.isBlank()).map(u -> {
            try {
                return SmbiosUuid.parse(u).uuid();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("uuid is not a UUID: '" + u + "'", e);
            }
        });
        return new BootRequest(MacAddress.parse(mac), uuid,
                first(query, "serial").map(String::strip).filter(s -> !s.isEmpty()),
                first(query, "buildarch").orElse(""), first(query, "platform").orElse(""));
    }

    /** UEFI firmware: iPXE's {@code ${platform}} is "efi" there, "pcbios" on BIOS. */
    public boolean efi() {
        return platform.equals("efi");
    }

    private static Optional<String> first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }
}
