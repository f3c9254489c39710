package io.metalboot.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A burst of journal writes in a child JVM, killed with SIGKILL midway: the child prints
 * {@code ack N} after each acknowledged write, and the kill tests check that every one of them
 * survived.
 */
final class KilledBurst {
    private KilledBurst() {
    }

    /**
     * Runs {@code main} (given the state directory) until it acknowledged {@code target} writes,
     * kills it, and returns the last acknowledgement it printed before the kill landed.
     */
    static int acknowledgedBeforeSigkill(Class<?> main, Path stateDir, int target)
            throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process burst = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                main.getName(), stateDir.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        int acknowledged = -1;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(burst.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && acknowledged < target) {
                acknowledged = Integer.parseInt(line.substring(4));
            }
            // SIGKILL through the handle: unlike Process.destroyForcibly it leaves our end of the pipe
            // open, so the acks the child printed before it died can still be read.
            burst.toHandle().destroyForcibly();
            assertTrue(burst.waitFor(30, TimeUnit.SECONDS));
            while ((line = out.readLine()) != null) {
                acknowledged = Integer.parseInt(line.substring(4)); // acks printed before the kill landed
            }
        }
        return acknowledged;
    }
}
