package io.metalboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metalboot machines …} against the real appliance: each command's {@code -o json} parsed
 * back and compared with what the API holds, each table's header, and the exit codes of a
 * machine that is not there (3) and of a change the API refuses (4).
 */
class MachineCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHECKSUM = "sha256:" + "ab".repeat(32);

    @TempDir
    static Path dir;
    static RunningAppliance appliance;

    @BeforeAll
    static void start() throws Exception {
        appliance = RunningAppliance.start(dir, "agents: {heartbeat-seconds: 1, lost-after-seconds: 120}\n");
    }

    @AfterAll
    static void stop() {
        if (appliance != null) {
            appliance.close();
        }
    }

    private static CliRun.Result ok(String... command) throws Exception {
        CliRun.Result result = CliRun.run(appliance.cli(command));
        assertEquals(0, result.exit(), result.toString());
        assertEquals("", result.err(), result.toString());
        return result;
    }

    private static JsonNode json(String... command) throws Exception {
        return JSON.readTree(ok(command).out());
    }

    @Test
    void listShowAndHistoryPrintWhatTheApiHolds() throws Exception {
        String mac = "52:54:00:c1:00:01";
        ScriptedAgent.available(appliance, mac);
        JsonNode listed = json("machines", "list", "-o", "json");
        assertEquals(appliance.read("/api/v1/machines"), listed);
        assertTrue(listed.isArray() && listed.size() >= 1);
        assertEquals(appliance.read("/api/v1/machines/" + mac), json("-o", "json", "machines", "show", mac),
                "-o before the command as after it");
        JsonNode history = json("machines", "history", mac, "--output", "json");
        assertEquals(appliance.read("/api/v1/machines/" + mac + "/history"), history);
        assertEquals("available", history.get(history.size() - 1).get("to").asText());

        String table = ok("machines", "list").out();
        assertTrue(table.startsWith("MAC  "), table);
        assertTrue(table.lines().findFirst().orElseThrow().matches("MAC +STATE +AGE +SERIAL +DEPLOY +LABELS"), table);
        assertTrue(table.lines().anyMatch(l -> l.matches(mac + " +available +\\d+[smhd] .*")), table);
        String shown = ok("machines", "show", mac).out();
        assertTrue(shown.startsWith("mac:  "), shown);
        assertTrue(shown.lines().anyMatch(l -> l.matches("state: +available")), shown);
        assertTrue(shown.lines().anyMatch(l -> l.matches("agent: +last heartbeat .*, waiting")), shown);
        String historyTable = ok("machines", "history", mac).out();
        assertTrue(historyTable.lines().findFirst().orElseThrow().matches("AT +FROM +TO +CAUSE +REASON"), historyTable);
        assertEquals(4, historyTable.lines().count(), "a header and three transitions: " + historyTable);
    }

    @Test
    void labelsAreSetAndRemovedInTheOrderGiven() throws Exception {
        String mac = "52:54:00:c1:00:02";
        ScriptedAgent.register(appliance, mac);
        JsonNode labelled = json("machines", "label", mac, "rack=r7", "metalboot.io/role=worker", "zone=a", "zone-",
                "-o", "json");
        assertEquals(Map.of("rack", "r7", "metalboot.io/role", "worker"), JSON.convertValue(labelled.get("labels"),
                Map.class));
        assertEquals(appliance.read("/api/v1/machines/" + mac), labelled, "the machine as its last change left it");
        String table = ok("machines", "label", mac, "rack=r8").out();
        assertEquals(String.join("\n", "KEY                VALUE", "metalboot.io/role  worker", "rack               r8", ""),
                table);

        CliRun.Result refused = CliRun.run(appliance.cli("machines", "label", mac, "ok=1", "not valid=x"));
        assertEquals(4, refused.exit(), "400: a value the API rejects is a refusal, exit 4: " + refused);
        assertTrue(refused.err().startsWith("metalboot: label key 'not valid'"), refused.err());
        assertTrue(refused.err().contains("(PUT " + appliance.apiUrl() + "/api/v1/machines/" + mac
                + "/labels/not%20valid: 400)"), "the call and its status: " + refused.err());
        assertEquals("1", appliance.read("/api/v1/machines/" + mac).at("/labels/ok").asText(),
                "the changes before it were made");
        assertEquals(2, CliRun.run(appliance.cli("machines", "label", mac, "nonsense")).exit(), "neither KEY=V nor KEY-");
    }

    @Test
    void inspectSendsTheMachineBackAndItsRunningAgentInspectsAtOnce() throws Exception {
        String mac = "52:54:00:c1:00:03";
        ScriptedAgent agent = ScriptedAgent.available(appliance, mac);
        assertEquals(mac + ": inspecting; its agent inspects it now\n",
                ok("machines", "inspect", mac, "--reason", "new disk").out());
        JsonNode history = appliance.read("/api/v1/machines/" + mac + "/history");
        assertEquals("new disk", history.get(history.size() - 1).get("reason").asText());
        agent.inspect(); // asked to inspect at its next heartbeat, it sends its inventory
        assertEquals("available", appliance.read("/api/v1/machines/" + mac).get("state").asText());

        String noAgent = "52:54:00:c1:00:04";
        ScriptedAgent.booted(appliance, noAgent);
        JsonNode inspecting = json("machines", "inspect", noAgent, "-o", "json");
        assertEquals("inspecting", inspecting.get("state").asText());
        assertTrue(inspecting.get("agent").isNull());
        assertEquals(appliance.read("/api/v1/machines/" + noAgent), inspecting, "the machine as it now is");
        assertEquals(noAgent + ": inspecting; the agent inspects it at its next boot (power-cycle it if it does not"
                + " reboot by itself)\n", ok("machines", "inspect", noAgent).out());
        ScriptedAgent.register(appliance, noAgent).inspect(); // its next boot's agent is asked to inspect first
        assertEquals("available", appliance.read("/api/v1/machines/" + noAgent).get("state").asText());
    }

    @Test
    void reprovisionSendsAMachineWhoseDeployEndedBackAndIsRefusedFromElsewhere() throws Exception {
        String available = "52:54:00:c1:00:05";
        ScriptedAgent.available(appliance, available);
        CliRun.Result refused = CliRun.run(appliance.cli("machines", "reprovision", available));
        assertEquals(4, refused.exit(), "409 is a refusal: " + refused);
        assertTrue(refused.err().startsWith("metalboot: " + available + " is available; a reprovision starts from"
                + " [failed, joined, provisioned]"), refused.err());
        assertTrue(refused.err().endsWith("/api/v1/machines/" + available + "/reprovision: 409)\n"), refused.err());

        String failed = "52:54:00:c1:00:06";
        ScriptedAgent agent = ScriptedAgent.available(appliance, failed);
        String deployId = json("machines", "deploy", failed, "--image-url", "http://127.0.0.1:9/x.raw", "--checksum",
                CHECKSUM, "-o", "json").get("deployId").asText();
        agent.takeDeploy();
        agent.fail(deployId, "no disk matches the hints");
        JsonNode back = json("machines", "reprovision", failed, "--reason", "again", "-o", "json");
        assertEquals("inspecting", back.get("state").asText());
        assertEquals(appliance.read("/api/v1/machines/" + failed), back);

        String provisioned = "52:54:00:c1:00:09";
        ScriptedAgent written = ScriptedAgent.available(appliance, provisioned);
        String id = json("machines", "deploy", provisioned, "--image-url", "http://127.0.0.1:9/x.raw", "--checksum",
                CHECKSUM, "-o", "json").get("deployId").asText();
        written.takeDeploy();
        written.succeed(id, CHECKSUM, 4096);
        assertEquals(provisioned + ": inspecting; its next boot runs the agent (power-cycle it if it does not reboot by"
                + " itself), and once available it takes a deploy\n", ok("machines", "reprovision", provisioned).out());
    }

    @Test
    void aDeletedMachineIsGoneAndAMissingOneExitsThree() throws Exception {
        String mac = "52:54:00:c1:00:07";
        ScriptedAgent.available(appliance, mac);
        JsonNode deleted = json("machines", "delete", mac, "-o", "json");
        assertEquals(mac, deleted.get("mac").asText());
        assertTrue(deleted.get("deleted").asBoolean());
        for (String[] command : new String[][] {{"machines", "show", mac}, {"machines", "history", mac},
                {"machines", "delete", mac}, {"machines", "label", mac, "a=b"}}) {
            CliRun.Result missing = CliRun.run(appliance.cli(command));
            assertEquals(3, missing.exit(), missing.toString());
            assertTrue(missing.err().startsWith("metalboot: no machine " + mac + " ("), missing.err());
            assertEquals("", missing.out());
        }
        String another = "52:54:00:c1:00:08";
        ScriptedAgent.available(appliance, another);
        assertEquals(another + ": deleted\n", ok("machines", "delete", another).out());
    }
}
