package io.metalboot.agent;

import io.metalboot.machine.MacAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Brings up the NIC the machine booted from with DHCP (busybox's {@code udhcpc}, whose script
 * sets the address and route), falling back to the other Ethernet NICs in name order. The lease
 * comes from the site's DHCP server, as it did for the firmware.
 */
public final class NetworkSetup {
    private final Path sysClassNet;
    private final List<String> udhcpc;
    private final PrintConsole console;

    /** Where progress is printed (the serial console). */
    @FunctionalInterface
    public interface PrintConsole {
        void println(String line);
    }

    /** @param udhcpc the DHCP client command before its {@code -i IFACE} */
    public NetworkSetup(Path sysClassNet, List<String> udhcpc, PrintConsole console) {
        this.sysClassNet = sysClassNet;
        this.udhcpc = List.copyOf(udhcpc);
        this.console = console;
    }

    /** The interface that got a lease, or empty when none did (the caller reports that as fatal). */
    public Optional<String> bringUp(Optional<MacAddress> bootMac) throws IOException, InterruptedException {
        for (String nic : candidates(bootMac)) {
            run(List.of("ip", "link", "set", "dev", nic, "up"), Duration.ofSeconds(10));
            List<String> dhcp = new ArrayList<>(udhcpc);
            dhcp.addAll(List.of("-i", nic));
            console.println("metalboot-agent: DHCP on " + nic);
            if (run(dhcp, Duration.ofSeconds(60)) == 0) {
                return Optional.of(nic);
            }
            console.println("metalboot-agent: no lease on " + nic);
        }
        return Optional.empty();
    }

    /** The boot NIC first, then every other Ethernet NIC (not loopback), by name. */
    List<String> candidates(Optional<MacAddress> bootMac) throws IOException {
        List<String> nics = new ArrayList<>();
        String boot = null;
        try (Stream<Path> entries = Files.list(sysClassNet)) {
            for (Path nic : entries.sorted(Comparator.comparing(Path::toString)).toList()) {
                Path address = nic.resolve("address");
                Path type = nic.resolve("type");
                if (!Files.isRegularFile(address) || !Files.isRegularFile(type)
                        || !Files.readString(type, StandardCharsets.US_ASCII).strip().equals("1")) {
                    continue; // not Ethernet (type 1 is ARPHRD_ETHER; loopback is 772)
                }
                String name = nic.getFileName().toString();
                MacAddress mac = MacAddress.parse(Files.readString(address, StandardCharsets.US_ASCII).strip());
                if (bootMac.isPresent() && bootMac.get().equals(mac)) {
                    boot = name;
                } else {
                    nics.add(name);
                }
            }
        }
        if (boot != null) {
            nics.addFirst(boot);
        }
        return nics;
    }

    private int run(List<String> command, Duration limit) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
