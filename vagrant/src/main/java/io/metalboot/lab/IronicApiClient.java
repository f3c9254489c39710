package io.metalboot.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small REST client of the Ironic API (and, with the same calls, of ironic-inspector's), JSON
 * through Jackson, every request with {@code X-OpenStack-Ironic-API-Version: }{@value #API_VERSION}:
 * 1.81 is the newest microversion of ironic 21.4.4 (max 1.82, sharding) that the tests can use —
 * it has everything below (provision verbs incl. {@code abort}/{@code deleted}, deploy steps 1.69)
 * and {@code GET /v1/nodes/UUID/inventory} (1.81), where the inspector interface leaves what the
 * ramdisk reported.
 *
 * <p>Two transports: {@link #direct} is the JDK {@link HttpClient}, for a JVM whose network reaches
 * the address; {@link #inNamespace} runs curl inside a lab namespace. The lab's JVM stays in the
 * host's network namespace, which has no route to a lab namespace (nothing of the lab is on the
 * host), so the lab's tests use {@link #inNamespace}, as {@link ApplianceApi} does.
 */
final class IronicApiClient {
    static final String API_VERSION = "1.81";
    /** States a node stops in when something went wrong; {@link #waitForProvisionState} fails fast on them. */
    static final Set<String> FAILURE_STATES = Set.of("deploy failed", "clean failed", "inspect failed", "error",
            "rescue failed", "unrescue failed", "adopt failed");
    private static final Duration CALL = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: the status code and the body. */
    record Reply(int status, String body) {
    }

    /** Sends one request: method, absolute URL, JSON body (null: none). */
    @FunctionalInterface
    interface Transport {
        Reply send(String method, String url, String json);
    }

    private final String baseUrl;
    private final Transport transport;

    private IronicApiClient(String baseUrl, Transport transport) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.transport = transport;
    }

    /** The JDK HttpClient, straight to {@code baseUrl} (no proxy). */
    static IronicApiClient direct(String baseUrl) {
        HttpClient http = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return new IronicApiClient(baseUrl, (method, url, json) -> {
            var request = HttpRequest.newBuilder(URI.create(url)).timeout(CALL)
                    .header("X-OpenStack-Ironic-API-Version", API_VERSION)
                    .header("Accept", "application/json")
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
            if (json != null) {
                request.header("Content-Type", "application/json");
            }
            try {
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Reply(response.statusCode(), response.body());
            } catch (IOException e) {
                throw new LabException(method + " " + url + " failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted during " + method + " " + url, e);
            }
        });
    }

    /** curl inside {@code from} (noauth: nothing secret goes on its command line). */
    static IronicApiClient inNamespace(Namespace from, String baseUrl) {
        String statusMark = "\nHTTP-STATUS:";
        return new IronicApiClient(baseUrl, (method, url, json) -> {
            var argv = new ArrayList<>(List.of(Tool.CURL.path(), "-sS", "--noproxy", "*",
                    "--max-time", Long.toString(CALL.toSeconds()), "-X", method,
                    "-H", "X-OpenStack-Ironic-API-Version: " + API_VERSION, "-H", "Accept: application/json",
                    "-w", statusMark + "%{http_code}"));
            if (json != null) {
                argv.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", json));
            }
            argv.add(url);
            String output = Command.run(CALL.plusSeconds(5), from.exec(argv));
            int mark = output.lastIndexOf(statusMark);
            if (mark < 0) {
                throw new LabException("curl " + method + " " + url + " printed no status: " + output);
            }
            return new Reply(Integer.parseInt(output.substring(mark + statusMark.length()).strip()), output.substring(0, mark));
        });
    }

    String baseUrl() {
        return baseUrl;
    }

    /** {@code GET PATH} (e.g. {@code /v1/nodes/UUID/inventory}) as JSON; fails unless 2xx. */
    JsonNode get(String path) {
        return parse(call("GET", path, null));
    }

    /** Any call; fails unless 2xx. The reply's body may be empty (202 of a provision state change). */
    Reply call(String method, String path, Object body) {
        String json;
        try {
            json = body == null ? null : JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new LabException("cannot write " + body + " as JSON", e);
        }
        Reply reply = transport.send(method, baseUrl + path, json);
        if (reply.status() / 100 != 2) {
            throw new LabException(method + " " + baseUrl + path + (json == null ? "" : " " + json) + " answered "
                    + reply.status() + ": " + reply.body().strip());
        }
        return reply;
    }

    /**
     * {@code POST /v1/nodes}; the node's UUID. {@code body} as Ironic takes it, e.g. {@code driver}
     * fake-hardware, {@code properties} (vendor, cpu_arch ...), {@code driver_info} (e.g.
     * {@code deploy_forces_oob_reboot}), interfaces to override the defaults.
     */
    String createNode(Map<String, Object> body) {
        return text(parse(call("POST", "/v1/nodes", body)), "uuid");
    }

    /** {@code POST /v1/ports} for the node; the port's UUID. */
    String createPort(String nodeUuid, String mac) {
        return text(parse(call("POST", "/v1/ports", Map.of("node_uuid", nodeUuid, "address", mac))), "uuid");
    }

    /** {@code PATCH /v1/nodes/UUID} with a JSON patch ({@code op}, {@code path}, {@code value}); the node after it. */
    JsonNode patchNode(String uuid, List<Map<String, Object>> jsonPatch) {
        return parse(call("PATCH", "/v1/nodes/" + uuid, jsonPatch));
    }

    /**
     * The node's image, as a standalone Ironic takes an http one: {@code instance_info.image_source}
     * (Ironic copies it to image_url), the sha256 as {@code image_os_hash_*}, the disk format;
     */
    JsonNode setImage(String uuid, String url, String sha256, String diskFormat) {
        return setImage(uuid, url, sha256, diskFormat, List.of());
    }

    /** As {@link #setImage(String, String, String, String)}, with {@code more} patch operations in the same PATCH. */
    JsonNode setImage(String uuid, String url, String sha256, String diskFormat, List<Map<String, Object>> more) {
        List<Map<String, Object>> patch = new ArrayList<>(more);
        patch.add(Map.of("op", "add", "path", "/instance_info/image_source", "value", url));
        patch.add(Map.of("op", "add", "path", "/instance_info/image_os_hash_algo", "value", "sha256"));
        patch.add(Map.of("op", "add", "path", "/instance_info/image_os_hash_value", "value", sha256));
        patch.add(Map.of("op", "add", "path", "/instance_info/image_disk_format", "value", diskFormat));
        return patchNode(uuid, patch);
    }

    /** {@code PUT /v1/nodes/UUID/states/provision} with {@code target}: manage, provide, inspect, deploy, deleted, abort, clean ... */
    void setProvisionState(String uuid, String verb) {
        setProvisionState(uuid, verb, Map.of());
    }

    /** As {@link #setProvisionState(String, String)}, with more fields ({@code clean_steps}, {@code deploy_steps}, {@code configdrive}). */
    void setProvisionState(String uuid, String verb, Map<String, Object> more) {
        var body = new LinkedHashMap<String, Object>();
        body.put("target", verb);
        body.putAll(more);
        call("PUT", "/v1/nodes/" + uuid + "/states/provision", body);
    }

    /** {@code GET /v1/nodes/UUID}. */
    JsonNode node(String uuid) {
        return get("/v1/nodes/" + uuid);
    }

    /** {@code DELETE /v1/nodes/UUID} (a node in enroll, manageable, available or a failure state). */
    void deleteNode(String uuid) {
        call("DELETE", "/v1/nodes/" + uuid, null);
    }

    /**
     * Polls the node until its {@code provision_state} is {@code target} and returns it. A failure
     * state ({@link #FAILURE_STATES}) other than {@code target} ends the wait at once, as does the
     * timeout; either message names the state, target_provision_state and last_error. Waiting for
     * a failure state itself (e.g. {@code deploy failed}) is allowed.
     */
    JsonNode waitForProvisionState(String uuid, String target, Duration timeout) {
        var deadline = Deadline.in(timeout);
        while (true) {
            JsonNode node = node(uuid);
            String state = text(node, "provision_state");
            if (target.equals(state)) {
                return node;
            }
            if (FAILURE_STATES.contains(state)) {
                throw new LabException("node " + uuid + " waited for '" + target + "' but reached " + describe(node));
            }
            if (deadline.remaining().isZero()) {
                throw new LabException("node " + uuid + " did not reach '" + target + "' within " + timeout + ": " + describe(node));
            }
            Deadline.pause(POLL, "waiting for node " + uuid + " to reach " + target);
        }
    }

    /** {@code provision_state 'X' (target_provision_state 'Y'), last_error: Z}. */
    static String describe(JsonNode node) {
        return "provision_state '" + text(node, "provision_state") + "' (target_provision_state '"
                + text(node, "target_provision_state") + "'), last_error: " + text(node, "last_error");
    }

    /** A field as text; null for a JSON null or a missing field. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static JsonNode parse(Reply reply) {
        try {
            return reply.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(reply.body());
        } catch (JsonProcessingException e) {
            throw new LabException("not JSON: " + reply.body(), e);
        }
    }
}
