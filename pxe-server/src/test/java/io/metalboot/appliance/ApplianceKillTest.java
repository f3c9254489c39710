package io.metalboot.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance process itself (its real main, as a child JVM) is killed with SIGKILL in the
 * middle of a burst of state changes sent through its REST API; after a restart on the same state
 * directory, every change it had acknowledged (HTTP 200) is in the machine's history.
 */
class ApplianceKillTest {
    private static final String MAC = "52:54:00:6b:11:01";

    /** Fixed, so that a failing run can be repeated with the same kill point. */
    private static final long SEED = 20261201L;
    private static final Pattern LISTENING = Pattern.compile("operator API listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern BOOT_LISTENING = Pattern.compile("HTTP listening on [0-9.]+:(\\d+)");

    @Test
    void everyAcknowledgedTransitionSurvivesKillMinus9(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("metalboot.yaml");
        Files.writeString(config, InProcessAppliance.loopbackConfig(dir));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        Process appliance = start(config, dir.resolve("first.log"));
        List<Integer> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            String log = awaitStarted(dir.resolve("first.log"));
            String base = "http://127.0.0.1:" + port(LISTENING, log);
            // The machine boots once (provisioning listener); the operator then drives it, with the token.
            assertEquals(200, get(http, "http://127.0.0.1:" + port(BOOT_LISTENING, log) + "/boot/machine.ipxe?mac="
                    + MAC, null).statusCode());
            String token = Files.readString(dir.resolve("state").resolve("api.token")).strip();
            // Kill at a random point after a few hundred acknowledged changes, from another thread,
            // so that it lands while the next request is being handled (often inside its fsync).
            int killAfter = 200 + new java.util.Random(SEED).nextInt(200);
            Thread killer = Thread.ofVirtual().start(() -> {
                try {
                    while (acknowledged.size() < killAfter && appliance.isAlive()) {
                        Thread.sleep(1);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                appliance.toHandle().destroyForcibly(); // SIGKILL: no shutdown hook, nothing flushed
            });
            for (int n = 0; n < 5000; n++) {
                String state = n % 2 == 0 ? "provisioning" : "inspecting";
                HttpResponse<String> reply;
                try {
                    reply = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/machines/" + MAC + "/state"))
                            .timeout(Duration.ofSeconds(10))
                            .header("Authorization", "Bearer " + token)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"state\":\"" + state + "\",\"reason\":\"n=" + n + "\"}"))
                            .build(), HttpResponse.BodyHandlers.ofString());
                } catch (IOException e) {
                    break; // the process is gone
                }
                if (reply.statusCode() == 200) {
                    acknowledged.add(n);
                }
            }
            killer.join(Duration.ofSeconds(30));
            assertTrue(appliance.waitFor(30, TimeUnit.SECONDS));
        } finally {
            appliance.destroyForcibly();
        }
        assertTrue(acknowledged.size() >= 200, "the burst ran: " + acknowledged.size());

        Process restarted = start(config, dir.resolve("second.log"));
        try {
            String base = "http://127.0.0.1:" + port(LISTENING, awaitStarted(dir.resolve("second.log")));
            String token = Files.readString(dir.resolve("state").resolve("api.token")).strip();
            String history = get(http, base + "/api/v1/machines/" + MAC + "/history", token).body();
            List<Integer> stored = new ArrayList<>();
            Matcher reason = Pattern.compile("\"reason\":\"n=(\\d+)\"").matcher(history);
            while (reason.find()) {
                stored.add(Integer.parseInt(reason.group(1)));
            }
            List<Integer> lost = new ArrayList<>(acknowledged);
            lost.removeAll(stored);
            assertEquals(List.of(), lost, "acknowledged transitions missing after kill -9");
        } finally {
            restarted.destroy();
            restarted.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Process start(Path config, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), ApplianceMain.class.getName(), "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /** Waits for the start line; returns the log up to it. */
    private static String awaitStarted(Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (text.contains("metalboot started")) {
                return text;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the appliance did not start:\n" + Files.readString(log));
    }

    /** The port a listener bound (it was given port 0), from its log line. */
    private static int port(Pattern listening, String log) {
        Matcher matcher = listening.matcher(log);
        if (!matcher.find()) {
            throw new AssertionError("no " + listening + " line:\n" + log);
        }
        return Integer.parseInt(matcher.group(1));
    }

    private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
