package io.metalboot.agent.ironic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.metalboot.agent.core.AgentCore;
import io.metalboot.agent.core.DiskMaintenance;
import io.metalboot.machine.agent.DeployedDisk;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ironic-python-agent's API as Ironic's agent client calls it, over loopback: the token rule, the
 * result shapes, 409 while a command runs, 400 for an unknown command. The commands behind it run
 * on recording stand-ins of the disk actions; Ironic itself drives them in vagrant's IronicDeployIT.
 */
class IpaApiServerTest {
    private static final String TOKEN = "Zx8-the-agent-token";
    private final AtomicReference<String> token = new AtomicReference<>();
    private final AtomicInteger syncs = new AtomicInteger();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CountDownLatch eraseMayEnd = new CountDownLatch(1);
    private final HttpClient http = HttpClient.newHttpClient();
    private IpaApiServer server;

    @BeforeEach
    void start() throws Exception {
        DiskMaintenance disks = new DiskMaintenance() {
            @Override
            public List<String> eraseMetadata() throws InterruptedException {
                eraseMayEnd.await();
                return List.of("/dev/loop7 (nothing found)");
            }

            @Override
            public void sync() {
                syncs.incrementAndGet();
            }

            @Override
            public Optional<String> removableLoader(DeployedDisk disk) {
                return Optional.empty();
            }

            @Override
            public DeployedDisk addConfigDrive(DeployedDisk disk, byte[] image) {
                throw new UnsupportedOperationException();
            }
        };
        AgentCore core = new AgentCore(() -> "{}", new AgentCore.PowerControl() {
            @Override
            public void powerOff() {
            }

            @Override
            public void reboot() {
            }
        });
        IpaCommandLog log = new IpaCommandLog(result -> { }, lines::add);
        IronicCommands commands = new IronicCommands(core, disks, () -> Map.of("cpu", Map.of("count", 2)),
                () -> new SystemLogArchive().add("agent.log", "a line\n").gzipped(0), lines::add);
        server = new IpaApiServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Optional.empty(), commands,
                log, () -> Optional.ofNullable(token.get()), lines::add);
    }

    @AfterEach
    void stop() {
        eraseMayEnd.countDown();
        server.close();
    }

    private HttpResponse<String> post(String query, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/v1/commands/" + query)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static JsonNode json(HttpResponse<String> reply) throws Exception {
        return IpaJson.MAPPER.readTree(reply.body());
    }

    private static final String SYNC = "{\"name\": \"standby.sync\", \"params\": {}}";

    @Test
    void aCommandWithoutTheTokenOrWithAWrongOneIsRefusedAndNotRun() throws Exception {
        HttpResponse<String> beforeLookup = post("?wait=true&agent_token=" + TOKEN, SYNC);
        assertEquals(401, beforeLookup.statusCode(), "no token was issued yet: " + beforeLookup.body());
        token.set(TOKEN);
        for (String query : List.of("?wait=true", "?wait=true&agent_token=", "?wait=true&agent_token=" + TOKEN + "x",
                "?wait=true&agent_token=zx8-the-agent-token")) {
            HttpResponse<String> reply = post(query, SYNC);
            assertEquals(401, reply.statusCode(), query);
            assertEquals("Token invalid.", json(reply).get("faultstring").asText());
            assertEquals("Client", json(reply).get("faultcode").asText());
        }
        assertEquals(0, syncs.get(), "no refused command ran");
        assertEquals(0, json(get("/v1/commands/")).get("commands").size(), "no refused command is listed");
        HttpResponse<String> ok = post("?wait=true&agent_token=" + TOKEN, SYNC);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(1, syncs.get());
        JsonNode result = json(ok);
        assertEquals("sync", result.get("command_name").asText());
        assertEquals("SUCCEEDED", result.get("command_status").asText());
        assertTrue(result.get("command_error").isNull());
        assertTrue(result.has("command_result"));
        assertTrue(lines.stream().noneMatch(line -> line.contains(TOKEN)), "the token is never logged: " + lines);
    }

    @Test
    void anAsynchronousCommandRunsWhileIronicPollsAndASecondOneIsRefusedAsBusy() throws Exception {
        token.set(TOKEN);
        String erase = "{\"name\": \"clean.execute_clean_step\", \"params\": {\"step\": {\"step\": \"erase_devices_metadata\","
                + " \"interface\": \"deploy\", \"priority\": 99}, \"node\": {}, \"ports\": [], \"clean_version\": null}}";
        JsonNode running = json(post("?wait=false&agent_token=" + TOKEN, erase));
        assertEquals("RUNNING", running.get("command_status").asText());
        assertEquals("execute_clean_step", running.get("command_name").asText());
        HttpResponse<String> busy = post("?wait=true&agent_token=" + TOKEN, SYNC);
        assertEquals(409, busy.statusCode());
        assertTrue(json(busy).get("faultstring").asText().startsWith("Agent is busy"), busy.body());
        // Ironic 21 (2023.1) reads the list without the token; a wrong one is refused
        assertEquals(401, get("/v1/commands/?agent_token=wrong").statusCode());
        JsonNode listed = json(get("/v1/commands/")).get("commands");
        assertEquals(1, listed.size());
        assertEquals("RUNNING", listed.get(0).get("command_status").asText());
        eraseMayEnd.countDown();
        JsonNode done = json(get("/v1/commands/" + running.get("id").asText() + "?wait=true"));
        assertEquals("SUCCEEDED", done.get("command_status").asText(), done.toString());
        assertEquals("erase_devices_metadata", done.at("/command_result/clean_step/step").asText());
        assertEquals("/dev/loop7 (nothing found)", done.at("/command_result/clean_result/0").asText());
        assertEquals(0, syncs.get(), "the busy command did not run");
    }

    @Test
    void unknownCommandsAndBadBodiesAreIpasClientErrors() throws Exception {
        token.set(TOKEN);
        HttpResponse<String> unknown = post("?agent_token=" + TOKEN, "{\"name\": \"standby.cache_image\", \"params\": {}}");
        assertEquals(400, unknown.statusCode());
        assertEquals("Invalid command: Unknown command: standby.cache_image", json(unknown).get("faultstring").asText());
        HttpResponse<String> extension = post("?agent_token=" + TOKEN, "{\"name\": \"rescue.finalize_rescue\", \"params\": {}}");
        assertEquals("Invalid command: Unknown extension: rescue", json(extension).get("faultstring").asText());
        assertEquals(400, post("?agent_token=" + TOKEN, "{\"name\": \"standby.sync\"}").statusCode());
        assertEquals(400, post("?agent_token=" + TOKEN, "not json").statusCode());
        assertEquals(404, get("/v1/commands/no-such-id").statusCode());
        JsonNode status = json(get("/v1/status"));
        assertTrue(status.get("started_at").isNumber());
        assertTrue(status.get("version").asText().startsWith("metalboot-"));
    }

    @Test
    void stepsAndTheSystemLogsAreInIronicsShapes() throws Exception {
        token.set(TOKEN);
        JsonNode deploySteps = json(post("?wait=true&agent_token=" + TOKEN,
                "{\"name\": \"deploy.get_deploy_steps\", \"params\": {\"node\": {}, \"ports\": []}}"));
        JsonNode steps = deploySteps.at("/command_result/deploy_steps/" + IronicCommands.MANAGER);
        assertEquals(List.of("erase_devices_metadata", "write_image"), List.of(steps.get(0).get("step").asText(),
                steps.get(1).get("step").asText()));
        assertEquals(IronicCommands.MANAGER_VERSION,
                deploySteps.at("/command_result/hardware_manager_version/" + IronicCommands.MANAGER).asText());
        JsonNode cleanSteps = json(post("?wait=true&agent_token=" + TOKEN,
                "{\"name\": \"clean.get_clean_steps\", \"params\": {\"node\": {}, \"ports\": []}}"));
        assertEquals(99, cleanSteps.at("/command_result/clean_steps/" + IronicCommands.MANAGER + "/0/priority").asInt());
        JsonNode logs = json(post("?wait=true&agent_token=" + TOKEN, "{\"name\": \"log.collect_system_logs\", \"params\": {}}"));
        byte[] archive = java.util.Base64.getDecoder().decode(logs.at("/command_result/system_logs").asText());
        assertEquals(0x1f, archive[0] & 0xff, "gzip");
        String withoutToken = json(get("/v1/commands/")).at("/commands/2/command_result/system_logs").asText();
        assertTrue(withoutToken.startsWith("(withheld"), withoutToken);
        String withToken = json(get("/v1/commands/?agent_token=" + TOKEN)).at("/commands/2/command_result/system_logs").asText();
        assertEquals(logs.at("/command_result/system_logs").asText(), withToken);
        JsonNode uuids = json(post("?wait=true&agent_token=" + TOKEN, "{\"name\": \"standby.get_partition_uuids\", \"params\": {}}"));
        assertTrue(uuids.get("command_result").isObject() && uuids.get("command_result").isEmpty(), "nothing written yet");
        JsonNode bootloader = json(post("?wait=true&agent_token=" + TOKEN, "{\"name\": \"image.install_bootloader\", "
                + "\"params\": {\"root_uuid\": null, \"target_boot_mode\": \"uefi\"}}"));
        assertEquals("FAILED", bootloader.get("command_status").asText());
        assertEquals("CommandExecutionError", bootloader.at("/command_error/type").asText());
        assertTrue(bootloader.at("/command_error/details").asText().contains("no image was written"), bootloader.toString());
    }
}
