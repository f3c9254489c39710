package io.metalboot.cli;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged appliance ({@code pxe-server/target/appliance}, as the .deb ships it) as a child
 * JVM, its state under a test's directory: both listeners on free ports (the operator API on
 * 127.0.0.1, the provisioning one on the wildcard address, as it always binds), no DHCP or TFTP,
 * loopback trusted as a provisioning network (no boot evidence asked). The CLI imports nothing of
 * the appliance, so its tests meet it only as its operators do. Closing it sends SIGTERM.
 */
final class RunningAppliance implements AutoCloseable {
    private static final Pattern OPERATOR = Pattern.compile("operator API listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern BOOT = Pattern.compile("HTTP listening on [0-9.]+:(\\d+)");
    private static final long START_SECONDS = 60;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path dir;
    private final String apiUrl;
    private final String bootUrl;

    private RunningAppliance(Process process, Path dir, String apiUrl, String bootUrl) {
        this.process = process;
        this.dir = dir;
        this.apiUrl = apiUrl;
        this.bootUrl = bootUrl;
    }

    /** Started in {@code dir} with {@code more} YAML (top-level keys the base config does not set) after the base. */
    static RunningAppliance start(Path dir, String more) throws Exception {
        Path jar = Path.of(System.getProperty("metalboot.appliance.dir", "../pxe-server/target/appliance"),
                "metalboot-pxe-server.jar");
        if (!Files.isRegularFile(jar)) {
            fail("no packaged appliance at " + jar.toAbsolutePath() + ": build it first (./mvnw -pl cli -am package,"
                    + " or the whole reactor: the cli module comes after pxe-server)");
        }
        Path config = dir.resolve("metalboot.yaml");
        Files.writeString(config, """
                server-address: 127.0.0.1
                state-dir: %s
                dhcp: {enabled: false}
                tftp: {enabled: false}
                http: {port: 0, assets: %s}
                api: {listen: "127.0.0.1:0"}
                boot: {evidence: {networks: [{cidr: 127.0.0.0/8, require: []}]}}
                """.formatted(dir.resolve("state"), dir.resolve("assets")) + more);
        Path log = dir.resolve("appliance.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // jffi's, as the build's own JVMs are told
        }
        command.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            String started = awaitStarted(process, log);
            return new RunningAppliance(process, dir, "http://127.0.0.1:" + port(OPERATOR, started),
                    "http://127.0.0.1:" + port(BOOT, started));
        } catch (Exception | AssertionError e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static String awaitStarted(Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS);
        while (System.nanoTime() < deadline) {
            String logged = Files.exists(log) ? Files.readString(log) : "";
            if (logged.contains("metalboot started")) {
                return logged;
            }
            if (!process.isAlive()) {
                throw new AssertionError("the appliance exited (" + process.exitValue() + ") before it started:\n"
                        + logged);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the appliance did not start within " + START_SECONDS + " s:\n" + Files.readString(log));
    }

    private static int port(Pattern listening, String log) {
        Matcher matcher = listening.matcher(log);
        if (!matcher.find()) {
            throw new AssertionError("no " + listening + " line:\n" + log);
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** The operator listener. */
    String apiUrl() {
        return apiUrl;
    }

    /** The provisioning listener: boot scripts and the agent API. */
    String bootUrl() {
        return bootUrl;
    }

    Path tokenFile() {
        return dir.resolve("state").resolve("api.token");
    }

    Path stateDir() {
        return dir.resolve("state");
    }

    String log() throws IOException {
        return Files.readString(dir.resolve("appliance.log"));
    }

    /** What the operator API answers to GET {@code path} now, read with the token as any client would. */
    JsonNode read(String path) throws Exception {
        HttpResponse<byte[]> reply = HTTP.send(HttpRequest.newBuilder(URI.create(apiUrl + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + Files.readString(tokenFile()).strip()).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (reply.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + reply.statusCode());
        }
        return JSON.readTree(reply.body());
    }

    /** The arguments that point the CLI at this appliance, then {@code command}. */
    String[] cli(String... command) {
        List<String> args = new ArrayList<>(List.of("--api", apiUrl, "--token-file", tokenFile().toString()));
        args.addAll(List.of(command));
        return args.toArray(String[]::new);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
