package io.metalboot.appliance;

import static io.metalboot.appliance.InProcessAppliance.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nobody gets into the operator API unasked: without the token, with a wrong one, with one rotated
 * out, and on the provisioning listener, every operator endpoint refuses and the registry is
 * unchanged; with the token, changes are audited with the caller's address.
 */
class OperatorApiAuthTest {
    private static final String MAC = "52:54:00:a0:70:01";
    private static final Logger AUDIT = Logger.getLogger("audit");

    private final List<String> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            audit.add(new java.util.logging.SimpleFormatter().formatMessage(record));
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureAudit() {
        AUDIT.addHandler(capture);
    }

    @AfterEach
    void releaseAudit() {
        AUDIT.removeHandler(capture);
    }

    /** Every operator endpoint, as a request against a base URL. */
    private static List<Function<String, HttpRequest.Builder>> operatorCalls() {
        String machine = "/api/v1/machines/" + MAC;
        return List.of(
                base -> get(base + "/api/v1/machines"),
                base -> get(base + machine),
                base -> get(base + machine + "/history"),
                base -> get(base + machine + "/labels"),
                base -> get(base + machine + "/state")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"state\": \"provisioned\", \"reason\": \"x\"}")),
                base -> get(base + machine + "/labels/rack").PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"9\"}")),
                base -> get(base + machine + "/labels/zone").DELETE(),
                base -> get(base + machine + "/reprovision").POST(HttpRequest.BodyPublishers.noBody()),
                base -> get(base + machine).DELETE(),
                base -> get(base + "/api/v1/boot-evidence"),
                base -> get(base + "/api/v1/status"),
                base -> get(base + "/api/v1/token").POST(HttpRequest.BodyPublishers.noBody()));
    }

    /** What the registry shows of the machine, read with the right token. */
    private static String registryView(InProcessAppliance appliance) throws Exception {
        String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
        return appliance.operator(get(machine), 200) + appliance.operator(get(machine + "/history"), 200);
    }

    @Test
    void everyOperatorEndpointRefusesWithoutTheRightTokenOrOnTheWrongListener(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200);
            appliance.operator(get(appliance.operatorBase() + "/api/v1/machines/" + MAC + "/labels/zone")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"a\"}")), 200);
            String oldToken = appliance.token();
            String rotated = appliance.operator(get(appliance.operatorBase() + "/api/v1/token")
                    .POST(HttpRequest.BodyPublishers.noBody()), 200);
            assertTrue(rotated.contains(appliance.token()), "the caller gets the new token");
            assertNotEquals(oldToken, appliance.token());
            String before = registryView(appliance);
            String token = appliance.token();
            audit.clear();

            for (Function<String, HttpRequest.Builder> call : operatorCalls()) {
                String base = appliance.operatorBase();
                assertEquals("", appliance.send(call.apply(base), 401), "no token: no detail");
                appliance.send(call.apply(base).header("Authorization", "Bearer " + token + "x"), 401);
                appliance.send(call.apply(base).header("Authorization", "Bearer " + oldToken), 401);
                appliance.send(call.apply(base).header("Authorization", "Basic " + token), 401);
                appliance.send(call.apply(appliance.bootBase()).header("Authorization", "Bearer " + token), 404);
            }
            assertEquals(token, appliance.token(), "no refused call rotated the token");
            assertEquals(before, registryView(appliance), "no refused call changed the registry");
            assertEquals(List.of(), audit, "refused calls changed nothing, so nothing was audited");
        }
    }

    @Test
    void aTokenRotatedFromTheCommandLineIsRefusedAtOnce(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            String machines = appliance.operatorBase() + "/api/v1/machines";
            String old = appliance.token();
            appliance.operator(get(machines), 200);
            Path config = dir.resolve("metalboot.yaml");
            Files.writeString(config, "state-dir: " + appliance.stateDir() + "\n");
            ApplianceMain.main(new String[] {"--config", config.toString(), "--rotate-api-token"});

            assertNotEquals(old, appliance.token());
            appliance.send(get(machines).header("Authorization", "Bearer " + old), 401);
            appliance.operator(get(machines), 200);
        }
    }

    @Test
    void theTokenFileIsTheOperatorsAloneAndChangesAreAudited(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            Path file = appliance.stateDir().resolve("api.token");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertTrue(appliance.token().length() >= 43, "256 bits");

            appliance.send(get(appliance.bootBase() + "/boot/machine.ipxe?mac=" + MAC), 200);
            String machine = appliance.operatorBase() + "/api/v1/machines/" + MAC;
            appliance.operator(get(machine + "/state")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"state\": \"provisioned\", \"reason\": \"racked\"}")), 200);
            appliance.operator(get(machine + "/labels/rack").PUT(HttpRequest.BodyPublishers.ofString("{\"value\": \"7\"}")),
                    200);
            appliance.operator(get(appliance.operatorBase() + "/api/v1/token").POST(HttpRequest.BodyPublishers.noBody()),
                    200);
            List<String> lines = new ArrayList<>(audit);
            assertEquals(3, lines.size(), lines.toString());
            assertTrue(lines.get(0).matches("127\\.0\\.0\\.1:\\d+ POST " + MAC
                    + ": state discovered -> provisioned \\(reason: racked\\)"), lines.get(0));
            assertTrue(lines.get(1).matches("127\\.0\\.0\\.1:\\d+ PUT " + MAC + ": label rack=7"), lines.get(1));
            assertTrue(lines.get(2).matches("127\\.0\\.0\\.1:\\d+ POST api-token: rotated"), lines.get(2));
            String token = appliance.token();
            assertFalse(lines.stream().anyMatch(l -> l.contains(token)), "the token never reaches a log");
        }
    }

    @Test
    void healthChecksNeedNoTokenAndAnswerOnBothListeners(@TempDir Path dir) throws Exception {
        try (InProcessAppliance appliance = InProcessAppliance.start(dir, "")) {
            for (String base : List.of(appliance.bootBase(), appliance.operatorBase())) {
                assertEquals("ok\n", appliance.send(get(base + "/healthz"), 200));
                assertEquals("ready\n", appliance.send(get(base + "/readyz"), 200));
            }
        }
    }
}
