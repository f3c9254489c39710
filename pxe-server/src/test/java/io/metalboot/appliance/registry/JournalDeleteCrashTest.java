package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process burst = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                DeleteBurst.class.getName(), stateDir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int acknowledged = -1;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(burst.getInputStream(), StandardCharsets.UTF_8))) {
            // Each machine is eight fsync'ed records, its two removals included: a few dozen take seconds.
            int target = 30 + (int) (Math.random() * 30);
            String line;
            while ((line = out.readLine()) != null && acknowledged < target) {
                acknowledged = Integer.parseInt(line.substring(4));
            }
            // As JournalCrashTest: SIGKILL through the handle keeps our end of the pipe readable.
            burst.toHandle().destroyForcibly();
            assertTrue(burst.waitFor(30, TimeUnit.SECONDS));
            while ((line = out.readLine()) != null) {
                acknowledged = Integer.parseInt(line.substring(4));
            }
        }
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
