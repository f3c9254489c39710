package io.metalboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code metalboot status} as the API holds it, and the exit codes and messages of what goes wrong
 * before a command gets its answer: usage (2), no appliance at the URL (1), a token file that
 * cannot be read (1, naming it) or a token the API refuses (4); the token itself never printed.
 */
class StatusAndExitCodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static RunningAppliance appliance;
    /** Everything every run printed, to show the token is in none of it. */
    static final List<String> printed = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        appliance = RunningAppliance.start(dir, "");
    }

    @AfterAll
    static void stop() throws Exception {
        if (appliance != null) {
            String token = Files.readString(appliance.tokenFile()).strip();
            assertFalse(printed.isEmpty());
            assertFalse(printed.stream().anyMatch(text -> text.contains(token)), "the token never printed");
            appliance.close();
        }
    }

    private static CliRun.Result run(Map<String, String> environment, String... args) throws Exception {
        CliRun.Result result = CliRun.start(environment, args).await();
        printed.add(result.out() + result.err());
        return result;
    }

    private static CliRun.Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    @Test
    void statusIsTheAppliancesOwn() throws Exception {
        ScriptedAgent.booted(appliance, "52:54:00:e1:00:01");
        CliRun.Result json = run(appliance.cli("status", "-o", "json"));
        assertEquals(0, json.exit(), json.toString());
        ObjectNode status = (ObjectNode) JSON.readTree(json.out());
        ObjectNode now = (ObjectNode) appliance.read("/api/v1/status");
        assertTrue(status.get("uptimeSeconds").asLong() <= now.get("uptimeSeconds").asLong());
        status.remove("uptimeSeconds");
        now.remove("uptimeSeconds");
        assertEquals(now, status);
        assertEquals(System.getProperty("metalboot.version"), status.get("version").asText(), "the packaged jar's");
        assertEquals(1, status.at("/machines/byState/discovered").asInt());

        CliRun.Result table = run(appliance.cli("status"));
        assertEquals(0, table.exit(), table.toString());
        List<String> lines = table.out().lines().toList();
        assertEquals("version:   " + System.getProperty("metalboot.version"), lines.getFirst());
        assertTrue(lines.stream().anyMatch(l -> l.matches("SERVICE +LISTENER +PROTOCOL +ADDRESS +INTERFACE")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("api +operator API +tcp +" + appliance.apiUrl()
                .substring("http://".length()) + " +-")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("STATE +MACHINES")), lines.toString());
        assertTrue(lines.contains("discovered    1"), lines.toString());
    }

    @Test
    void theApiAndTheTokenComeFromTheEnvironmentAndTheStateDirectory() throws Exception {
        CliRun.Result fromEnvironment = run(Map.of("METALBOOT_API", appliance.apiUrl()), "--state-dir",
                appliance.stateDir().toString(), "machines", "list", "-o", "json");
        assertEquals(0, fromEnvironment.exit(), fromEnvironment.toString());
        assertEquals(appliance.read("/api/v1/machines"), JSON.readTree(fromEnvironment.out()));
    }

    @Test
    void aCommandLineThatDoesNotParseExitsTwo() throws Exception {
        for (String[] usage : new String[][] {{"frobnicate"}, {}, {"machines"}, {"-o", "yaml", "status"},
                {"machines", "show"}, {"--api", "localhost:8081", "status"}}) {
            CliRun.Result result = run(usage);
            assertEquals(2, result.exit(), String.join(" ", usage) + ": " + result);
            assertFalse(result.err().isBlank(), "picocli says what does not parse");
            assertEquals("", result.out());
        }
        assertTrue(run("frobnicate").err().startsWith("Unmatched argument at index 0: 'frobnicate'"));
        assertTrue(run("machines").err().startsWith("give a machines command: list, show, history,"));
        assertTrue(run("--api", "localhost:8081", "status").err().startsWith(
                "--api (or METALBOOT_API): not an http(s) URL: 'localhost:8081'"));
    }

    @Test
    void noApplianceAtTheUrlExitsOneNamingIt() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        CliRun.Result result = run("--api", "http://127.0.0.1:" + closed, "--token-file",
                appliance.tokenFile().toString(), "machines", "list");
        assertEquals(1, result.exit(), result.toString());
        assertEquals("metalboot: cannot connect to the operator API at http://127.0.0.1:" + closed + " (GET http://127.0.0.1:"
                + closed + "/api/v1/machines): connection refused; is the appliance running there? (--api URL or"
                + " METALBOOT_API)\n", result.err());
    }

    @Test
    void aTokenFileThatCannotBeUsedExitsOneNamingIt() throws Exception {
        Path missing = dir.resolve("no-such.token");
        CliRun.Result absent = run("--api", appliance.apiUrl(), "--token-file", missing.toString(), "status");
        assertEquals(1, absent.exit(), absent.toString());
        assertTrue(absent.err().startsWith("metalboot: cannot read the API token from " + missing + ": no such file"),
                absent.err());
        CliRun.Result inDefault = run("--api", appliance.apiUrl(), "--state-dir", dir.resolve("elsewhere").toString(),
                "status");
        assertTrue(inDefault.err().startsWith("metalboot: cannot read the API token from " + dir.resolve("elsewhere")
                .resolve("api.token") + ": no such file"), "the state directory's: " + inDefault.err());
        Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
        CliRun.Result blank = run("--api", appliance.apiUrl(), "--token-file", empty.toString(), "status");
        assertEquals(1, blank.exit(), blank.toString());
        assertEquals("metalboot: cannot read the API token from " + empty + ": empty\n", blank.err());
    }

    @Test
    void aTokenTheApiRefusesExitsFourAndIsNeverPrinted() throws Exception {
        String stale = "stale-" + "x".repeat(40);
        Path file = Files.writeString(dir.resolve("stale.token"), stale + "\n");
        CliRun.Result refused = run("--api", appliance.apiUrl(), "--token-file", file.toString(), "machines", "list");
        assertEquals(4, refused.exit(), refused.toString());
        assertEquals("metalboot: the operator API refused the token in " + file + " (GET " + appliance.apiUrl()
                + "/api/v1/machines: 401): it is not the appliance's current one (rotated since?), or this is another"
                + " appliance\n", refused.err());
        assertFalse((refused.out() + refused.err()).contains(stale));
    }
}
