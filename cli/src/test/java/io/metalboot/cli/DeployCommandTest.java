package io.metalboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metalboot machines deploy} against the real appliance and a scripted agent: the deploy's
 * 202 as JSON; {@code --wait} following the write on a non-terminal (plain progress lines, no
 * carriage return) to provisioned (exit 0) or failed with the agent's reason (exit 1); with
 * {@code -o json} the progress on stderr and the final machine, parseable, on stdout; and the
 * command lines that are usage errors (2), the missing image (3), the machine not available (4).
 */
class DeployCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String URL = "http://127.0.0.1:9/images/node.raw";
    private static final String CHECKSUM = "sha256:" + "cd".repeat(32);
    private static final long MIB = 1 << 20;

    @TempDir
    static Path dir;
    static RunningAppliance appliance;
    static String catalogChecksum;

    @BeforeAll
    static void start() throws Exception {
        Path image = Files.write(dir.resolve("base.raw"), new byte[64 * 1024]);
        catalogChecksum = "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest
                .getInstance("SHA-256").digest(Files.readAllBytes(image)));
        appliance = RunningAppliance.start(dir, """
                agents: {heartbeat-seconds: 1, lost-after-seconds: 120}
                images:
                  catalog:
                    - {name: base, path: %s, format: raw, checksum: "%s"}
                """.formatted(image, catalogChecksum));
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    private static CliRun waiting(String mac, String... more) {
        List<String> command = new java.util.ArrayList<>(List.of("machines", "deploy", mac, "--image-url", URL,
                "--checksum", CHECKSUM, "--hint", "serial=0123", "--hint", "size=8", "--wait"));
        command.addAll(List.of(more));
        return CliRun.start(Map.of(), appliance.cli(command.toArray(String[]::new)));
    }

    @Test
    void waitFollowsTheWriteInPlainLinesUntilTheMachineIsProvisioned() throws Exception {
        String mac = "52:54:00:d1:00:01";
        ScriptedAgent agent = ScriptedAgent.available(appliance, mac);
        CliRun run = waiting(mac);
        run.awaitPrinted(printed -> printed.contains(mac + ": provisioning, deploy "));
        JsonNode told = agent.takeDeploy();
        String deployId = told.get("deployId").asText();
        assertEquals("0123", told.at("/rootDeviceHints/serial").asText(), "a serial stays a string");
        assertEquals(8, told.at("/rootDeviceHints/size").asInt(), "size is a number of GiB");
        agent.progress(deployId, 25 * MIB, 100 * MIB, 5 * MIB, 15);
        run.awaitPrinted(printed -> printed.contains("writing node.raw: 25%"));
        agent.progress(deployId, 60 * MIB, 100 * MIB, 5 * MIB, 8);
        run.awaitPrinted(printed -> printed.contains("writing node.raw: 60%"));
        agent.succeed(deployId, CHECKSUM, 100 * MIB);
        CliRun.Result result = run.await();

        assertEquals(0, result.exit(), result.toString());
        assertEquals("", result.err());
        assertFalse(result.out().contains("\r"), "not a terminal: no redrawing");
        List<String> lines = result.out().lines().toList();
        assertEquals(mac + ": provisioning, deploy " + deployId + " of " + URL, lines.getFirst());
        assertTrue(lines.contains("writing node.raw: 25% (25 MiB of 100 MiB, 5.0 MiB/s, eta 0:15)"), lines.toString());
        assertTrue(lines.contains("writing node.raw: 60% (60 MiB of 100 MiB, 5.0 MiB/s, eta 0:08)"), lines.toString());
        assertEquals(mac + ": provisioned, node.raw written to /dev/vdb (100 MiB)", lines.getLast());
        assertTrue(lines.size() <= 7, "one line per tenth at most, and the state changes: " + lines);
        assertEquals("provisioned", appliance.read("/api/v1/machines/" + mac).get("state").asText());
    }

    @Test
    void aFailedWriteExitsOneWithTheAgentsReason() throws Exception {
        String mac = "52:54:00:d1:00:02";
        ScriptedAgent agent = ScriptedAgent.available(appliance, mac);
        CliRun run = waiting(mac);
        run.awaitPrinted(printed -> printed.contains(mac + ": provisioning, deploy "));
        String deployId = agent.takeDeploy().get("deployId").asText();
        agent.progress(deployId, 10 * MIB, 100 * MIB, 5 * MIB, 18);
        run.awaitPrinted(printed -> printed.contains("writing node.raw: 10%"));
        agent.fail(deployId, "the disk /dev/vdb went away");
        CliRun.Result result = run.await();
        assertEquals(1, result.exit(), result.toString());
        assertEquals("metalboot: " + mac + ": failed: deploy failed: the disk /dev/vdb went away\n", result.err());
    }

    @Test
    void withJsonTheProgressGoesToStderrAndTheEndToStdout() throws Exception {
        String mac = "52:54:00:d1:00:03";
        ScriptedAgent agent = ScriptedAgent.available(appliance, mac);
        CliRun run = waiting(mac, "-o", "json");
        run.awaitPrinted(printed -> printed.contains(mac + ": provisioning, deploy "));
        String deployId = agent.takeDeploy().get("deployId").asText();
        agent.progress(deployId, 50 * MIB, 100 * MIB, 5 * MIB, 10);
        run.awaitPrinted(printed -> printed.contains("writing node.raw: 50%"));
        agent.succeed(deployId, CHECKSUM, 100 * MIB);
        CliRun.Result result = run.await();
        assertEquals(0, result.exit(), result.toString());
        JsonNode machine = JSON.readTree(result.out());
        assertEquals(appliance.read("/api/v1/machines/" + mac), machine, "stdout is the machine as it ended");
        assertEquals("succeeded", machine.at("/deploy/state").asText());
        assertTrue(result.err().contains("writing node.raw: 50% (50 MiB of 100 MiB"), result.err());
    }

    @Test
    void withoutWaitTheDeploysAnswerIsPrinted() throws Exception {
        String mac = "52:54:00:d1:00:04";
        ScriptedAgent.available(appliance, mac);
        CliRun.Result result = CliRun.run(appliance.cli("machines", "deploy", mac, "--image", "base", "--read-back",
                "-o", "json"));
        assertEquals(0, result.exit(), result.toString());
        JsonNode started = JSON.readTree(result.out());
        JsonNode machine = appliance.read("/api/v1/machines/" + mac);
        assertEquals(machine.at("/deploy/id").asText(), started.get("deployId").asText());
        assertEquals("provisioning", started.at("/machine/state").asText());
        assertTrue(machine.at("/deploy/readBack").asBoolean());
        assertEquals("base", machine.at("/deploy/image").asText());

        String table = "52:54:00:d1:00:05";
        ScriptedAgent.available(appliance, table);
        CliRun.Result said = CliRun.run(appliance.cli("machines", "deploy", table, "--image", "base"));
        assertEquals(0, said.exit(), said.toString());
        assertTrue(said.out().matches(table + ": provisioning, deploy [0-9a-f-]{36} of base \\(follow it with: metalboot"
                + " machines show " + table + "\\)\n"), said.out());
    }

    @Test
    void commandLinesThatCannotBeADeployAndDeploysTheApplianceRefuses() throws Exception {
        String mac = "52:54:00:d1:00:06";
        ScriptedAgent.register(appliance, mac); // inspecting: not available
        for (String[] usage : new String[][] {
                {"machines", "deploy", mac},
                {"machines", "deploy", mac, "--image", "base", "--image-url", URL, "--checksum", CHECKSUM},
                {"machines", "deploy", mac, "--image-url", URL},
                {"machines", "deploy", mac, "--image", "base", "--checksum", CHECKSUM},
                {"machines", "deploy", "--image", "base"}}) {
            CliRun.Result result = CliRun.run(appliance.cli(usage));
            assertEquals(2, result.exit(), String.join(" ", usage) + ": " + result);
            assertTrue(result.err().contains("Usage: metalboot machines deploy"), result.err());
        }
        CliRun.Result notAvailable = CliRun.run(appliance.cli("machines", "deploy", mac, "--image", "base"));
        assertEquals(4, notAvailable.exit(), notAvailable.toString());
        assertTrue(notAvailable.err().startsWith("metalboot: " + mac + " is inspecting; a deploy starts only from"
                + " available ("), notAvailable.err());
        CliRun.Result noImage = CliRun.run(appliance.cli("machines", "deploy", mac, "--image", "nope"));
        assertEquals(3, noImage.exit(), noImage.toString());
        assertTrue(noImage.err().startsWith("metalboot: no image nope in the catalog ("), noImage.err());
    }
}
