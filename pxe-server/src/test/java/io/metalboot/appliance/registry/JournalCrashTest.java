package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.machine.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/** kill -9 of a process in the middle of a burst of transitions loses no acknowledged one. */
class JournalCrashTest {
    static final int MACHINES = 7;

    static MacAddress mac(int i) {
        return MacAddress.parse(String.format("52:54:00:00:10:%02x", i));
    }

    @RepeatedTest(3)
    void everyAcknowledgedTransitionSurvivesSigkill(@TempDir Path stateDir) throws Exception {
        // The kill lands somewhere in the middle of the burst: after 300 acks, at a random point.
        int acknowledged = KilledBurst.acknowledgedBeforeSigkill(JournalBurst.class, stateDir, 300 + (int) (Math.random() * 200));
        assertTrue(acknowledged >= 300, "the burst ran: " + acknowledged);

        try (JournalMachineStore store = JournalMachineStore.open(stateDir)) {
            assertEquals(MACHINES, store.machines().size());
            Set<String> stored = new HashSet<>();
            for (int i = 0; i < MACHINES; i++) {
                store.history(mac(i)).forEach(t -> t.reason().ifPresent(stored::add));
            }
            List<Integer> lost = new ArrayList<>();
            for (int n = MACHINES; n <= acknowledged; n++) {
                if (!stored.contains("n=" + n)) {
                    lost.add(n);
                }
            }
            assertEquals(List.of(), lost, "acknowledged transitions missing after kill -9");
        }
    }
}
