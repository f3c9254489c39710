package io.metalboot.appliance;

import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent API against the real appliance over loopback, as an agent uses it: the boot token
 * from its script, registration, heartbeats, the inventory; and every wrong credential refused
 * with nothing changed.
 */
class AgentApiTest {
    private static final String MAC = "52:54:00:a6:e0:01";
    private static final String OTHER = "52:54:00:a6:e0:02";
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=(\\S+)");
    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":\"([^\"]*)\"");

    private static String bootToken(InProcessAppliance appliance, String mac) throws Exception {
        String script = appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + mac), 200);
        Matcher token = TOKEN.matcher(script);
        assertTrue(token.find(), script);
        assertTrue(script.contains(" BOOTIF=01-" + mac.replace(':', '-') + " "), script);
        return token.group(1);
    }

    private static String field(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return m.group(2);
            }
        }
        throw new AssertionError("no " + name + " in " + json);
    }

    private static HttpRequest.Builder post(String url, String body) {
        return get(url).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String register(String mac, String token) {
        return "{\"mac\": \"" + mac + "\", \"bootToken\": \"" + token + "\"}";
    }

    @Test
    void anAgentRegistersIsAskedForItsInventoryAndTheMachineBecomesAvailable(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "agents: {heartbeat-seconds: 7}\n")) {
            String agent = appliance.bootBase() + "/agent/v1";
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            String session = appliance.send(post(agent + "/register", register(MAC, bootToken(appliance, MAC))), 200);
            assertTrue(session.contains("\"heartbeatSeconds\":7"), session);
            String credential = field(session, "credential");
            assertEquals("inspecting", field(appliance.operator(get(machine), 200), "state"));

            String next = appliance.send(post(agent + "/heartbeat", "{}")
                    .header("Authorization", "Bearer " + credential), 200);
            assertEquals("inspect", field(next, "kind"));
            String actionId = field(next, "actionId");
            assertEquals("inspect", field(appliance.send(post(agent + "/heartbeat",
                    "{\"report\": {\"actionId\": \"" + actionId + "\", \"status\": \"running\"}}")
                    .header("Authorization", "Bearer " + credential), 200), "kind"), "still the same action");

            appliance.send(post(agent + "/inventory", "{\"hostname\": \"node-1\", \"memory\": {\"physicalMb\": 2048}}")
                    .header("Authorization", "Bearer " + credential), 204);
            String done = appliance.send(post(agent + "/heartbeat",
                    "{\"report\": {\"actionId\": \"" + actionId + "\", \"status\": \"succeeded\"}}")
                    .header("Authorization", "Bearer " + credential), 200);
            assertEquals("wait", field(done, "kind"));
            String view = appliance.operator(get(machine), 200);
            assertEquals("available", field(view, "state"));
            assertTrue(view.contains("\"agent\":{\"lastHeartbeat\":"), view);
            assertEquals("{\"hostname\":\"node-1\",\"memory\":{\"physicalMb\":2048}}",
                    appliance.operator(get(machine + "/inventory"), 200));

            appliance.operator(post(machine + "/actions", "{\"kind\": \"reboot\"}"), 200);
            assertEquals("reboot", field(appliance.send(post(agent + "/heartbeat", "{}")
                    .header("Authorization", "Bearer " + credential), 200), "kind"));
            appliance.operator(post(machine + "/actions", "{\"kind\": \"dance\"}"), 400);
            appliance.operator(post(appliance.operatorBase() + "/api/v1/machines/" + OTHER + "/actions",
                    "{\"kind\": \"reboot\"}"), 404);
            String script = appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200);
            assertTrue(script.contains("metalboot.token="), "an available machine boots the agent again: " + script);
        }
    }

    @Test
    void wrongReusedOrAnotherMachinesTokenOrCredentialIs401AndChangesNothing(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            String agent = appliance.bootBase() + "/agent/v1";
            String token = bootToken(appliance, MAC);
            String otherToken = bootToken(appliance, OTHER);
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            String before = appliance.operator(get(machine), 200) + appliance.operator(get(machine + "/history"), 200);

            assertEquals("", appliance.send(post(agent + "/register", register(MAC, token + "x")), 401));
            appliance.send(post(agent + "/register", register(MAC, otherToken)), 401);
            appliance.send(post(agent + "/register", register("52:54:00:a6:e0:99", token)), 401);
            appliance.send(post(agent + "/register", "{\"mac\": \"" + MAC + "\"}"), 401);
            for (String credential : new String[] {null, "", "made-up", token}) {
                HttpRequest.Builder heartbeat = post(agent + "/heartbeat", "{}");
                HttpRequest.Builder inventory = post(agent + "/inventory", "{\"hostname\": \"x\"}");
                if (credential != null) {
                    heartbeat.header("Authorization", "Bearer " + credential);
                    inventory.header("Authorization", "Bearer " + credential);
                }
                appliance.send(heartbeat, 401);
                appliance.send(inventory, 401);
            }
            assertEquals(before, appliance.operator(get(machine), 200) + appliance.operator(get(machine + "/history"), 200),
                    "no refused call changed the machine");
            appliance.operator(get(machine + "/inventory"), 404);

            String credential = field(appliance.send(post(agent + "/register", register(MAC, token)), 200), "credential");
            appliance.send(post(agent + "/register", register(MAC, token)), 401);
            String otherCredential = field(appliance.send(post(agent + "/register", register(OTHER, otherToken)), 200),
                    "credential");
            appliance.send(post(agent + "/inventory", "{\"hostname\": \"other\"}")
                    .header("Authorization", "Bearer " + otherCredential), 204);
            appliance.operator(get(machine + "/inventory"), 404);
            assertEquals("{\"hostname\":\"other\"}",
                    appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + OTHER + "/inventory"), 200),
                    "one machine's credential reaches its own record only");
            appliance.send(post(agent + "/heartbeat", "{}").header("Authorization", "Bearer " + credential), 200);
        }
    }
}
