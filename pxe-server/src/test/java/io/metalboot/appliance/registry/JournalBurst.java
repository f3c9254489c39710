package io.metalboot.appliance.registry;

import io.metalboot.machine.MacAddress;
import io.metalboot.machine.MachineState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * A child process for {@link JournalCrashTest}: records transitions as fast as it can and prints
 * "ACK n" after each one is acknowledged, until it is killed.
 */
public final class JournalBurst {
    private JournalBurst() {
    }

    public static void main(String[] args) throws Exception {
        try (JournalMachineStore store = JournalMachineStore.open(Path.of(args[0]))) {
            MachineRegistry registry = new MachineRegistry(store, new InMemoryBootTokenStore(), true, java.util.Set.of(), Duration.ofHours(1), Clock.systemUTC());
            for (int n = 0; ; n++) {
                MacAddress mac = JournalCrashTest.mac(n % JournalCrashTest.MACHINES);
                if (n < JournalCrashTest.MACHINES) {
                    registry.pxeBooted(mac, Optional.empty(), Optional.empty());
                } else {
                    registry.operatorSets(mac, n % 2 == 0 ? MachineState.PROVISIONING : MachineState.INSPECTING,
                            Optional.of("n=" + n));
                }
                System.out.println("ACK " + n);
                System.out.flush();
            }
        }
    }
}
