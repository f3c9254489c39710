package io.metalboot.appliance;

import static io.metalboot.appliance.DeployFlowTest.post;
import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.agent.bootstrap.BootstrapPlacement;
import io.metalboot.appliance.bootstrap.BootstrapService;
import io.metalboot.cloudconfig.testing.ChrootRoot;
import io.metalboot.cloudconfig.testing.ProcessRun;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.BootstrapDelivery;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.testing.SteppedClock;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bootstrap data through the real appliance, from its directory source: handed only to the agent
 * holding the machine's own session credential while its deploy runs (a wrong, another machine's
 * or no credential: 401 and no data), with a node credential of its own; the node's report with
 * that credential (and no other) moves the provisioned machine to joined or failed, its tail
 * redacted; no report within the timeout fails it. Neither the data, its join token nor any
 * credential reaches a log line.
 */
class BootstrapFlowTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:b0:07:01");
    private static final MacAddress OTHER = MacAddress.parse("52:54:00:b0:07:02");
    private static final MacAddress LATE = MacAddress.parse("52:54:00:b0:07:03");
    private static final String JOIN_TOKEN = "t6ce1o.wkyg0xd1di0itgau";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    byte[] vector;
    String config;
    String sha256;

    @BeforeEach
    void directorySource() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/vectors/cabpk/worker-join-metal3.cloud-config")) {
            vector = in.readAllBytes();
        }
        Path source = dir.resolve("bootstrap");
        Files.createDirectories(source.resolve("by-mac"));
        Files.write(source.resolve("by-mac").resolve(MAC.toString().replace(':', '-')), vector);
        Files.write(source.resolve("default"), "#cloud-config\nruncmd:\n  - [echo, default]\n".getBytes(StandardCharsets.UTF_8));
        byte[] image = "an image".getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("base.raw");
        Files.write(file, image);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        config = """
                agents: {heartbeat-seconds: 1, lost-after-seconds: 120}
                images:
                  catalog:
                    - {name: base, path: %s, format: raw, checksum: "sha256:%s"}
                bootstrap: {directory: %s, report-timeout-minutes: 20}
                """.formatted(file, sha256, source);
    }

    @Test
    void onlyTheMachinesOwnAgentGetsItsDataAndOnlyItsNodeReports() throws Exception {
        SteppedClock clock = new SteppedClock();
        try (ImageServiceApplianceTest.CapturedLogs logs = new ImageServiceApplianceTest.CapturedLogs();
                InProcessAppliance appliance = InProcessAppliance.start(dir, config, clock)) {
            String credential = available(appliance, MAC);
            String otherCredential = available(appliance, OTHER);
            String lateCredential = available(appliance, LATE);
            String bootstrap = appliance.bootBase() + "/agent/v1/bootstrap/";
            appliance.send(get(bootstrap + MAC), 401);
            appliance.send(get(bootstrap + MAC).header("Authorization", "Bearer " + credential), 409); // no deploy yet
            String deployId = deploy(appliance, MAC, credential);
            String otherDeploy = deploy(appliance, OTHER, otherCredential);
            String lateDeploy = deploy(appliance, LATE, lateCredential);

            for (String wrong : List.of("", "Bearer ", "Bearer garbage", "Bearer " + otherCredential, credential)) {
                HttpRequest.Builder request = get(bootstrap + MAC);
                if (!wrong.isEmpty()) {
                    request.header("Authorization", wrong);
                }
                assertEquals("", appliance.send(request, 401), "no data for " + wrong.replace(otherCredential, "OTHER's"));
            }
            appliance.send(get(bootstrap + "not-a-mac").header("Authorization", "Bearer " + credential), 401);

            BootstrapDelivery delivery = fetch(appliance, MAC, credential);
            assertEquals("cloud-config", delivery.format());
            assertArrayEquals(vector, Base64.getDecoder().decode(delivery.userData()), "the file's bytes, exactly");
            assertTrue(delivery.origin().contains("by-mac"), delivery.origin());
            assertEquals(appliance.bootBase() + "/node/v1/report/" + MAC, delivery.reportUrl());
            assertFalse(delivery.toString().contains(JOIN_TOKEN) || delivery.toString().contains(delivery.nodeCredential()));
            BootstrapDelivery otherData = fetch(appliance, OTHER, otherCredential);
            assertTrue(new String(Base64.getDecoder().decode(otherData.userData()), StandardCharsets.UTF_8)
                    .contains("[echo, default]"), "OTHER gets the default file, never MAC's");
            BootstrapDelivery lateData = fetch(appliance, LATE, lateCredential);
            BootstrapDelivery again = fetch(appliance, MAC, credential);
            assertFalse(again.nodeCredential().equals(delivery.nodeCredential()), "a fresh node credential each time");

            String report = appliance.bootBase() + "/node/v1/report/";
            String joined = "{\"status\": \"joined\"}";
            node(appliance, report + MAC, again.nodeCredential(), joined, 409); // still provisioning: not yet
            succeeded(appliance, MAC, credential, deployId);
            succeeded(appliance, OTHER, otherCredential, otherDeploy);
            succeeded(appliance, LATE, lateCredential, lateDeploy);
            for (String wrong : List.of("garbage", delivery.nodeCredential(), credential, otherData.nodeCredential())) {
                assertEquals("", node(appliance, report + MAC, wrong, joined, 401));
            }
            node(appliance, report + MAC, null, joined, 401);
            node(appliance, report + MAC, again.nodeCredential(), "{\"status\": \"maybe\"}", 400);
            assertEquals("provisioned", HandSpokenAgent.machine(appliance, MAC).get("state").asText(), "nothing refused changed it");
            node(appliance, report + MAC, again.nodeCredential(), joined, 204);
            assertEquals("joined", HandSpokenAgent.machine(appliance, MAC).get("state").asText());
            node(appliance, report + MAC, again.nodeCredential(), joined, 401); // spent

            String dataLine = "  - [echo, default]"; // a line of OTHER's bootstrap data
            node(appliance, report + OTHER, otherData.nodeCredential(), JSON.writeValueAsString(java.util.Map.of(
                    "status", "failed", "tail", "[preflight] token " + JOIN_TOKEN + " refused\n" + dataLine + "\nerror execution phase kubelet-start: timed out")), 204);
            JsonNode failed = HandSpokenAgent.machine(appliance, OTHER);
            assertEquals("failed", failed.get("state").asText());
            String reason = failed.get("failureReason").asText();
            assertTrue(reason.startsWith("node: bootstrap failed: [preflight] token [redacted] refused"), reason);
            assertTrue(reason.endsWith("kubelet-start: timed out"), reason);
            assertFalse(reason.contains(JOIN_TOKEN) || reason.contains("[echo, default]"), reason);

            clock.advance(Duration.ofMinutes(21));
            appliance.service(BootstrapService.class).failUnreported();
            JsonNode late = HandSpokenAgent.machine(appliance, LATE);
            assertEquals("failed", late.get("state").asText());
            assertEquals("no report within 20 min of the deploy", late.get("failureReason").asText());
            node(appliance, report + LATE, lateData.nodeCredential(), joined, 401);

            assertTrue(logs.lines.stream().anyMatch(l -> l.startsWith("audit ") && l.contains(MAC.toString())
                    && l.contains("by-mac") && l.contains("delivered for deploy " + deployId)), logs.lines.toString());
            List<String> secrets = List.of(JOIN_TOKEN, delivery.nodeCredential(), again.nodeCredential(),
                    otherData.nodeCredential(), lateData.nodeCredential(), credential, otherCredential, delivery.userData(),
                    "caCertHashes");
            for (String line : logs.lines) {
                for (String secret : secrets) {
                    assertFalse(line.contains(secret), line);
                }
            }
        }
    }

    @Test
    void theWrittenOsRunsItsBootstrapAtFirstBootAndItsNodeReportsWithItsOwnCredential() throws Exception {
        ChrootRoot.requireHost();
        Path source = dir.resolve("bootstrap/by-mac");
        Files.writeString(source.resolve(MAC.toString().replace(':', '-') + ".meta_data.json"),
                "{\"uuid\": \"0c6b7f3e-93c4-4a57-a1d2-5e8f9b0c1d2e\", \"name\": \"worker-7\"}");
        Files.write(source.resolve(OTHER.toString().replace(':', '-')), vector);
        Files.writeString(source.resolve(OTHER.toString().replace(':', '-') + ".meta_data.json"),
                "{\"uuid\": \"5d0a6c1b-2e3f-4a5b-8c9d-0e1f2a3b4c5d\", \"name\": \"worker-8\"}");
        try (ImageServiceApplianceTest.CapturedLogs logs = new ImageServiceApplianceTest.CapturedLogs();
                InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            ChrootRoot joining = node(appliance, MAC, "node-joins");
            ProcessRun firstBoot = ProcessRun.run(joining.root, List.of("chroot", joining.root.toString(),
                    "/usr/lib/metalboot/first-boot"));
            assertEquals(0, firstBoot.status(), firstBoot.describe());
            assertEquals("joined", HandSpokenAgent.machine(appliance, MAC).get("state").asText());
            assertEquals("bar\n", joining.read("/etc/foo.conf"));
            assertEquals("kubeadm join --config /run/kubeadm/kubeadm-join-config.yaml\n",
                    joining.read(ChrootRoot.COMMAND_LOG));
            String joinConfig = joining.read("/run/kubeadm/kubeadm-join-config.yaml");
            assertTrue(joinConfig.contains("name: 'worker-7'"), joinConfig);
            assertTrue(joinConfig.contains("value: metal3.io/uuid=0c6b7f3e-93c4-4a57-a1d2-5e8f9b0c1d2e"), joinConfig);
            assertTrue(Files.exists(joining.resolve("/run/cluster-api/bootstrap-success.complete")));
            assertTrue(Files.exists(joining.resolve("/var/lib/metalboot/first-boot.done")), "runs once");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(
                    joining.resolve("/var/log/metalboot-bootstrap.log"))));

            // a node whose join fails reports failed, with its output's tail redacted on both sides
            ChrootRoot failing = node(appliance, OTHER, "node-fails");
            failing.executable("usr/bin/kubeadm", "#!/bin/sh\necho \"[discovery] token " + JOIN_TOKEN
                    + " was rejected by 192.0.2.10:6443\" >&2\nexit 1\n");
            ProcessRun failedBoot = ProcessRun.run(failing.root, List.of("chroot", failing.root.toString(),
                    "/usr/lib/metalboot/first-boot"));
            assertEquals(0, failedBoot.status(), "the report was taken: " + failedBoot.describe());
            JsonNode failed = HandSpokenAgent.machine(appliance, OTHER);
            assertEquals("failed", failed.get("state").asText());
            String reason = failed.get("failureReason").asText();
            assertTrue(reason.startsWith("node: bootstrap failed: "), reason);
            assertTrue(reason.contains("[discovery] token [redacted] was rejected by 192.0.2.10:6443"), reason);
            assertTrue(reason.contains("the bootstrap script exited"), reason);
            assertFalse(Files.exists(failing.resolve("/run/cluster-api/bootstrap-success.complete")));
            for (String line : logs.lines) {
                assertFalse(line.contains(JOIN_TOKEN), line);
            }
        }
    }

    /**
     * A written OS for {@code mac}: the machine deployed (its agent spoken by hand), its bootstrap
     * placed by the agent's own {@code BootstrapPlacement} into a chroot root, the deploy reported.
     */
    private ChrootRoot node(InProcessAppliance appliance, MacAddress mac, String name) throws Exception {
        String credential = available(appliance, mac);
        String deployId = deploy(appliance, mac, credential);
        BootstrapDelivery delivery = fetch(appliance, mac, credential);
        ChrootRoot root = ChrootRoot.build(dir.resolve(name));
        BootstrapPlacement.place(root.root, delivery);
        succeeded(appliance, mac, credential, deployId);
        return root;
    }

    // ---- helpers: the agent protocol spoken by hand ----

    /** The machine inspected and available; its agent's credential. */
    private static String available(InProcessAppliance appliance, MacAddress mac) throws Exception {
        String credential = HandSpokenAgent.register(appliance, mac);
        HandSpokenAgent.inspect(appliance, credential, "{\"hostname\": \"n\"}");
        assertEquals("available", HandSpokenAgent.machine(appliance, mac).get("state").asText());
        return credential;
    }

    /** The operator's deploy, and the agent told it: the deploy's id. */
    private static String deploy(InProcessAppliance appliance, MacAddress mac, String credential) throws Exception {
        String id = JSON.readTree(appliance.operator(post(appliance.operatorBase() + "/api/v1/machines/" + mac + "/deploy",
                "{\"image\": \"base\"}"), 202)).get("deployId").asText();
        assertEquals("deploy", HandSpokenAgent.heartbeat(appliance, credential, null).get("kind").asText());
        return id;
    }

    private void succeeded(InProcessAppliance appliance, MacAddress mac, String credential, String deployId)
            throws Exception {
        DeployedDisk disk = new DeployedDisk("/dev/vda", null, "sha256:" + sha256, 8, "gpt", null, List.of(), null);
        HandSpokenAgent.heartbeat(appliance, credential, "{\"actionId\": \"" + deployId + "\", \"status\": \"succeeded\", \"deployed\": "
                + JSON.writeValueAsString(disk) + "}");
        assertEquals("provisioned", HandSpokenAgent.machine(appliance, mac).get("state").asText());
    }

    private static BootstrapDelivery fetch(InProcessAppliance appliance, MacAddress mac, String credential)
            throws Exception {
        return JSON.readValue(appliance.send(get(appliance.bootBase() + "/agent/v1/bootstrap/" + mac)
                .header("Authorization", "Bearer " + credential), 200), BootstrapDelivery.class);
    }

    private static String node(InProcessAppliance appliance, String url, String credential, String body, int status)
            throws Exception {
        HttpRequest.Builder request = post(url, body);
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        return appliance.send(request, status);
    }
}
