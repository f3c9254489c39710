package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process in the middle of a burst of deletes brings back no machine whose delete
 * was acknowledged, nor its agent's session: the removal records are on disk in both journals
 * before the delete returns.
 */
class JournalDeleteCrashTest {
    @RepeatedTest(2)
    void noAcknowledgedDeleteComesBackAfterSigkill(@TempDir Path stateDir) throws Exception {
        // Each machine is eight fsync'ed records, its two removals included: a few dozen take seconds.
        int acknowledged = KilledBurst.acknowledgedBeforeSigkill(DeleteBurst.class, stateDir, 30 + (int) (Math.random() * 30));
        assertTrue(acknowledged >= 30, "the burst ran: " + acknowledged);

        try (JournalMachineStore machines = JournalMachineStore.open(stateDir);
                JournalBootTokenStore tokens = JournalBootTokenStore.open(stateDir)) {
            List<Integer> back = new ArrayList<>();
            for (int n = 0; n <= acknowledged; n++) {
                if (machines.machine(DeleteBurst.mac(n)).isPresent() || machines.inventory(DeleteBurst.mac(n)).isPresent()
                        || tokens.sessionOpened(DeleteBurst.mac(n)).isPresent()) {
                    back.add(n);
                }
            }
            assertEquals(List.of(), back, "acknowledged deletes undone by kill -9");
            // The one in flight when the kill landed is whole, half deleted (credentials first) or not yet deleted.
            int inFlight = acknowledged + 1;
            assertTrue(machines.machine(DeleteBurst.mac(inFlight)).isPresent()
                    || tokens.sessionOpened(DeleteBurst.mac(inFlight)).isEmpty(), "never credentials without a machine");
        }
    }
}
