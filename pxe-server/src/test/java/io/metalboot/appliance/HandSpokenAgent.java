package io.metalboot.appliance;

import static io.metalboot.appliance.DeployFlowTest.post;
import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.metalboot.machine.MacAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent API spoken by hand, for the tests that drive a machine through the real appliance
 * step by step (the bootstrap and Metal³ flows): the boot script's token, registration, the
 * inspection, heartbeats, and the operator's view of the machine.
 */
final class HandSpokenAgent {
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=(\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HandSpokenAgent() {
    }

    /** The machine's boot script, then its agent registered with that boot's token: the session credential. */
    static String register(InProcessAppliance appliance, MacAddress mac) throws Exception {
        Matcher token = TOKEN.matcher(appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + mac), 200));
        assertTrue(token.find());
        return JSON.readTree(appliance.send(post(appliance.bootBase() + "/agent/v1/register",
                "{\"mac\": \"" + mac + "\", \"bootToken\": \"" + token.group(1) + "\"}"), 200)).get("credential").asText();
    }

    /** The first action (inspect) taken, {@code inventoryJson} sent, the action reported done. */
    static void inspect(InProcessAppliance appliance, String credential, String inventoryJson) throws Exception {
        JsonNode inspect = heartbeat(appliance, credential, null);
        appliance.send(post(appliance.bootBase() + "/agent/v1/inventory", inventoryJson)
                .header("Authorization", "Bearer " + credential), 204);
        heartbeat(appliance, credential, "{\"actionId\": \"" + inspect.get("actionId").asText()
                + "\", \"status\": \"succeeded\"}");
    }

    /** One heartbeat with {@code report} (JSON, or null for none): the appliance's answer. */
    static JsonNode heartbeat(InProcessAppliance appliance, String credential, String report) throws Exception {
        return JSON.readTree(appliance.send(post(appliance.bootBase() + "/agent/v1/heartbeat", "{\"report\": "
                + (report == null ? "null" : report) + "}").header("Authorization", "Bearer " + credential), 200));
    }

    /** The machine as the operator API shows it. */
    static JsonNode machine(InProcessAppliance appliance, MacAddress mac) throws Exception {
        return JSON.readTree(appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + mac), 200));
    }
}
