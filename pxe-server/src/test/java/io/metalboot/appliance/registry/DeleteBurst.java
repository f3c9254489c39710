package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A child process for {@link JournalDeleteCrashTest}: over both journals, one machine after
 * another is discovered, its agent registered (a session), it is inventoried and deleted; "ACK n"
 * is printed once machine n's delete is acknowledged, until the process is killed.
 */
public final class DeleteBurst {
    private DeleteBurst() {
    }

    static MacAddress mac(int n) {
        return new MacAddress(0x5254_0020_0000L + n);
    }

    public static void main(String[] args) throws Exception {
        Path stateDir = Path.of(args[0]);
        try (JournalMachineStore machines = JournalMachineStore.open(stateDir);
                JournalBootTokenStore tokens = JournalBootTokenStore.open(stateDir)) {
            MachineRegistry registry = new MachineRegistry(machines, tokens, true, java.util.Set.of(),
                    Duration.ofHours(1), Clock.systemUTC());
            for (int n = 0; ; n++) {
                MacAddress mac = mac(n);
                registry.pxeBooted(mac, Optional.empty(), Optional.empty());
                registry.registerAgent(mac, registry.issueBootToken(mac)).orElseThrow();
                registry.inventoried(mac, "{\"n\": " + n + "}");
                registry.delete(mac);
                System.out.println("ACK " + n);
                System.out.flush();
            }
        }
    }
}
