package io.metalboot.appliance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.metalboot.appliance.api.ApiToken;
import io.metalboot.appliance.api.OperatorApiService;
import io.metalboot.appliance.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The whole appliance in this JVM, HTTP and the operator API on free loopback ports, no DHCP or
 * TFTP, its state under a test's directory: for tests that call it the way machines and operators do.
 */
final class InProcessAppliance implements AutoCloseable {
    private final Appliance appliance;
    private final Path stateDir;
    private final HttpClient http = HttpClient.newHttpClient();

    private InProcessAppliance(Appliance appliance, Path stateDir) {
        this.appliance = appliance;
        this.stateDir = stateDir;
    }

    /** Started with {@code more} YAML appended to {@link #loopbackConfig}. */
    static InProcessAppliance start(Path dir, String more) throws Exception {
        return new InProcessAppliance(Appliance.start(ConfigLoader.load(loopbackConfig(dir) + more, "test.yaml")
                .config()), dir.resolve("state"));
    }

    /** HTTP and the operator API on free loopback ports, no DHCP or TFTP, state and assets under {@code dir}. */
    static String loopbackConfig(Path dir) {
        return """
                server-address: 127.0.0.1
                state-dir: %s
                dhcp: {enabled: false}
                tftp: {enabled: false}
                http: {port: 0, assets: %s}
                api: {listen: "127.0.0.1:0"}
                """.formatted(dir.resolve("state"), dir.resolve("assets"));
    }

    /** The provisioning listener, where machines fetch their scripts. */
    String bootBase() {
        return "http://127.0.0.1:" + appliance.httpPort();
    }

    /** The operator listener. */
    String operatorBase() {
        return "http://127.0.0.1:" + appliance.service(OperatorApiService.class).orElseThrow().port();
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
