package io.metalboot.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.metalboot.appliance.config.ApplianceConfig;
import io.metalboot.appliance.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Labels set through the REST API select a boot profile: the whole appliance in-process, over
 * real HTTP on loopback, with a profile whose selector names a label nothing else sets.
 */
class LabelSelectedProfileTest {
    private static final String MAC = "52:54:00:1a:be:01";

    @Test
    void aLabelSetThroughTheApiPicksTheProfileThatSelectsIt(@TempDir Path dir) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (Appliance appliance = Appliance.start(config(dir, """
                boot:
                  profiles:
                    - name: gpu-workers
                      labels: {metalboot.io/role: gpu-worker}
                      kernel: "http://{server}:{http-port}/assets/gpu/vmlinuz"
                """))) {
            String base = "http://127.0.0.1:" + appliance.httpPort();
            String before = send(http, HttpRequest.newBuilder(URI.create(base + "/boot/machine.ipxe?mac=" + MAC)), 200);
            assertTrue(before.contains("(profile default)"), before);

            String labelUrl = base + "/api/v1/machines/" + MAC + "/labels/metalboot.io%2Frole";
            String set = send(http, HttpRequest.newBuilder(URI.create(labelUrl))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"gpu-worker\"}")), 200);
            assertTrue(set.contains("\"labels\":{\"metalboot.io/role\":\"gpu-worker\"}"), set);
            assertEquals("{\"metalboot.io/role\":\"gpu-worker\"}",
                    send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/machines/" + MAC + "/labels")), 200));

            String after = send(http, HttpRequest.newBuilder(URI.create(base + "/boot/machine.ipxe?mac=" + MAC)), 200);
            assertTrue(after.contains("(profile gpu-workers)"), after);
            assertTrue(after.contains("kernel " + base + "/assets/gpu/vmlinuz "), "the bound port is advertised: " + after);

            send(http, HttpRequest.newBuilder(URI.create(base + "/api/v1/machines/" + MAC + "/labels/metalboot.io/role"))
                    .DELETE(), 200);
            String removed = send(http, HttpRequest.newBuilder(URI.create(base + "/boot/machine.ipxe?mac=" + MAC)), 200);
            assertTrue(removed.contains("(profile default)"), removed);
        }
    }

    @Test
    void labelsOutsideKubernetesSyntaxOrForNoMachineAreRefused(@TempDir Path dir) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (Appliance appliance = Appliance.start(config(dir, ""))) {
            String base = "http://127.0.0.1:" + appliance.httpPort();
            String machine = base + "/api/v1/machines/" + MAC;
            send(http, HttpRequest.newBuilder(URI.create(machine + "/labels/rack"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"7\"}")), 404);
            send(http, HttpRequest.newBuilder(URI.create(base + "/boot/machine.ipxe?mac=" + MAC)), 200);
            String badKey = send(http, HttpRequest.newBuilder(URI.create(machine + "/labels/-rack"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"7\"}")), 400);
            assertTrue(badKey.contains("label key '-rack'"), badKey);
            String badValue = send(http, HttpRequest.newBuilder(URI.create(machine + "/labels/rack"))
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"seven !\"}")), 400);
            assertTrue(badValue.contains("label value 'seven !'"), badValue);
            send(http, HttpRequest.newBuilder(URI.create(machine + "/labels/rack"))
                    .PUT(HttpRequest.BodyPublishers.ofString("not json")), 400);
            send(http, HttpRequest.newBuilder(URI.create(machine + "/labels/rack"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"value\": \"7\"}")), 405);
            assertEquals("{}", send(http, HttpRequest.newBuilder(URI.create(machine + "/labels")), 200));
        }
    }

    /** HTTP alone, on a free loopback port, with its state under {@code dir}, plus {@code more}. */
    private static ApplianceConfig config(Path dir, String more) throws Exception {
        return ConfigLoader.load("""
                server-address: 127.0.0.1
                state-dir: %s
                dhcp: {enabled: false}
                tftp: {enabled: false}
                http: {port: 0, assets: %s}
                """.formatted(dir.resolve("state"), dir.resolve("assets")) + more, "labels.yaml").config();
    }

    private static String send(HttpClient http, HttpRequest.Builder request, int expectedStatus) throws Exception {
        HttpResponse<String> reply = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, reply.statusCode(), reply.body());
        return reply.body();
    }
}
