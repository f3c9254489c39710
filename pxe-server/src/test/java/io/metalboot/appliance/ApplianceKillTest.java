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

    @Test
    void everyAcknowledgedTransitionSurvivesKillMinus9(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("metalboot.yaml");
        Files.writeString(config, InProcessAppliance.loopbackConfig(dir));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        List<Integer> acknowledged = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ApplianceProcess first = ApplianceProcess.start(config, dir.resolve("first.log"))) {
            Process appliance = first.process();
            String log = first.awaitStarted();
            String base = "http://127.0.0.1:" + ApplianceProcess.port(ApplianceProcess.OPERATOR_LISTENING, log);
            // The machine boots once (provisioning listener); the operator then drives it, with the token.
            String boot = "http://127.0.0.1:" + ApplianceProcess.port(ApplianceProcess.BOOT_LISTENING, log);
            assertEquals(200, get(http, boot + "/boot/machine.ipxe?mac=" + MAC, null).statusCode());
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
        }
        assertTrue(acknowledged.size() >= 200, "the burst ran: " + acknowledged.size());

        try (ApplianceProcess restarted = ApplianceProcess.start(config, dir.resolve("second.log"))) {
            String base = "http://127.0.0.1:" + ApplianceProcess.port(ApplianceProcess.OPERATOR_LISTENING,
                    restarted.awaitStarted());
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
        }
    }

    private static HttpResponse<String> get(HttpClient http, String url, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
