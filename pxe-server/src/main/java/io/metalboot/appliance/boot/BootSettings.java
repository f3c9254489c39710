package io.metalboot.appliance.boot;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How machines are booted.
 *
 * @param baseUrl the appliance's HTTP base URL as machines reach it, a template such as
 *     {@code http://{server}:{http-port}} ({@link BootEndpoint} expands it)
 * @param attempts how often a script tries a download before it gives up to the next boot device
 * @param localBootEfi the iPXE commands that boot the local disk on UEFI
 * @param localBootBios the same on BIOS
 * @param profiles tried in order; the first whose selector matches the machine is used, and the
 *     last is the default (so every machine gets one, never an error page)
 * @param templates a directory whose {@code entry.ipxe}, {@code agent.ipxe}, {@code local.ipxe},
 *     {@code ignored.ipxe} replace the embedded ones
 */
public record BootSettings(String baseUrl, int attempts, String localBootEfi, String localBootBios,
        List<BootProfile> profiles, Optional<Path> templates) {

    public BootSettings {
        profiles = List.copyOf(profiles);
        if (profiles.isEmpty()) {
            throw new IllegalArgumentException("at least one (default) boot profile is needed");
        }
    }
}
