package io.metalboot.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A machine's agent spoken by hand over the agent API, as the ramdisk's agent speaks it: its boot
 * script's single-use token exchanged for a session, the inspection, heartbeats that report a
 * deploy's progress and its end. It writes no disk: what it reports is what a test scripts.
 */
final class ScriptedAgent {
    private static final Pattern TOKEN = Pattern.compile("metalboot\\.token=(\\S+)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final String bootUrl;
    private final String credential;

    private ScriptedAgent(String bootUrl, String credential) {
        this.bootUrl = bootUrl;
        this.credential = credential;
    }

    /** {@code mac} PXE-booted and fetched its script, whose kernel line it returns; no agent registered (yet). */
    static String booted(RunningAppliance appliance, String mac) throws Exception {
        return send(get(appliance.bootUrl() + "/boot/machine.ipxe?mac=" + mac), 200);
    }

    /** {@code mac} PXE-booted (its script fetched) and its agent registered: the machine is inspecting. */
    static ScriptedAgent register(RunningAppliance appliance, String mac) throws Exception {
        Matcher token = TOKEN.matcher(booted(appliance, mac));
        assertTrue(token.find(), "the agent's script for " + mac);
        JsonNode registered = JSON.readTree(send(post(appliance.bootUrl() + "/agent/v1/register",
                "{\"mac\": \"" + mac + "\", \"bootToken\": \"" + token.group(1) + "\"}"), 200));
        return new ScriptedAgent(appliance.bootUrl(), registered.get("credential").asText());
    }

    /** {@code mac} booted, registered and inspected: it is available. */
    static ScriptedAgent available(RunningAppliance appliance, String mac) throws Exception {
        ScriptedAgent agent = register(appliance, mac);
        agent.inspect();
        return agent;
    }

    /** Its first action (inspect) taken: an inventory sent, the action reported done. */
    void inspect() throws Exception {
        JsonNode inspect = heartbeat(null);
        assertEquals("inspect", inspect.get("kind").asText(), inspect.toString());
        send(post(bootUrl + "/agent/v1/inventory", "{\"hostname\": \"scripted\"}")
                .header("Authorization", "Bearer " + credential), 204);
        heartbeat("{\"actionId\": \"" + inspect.get("actionId").asText() + "\", \"status\": \"succeeded\"}");
    }

    /** The deploy it is told at its next heartbeat: the appliance's instructions. */
    JsonNode takeDeploy() throws Exception {
        JsonNode told = heartbeat(null);
        assertEquals("deploy", told.get("kind").asText(), told.toString());
        return told.get("deploy");
    }

    /** A heartbeat reporting {@code bytesDone} of {@code imageBytes} written. */
    void progress(String deployId, long bytesDone, long imageBytes, long bytesPerSecond, long etaSeconds)
            throws Exception {
        heartbeat("{\"actionId\": \"" + deployId + "\", \"status\": \"running\", \"progress\": {\"bytesDone\": "
                + bytesDone + ", \"imageBytes\": " + imageBytes + ", \"bytesPerSecond\": " + bytesPerSecond
                + ", \"etaSeconds\": " + etaSeconds + "}}");
    }

    /** The write verified: the disk it left, the source's checksum as told. */
    void succeed(String deployId, String checksum, long imageBytes) throws Exception {
        JsonNode next = heartbeat("{\"actionId\": \"" + deployId + "\", \"status\": \"succeeded\", \"deployed\":"
                + " {\"disk\": \"/dev/vdb\", \"sourceChecksum\": \"" + checksum + "\", \"imageBytes\": " + imageBytes
                + ", \"tableType\": \"gpt\", \"rootPartition\": \"/dev/vdb1\"}}");
        assertEquals("reboot", next.get("kind").asText(), "a verified write: reboot into it");
    }

    void fail(String deployId, String message) throws Exception {
        heartbeat("{\"actionId\": \"" + deployId + "\", \"status\": \"failed\", \"message\": \"" + message + "\"}");
    }

    JsonNode heartbeat(String report) throws Exception {
        return JSON.readTree(send(post(bootUrl + "/agent/v1/heartbeat", "{\"report\": "
                + (report == null ? "null" : report) + "}").header("Authorization", "Bearer " + credential), 200));
    }

    private static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
    }

    private static HttpRequest.Builder post(String url, String body) {
        return get(url).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String send(HttpRequest.Builder request, int status) throws Exception {
        HttpResponse<String> reply = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, reply.statusCode(), request.build().uri() + ": " + reply.body());
        return reply.body();
    }
}
