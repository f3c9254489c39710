package io.metalboot.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.appliance.api.ApiToken;
import io.metalboot.appliance.api.OperatorApiService;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.metalboot.appliance.config.ConfigLoader;
import io.metalboot.appliance.evidence.NeighbourTable;
import io.metalboot.machine.MacAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * The whole appliance in this JVM, HTTP and the operator API on free loopback ports, no DHCP or
 * TFTP, its state under a test's directory: for tests that call it the way machines and operators do.
 */
final class InProcessAppliance implements AutoCloseable {
    private final Appliance appliance;
    private final String baseConfig;
    private final Path stateDir;
    private final HttpClient http = HttpClient.newHttpClient();

    private InProcessAppliance(Appliance appliance, String baseConfig, Path stateDir) {
        this.appliance = appliance;
        this.baseConfig = baseConfig;
        this.stateDir = stateDir;
    }

    /** Started with {@code more} YAML laid over {@link #loopbackConfig} (loopback trusted: no boot evidence asked). */
    static InProcessAppliance start(Path dir, String more) throws Exception {
        String base = loopbackConfig(dir);
        return new InProcessAppliance(Appliance.start(ConfigLoader.load(merged(base, more), "test.yaml").config()),
                base, dir.resolve("state"));
    }

    /** As {@link #start(Path, String)}, with {@code clock} as the registry's, agents' and signed URLs' clock. */
    static InProcessAppliance start(Path dir, String more, Clock clock) throws Exception {
        String base = loopbackConfig(dir);
        return new InProcessAppliance(Appliance.start(ConfigLoader.load(merged(base, more), "test.yaml").config(),
                new Appliance.Sources(null, clock)), base, dir.resolve("state"));
    }

    /**
     * Started with {@code more} laid over {@link #untrustedLoopbackConfig}: script requests over
     * loopback are held to the boot evidence rules, with this neighbour table and clock; PXE
     * sightings come from {@link #pxeSeen} (there is no ProxyDHCP).
     */
    static InProcessAppliance startHoldingToEvidence(Path dir, String more, NeighbourTable neighbours, Clock clock)
            throws Exception {
        String base = untrustedLoopbackConfig(dir);
        return new InProcessAppliance(Appliance.start(ConfigLoader.load(merged(base, more), "test.yaml").config(),
                new Appliance.Sources(neighbours, clock)), base, dir.resolve("state"));
    }

    /** A reload, as SIGHUP makes one, of the config file now reading {@code more} over the same base. */
    Appliance.ReloadResult reload(String more) throws Exception {
        return appliance.reload(ConfigLoader.load(merged(baseConfig, more), "test.yaml").config());
    }

    /**
     * HTTP and the operator API on free loopback ports, no DHCP or TFTP, state and assets under
     * {@code dir}; loopback is a trusted network (there is no ProxyDHCP to see a PXE boot, nor a
     * neighbour table for 127.0.0.1).
     */
    static String loopbackConfig(Path dir) {
        return untrustedLoopbackConfig(dir) + """
                boot: {evidence: {networks: [{cidr: 127.0.0.0/8, require: []}]}}
                """;
    }

    /** As {@link #loopbackConfig}, but loopback is held to the default evidence rules. */
    static String untrustedLoopbackConfig(Path dir) {
        return """
                server-address: 127.0.0.1
                state-dir: %s
                dhcp: {enabled: false}
                tftp: {enabled: false}
                http: {port: 0, assets: %s}
                api: {listen: "127.0.0.1:0"}
                """.formatted(dir.resolve("state"), dir.resolve("assets"));
    }

    /** {@code more} laid over {@code base}, mapping by mapping (a test's own boot: keeps the base's boot.evidence). */
    static String merged(String base, String more) throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        ObjectNode merged = (ObjectNode) yaml.readTree(base);
        JsonNode extra = yaml.readTree(more);
        if (extra instanceof ObjectNode extraObject) {
            overlay(merged, extraObject);
        }
        return yaml.writeValueAsString(merged);
    }

    private static void overlay(ObjectNode base, ObjectNode extra) {
        extra.properties().forEach(entry -> {
            if (base.get(entry.getKey()) instanceof ObjectNode baseChild && entry.getValue() instanceof ObjectNode child) {
                overlay(baseChild, child);
            } else {
                base.set(entry.getKey(), entry.getValue());
            }
        });
    }

    /** As if the ProxyDHCP had just seen {@code mac}'s PXE DISCOVER on its own link. */
    void pxeSeen(MacAddress mac) {
        appliance.context().evidence().pxeSeen(mac, false);
    }

    /** One pass of the periodic expiry of machines discovered and never registered. */
    void forgetExpiredUnregistered() throws Exception {
        appliance.context().registry().forgetExpiredUnregistered();
    }

    /** The provisioning listener, where machines fetch their scripts. */
    String bootBase() {
        return "http://127.0.0.1:" + appliance.httpPort();
    }

    /** The operator listener. */
    String operatorBase() {
        return "http://127.0.0.1:" + appliance.service(OperatorApiService.class).orElseThrow().port();
    }

    /** A started service of this type (the image service's deploy URLs, say). */
    <T extends ApplianceService> T service(Class<T> type) {
        return appliance.service(type).orElseThrow();
    }

    /** The operator's token, read from the state directory as an operator on the host would. */
    String token() throws Exception {
        return Files.readString(stateDir.resolve(ApiToken.FILE_NAME)).strip();
    }

    Path stateDir() {
        return stateDir;
    }

    /** A call with the current token, on the operator listener. */
    String operator(HttpRequest.Builder request, int expectedStatus) throws Exception {
        return send(request.header("Authorization", "Bearer " + token()), expectedStatus);
    }

    String send(HttpRequest.Builder request, int expectedStatus) throws Exception {
        HttpResponse<String> reply = http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(expectedStatus, reply.statusCode(), request.build().method() + " " + request.build().uri()
                + ": " + reply.body());
        return reply.body();
    }

    static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url));
    }

    @Override
    public void close() {
        appliance.close();
    }
}
