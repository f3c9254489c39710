package io.metalboot.agent.ironic;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * The calls an agent makes to Ironic's API, as ironic-python-agent makes them: the version
 * negotiated from {@code GET /} (the lower of Ironic's and the newest this agent knows), then
 * {@code GET /v1/lookup?addresses=} and {@code POST /v1/heartbeat/{node}}, each with
 * {@code X-OpenStack-Ironic-API-Version}; and the inspection's {@code POST} to ironic-inspector.
 */
final class IronicApi {
    /** API versions: the agent token (1.62), agent_verify_ca (1.68), the newest this agent knows. */
    static final Version AGENT_TOKEN = new Version(1, 62);
    static final Version AGENT_VERIFY_CA = new Version(1, 68);
    static final Version AGENT_VERSION_FIELD = new Version(1, 36);
    static final Version MINIMUM = new Version(1, 31);
    static final Version NEWEST_KNOWN = AGENT_VERIFY_CA;
    /** What a later lookup shows instead of the token: Ironic issues it once. */
    static final String HIDDEN_TOKEN = "******";

    record Version(int major, int minor) implements Comparable<Version> {
        static Version parse(String text) {
            String[] parts = text.split("\\.");
            return new Version(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }

        @Override
        public int compareTo(Version other) {
            return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
        }

        @Override
        public String toString() {
            return major + "." + minor;
        }
    }

    /**
     * A node the lookup found.
     *
     * @param token            the agent token when this lookup issued it; {@link #HIDDEN_TOKEN} when an
     *                         earlier one did; empty when Ironic issues none
     * @param heartbeatTimeout Ironic's {@code heartbeat_timeout}
     */
    record Lookup(String nodeUuid, JsonNode node, Optional<String> token, Duration heartbeatTimeout) {
        @Override
        public String toString() {
            return "Lookup[" + nodeUuid + ", heartbeat_timeout " + heartbeatTimeout.toSeconds() + " s]";
        }
    }

    /** An answer that is not what was asked (the status, and Ironic's faultstring). */
    static final class ApiException extends IOException {
        private static final long serialVersionUID = 1L;
        final int status;

        ApiException(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final String apiUrl;
    private final Optional<String> requestId;
    private final HttpClient http;
    private Version version;

    IronicApi(String apiUrl, Optional<String> requestId, SSLContext tls) {
        this.apiUrl = apiUrl;
        this.requestId = requestId;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(tls).build();
    }

    /** The version both speak: from {@code GET /}'s default_version, at most {@link #NEWEST_KNOWN}. */
    synchronized Version version() throws IOException, InterruptedException {
        if (version == null) {
            HttpResponse<byte[]> reply = send(request("/").GET().build());
            JsonNode root = ok(reply, "GET /");
            String text = root.path("default_version").path("version").asText("");
            if (!text.matches("\\d+\\.\\d+")) {
                throw new IOException("Ironic's GET / names no default_version.version: " + root);
            }
            Version theirs = Version.parse(text);
            if (theirs.compareTo(MINIMUM) < 0) {
                throw new IOException("Ironic's API is " + theirs + "; this agent needs at least " + MINIMUM);
            }
            version = theirs.compareTo(NEWEST_KNOWN) < 0 ? theirs : NEWEST_KNOWN;
        }
        return version;
    }

    boolean supportsAutoTls() throws IOException, InterruptedException {
        return version().compareTo(AGENT_VERIFY_CA) >= 0;
    }

    /** @return empty when Ironic knows no node for these addresses in a state that allows a lookup (404) */
    Optional<Lookup> lookup(List<String> macs) throws IOException, InterruptedException {
        String addresses = URLEncoder.encode(String.join(",", macs), StandardCharsets.UTF_8);
        HttpResponse<byte[]> reply = send(request("/v1/lookup?addresses=" + addresses).GET().build());
        if (reply.statusCode() == 404) {
            return Optional.empty();
        }
        JsonNode body = ok(reply, "lookup");
        JsonNode node = body.path("node");
        if (!node.path("uuid").isTextual()) {
            throw new IOException("Ironic's lookup answer has no node uuid");
        }
        JsonNode config = body.path("config");
        Optional<String> token = config.path("agent_token").isTextual()
                ? Optional.of(config.get("agent_token").asText()) : Optional.empty();
        long heartbeat = config.path("heartbeat_timeout").asLong(300);
        return Optional.of(new Lookup(node.get("uuid").asText(), node, token, Duration.ofSeconds(Math.max(heartbeat, 1))));
    }

    /**
     * @param verifyCa the PEM of the certificate the agent's API serves, with auto-TLS
     * @throws ApiException with status 409 when the node is locked (try again soon)
     */
    void heartbeat(String node, String callbackUrl, String token, Optional<String> verifyCa)
            throws IOException, InterruptedException {
        Version v = version();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("callback_url", callbackUrl);
        if (v.compareTo(AGENT_TOKEN) >= 0) {
            body.put("agent_token", token);
        }
        if (v.compareTo(AGENT_VERSION_FIELD) >= 0) {
            body.put("agent_version", IpaApiServer.AGENT_VERSION);
        }
        if (v.compareTo(AGENT_VERIFY_CA) >= 0) {
            verifyCa.ifPresent(pem -> body.put("agent_verify_ca", pem));
        }
        HttpResponse<byte[]> reply = send(request("/v1/heartbeat/" + node)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(IpaJson.bytes(body))).build());
        if (reply.statusCode() != 202) {
            throw new ApiException(reply.statusCode(), "heartbeat: HTTP " + reply.statusCode() + ": " + fault(reply));
        }
    }

    /** ironic-inspector's {@code /v1/continue}: the inventory and what it names. */
    JsonNode inspect(String callbackUrl, byte[] data) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(callbackUrl)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(data));
        requestId.ifPresent(id -> builder.header("X-OpenStack-Request-ID", id));
        return ok(send(builder.build()), "inspection");
    }

    private HttpRequest.Builder request(String path) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(apiUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json");
        if (!path.equals("/")) {
            builder.header("X-OpenStack-Ironic-API-Version", version().toString());
        }
        requestId.ifPresent(id -> builder.header("X-OpenStack-Request-ID", id));
        return builder;
    }

    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode ok(HttpResponse<byte[]> reply, String what) throws IOException {
        if (reply.statusCode() / 100 != 2) {
            throw new ApiException(reply.statusCode(), what + ": HTTP " + reply.statusCode() + ": " + fault(reply));
        }
        return reply.body().length == 0 ? IpaJson.MAPPER.createObjectNode() : IpaJson.MAPPER.readTree(reply.body());
    }

    /** Ironic's error text: {@code error_message}'s faultstring (itself JSON in a string), else the body. */
    private static String fault(HttpResponse<byte[]> reply) {
        String text = new String(reply.body(), StandardCharsets.UTF_8);
        try {
            JsonNode body = IpaJson.MAPPER.readTree(reply.body());
            JsonNode message = body.path("error_message");
            if (message.isTextual()) {
                message = IpaJson.MAPPER.readTree(message.asText());
            }
            if (message.path("faultstring").isTextual()) {
                return message.get("faultstring").asText();
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: the text as it is
        }
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}
