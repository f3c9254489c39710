package io.metalboot.appliance;

import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.front.MetalbootFront;
import io.metalboot.machine.MacAddress;
import io.metalboot.machine.agent.DeployInstructions;
import io.metalboot.machine.agent.DeployProgress;
import io.metalboot.machine.agent.DeployedDisk;
import io.metalboot.machine.agent.DeployedPartition;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy flow through the real appliance: the operator's {@code POST .../deploy} (404, 409,
 * 400 naming the field), the machine provisioning, its agent told "deploy" with a URL signed for
 * it alone, progress on the machine's view while the write runs, and the end: provisioned with
 * the {@code DeployedDisk} stored (a restart keeps it), the agent told to reboot and the next
 * boot script the local disk's; or failed with the agent's reason. The image URL's query (the
 * deploy's credential) never reaches a log line, the agent's console or the API. The image writer
 * is a test double here (the real one has its own tests); the agent client is the real one.
 */
class DeployFlowTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:de:91:01");
    private static final MacAddress OTHER = MacAddress.parse("52:54:00:de:91:02");
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=(\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    byte[] image;
    String sha256;
    String config;

    @BeforeEach
    void makeImage() throws Exception {
        image = new byte[256 * 1024 + 13];
        new Random(7).nextBytes(image);
        Path file = dir.resolve("base.raw");
        Files.write(file, image);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        config = """
                agents: {heartbeat-seconds: 1, lost-after-seconds: 120}
                images:
                  catalog:
                    - {name: base, path: %s, format: raw, checksum: "sha256:%s"}
                """.formatted(file, sha256);
    }

    // ---- the operator API and the agent protocol, spoken by hand ----

    @Test
    void theOperatorsDeployIsCheckedAndTheAgentIsToldWithAUrlSignedForItself() throws Exception {
        try (ImageServiceApplianceTest.CapturedLogs logs = new ImageServiceApplianceTest.CapturedLogs();
                InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            String machines = appliance.operatorBase() + "/api/v1/machines/";
            assertTrue(deploy(appliance, OTHER, "{\"image\": \"base\"}", 404).contains("no machine"));

            String credential = rawAgent(appliance, MAC);
            JsonNode inspect = heartbeat(appliance, credential, null);
            assertEquals("inspect", inspect.get("kind").asText());
            appliance.send(post(appliance.bootBase() + "/agent/v1/inventory", "{\"hostname\": \"n1\"}")
                    .header("Authorization", "Bearer " + credential), 204);
            assertEquals("wait", heartbeat(appliance, credential, report(inspect.get("actionId").asText(), "succeeded",
                    null, null, null)).get("kind").asText());
            assertEquals("available", machine(appliance, MAC).get("state").asText());
            String otherCredential = rawAgent(appliance, OTHER); // stays inspecting

            assertEquals("image", field(deploy(appliance, MAC, "{\"image\": \"nope\"}", 404)));
            assertEquals("colour", field(deploy(appliance, MAC, "{\"image\": \"base\", \"colour\": 1}", 400)));
            assertEquals("image", field(deploy(appliance, MAC, "{}", 400)));
            assertEquals("imageUrl", field(deploy(appliance, MAC, "{\"image\": \"base\", \"imageUrl\": \"http://h/x\"}", 400)));
            assertEquals("checksum", field(deploy(appliance, MAC, "{\"image\": \"base\", \"checksum\": \"sha256:"
                    + sha256 + "\"}", 400)));
            assertEquals("imageUrl", field(deploy(appliance, MAC, "{\"imageUrl\": \"ftp://h/x.raw\", \"checksum\": \"sha256:"
                    + sha256 + "\"}", 400)));
            assertEquals("checksum", field(deploy(appliance, MAC, "{\"imageUrl\": \"http://h/x.raw\"}", 400)));
            assertEquals("checksum", field(deploy(appliance, MAC, "{\"imageUrl\": \"http://h/x.raw\", \"checksum\": \"md5:"
                    + "a".repeat(32) + "\"}", 400)), "md5 only when allowed");
            assertEquals("format", field(deploy(appliance, MAC, "{\"imageUrl\": \"http://h/x\", \"format\": \"vmdk\","
                    + " \"checksum\": \"sha256:" + sha256 + "\"}", 400)));
            assertEquals("rootDeviceHints.colour", field(deploy(appliance, MAC, "{\"image\": \"base\","
                    + " \"rootDeviceHints\": {\"colour\": \"red\"}}", 400)));
            assertEquals("rootDeviceHints", field(deploy(appliance, MAC, "{\"image\": \"base\", \"rootDeviceHints\": 3}", 400)));
            assertEquals("readBack", field(deploy(appliance, MAC, "{\"image\": \"base\", \"readBack\": \"yes\"}", 400)));
            assertTrue(deploy(appliance, OTHER, "{\"image\": \"base\"}", 409).contains("is inspecting"));
            assertEquals("available", machine(appliance, MAC).get("state").asText(), "nothing refused changed it");
            appliance.send(post(machines + MAC + "/deploy", "{\"image\": \"base\"}"), 401);
            appliance.send(post(appliance.bootBase() + "/api/v1/machines/" + MAC + "/deploy", "{\"image\": \"base\"}"), 404);

            JsonNode started = JSON.readTree(deploy(appliance, MAC, "{\"image\": \"base\", \"rootDeviceHints\":"
                    + " {\"serial\": \"S-1\", \"size\": 8}, \"readBack\": true}", 202));
            String deployId = started.get("deployId").asText();
            assertEquals("provisioning", started.at("/machine/state").asText());
            assertEquals("running", started.at("/machine/deploy/state").asText());
            assertEquals("base", started.at("/machine/deploy/image").asText());
            assertTrue(started.at("/machine/deploy/bytesDone").isNull(), "no progress yet");
            assertTrue(deploy(appliance, MAC, "{\"image\": \"base\"}", 409).contains("is provisioning"), "one at a time");
            assertTrue(logs.lines.stream().anyMatch(l -> l.startsWith("audit ") && l.contains("deploy " + deployId
                    + " of base")), logs.lines.toString());

            JsonNode told = heartbeat(appliance, credential, null);
            assertEquals("deploy", told.get("kind").asText());
            assertEquals(deployId, told.get("actionId").asText(), "the action id is the deploy's");
            DeployInstructions instructions = JSON.treeToValue(told.get("deploy"), DeployInstructions.class);
            assertEquals(deployId, instructions.deployId());
            assertEquals("sha256:" + sha256, instructions.checksum());
            assertEquals("raw", instructions.format());
            assertEquals("S-1", instructions.rootDeviceHints().get("serial"));
            assertEquals(8, ((Number) instructions.rootDeviceHints().get("size")).intValue());
            assertTrue(instructions.readBack());
            URI url = URI.create(instructions.imageUrl());
            assertEquals(appliance.bootBase() + "/images/base", url.getScheme() + "://" + url.getAuthority() + url.getPath());
            assertEquals(MAC.toString(), query(url, "machine"), "signed for this machine");
            assertEquals(deployId, query(url, "deploy"), "and this deploy");

            JsonNode again = heartbeat(appliance, credential, report(deployId, "running", null,
                    "{\"bytesDone\": 4096, \"imageBytes\": " + image.length + ", \"bytesPerSecond\": 2048, \"etaSeconds\": 9}",
                    null));
            assertEquals(deployId, again.get("actionId").asText(), "the same action until the agent reports");
            assertEquals(instructions.imageUrl(), again.at("/deploy/imageUrl").asText(), "and the same instructions");
            JsonNode shown = machine(appliance, MAC).get("deploy");
            assertEquals(4096, shown.get("bytesDone").asLong());
            assertEquals(image.length, shown.get("imageBytes").asLong());
            assertEquals(2048, shown.get("bytesPerSecond").asLong());
            assertEquals(9, shown.get("etaSeconds").asLong());

            assertArrayEquals(image, fetch(appliance, url, credential, 200), "the machine's own credential fetches it");
            fetch(appliance, url, otherCredential, 403);

            // No success without the disk, nor for another action: nothing changes.
            DeployedDisk disk = disk("sha256:" + sha256);
            assertEquals(deployId, heartbeat(appliance, credential, report(deployId, "succeeded", null, null, null))
                    .get("actionId").asText());
            assertEquals(deployId, heartbeat(appliance, credential, report("another", "succeeded", null, null,
                    JSON.writeValueAsString(disk))).get("actionId").asText());
            assertEquals("provisioning", machine(appliance, MAC).get("state").asText());

            JsonNode reboot = heartbeat(appliance, credential, report(deployId, "succeeded", null, null,
                    JSON.writeValueAsString(disk)));
            assertEquals("reboot", reboot.get("kind").asText(), "after the write: reboot into the disk");
            JsonNode done = machine(appliance, MAC);
            assertEquals("provisioned", done.get("state").asText());
            assertEquals("succeeded", done.at("/deploy/state").asText());
            assertEquals("/dev/vdc", done.at("/deploy/disk/disk").asText());
            assertSecretNeverShown(logs.lines, List.of(), instructions.imageUrl());
        }
    }

    // ---- the real agent client with a stand-in image writer ----

    @Test
    void progressShowsWhileTheAgentWritesThenTheMachineIsProvisionedRebootsAndBootsItsDisk() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch rebooted = new CountDownLatch(1);
        CompletableFuture<DeployInstructions> told = new CompletableFuture<>();
        List<Integer> fetched = new ArrayList<>();
        AgentCore.Deployer writer = (instructions, progress) -> {
            told.complete(instructions);
            byte[] bytes = fetch(null, URI.create(instructions.imageUrl()), null, 200); // as the writer does: the URL alone
            fetched.add(bytes.length);
            progress.accept(new DeployProgress(bytes.length / 2, bytes.length, 65_536, 2));
            if (!release.await(60, TimeUnit.SECONDS)) {
                throw new IOException("the test never released the write");
            }
            progress.accept(new DeployProgress(bytes.length, bytes.length, 65_536, 0));
            return disk(instructions.checksum());
        };
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        String deployId;
        String imageUrl;
        try (ImageServiceApplianceTest.CapturedLogs logs = new ImageServiceApplianceTest.CapturedLogs();
                InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            Thread serving = serve(appliance, writer, () -> rebooted.countDown(), console);
            await(appliance, m -> "available".equals(m.get("state").asText()));
            deployId = JSON.readTree(deploy(appliance, MAC, "{\"image\": \"base\", \"readBack\": true}", 202))
                    .get("deployId").asText();

            DeployInstructions instructions = told.get(30, TimeUnit.SECONDS);
            imageUrl = instructions.imageUrl();
            assertTrue(instructions.readBack(), "the flag passed through");
            JsonNode writing = await(appliance, m -> m.at("/deploy/bytesDone").isNumber());
            assertEquals("provisioning", writing.get("state").asText());
            assertEquals("running", writing.at("/deploy/state").asText());
            assertEquals(image.length / 2, writing.at("/deploy/bytesDone").asLong());
            assertEquals(image.length, writing.at("/deploy/imageBytes").asLong());
            assertEquals(65_536, writing.at("/deploy/bytesPerSecond").asLong());
            assertEquals(2, writing.at("/deploy/etaSeconds").asLong());
            assertEquals(List.of(image.length), fetched, "the image's bytes, fetched once");

            release.countDown();
            assertTrue(rebooted.await(30, TimeUnit.SECONDS), "told to reboot once the write was verified");
            serving.join(Duration.ofSeconds(30));
            assertFalse(serving.isAlive(), "serve() returns after rebooting");
            JsonNode done = machine(appliance, MAC);
            assertEquals("provisioned", done.get("state").asText());
            assertEquals("succeeded", done.at("/deploy/state").asText());
            assertEquals("/dev/vdc", done.at("/deploy/disk/disk").asText());
            assertEquals("/dev/vdc1", done.at("/deploy/disk/partitions/0/node").asText());
            assertEquals(1, told.get().deployId().equals(deployId) ? 1 : 0);
            String history = appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + MAC + "/history"), 200);
            assertTrue(history.contains("\"from\":\"provisioning\",\"to\":\"provisioned\""), history);

            String script = appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200);
            assertTrue(script.contains("is provisioned: boot from the local disk"), script);
            assertFalse(TOKEN.matcher(script).find(), "no agent, no token: " + script);

            String printed = console.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("deploy " + deployId + " starts"), printed);
            assertTrue(printed.contains("deploy " + deployId + " written and verified: /dev/vdc"), printed);
            assertSecretNeverShown(logs.lines, List.of(printed), imageUrl);
        }
        try (InProcessAppliance restarted = InProcessAppliance.start(dir, config)) {
            JsonNode kept = machine(restarted, MAC);
            assertEquals("provisioned", kept.get("state").asText());
            assertEquals(deployId, kept.at("/deploy/id").asText());
            assertEquals("succeeded", kept.at("/deploy/state").asText());
            assertEquals("/dev/vdc", kept.at("/deploy/disk/disk").asText(), "the record of what is on the disk survives");
            assertEquals("sha256:" + sha256, kept.at("/deploy/disk/sourceChecksum").asText());
        }
    }

    @Test
    void aFailedWriteFailsTheMachineWithTheAgentsReasonAndNoUrlQuery() throws Exception {
        AgentCore.Deployer writer = (instructions, progress) -> {
            progress.accept(new DeployProgress(1 << 20, 8L << 30, 1 << 20, 8191));
            throw new IOException("checksum mismatch reading " + instructions.imageUrl() + ": expected "
                    + instructions.checksum() + ", got sha256:" + "0".repeat(64) + "\nsecond line");
        };
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (ImageServiceApplianceTest.CapturedLogs logs = new ImageServiceApplianceTest.CapturedLogs();
                InProcessAppliance appliance = InProcessAppliance.start(dir, config)) {
            Thread serving = serve(appliance, writer, () -> {
                throw new AssertionError("no reboot after a failed deploy");
            }, console);
            await(appliance, m -> "available".equals(m.get("state").asText()));
            deploy(appliance, MAC, "{\"image\": \"base\"}", 202);
            JsonNode failed = await(appliance, m -> "failed".equals(m.get("state").asText()));
            String reason = failed.get("failureReason").asText();
            assertTrue(reason.startsWith("deploy failed: deploy: checksum mismatch reading "
                    + appliance.bootBase() + "/images/base?…: expected sha256:" + sha256), reason);
            assertFalse(reason.contains("\n") || reason.contains("sig="), reason);
            assertEquals("failed", failed.at("/deploy/state").asText());
            assertTrue(failed.at("/deploy/disk").isNull() || failed.at("/deploy/disk").isMissingNode());
            serving.interrupt();
            serving.join(Duration.ofSeconds(30));
            String printed = console.toString(StandardCharsets.UTF_8);
            assertTrue(printed.contains("failed: deploy: checksum mismatch"), printed);
            String imageUrl = logs.lines.stream().filter(l -> l.startsWith("http GET /images/base?")).findFirst()
                    .orElse(null);
            assertNull(imageUrl, "the stand-in writer fetched nothing");
            String line = printed.lines().filter(l -> l.contains("starts:")).findFirst().orElseThrow();
            assertTrue(line.contains("/images/base?…"), line);
            assertFalse(line.contains("sig="), line);
            assertFalse(logs.lines.stream().anyMatch(l -> l.contains("sig=") && !l.contains("sig=REDACTED")),
                    logs.lines.toString());
        }
    }

    // ---- helpers ----

    /** The real agent client for {@code MAC}, with this image writer, serving on a virtual thread. */
    private static Thread serve(InProcessAppliance appliance, AgentCore.Deployer writer, Runnable reboot,
            ByteArrayOutputStream console) throws Exception {
        Matcher token = TOKEN.matcher(appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200));
        assertTrue(token.find());
        AgentCore core = new AgentCore(() -> "{\"hostname\":\"node-1\"}", new AgentCore.PowerControl() {
            @Override
            public void powerOff() {
                throw new AssertionError("not asked to power off");
            }

            @Override
            public void reboot() {
                reboot.run();
            }
        }, writer);
        MetalbootFront front = new MetalbootFront(appliance.bootBase(), MAC, core,
                new PrintStream(console, true, StandardCharsets.UTF_8));
        front.register(token.group(1), 1);
        return Thread.ofVirtual().start(() -> {
            try {
                front.serve();
            } catch (InterruptedException e) {
                // the test stops it
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static DeployedDisk disk(String checksum) {
        return new DeployedDisk("/dev/vdc", "S-1", checksum, 256 * 1024 + 13, "gpt",
                "5b4c2d3e-0000-4000-8000-000000000001", List.of(new DeployedPartition(1, "/dev/vdc1", true,
                        "5b4c2d3e-0000-4000-8000-000000000002", "0fc63daf-8483-4772-8e79-3d69d8477de4", 1 << 20,
                        200 * 1024)), "/dev/vdc1");
    }

    /** Neither the signed URL's query nor its signature in any log line or console text, nor in the API's view. */
    private static void assertSecretNeverShown(List<String> lines, List<String> consoles, String imageUrl) {
        String query = imageUrl.substring(imageUrl.indexOf('?') + 1);
        String sig = query.substring(query.indexOf("sig=") + 4);
        assertTrue(sig.length() >= 16, sig);
        for (String line : lines) {
            assertFalse(line.contains(query) || line.contains(sig), line);
        }
        for (String text : consoles) {
            assertFalse(text.contains(query) || text.contains(sig), text);
        }
    }

    private static String deploy(InProcessAppliance appliance, MacAddress mac, String body, int status) throws Exception {
        return appliance.operator(post(appliance.operatorBase() + "/api/v1/machines/" + mac + "/deploy", body), status);
    }

    private static JsonNode machine(InProcessAppliance appliance, MacAddress mac) throws Exception {
        return JSON.readTree(appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + mac), 200));
    }

    /** Polls the machine's view until it shows what the test waits for (the agent heartbeats every second). */
    private static JsonNode await(InProcessAppliance appliance, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = machine(appliance, MAC);
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within 30 s; the machine is " + last);
    }

    private static String field(String problem) throws IOException {
        JsonNode field = JSON.readTree(problem).get("field");
        assertNotNull(field, problem);
        return field.asText();
    }

    private static String query(URI url, String name) {
        for (String pair : url.getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + name + " in the URL's query");
    }

    static HttpRequest.Builder post(String url, String body) {
        return get(url).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** A registered agent for {@code mac}, spoken by hand: its credential. */
    private static String rawAgent(InProcessAppliance appliance, MacAddress mac) throws Exception {
        Matcher token = TOKEN.matcher(appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + mac), 200));
        assertTrue(token.find());
        return JSON.readTree(appliance.send(post(appliance.bootBase() + "/agent/v1/register", "{\"mac\": \"" + mac
                + "\", \"bootToken\": \"" + token.group(1) + "\"}"), 200)).get("credential").asText();
    }

    private static String report(String actionId, String status, String message, String progress, String deployed) {
        return "{\"actionId\": \"" + actionId + "\", \"status\": \"" + status + "\", \"message\": "
                + (message == null ? "null" : "\"" + message + "\"") + ", \"progress\": " + progress
                + ", \"deployed\": " + deployed + "}";
    }

    private static JsonNode heartbeat(InProcessAppliance appliance, String credential, String report) throws Exception {
        return JSON.readTree(appliance.send(post(appliance.bootBase() + "/agent/v1/heartbeat", "{\"report\": "
                + (report == null ? "null" : report) + "}").header("Authorization", "Bearer " + credential), 200));
    }

    /** The image at a signed URL, with a machine's credential or none. */
    private static byte[] fetch(InProcessAppliance appliance, URI url, String credential, int status)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30));
        if (credential != null) {
            request.header("Authorization", "Bearer " + credential);
        }
        HttpResponse<byte[]> reply = HttpClient.newHttpClient().send(request.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(status, reply.statusCode(), url.getPath());
        return reply.body();
    }
}
