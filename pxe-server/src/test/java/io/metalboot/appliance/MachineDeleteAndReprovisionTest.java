package io.metalboot.appliance;

import static io.metalboot.appliance.DeployFlowTest.post;
import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.machine.MacAddress;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's delete and reprovision through the real appliance: a delete forgets the machine
 * and its credentials (its agent is refused from then on, and a new boot is a new machine), is
 * refused while a deploy runs or its agent still writes one, and is audited; a reprovision sends a
 * provisioned or failed machine back to inspection (its next script boots the agent; an agent still
 * running inspects at once) and is refused from anywhere else.
 */
class MachineDeleteAndReprovisionTest {
    private static final MacAddress MAC = MacAddress.parse("52:54:00:de:1e:01");
    private static final MacAddress OTHER = MacAddress.parse("52:54:00:de:1e:02");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHA256 = "sha256:" + "ab".repeat(32);
    private static final String DEPLOY = "{\"imageUrl\": \"http://127.0.0.1:9/base.raw\", \"checksum\": \"" + SHA256
            + "\", \"format\": \"raw\"}";

    @TempDir
    Path dir;

    @Test
    void aDeleteForgetsTheMachineAndItsCredentialsButNeverMidDeploy() throws Exception {
        try (ImageServiceApplianceTest.CapturedLogs logs = new ImageServiceApplianceTest.CapturedLogs();
                InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            String credential = available(appliance, MAC);
            appliance.operator(get(machine + "/labels/rack").PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"r1\"}")),
                    200);
            String deployId = JSON.readTree(appliance.operator(post(machine + "/deploy", DEPLOY), 202)).get("deployId")
                    .asText();

            assertTrue(problem(appliance.operator(get(machine).DELETE(), 409)).contains("deploy " + deployId + " runs"));
            assertEquals("deploy", HandSpokenAgent.heartbeat(appliance, credential, null).get("kind").asText());
            appliance.operator(post(machine + "/state", "{\"state\": \"inspecting\", \"reason\": \"abandon\"}"), 200);
            assertTrue(problem(appliance.operator(get(machine).DELETE(), 409)).contains("agent on " + MAC
                    + " is running deploy " + deployId), "the machine left provisioning, its agent has not heard yet");
            assertEquals("wait", HandSpokenAgent.heartbeat(appliance, credential, null).get("kind").asText());
            assertTrue(logs.lines.stream().noneMatch(l -> l.startsWith("audit ") && l.contains("deleted")), "refused");

            assertEquals("", appliance.operator(get(machine).DELETE(), 204));
            assertTrue(logs.lines.stream().anyMatch(l -> l.matches("audit 127\\.0\\.0\\.1:\\d+ DELETE " + MAC
                    + ": deleted \\(it was inspecting\\)")), logs.lines.toString());
            assertTrue(problem(appliance.operator(get(machine), 404)).contains("no machine " + MAC));
            appliance.operator(get(machine + "/history"), 404);
            appliance.operator(get(machine + "/inventory"), 404);
            appliance.operator(get(machine).DELETE(), 404);
            appliance.send(post(appliance.bootBase() + "/agent/v1/heartbeat", "{\"report\": null}")
                    .header("Authorization", "Bearer " + credential), 401);
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/nonsense").DELETE(), 400);

            appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200);
            JsonNode again = HandSpokenAgent.machine(appliance, MAC);
            assertEquals("discovered", again.get("state").asText(), "it booted again: a new machine");
            assertEquals(0, again.get("labels").size());
            assertTrue(again.get("deploy").isNull());
            assertEquals(1, JSON.readTree(appliance.operator(get(machine + "/history"), 200)).size());
        }
    }

    @Test
    void aReprovisionSendsAMachineWhoseDeployEndedBackToInspection() throws Exception {
        try (ImageServiceApplianceTest.CapturedLogs logs = new ImageServiceApplianceTest.CapturedLogs();
                InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            String credential = available(appliance, MAC);
            assertTrue(problem(appliance.operator(post(machine + "/reprovision", ""), 409))
                    .contains("takes a deploy as it is"));
            String deployId = JSON.readTree(appliance.operator(post(machine + "/deploy", DEPLOY), 202)).get("deployId")
                    .asText();
            HandSpokenAgent.heartbeat(appliance, credential, null);
            assertEquals("reboot", HandSpokenAgent.heartbeat(appliance, credential, "{\"actionId\": \"" + deployId
                    + "\", \"status\": \"succeeded\", \"deployed\": {\"disk\": \"/dev/vda\", \"sourceChecksum\": \""
                    + SHA256 + "\", \"imageBytes\": 1024, \"tableType\": \"none\"}}").get("kind").asText());
            assertTrue(appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200)
                    .contains("exit"), "provisioned: its disk");
            assertEquals("provisioned", HandSpokenAgent.machine(appliance, MAC).get("state").asText());

            appliance.operator(post(machine + "/reprovision", "{\"colour\": \"red\"}"), 400);
            JsonNode back = JSON.readTree(appliance.operator(post(machine + "/reprovision",
                    "{\"reason\": \"new kernel\"}"), 200));
            assertEquals("inspecting", back.get("state").asText());
            assertEquals("succeeded", back.at("/deploy/state").asText(), "the last deploy is still shown");
            JsonNode history = JSON.readTree(appliance.operator(get(machine + "/history"), 200));
            JsonNode last = history.get(history.size() - 1);
            assertEquals("provisioned", last.get("from").asText());
            assertEquals("reprovision: new kernel", last.get("reason").asText());
            assertTrue(logs.lines.stream().anyMatch(l -> l.matches("audit 127\\.0\\.0\\.1:\\d+ POST " + MAC
                    + ": reprovision: state provisioned -> inspecting \\(reason: new kernel\\)")), logs.lines.toString());
            assertTrue(appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200)
                    .contains("metalboot.token="), "its next boot runs the agent");
            assertTrue(problem(appliance.operator(post(machine + "/reprovision", ""), 409)).contains("is inspecting"));

            // A failed deploy leaves its agent waiting: reprovisioned, it inspects at once.
            String other = appliance.operatorBase() + "/api/v1/machines/" + OTHER;
            String otherCredential = available(appliance, OTHER);
            String failing = JSON.readTree(appliance.operator(post(other + "/deploy", DEPLOY), 202)).get("deployId")
                    .asText();
            HandSpokenAgent.heartbeat(appliance, otherCredential, null);
            HandSpokenAgent.heartbeat(appliance, otherCredential, "{\"actionId\": \"" + failing
                    + "\", \"status\": \"failed\", \"message\": \"no disk matches the hints\"}");
            assertEquals("failed", HandSpokenAgent.machine(appliance, OTHER).get("state").asText());
            appliance.operator(post(other + "/reprovision", ""), 200);
            HandSpokenAgent.inspect(appliance, otherCredential, "{\"hostname\": \"again\"}");
            assertEquals("available", HandSpokenAgent.machine(appliance, OTHER).get("state").asText());
        }
    }

    /** {@code mac} booted, its agent registered and inspected: the agent's credential. */
    private static String available(InProcessAppliance appliance, MacAddress mac) throws Exception {
        String credential = HandSpokenAgent.register(appliance, mac);
        HandSpokenAgent.inspect(appliance, credential, "{\"hostname\": \"n-" + mac.toString().substring(15) + "\"}");
        assertEquals("available", HandSpokenAgent.machine(appliance, mac).get("state").asText());
        return credential;
    }

    private static String problem(String body) throws Exception {
        return JSON.readTree(body).get("error").asText();
    }
}
